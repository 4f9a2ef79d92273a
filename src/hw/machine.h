/*
 * The machine: the silicon of a vfnet host, as firmware hands it to the operating system.
 *
 *   00:00.0  host bridge (Intel 5520 I/O Hub)
 *   00:01.0  PCI Express root port 1, ARI Forwarding Supported; secondary bus 01, subordinate 02
 *   01:00.0  82576 port 0 (PF0)      01:00.1  82576 port 1 (PF1)
 *
 * Firmware has numbered the buses (leaving bus 02 for VFs of a non-ARI hierarchy), opened the
 * root port's windows and assigned the PFs' BARs and VF BARs; nothing else is enabled.
 */
#ifndef VFNET_HW_MACHINE_H
#define VFNET_HW_MACHINE_H

#include "hw/nic/pcidev.h"
#include "hw/pci/topology.h"

#define MACHINE_ROOT_PORT_RID PCI_RID(0, 1 << 3)
#define MACHINE_NIC_BUS       1
#define MACHINE_MMIO_BASE     0xe0000000u /* the root port's memory window */
#define MACHINE_IO_BASE       0xe000u

struct machine {
	struct pci_topo pci;
	struct pci_func host_bridge;
	struct pci_func root_port;
	struct e82576_pci nic;
};

int machine__init(struct machine *m);

/* The NIC's physical function for a port, and a VF of it (present or not). */
struct pci_func *machine__pf(struct machine *m, unsigned port);

#endif
