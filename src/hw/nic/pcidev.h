/*
 * The Intel 82576's PCI face: two physical functions (one per port, 8086:10C9 rev 01) with up to
 * eight virtual functions each (8086:10CA), with the capability layout, BARs and SR-IOV
 * parameters of the real part (shared/reference/82576.md section 1).
 */
#ifndef VFNET_HW_NIC_PCIDEV_H
#define VFNET_HW_NIC_PCIDEV_H

#include "hw/pci/sriov.h"

#define E82576_VENDOR   0x8086
#define E82576_DEV_PF   0x10c9
#define E82576_DEV_VF   0x10ca
#define E82576_REV      0x01
#define E82576_SUBSYS   0xa03c /* Gigabit ET Dual Port Server Adapter */
#define E82576_PORTS    2
#define E82576_MAX_VFS  8

#define E82576_PF_BAR0_SIZE 0x20000 /* 128 KiB registers */
#define E82576_PF_BAR2_SIZE 32      /* IOADDR/IODATA window */
#define E82576_PF_BAR3_SIZE 0x4000  /* 16 KiB MSI-X table and PBA */
#define E82576_VF_BAR_SIZE  0x4000  /* VF BAR0 and VF BAR3: 16 KiB per VF */
#define E82576_PF_MSIX_VECTORS 10
#define E82576_VF_MSIX_VECTORS 3
#define E82576_MSIX_PBA_OFFSET 0x2000

#define E82576_CAP_PM    0x40
#define E82576_CAP_MSI   0x50
#define E82576_CAP_MSIX  0x70
#define E82576_CAP_PCIE  0xa0
#define E82576_ECAP_AER  0x100
#define E82576_ECAP_DSN  0x140
#define E82576_ECAP_ARI  0x150
#define E82576_ECAP_SRIOV 0x160

/* First VF Offset with ARI Capable Hierarchy clear and set; stride is 2 either way. */
#define E82576_VF_OFFSET     384
#define E82576_VF_OFFSET_ARI 128
#define E82576_VF_STRIDE     2

struct e82576_pci {
	struct pci_func pf[E82576_PORTS];
	struct pci_func vf[E82576_PORTS][E82576_MAX_VFS];
	struct pci_sriov sriov[E82576_PORTS];
};

/* The 82576's First VF Offset and VF Stride (pci_sriov_ops.layout). */
void e82576_pci__layout(const struct pci_func *pf, unsigned numvfs, bool ari, uint16_t *offset,
			uint16_t *stride);

/* Build both PFs at bus:dev.0 and bus:dev.1, and their VFs (absent until enabled). */
int e82576_pci__init(struct e82576_pci *d, uint8_t bus, uint8_t dev, uint64_t serial);

#endif
