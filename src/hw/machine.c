#include "hw/machine.h"

#include <errno.h>
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
		struct pci_func *pf = &m->nic.pf[port];
		unsigned cap = m->nic.sriov[port].cap;

		pci_func__set(pf, PCI_BASE_ADDRESS_0, 4, PF_BAR0(port));
		pci_func__set(pf, PCI_BASE_ADDRESS_2, 4, PF_BAR2(port) | PCI_BASE_ADDRESS_SPACE_IO);
		pci_func__set(pf, PCI_BASE_ADDRESS_3, 4, PF_BAR3(port));
		pci_func__set(pf, cap + PCI_SRIOV_BAR, 4, VF_BAR0(port) | PCI_BASE_ADDRESS_MEM_TYPE_64);
		pci_func__set(pf, cap + PCI_SRIOV_BAR + 12, 4,
			      VF_BAR3(port) | PCI_BASE_ADDRESS_MEM_TYPE_64);
		pci_func__set(pf, PCI_INTERRUPT_LINE, 1, 10 + port);
	}
}

int machine__init(struct machine *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = pci_bridge__init_host(&m->host_bridge, PCI_RID(0, 0), &host_bridge_id)) ||
	    (rc = pci_bridge__init_root_port(&m->root_port, MACHINE_ROOT_PORT_RID, &root_port_id, 1,
					     true)) ||
	    (rc = e82576_pci__init(&m->nic, MACHINE_NIC_BUS, 0, 0x00001b21ffff0000ull)))
		return rc;
	if ((rc = pci_topo__add(&m->pci, &m->host_bridge)) ||
	    (rc = pci_topo__add(&m->pci, &m->root_port)))
		return rc;
	for (unsigned port = 0; port < E82576_PORTS; port++)
		if ((rc = pci_topo__add(&m->pci, &m->nic.pf[port])))
			return rc;
	firmware_assign(m);
	return 0;
}

struct pci_func *machine__pf(struct machine *m, unsigned port)
{
	return port < E82576_PORTS ? &m->nic.pf[port] : NULL;
}
