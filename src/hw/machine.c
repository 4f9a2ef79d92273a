#include "hw/machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/pci/bridge.h"
#include "lib/compiler.h"

static const struct pci_id host_bridge_id = {
	0x8086, 0x3406, 0x22, "Intel Corporation", "5520 I/O Hub to ESI Port"};
static const struct pci_id root_port_id = {
	0x8086, 0x3408, 0x22, "Intel Corporation", "5520/5500/X58 I/O Hub PCI Express Root Port 1"};

/* Memory map under the root port's window (firmware's choice, stable for tools and tests). */
#define PF_BAR0(port)  (MACHINE_MMIO_BASE + (port) * E82576_PF_BAR0_SIZE)
#define PF_BAR3(port)  (MACHINE_MMIO_BASE + 0x40000 + (port) * E82576_PF_BAR3_SIZE)
#define VF_BAR0(port)  (MACHINE_MMIO_BASE + 0x100000 + (port) * 0x20000)
#define VF_BAR3(port)  (MACHINE_MMIO_BASE + 0x140000 + (port) * 0x20000)
#define PF_BAR2(port)  (MACHINE_IO_BASE + (port) * 0x20)
#define MMIO_LIMIT     (MACHINE_MMIO_BASE + 0x1fffff)

static void firmware_assign(struct machine *m)
{
	struct pci_func *rp = &m->root_port;

	pci_func__set(rp, PCI_PRIMARY_BUS, 1, 0);
	pci_func__set(rp, PCI_SECONDARY_BUS, 1, MACHINE_NIC_BUS);
	pci_func__set(rp, PCI_SUBORDINATE_BUS, 1, MACHINE_NIC_BUS + 1);
	pci_func__set(rp, PCI_MEMORY_BASE, 2, (MACHINE_MMIO_BASE >> 16) & 0xfff0);
	pci_func__set(rp, PCI_MEMORY_LIMIT, 2, (MMIO_LIMIT >> 16) & 0xfff0);
	pci_func__set(rp, PCI_IO_BASE, 1, ((MACHINE_IO_BASE >> 8) & 0xf0) | 1);
	pci_func__set(rp, PCI_IO_LIMIT, 1, ((MACHINE_IO_BASE >> 8) & 0xf0) | 1);
	/* No prefetchable window: base above limit. */
	pci_func__set(rp, PCI_PREF_MEMORY_BASE, 4, 0x0001fff1);
	pci_func__set(rp, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	for (unsigned port = 0; port < E82576_PORTS; port++) {
		struct pci_func *pf = &m->nicfn->pf[port];
		unsigned cap = m->nicfn->sriov[port].cap;

		pci_func__set(pf, PCI_BASE_ADDRESS_0, 4, PF_BAR0(port));
		pci_func__set(pf, PCI_BASE_ADDRESS_2, 4, PF_BAR2(port) | PCI_BASE_ADDRESS_SPACE_IO);
		pci_func__set(pf, PCI_BASE_ADDRESS_3, 4, PF_BAR3(port));
		pci_func__set(pf, cap + PCI_SRIOV_BAR, 4, VF_BAR0(port) | PCI_BASE_ADDRESS_MEM_TYPE_64);
		pci_func__set(pf, cap + PCI_SRIOV_BAR + 12, 4,
			      VF_BAR3(port) | PCI_BASE_ADDRESS_MEM_TYPE_64);
		pci_func__set(pf, PCI_INTERRUPT_LINE, 1, 10 + port);
	}
}

/* Every MSI the NIC writes goes through interrupt remapping, keyed by the writer's RID. */
static void machine_msi(void *opaque, uint16_t rid, uint64_t addr, uint32_t data)
{
	struct machine *m = opaque;
	struct ir_target t;
	int notify = 1;

	if (iommu__remap_msi(m->iommu, rid, addr, data, &t) ||
	    (t.kind == IR_POSTED && (notify = iommu__post(m->iommu, &t)) < 0) || !m->irq) {
		__atomic_fetch_add(&m->msi_dropped, 1, __ATOMIC_RELAXED); /* both engines count */
		return;
	}
	m->irq(m->irq_opaque, rid, &t, notify == 1);
}

static int open_wires(struct machine *m, const struct machine_config *cfg)
{
	int rc;

	for (unsigned p = 0; p < E82576_PORTS; p++) {
		const char *spec = cfg && cfg->wire[p] ? cfg->wire[p] : "cable";

		if (!strcmp(spec, "cable") && !m->cable && (rc = wire_cable__create(&m->cable)))
			return rc;
		if ((rc = wire__open(&m->wire[p], spec, m->cable, p)))
			return rc;
		if ((rc = e82576__set_wire(m->nic, p, m->wire[p])))
			return rc;
	}
	return 0;
}

static void close_wires(struct machine *m)
{
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		if (!m->wire[p])
			continue;
		e82576__set_wire(m->nic, p, NULL);
		wire__close(m->wire[p]);
		m->wire[p] = NULL;
	}
	if (m->cable)
		wire_cable__destroy(m->cable);
	m->cable = NULL;
}

