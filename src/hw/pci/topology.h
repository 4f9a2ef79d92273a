/*
 * The machine's PCI hierarchy: functions on bus 0 (host bridge, root ports) and the functions
 * behind each root port, with config cycles routed as a PCIe root complex routes them:
 *  - bus 0 is decoded directly;
 *  - bus N goes to the root port whose [secondary, subordinate] range holds N; on the secondary
 *    bus only device 0 answers unless the port has ARI Forwarding Enable set (then the device
 *    number is part of an 8-bit function number);
 *  - an enabled VF answers at the routing ID its PF's SR-IOV capability gives it.
 * A config read that reaches nothing returns all ones (a master abort), as on real hardware.
 */
#ifndef VFNET_HW_PCI_TOPOLOGY_H
#define VFNET_HW_PCI_TOPOLOGY_H

#include "hw/pci/config.h"

#define PCI_TOPO_MAX_FUNCS 32

struct pci_topo {
	struct pci_func *funcs[PCI_TOPO_MAX_FUNCS]; /* physical functions; VFs hang off PFs */
	unsigned nfuncs;
};

int pci_topo__add(struct pci_topo *t, struct pci_func *f);

/* The function that would receive a config cycle for rid, or NULL (master abort). */
struct pci_func *pci_topo__route(const struct pci_topo *t, uint16_t rid);

/*
 * Config access by routing ID. Absent functions read all ones and ignore writes (-ENODEV);
 * a bad offset, size or alignment is -EINVAL with *val all ones and nothing changed.
 */
int pci_topo__cfg_read(const struct pci_topo *t, uint16_t rid, unsigned off, unsigned size,
		       uint32_t *val);
int pci_topo__cfg_write(const struct pci_topo *t, uint16_t rid, unsigned off, unsigned size,
			uint32_t val);

/* Every function that answers now (physical and enabled virtual), in routing-ID order. */
unsigned pci_topo__list(const struct pci_topo *t, struct pci_func **out, unsigned max);

/* "BB:DD.F" for a routing ID; buf holds at least 8 bytes. */
const char *pci_rid__str(uint16_t rid, char *buf);
/* Parse "BB:DD.F" (or "DDDD:BB:DD.F" with domain 0000); 0 or -EINVAL. */
int pci_rid__parse(const char *s, uint16_t *rid);

#endif
