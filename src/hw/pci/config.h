/*
 * A PCI function's configuration space: 4 KiB of bytes with per-bit write masks.
 *
 * Every byte has a mask of bits software may write (wmask) and a mask of bits that are
 * write-1-to-clear (w1cmask); all other bits are read-only. Power-on contents are kept so
 * that a Function Level Reset can restore them. A function's device model may watch writes
 * (after the masks have been applied) through pci_func_ops, the way a device reacts to
 * Command, BAR or capability control writes.
 *
 * Accesses are naturally aligned 1, 2 or 4 bytes inside 0..4095; anything else is refused with
 * -EINVAL and changes nothing. Conventional functions (no PCIe capability) have 256 bytes; their
 * extended space reads as zero and ignores writes, as on a PCI bus.
 */
#ifndef VFNET_HW_PCI_CONFIG_H
#define VFNET_HW_PCI_CONFIG_H

#include <linux/pci_regs.h>
#include <stdbool.h>
#include <stdint.h>

#define PCI_CFG_SIZE     4096
#define PCI_CFG_STD_SIZE 256
#define PCI_NUM_BARS     6

/* Class codes (base << 8 | sub), as in the PCI Code and ID Assignment specification. */
#define PCI_CLASS_NETWORK_ETHERNET 0x0200
#define PCI_CLASS_BRIDGE_HOST      0x0600
#define PCI_CLASS_BRIDGE_PCI       0x0604

/* Routing ID: bus << 8 | device << 3 | function. */
#define PCI_RID(bus, devfn) ((uint16_t)((bus) << 8 | (devfn)))
#define PCI_RID_BUS(rid)    ((uint8_t)((rid) >> 8))
#define PCI_RID_DEVFN(rid)  ((uint8_t)(rid))
#define PCI_RID_DEV(rid)    (((rid) >> 3) & 0x1f)
#define PCI_RID_FN(rid)     ((rid) & 0x7)

struct pci_func;

struct pci_func_ops {
	/* After a write was applied through the masks; old and val are the field's bytes. */
	void (*cfg_write)(struct pci_func *f, unsigned off, unsigned size, uint32_t old,
			  uint32_t val);
	/* Function Level Reset: config space is back at power-on; reset the device state. */
	void (*flr)(struct pci_func *f);
};

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_IO };

struct pci_bar_info {
	enum pci_bar_kind kind;
	bool prefetch;
	uint64_t size;
};

struct pci_func {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	uint8_t w1cmask[PCI_CFG_SIZE];
	uint8_t poweron[PCI_CFG_SIZE];
	unsigned size;   /* 256 or 4096 */
	uint16_t rid;    /* where it answers; a VF's comes from its PF's SR-IOV capability */
	bool present;    /* answers config cycles (VFs only while enabled) */
	uint8_t cap_tail;     /* offset of the last standard capability, 0 if none */
	uint16_t ecap_tail;   /* offset of the last extended capability, 0 if none */
	uint8_t pcie;         /* offset of the PCI Express capability, 0 if none */
	struct pci_bar_info bar[PCI_NUM_BARS];
	const char *name;     /* e.g. "82576 Gigabit Network Connection" */
	const char *vendor;   /* e.g. "Intel Corporation" */
	const char *subsys_name; /* the subsystem's (pci.ids), e.g. "Gigabit ET Dual Port Server
				  * Adapter"; NULL when pci.ids has none */
	const struct pci_func_ops *ops;
	void *priv;                    /* the device model behind the function */
	struct pci_sriov *sriov;       /* SR-IOV capability state, PFs only */
	struct pci_func *pf;           /* a VF's physical function */
	unsigned vf_index;             /* a VF's index (0-based) under its PF */
};

/*
 * Header setup. type is PCI_HEADER_TYPE_NORMAL or PCI_HEADER_TYPE_BRIDGE; class24 is
 * base << 16 | sub << 8 | prog-if. pcie selects a 4 KiB config space.
 */
void pci_func__init(struct pci_func *f, uint16_t rid, uint8_t type, uint16_t vendor,
		    uint16_t device, uint8_t rev, uint32_t class24, bool pcie);
/* Freeze the current contents as the power-on image (after all capabilities are built). */
void pci_func__seal(struct pci_func *f);

/*
 * A BAR of the given kind and size (a power of two). The address bits below the size are
 * read-only zero, which is what makes the sizing protocol (write ~0, read back) work.
 * A 64-bit BAR takes index bar and bar + 1.
 */
int pci_func__add_bar(struct pci_func *f, unsigned bar, enum pci_bar_kind kind, uint64_t size,
		      bool prefetch);
/* The address a BAR decodes (flags stripped), 0 if unset. */
uint64_t pci_func__bar_addr(const struct pci_func *f, unsigned bar);

/* Config access as seen from the bus: checks, masks, then the device hook. */
int pci_func__cfg_read(struct pci_func *f, unsigned off, unsigned size, uint32_t *val);
int pci_func__cfg_write(struct pci_func *f, unsigned off, unsigned size, uint32_t val);

/* Function Level Reset: power-on config contents, then the device hook. */
void pci_func__flr(struct pci_func *f);
/* Power-on config contents only (a VF coming into existence); the device is not told. */
void pci_func__reset_config(struct pci_func *f);

/*
 * Field helpers for building and for device models (no masks, no hooks). Offsets must be in
 * range; these are for the machine's own code, never for data that came from a domain.
 */
uint32_t pci_func__get(const struct pci_func *f, unsigned off, unsigned size);
void pci_func__set(struct pci_func *f, unsigned off, unsigned size, uint32_t val);
void pci_func__set_wmask(struct pci_func *f, unsigned off, unsigned size, uint32_t mask);
void pci_func__set_w1cmask(struct pci_func *f, unsigned off, unsigned size, uint32_t mask);

#endif
