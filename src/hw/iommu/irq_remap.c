/*
 * The device side of interrupt remapping (iommu.md §7-8): an MSI write in remappable format
 * carries an index into the interrupt-remapping table; the IRTE found there decides where the
 * interrupt goes (remapped format) or which posted-interrupt descriptor receives it (posted
 * format), after checking that the requester may use it (SVT/SQ/SID).
 */
#include "hw/iommu/unit.h"

#include <errno.h>

#include "hw/iommu/posted.h"

static int ir_fault(struct iommu *iommu, uint16_t rid, uint32_t index, uint8_t reason, bool fpd)
{
	/* For interrupt requests the record's fault-info field carries the index in bits 63:48
	 * (VT-d; unconfirmed in iommu.md); interrupt requests are writes. */
	fault__record(iommu, rid, (uint64_t)(index & 0xffff) << 48, reason, true, fpd);
	return -EFAULT;
}

/* SVT 1: compare all RID bits except the function bits that SQ says to ignore (SQ 1: bit 2,
 * SQ 2: bits 2:1, SQ 3: bits 2:0). SVT 2: the RID's bus must lie in [SID 15:8, SID 7:0]. */
static bool source_ok(uint64_t hi, uint16_t rid)
{
	static const uint16_t sq_mask[4] = {0xffff, 0xfffb, 0xfff9, 0xfff8};
	unsigned sid = (unsigned)(hi & IRTE_SID_MASK);
	unsigned sq = (unsigned)((hi & IRTE_SQ_MASK) >> IRTE_SQ_SHIFT);
	unsigned bus = rid >> 8;

	switch ((hi & IRTE_SVT_MASK) >> IRTE_SVT_SHIFT) {
	case IRTE_SVT_NONE:
		return true;
	case IRTE_SVT_RID:
		return (rid & sq_mask[sq]) == (sid & sq_mask[sq]);
	default: /* IRTE_SVT_BUS; 3 was rejected as reserved */
		return bus >= (sid >> 8) && bus <= (sid & 0xff);
	}
}

static bool irte_reserved(const struct iommu *iommu, uint64_t lo, uint64_t hi, bool x2apic)
{
	if (((hi & IRTE_SVT_MASK) >> IRTE_SVT_SHIFT) == 3)
		return true;
	if (lo & IRTE_IM)
		return !(iommu->cap & DMA_CAP_PI) || (lo & IRTE_POST_LO_RSVD) ||
		       (hi & IRTE_POST_HI_RSVD);
	return (lo & IRTE_REMAP_LO_RSVD) || (hi & IRTE_REMAP_HI_RSVD) ||
	       (!x2apic && (lo & IRTE_DST_XAPIC_RSVD));
}

static void decode_irte(uint64_t lo, uint64_t hi, bool x2apic, struct ir_target *t)
{
	t->vector = (uint8_t)((lo & IRTE_VECTOR_MASK) >> IRTE_VECTOR_SHIFT);
	if (lo & IRTE_IM) {
		t->kind = IR_POSTED;
		t->urgent = lo & IRTE_URG;
		t->pda = (lo & IRTE_PDA_LO_MASK) >> (IRTE_PDA_LO_SHIFT - 6) |
			 (hi >> IRTE_PDA_HI_SHIFT) << IRTE_PDA_HI_SHIFT;
		return;
	}
	t->kind = IR_REMAPPED;
	t->dest = x2apic ? (uint32_t)(lo >> IRTE_DST_SHIFT)
			 : (uint32_t)((lo >> IRTE_DST_XAPIC_SHIFT) & 0xff);
	t->dm = lo & IRTE_DM;
	t->rh = lo & IRTE_RH;
	t->tm = lo & IRTE_TM;
	t->dlm = (uint8_t)((lo & IRTE_DLM_MASK) >> IRTE_DLM_SHIFT);
}

/* Compatibility format: the message itself says where the interrupt goes. */
static void decode_compat(uint64_t addr, uint32_t data, struct ir_target *t)
{
	t->kind = IR_COMPAT;
	t->vector = (uint8_t)(data & MSI_DATA_VECTOR_MASK);
	t->dest = (uint32_t)(addr >> MSI_ADDR_DEST_SHIFT) & 0xff;
	t->dm = addr & MSI_ADDR_DM;
	t->dlm = (uint8_t)((data >> MSI_DATA_DLM_SHIFT) & 7);
	t->tm = data & MSI_DATA_TM;
}

