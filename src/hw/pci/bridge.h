/* The platform's bridges: a host bridge (00:00.0) and PCI Express root ports. */
#ifndef VFNET_HW_PCI_BRIDGE_H
#define VFNET_HW_PCI_BRIDGE_H

#include "hw/pci/config.h"

struct pci_id {
	uint16_t vendor, device;
	uint8_t rev;
	const char *vendor_name, *name;
};

/* A conventional host bridge (type 0 header, class 0600). */
int pci_bridge__init_host(struct pci_func *f, uint16_t rid, const struct pci_id *id);

/*
 * A PCI Express root port (type 1 header, class 0604) with MSI, PCIe (root port, ARI Forwarding
 * Supported when ari is true), PM and AER. Bus numbers and windows start at zero, as after reset:
 * firmware programs them.
 */
int pci_bridge__init_root_port(struct pci_func *f, uint16_t rid, const struct pci_id *id,
			       unsigned port, bool ari);

#endif
