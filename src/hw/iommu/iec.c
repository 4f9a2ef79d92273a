/*
 * The interrupt-entry cache: IRTEs by index, direct-mapped, invalidated globally or by index
 * with an index mask (iommu.md §6, descriptor type 4). Only present entries are cached.
 */
#include "hw/iommu/unit.h"

#include <errno.h>

static struct iec_entry *slot(struct iommu *iommu, uint16_t index)
{
	return &iommu->iec[index & (IEC_ENTRIES - 1)];
}

bool iec__lookup(struct iommu *iommu, uint16_t index, uint64_t *lo, uint64_t *hi)
{
	struct iec_entry *e = slot(iommu, index);
	uint32_t seq = seqlock__read_begin(&e->lock);
	bool hit = READ_ONCE(e->valid) && READ_ONCE(e->index) == index;

	*lo = READ_ONCE(e->lo);
	*hi = READ_ONCE(e->hi);
	return hit && !seqlock__read_retry(&e->lock, seq);
}

void iec__fill(struct iommu *iommu, uint16_t index, uint64_t lo, uint64_t hi, uint64_t gen)
{
	struct iec_entry *e = slot(iommu, index);

	if (!seqlock__write_trylock(&e->lock))
		return;
	if (iommu__inv_gen(iommu) == gen) {
		WRITE_ONCE(e->index, index);
		WRITE_ONCE(e->lo, lo);
		WRITE_ONCE(e->hi, hi);
		WRITE_ONCE(e->valid, true);
	}
	seqlock__write_unlock(&e->lock);
}

int iommu__invalidate_iec(struct iommu *iommu, unsigned granularity, unsigned index, unsigned im)
{
	if (granularity > IEC_INDEX_INVL || index > 0xffff || im > 16 ||
	    (granularity == IEC_INDEX_INVL && (index & ((1u << im) - 1))))
		return -EINVAL;
	iommu__inv_begin(iommu);
	for (unsigned i = 0; i < IEC_ENTRIES; i++) {
		struct iec_entry *e = &iommu->iec[i];

		seqlock__write_lock(&e->lock);
		if (granularity == IEC_GLOBAL_INVL || ((unsigned)e->index >> im) == (index >> im))
			WRITE_ONCE(e->valid, false);
		seqlock__write_unlock(&e->lock);
	}
	return 0;
}