/* The IRTE at @index, from the cache or the table (then cached if present). 0 or a reason. */
static int fetch_irte(struct iommu *iommu, uint64_t irta, uint32_t index, uint64_t gen,
		      uint64_t *lo, uint64_t *hi)
{
	const uint64_t *e;

	if (iec__lookup(iommu, (uint16_t)index, lo, hi))
		return 0;
	e = mem__ptr(iommu->mem, (irta & IRTA_ADDR_MASK) + (uint64_t)index * VTD_ENTRY_SIZE,
		     VTD_ENTRY_SIZE);
	if (!e)
		return VTD_FR_IR_IRT_READ;
	vtd__read_entry(e, lo, hi);
	if (*lo & IRTE_P)
		iec__fill(iommu, (uint16_t)index, *lo, *hi, gen);
	return 0;
}

int iommu__remap_msi(struct iommu *iommu, uint16_t rid, uint64_t addr, uint32_t data,
		     struct ir_target *out)
{
	uint64_t gen = iommu__inv_gen(iommu);
	uint64_t irta, lo, hi;
	uint32_t index;
	bool x2apic;
	int reason;

	if ((addr >> 32) || ((addr >> MSI_ADDR_BASE_SHIFT) & 0xfff) != MSI_ADDR_BASE)
		return -EINVAL;
	*out = (struct ir_target){0};
	if (!(addr & MSI_ADDR_IF_REMAP)) {
		if (__atomic_load_n(&iommu->ire, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&iommu->cfi, __ATOMIC_ACQUIRE))
			return ir_fault(iommu, rid, 0, VTD_FR_IR_COMPAT, false);
		decode_compat(addr, data, out);
		STAT_INC(iommu__shard(iommu), interrupts);
		return 0;
	}
	if (!__atomic_load_n(&iommu->ire, __ATOMIC_ACQUIRE))
		return -EOPNOTSUPP;

	index = (uint32_t)(addr & MSI_ADDR_HANDLE_MASK) >> MSI_ADDR_HANDLE_SHIFT |
		(addr & MSI_ADDR_HANDLE15 ? BIT(15) : 0);
	if (addr & MSI_ADDR_SHV) {
		/* The sub-handle is the low 16 data bits; the upper ones are reserved. */
		if (data & ~MSI_DATA_SUBHANDLE_MASK)
			return ir_fault(iommu, rid, index, VTD_FR_IR_REQ_RSVD, false);
		index += data & MSI_DATA_SUBHANDLE_MASK;
	}
	irta = __atomic_load_n(&iommu->irta, __ATOMIC_ACQUIRE);
	x2apic = irta & IRTA_EIME;
	if (index >= 2u << (irta & IRTA_S_MASK))
		return ir_fault(iommu, rid, index, VTD_FR_IR_INDEX, false);
	reason = fetch_irte(iommu, irta, index, gen, &lo, &hi);
	if (reason)
		return ir_fault(iommu, rid, index, (uint8_t)reason, false);
	/* As for context entries, FPD is honoured whether or not the entry is present. */
	if (!(lo & IRTE_P))
		return ir_fault(iommu, rid, index, VTD_FR_IR_NOT_PRESENT, lo & IRTE_FPD);
	if (irte_reserved(iommu, lo, hi, x2apic))
		return ir_fault(iommu, rid, index, VTD_FR_IR_IRTE_RSVD, lo & IRTE_FPD);
	if (!source_ok(hi, rid))
		return ir_fault(iommu, rid, index, VTD_FR_IR_SID, lo & IRTE_FPD);
	decode_irte(lo, hi, x2apic, out);
	out->index = (uint16_t)index;
	STAT_INC(iommu__shard(iommu), interrupts);
	return 0;
}

int iommu__post(struct iommu *iommu, const struct ir_target *t)
{
	struct pi_desc *pd;

	if (t->kind != IR_POSTED)
		return -EINVAL;
	pd = mem__ptr(iommu->mem, t->pda, PI_DESC_SIZE);
	if (!pd || (t->pda & (PI_DESC_SIZE - 1)))
		return -EFAULT;
	return pi_desc__post(pd, t->vector, t->urgent) ? 1 : 0;
}
