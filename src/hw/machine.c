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
		m->msi_dropped++;
		return;
	}
	m->irq(m->irq_opaque, rid, &t, notify == 1);
}

int machine__create(struct machine **out)
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
	*out = m;
	return 0;

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
	e82576__destroy(m->nic);
	iommu__destroy(m->iommu);
	mem_pool__fini(&m->hv);
	mem__fini(&m->mem);
	free(m);
}

void machine__reset(struct machine *m)
{
	/* A conventional reset resets the device as an FLR does, and takes the VFs away. */
	for (unsigned i = 0; i < m->pci.nfuncs; i++)
		pci_func__flr(m->pci.funcs[i]);
	firmware_assign(m);
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
