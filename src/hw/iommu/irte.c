#include "hw/iommu/irte.h"

#include <errno.h>

int ir_table__init(struct ir_table *irt, struct mem_pool *pool, struct iommu *iommu, unsigned nr,
		   bool x2apic)
{
	unsigned s = 0;
	int err;

	if (nr < 2 || nr > 65536 || (nr & (nr - 1)))
		return -EINVAL;
	while (2u << s < nr)
		s++;
	irt->pool = pool;
	irt->iommu = iommu;
	irt->nr = nr;
	irt->x2apic = x2apic;
	err = mem_pool__alloc(
	    pool, (unsigned)ALIGN_UP(nr * VTD_ENTRY_SIZE, VTD_PAGE_SIZE) >> VTD_PAGE_SHIFT,
	    &irt->base);
	if (err)
		return err;
	iommu__set_irta(iommu, irt->base | (x2apic ? IRTA_EIME : 0) | s);
	iommu__invalidate_iec(iommu, IEC_GLOBAL_INVL, 0, 0);
	iommu__enable_ir(iommu, true, false);
	return 0;
}

void ir_table__fini(struct ir_table *irt)
{
	if (!irt->pool)
		return;
	iommu__enable_ir(irt->iommu, false, false);
	mem_pool__free(irt->pool, irt->base,
		       (unsigned)ALIGN_UP(irt->nr * VTD_ENTRY_SIZE, VTD_PAGE_SIZE) >>
			   VTD_PAGE_SHIFT);
	irt->pool = NULL;
}

static int encode(const struct ir_table *irt, const struct irte *e, uint64_t *lo, uint64_t *hi)
{
	if (e->sq > 3 || e->svt > IRTE_SVT_BUS)
		return -EINVAL;
	*lo = (e->present ? IRTE_P : 0) | (e->fpd ? IRTE_FPD : 0) |
	      (uint64_t)e->vector << IRTE_VECTOR_SHIFT;
	*hi = e->sid | (uint64_t)e->sq << IRTE_SQ_SHIFT | (uint64_t)e->svt << IRTE_SVT_SHIFT;
	if (e->posted) {
		if (e->pda & (PI_DESC_SIZE - 1))
			return -EINVAL;
		*lo |= IRTE_IM | (e->urgent ? IRTE_URG : 0) |
		       ((e->pda & 0xffffffffull) >> 6) << IRTE_PDA_LO_SHIFT;
		*hi |= (e->pda >> 32) << IRTE_PDA_HI_SHIFT;
		return 0;
	}
	if (e->dlm > 7 || (!irt->x2apic && e->dest > 0xff))
		return -EINVAL;
	*lo |= (e->dm ? IRTE_DM : 0) | (e->rh ? IRTE_RH : 0) | (e->tm ? IRTE_TM : 0) |
	       (uint64_t)e->dlm << IRTE_DLM_SHIFT |
	       (irt->x2apic ? (uint64_t)e->dest << IRTE_DST_SHIFT
			    : (uint64_t)e->dest << IRTE_DST_XAPIC_SHIFT);
	return 0;
}

int ir_table__write(struct ir_table *irt, unsigned index, const struct irte *e)
{
	uint64_t *slot, lo, hi;
	int err;

	if (index >= irt->nr)
		return -EINVAL;
	err = encode(irt, e, &lo, &hi);
	if (err)
		return err;
	slot = (uint64_t *)mem_pool__ptr(irt->pool, irt->base) + 2 * index;
	/* Not present first, then the high qword, then the low one (see context__write). */
	__atomic_store_n(&slot[0], lo & ~IRTE_P, __ATOMIC_RELEASE);
	__atomic_store_n(&slot[1], hi, __ATOMIC_RELEASE);
	__atomic_store_n(&slot[0], lo, __ATOMIC_RELEASE);
	return 0;
}

int ir_table__set(struct ir_table *irt, unsigned index, const struct irte *e)
{
	int err = ir_table__write(irt, index, e);

	if (err)
		return err;
	return iommu__invalidate_iec(irt->iommu, IEC_INDEX_INVL, index, 0);
}

int ir_table__clear(struct ir_table *irt, unsigned index)
{
	struct irte none = {0};

	return ir_table__set(irt, index, &none);
}

void irte__msi_message(unsigned index, uint64_t *addr, uint32_t *data)
{
	*addr = (uint64_t)MSI_ADDR_BASE << MSI_ADDR_BASE_SHIFT | MSI_ADDR_IF_REMAP |
		(index & 0x7fff) << MSI_ADDR_HANDLE_SHIFT |
		((index & BIT(15)) ? MSI_ADDR_HANDLE15 : 0);
	*data = 0;
}
