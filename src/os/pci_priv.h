/* The PCI core's private view of a device. */
#ifndef VFNET_OS_PCI_PRIV_H
#define VFNET_OS_PCI_PRIV_H

#include "reqring.h"
#include "vfnet/pci.h"

#define OS_MAX_VFS 8

struct pci_bar {
	struct os_pci_dev *dev;
	unsigned index;
	uint64_t size;
	bool direct;
	struct reqring_prod prod;
	void *region;
	size_t region_len;
	int memfd, doorbell;
	uint32_t base; /* request offset of byte 0 of the BAR */
	unsigned users;
};

struct os_pci_dev {
	struct pci_dev pub;
	struct os_pci_dev *next;
	struct os_pci_dev *parent; /* the bridge above, if scanned */
	struct pci_bar *bar[6];
	unsigned msix_cap;
	unsigned msix_nr;
	unsigned msix_bir;
	uint32_t msix_table;
	struct pci_bar *msix_map; /* the table's BAR, mapped at its first use */
	unsigned sriov_cap;
	unsigned numvfs;
	struct os_pci_dev *vf[OS_MAX_VFS];
};

static inline struct os_pci_dev *to_os(struct pci_dev *d)
{
	return (struct os_pci_dev *)d;
}

void pci__bar_release_all(struct os_pci_dev *d);

#endif