int machine__create(struct machine **out, const struct machine_config *cfg)
{
	struct e82576_config nc = {
		.bus = MACHINE_NIC_BUS,
		.dev = 0,
		/* Intel's OUI, as on the Gigabit ET Dual Port Server Adapter. */
		.mac = {{0x00, 0x1b, 0x21, 0x4a, 0x5c, 0x60}, {0x00, 0x1b, 0x21, 0x4a, 0x5c, 0x61}},
		.msi = machine_msi,
	};
	struct machine *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return -ENOMEM;
	mem__init(&m->mem);
	if ((rc = mem_pool__init(&m->hv, &m->mem, "hypervisor", MACHINE_HV_BASE, MACHINE_HV_SIZE)))
		goto err_mem;
	if ((rc = iommu__create(&m->iommu, &m->mem, NULL)))
		goto err_pool;
	nc.iommu = m->iommu;
	nc.msi_opaque = m;
	if ((rc = e82576__create(&m->nic, &nc)))
		goto err_iommu;
	m->nicfn = e82576__pci(m->nic);
	if ((rc = pci_bridge__init_host(&m->host_bridge, PCI_RID(0, 0), &host_bridge_id)) ||
	    (rc = pci_bridge__init_root_port(&m->root_port, MACHINE_ROOT_PORT_RID, &root_port_id, 1,
					     true)) ||
	    (rc = pci_topo__add(&m->pci, &m->host_bridge)) ||
	    (rc = pci_topo__add(&m->pci, &m->root_port)))
		goto err_nic;
	for (unsigned port = 0; port < E82576_PORTS; port++)
		if ((rc = pci_topo__add(&m->pci, &m->nicfn->pf[port])))
			goto err_nic;
	firmware_assign(m);
	m->poll_window_ns = cfg ? cfg->poll_window_ns : 0;
	if ((rc = open_wires(m, cfg)))
		goto err_wires;
	*out = m;
	return 0;

err_wires:
	close_wires(m);
err_nic:
	e82576__destroy(m->nic);
err_iommu:
	iommu__destroy(m->iommu);
err_pool:
	mem_pool__fini(&m->hv);
err_mem:
	mem__fini(&m->mem);
	free(m);
	return rc;
}

void machine__destroy(struct machine *m)
{
	if (!m)
		return;
	e82576__stop(m->nic);
	close_wires(m);
	e82576__destroy(m->nic);
	iommu__destroy(m->iommu);
	mem_pool__fini(&m->hv);
	mem__fini(&m->mem);
	free(m);
}

static void do_flr(void *arg)
{
	pci_func__flr(arg);
}

void machine__reset(struct machine *m)
{
	/* A conventional reset resets each device as an FLR does, and takes the VFs away; the
	 * NIC's functions are reset on the engines that own their ports. */
	for (unsigned i = 0; i < m->pci.nfuncs; i++) {
		struct pci_func *f = m->pci.funcs[i];
		int port = f == machine__pf(m, 0) ? 0 : f == machine__pf(m, 1) ? 1 : -1;

		if (port >= 0 && m->running)
			e82576__call(m->nic, (unsigned)port, do_flr, f);
		else
			pci_func__flr(f);
	}
	firmware_assign(m);
}

int machine__start(struct machine *m)
{
	int rc = e82576__start(m->nic, m->poll_window_ns);

	m->running = rc == 0;
	return rc;
}

struct cfg_op {
	struct machine *m;
	uint16_t rid;
	unsigned off, size;
	uint32_t *val;
	bool write;
	uint32_t clear, set; /* update: a read, then a write of (value & ~clear) | set */
	bool update;
	int rc;
};

static void do_cfg(void *arg)
{
	struct cfg_op *op = arg;

	if (op->update) {
		op->rc = pci_topo__cfg_read(&op->m->pci, op->rid, op->off, op->size, op->val);
		if (!op->rc)
			op->rc = pci_topo__cfg_write(&op->m->pci, op->rid, op->off, op->size,
						     (*op->val & ~op->clear) | op->set);
		return;
	}
	op->rc = op->write ? pci_topo__cfg_write(&op->m->pci, op->rid, op->off, op->size, *op->val)
			   : pci_topo__cfg_read(&op->m->pci, op->rid, op->off, op->size, op->val);
}

/* Config space of the NIC's functions is device state the engines also touch (FLR, MSI-X
 * enable, VF Enable): the cycle runs on the engine of the port it reaches. The port cannot
 * change under us: which port a RID reaches only changes through config writes, made here. */
static int cfg_access(struct machine *m, struct cfg_op *op)
{
	struct pci_func *f = pci_topo__route(&m->pci, op->rid);
	unsigned port = 0;
	bool nic = false;

	for (unsigned p = 0; f && p < E82576_PORTS; p++) {
		struct pci_func *pf = &m->nicfn->pf[p];

		if (f == pf || f->pf == pf) {
			port = p;
			nic = true;
		}
	}
	if (nic && m->running)
		e82576__call(m->nic, port, do_cfg, op);
	else
		do_cfg(op);
	return op->rc;
}

int machine__cfg_read(struct machine *m, uint16_t rid, unsigned off, unsigned size, uint32_t *val)
{
	struct cfg_op op = {.m = m, .rid = rid, .off = off, .size = size, .val = val};

	return cfg_access(m, &op);
}

int machine__cfg_write(struct machine *m, uint16_t rid, unsigned off, unsigned size, uint32_t val)
{
	struct cfg_op op = {.m = m, .rid = rid, .off = off, .size = size, .val = &val, .write = true};

	return cfg_access(m, &op);
}

int machine__cfg_update(struct machine *m, uint16_t rid, unsigned off, unsigned size,
			uint32_t clear, uint32_t set)
{
	uint32_t val = 0;
	struct cfg_op op = {.m = m, .rid = rid, .off = off, .size = size, .val = &val,
			    .clear = clear, .set = set, .update = true};

	return cfg_access(m, &op);
}

struct pci_func *machine__pf(struct machine *m, unsigned port)
{
	return port < E82576_PORTS ? &m->nicfn->pf[port] : NULL;
}

void machine__set_irq(struct machine *m, machine_irq_fn fn, void *opaque)
{
	m->irq = fn;
	m->irq_opaque = opaque;
}
