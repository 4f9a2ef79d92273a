/*
 * The software side of interrupt remapping (iommu.md §7-8): the interrupt-remapping table in
 * machine memory, its entries in remapped or posted format, and the remappable MSI message that
 * points a device at an entry (what Xen writes into a passed-through VF's MSI-X table).
 *
 * ir_table__write() only writes; ir_table__set() and ir_table__clear() then invalidate the
 * interrupt-entry cache for that index, as VT-d requires. Control thread only.
 */
#ifndef VFNET_HW_IOMMU_IRTE_H
#define VFNET_HW_IOMMU_IRTE_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/iommu/iommu.h"
#include "hw/mem/pool.h"

struct ir_table {
	struct mem_pool *pool;
	struct iommu *iommu;
	uint64_t base; /* machine address (IRTA) */
	unsigned nr;   /* entries: 2^(S + 1) */
	bool x2apic;   /* IRTA.EIME: 32-bit destinations */
};

struct irte {
	bool present;
	bool fpd;
	bool posted; /* IM: posted format */
	uint8_t vector;
	/* remapped format */
	uint32_t dest; /* the destination domain id in vfnet (8 bits without x2apic) */
	bool dm, tm, rh;
	uint8_t dlm;
	/* posted format */
	uint64_t pda; /* posted-interrupt descriptor, 64-byte aligned */
	bool urgent;
	/* source validation */
	uint16_t sid;
	uint8_t sq;  /* 0..3 */
	uint8_t svt; /* IRTE_SVT_* */
};

/* Allocates a zeroed table of @nr entries (a power of two, 2..65536), latches it (SIRTP),
 * invalidates the interrupt-entry cache and turns remapping on with compatibility-format
 * interrupts blocked. */
int ir_table__init(struct ir_table *irt, struct mem_pool *pool, struct iommu *iommu, unsigned nr,
		   bool x2apic);
/* Turns remapping off and frees the table. */
void ir_table__fini(struct ir_table *irt);

/* Writes entry @index; -EINVAL for an index beyond the table or a field that does not fit. */
int ir_table__write(struct ir_table *irt, unsigned index, const struct irte *e);
/* Writes entry @index and invalidates it in the interrupt-entry cache. */
int ir_table__set(struct ir_table *irt, unsigned index, const struct irte *e);
/* Makes entry @index not present and invalidates it. */
int ir_table__clear(struct ir_table *irt, unsigned index);

/* The remappable-format MSI address and data that select entry @index (handle = index, no
 * sub-handle). */
void irte__msi_message(unsigned index, uint64_t *addr, uint32_t *data);

#endif
