/*
 * Capability builders: each appends one capability at a fixed offset, links it into the
 * standard (0x34) or extended (0x100) list, and sets its read-only, read-write and RW1C bits
 * as the PCI, PCI Express and SR-IOV specifications define them. Build everything, then
 * pci_func__seal().
 */
#ifndef VFNET_HW_PCI_CAP_H
#define VFNET_HW_PCI_CAP_H

#include "hw/pci/config.h"

/* Standard list. Offsets must be dword aligned, >= 0x40 and ascending. */
int pci_cap__add_pm(struct pci_func *f, uint8_t off);
/* MSI with 64-bit addresses and per-vector masking; vectors is 1, 2, 4, 8, 16 or 32. */
int pci_cap__add_msi(struct pci_func *f, uint8_t off, unsigned vectors);
/* MSI-X with table and PBA in BAR bir at the given offsets (8-byte aligned). */
int pci_cap__add_msix(struct pci_func *f, uint8_t off, unsigned vectors, unsigned bir,
		      uint32_t table_off, uint32_t pba_off);

enum pcie_port_type {
	PCIE_ENDPOINT = PCI_EXP_TYPE_ENDPOINT,
	PCIE_ROOT_PORT = PCI_EXP_TYPE_ROOT_PORT,
	PCIE_ROOT_COMPLEX_INTEGRATED = PCI_EXP_TYPE_RC_END,
};

struct pcie_cap_cfg {
	enum pcie_port_type type;
	bool flr;           /* Function Level Reset capable */
	bool ari_forward;   /* downstream port: ARI Forwarding Supported */
	unsigned speed;     /* max link speed: 1 = 2.5 GT/s, 2 = 5 GT/s */
	unsigned width;     /* max link width, lanes */
	unsigned port;      /* port number (root ports) */
	unsigned max_payload; /* 128 << n bytes supported */
};
/* PCI Express capability, version 2. */
int pci_cap__add_pcie(struct pci_func *f, uint8_t off, const struct pcie_cap_cfg *cfg);

/* Extended list. Offsets must be dword aligned, >= 0x100 and ascending. */
int pci_cap__add_aer(struct pci_func *f, uint16_t off);
int pci_cap__add_dsn(struct pci_func *f, uint16_t off, uint64_t serial);
int pci_cap__add_ari(struct pci_func *f, uint16_t off, uint8_t next_fn);

/* Offset of a capability by id, 0 if absent. */
uint8_t pci_cap__find(const struct pci_func *f, uint8_t id);
uint16_t pci_cap__find_ext(const struct pci_func *f, uint16_t id);

/* Header of a new extended capability, linked after the last one (used by sriov.c too). */
int pci_cap__link_ext(struct pci_func *f, uint16_t off, uint16_t id, uint8_t ver);

#endif
