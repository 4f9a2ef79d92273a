/*
 * vPCI: the hypervisor's trap-and-emulate of a guest's view of the config space of one assigned
 * VF, in the manner of Xen's pciback and vPCI (shared/reference/pci-sriov.md sections 6 and 7).
 *
 * Every guest config access enters through vpci__read() or vpci__write() and is checked there:
 * naturally aligned 1, 2 or 4 bytes inside 4 KiB, or -EINVAL and nothing happens. The guest sees
 * the PF's vendor and the VF Device ID, header type 0, fully virtual BARs at the addresses the
 * machine chose (sizing works, and the guest may move them), virtual Memory and I/O Space and
 * INTx Disable, a virtual Interrupt Line and Cache Line Size, and the VF's own capability list as
 * it was at vpci__init(). Everything else reads as the VF's physical value and is read-only.
 *
 * Only two guest writes ever reach the VF: Bus Master (Command bit 2) and Initiate Function Level
 * Reset (PCI Express Device Control bit 15). MSI-X Enable and Function Mask are virtual: a change
 * is reported through vpci_msix_ops, and it is up to the hypervisor to bind the vectors and
 * program the VF's real MSI-X control. Other writes are dropped, counted and logged at debug
 * level.
 *
 * A vpci_dev is not locked: the caller serialises all calls on one device.
 */
#ifndef VFNET_VMM_VPCI_H
#define VFNET_VMM_VPCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/pci/config.h"

/* Physical config cycles to the real VF (machine__cfg_read/write in production). */
struct vpci_phys_ops {
	int (*read)(void *opaque, unsigned off, unsigned size, uint32_t *val);
	int (*write)(void *opaque, unsigned off, unsigned size, uint32_t val);
};

/* Called when the guest changes MSI-X Enable or Function Mask, and after a guest FLR. */
struct vpci_msix_ops {
	void (*control)(void *opaque, bool enable, bool masked);
};

struct vpci_dev_config {
	uint16_t vendor, device; /* what the guest sees: the PF's vendor and the VF Device ID */
	/* Guest-physical address the machine chose for each implemented BAR; aligned to its size.
	 * A 64-bit BAR is described at its first index; the next index must have size 0. */
	uint64_t bar_gpa[PCI_NUM_BARS];
	uint64_t bar_size[PCI_NUM_BARS]; /* a power of two >= 16; 0: BAR not implemented */
	/* Flag bits 3:0 as in the PF's VF BARn (memory only: 32- or 64-bit type, prefetchable).
	 * Any other bit set is refused: pass flags, not the VF BAR register. */
	uint32_t bar_flags[PCI_NUM_BARS];
};

struct vpci_stats {
	uint64_t reads, writes;  /* well-formed guest accesses */
	uint64_t dropped_writes; /* writes of which no byte reached a guest-writable field */
	uint64_t bad_accesses;   /* wrong size, misaligned or outside 4 KiB: refused */
};

/* Private to vpci.c: a part of config space that is not a plain read-only pass-through. */
struct vpci_field {
	uint16_t off;
	uint8_t size; /* 1, 2 or 4, naturally aligned */
	uint8_t kind;
	uint32_t val; /* a capability header as the guest sees it */
};

/* Room for the type-0 header, 48 standard and 64 extended capabilities, MSI-X and PCIe. */
#define VPCI_MAX_FIELDS 160
#define VPCI_MAX_ECAPS  64

/* The guest's view of one VF. Allocated by the caller; its fields are private to vpci.c. */
struct vpci_dev {
	const struct vpci_phys_ops *phys;
	void *phys_opaque;
	const struct vpci_msix_ops *msix;
	void *msix_opaque;
	struct vpci_dev_config cfg;

	/* Virtual registers. */
	uint32_t bar[PCI_NUM_BARS];
	uint32_t bar_wmask[PCI_NUM_BARS]; /* address bits the guest may write */
	uint8_t bar_kind[PCI_NUM_BARS];   /* none, 32-bit, 64-bit low or high half */
	uint16_t cmd;                     /* Memory, I/O and INTx Disable as the guest set them */
	bool bus_master;                  /* as the guest last set it (and wrote through) */
	uint8_t cache_line, irq_line;
	bool msix_enable, msix_masked;

	/* What init found in the VF's capability lists. */
	uint8_t msix_cap, pcie_cap; /* offsets, 0 if absent */
	bool flr_capable;

	unsigned nfields;
	struct vpci_field field[VPCI_MAX_FIELDS];
	uint8_t map[PCI_CFG_SIZE]; /* byte -> 1 + field index, 0: read-only pass-through */
	struct vpci_stats stats;
};

/*
 * Set up d for one VF. phys must be given (read and write); msix may be NULL. Reads the VF's
 * capability lists (standard from 0x34, extended from 0x100) through phys, once: a malformed
 * list is cut at the bad link, and the guest sees the cut list. No write reaches the VF.
 * Returns 0, -EINVAL for a bad cfg, or the error of a physical read.
 */
int vpci__init(struct vpci_dev *d, const struct vpci_dev_config *cfg,
	       const struct vpci_phys_ops *phys, void *phys_opaque,
	       const struct vpci_msix_ops *msix, void *msix_opaque);

/* A guest config read. -EINVAL (and *val = ~0) for a malformed access; a physical read error
 * is returned as it is. */
int vpci__read(struct vpci_dev *d, unsigned off, unsigned size, uint32_t *val);
/* A guest config write. -EINVAL for a malformed access (nothing written); a write to a read-only
 * field returns 0 and is dropped. A guest FLR runs msix->control(false, false) before returning. */
int vpci__write(struct vpci_dev *d, unsigned off, unsigned size, uint32_t val);

/* Where the guest has put a BAR now (flags stripped); 0 for an unimplemented BAR, for the upper
 * half of a 64-bit BAR and for bar >= 6. Like the register, it holds the sizing pattern while the
 * guest sizes the BAR: map it only while vpci__memory_enabled(). */
uint64_t vpci__bar_gpa(const struct vpci_dev *d, unsigned bar);
/* The guest's Memory Space Enable (virtual: the VF decodes memory through the PF's VF MSE). */
bool vpci__memory_enabled(const struct vpci_dev *d);
/* The guest's Bus Master Enable, which is also the VF's. */
bool vpci__bus_master(const struct vpci_dev *d);
/* MSI-X Enable and Function Mask as the guest set them. */
bool vpci__msix_enabled(const struct vpci_dev *d);
bool vpci__msix_masked(const struct vpci_dev *d);

/* After an FLR of the VF: the virtual state back to what vpci__init() set. Touches neither the VF
 * nor the callbacks. */
void vpci__reset(struct vpci_dev *d);

const struct vpci_stats *vpci__stats(const struct vpci_dev *d);

#endif
