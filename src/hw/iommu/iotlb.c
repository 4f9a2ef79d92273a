/*
 * The IOTLB: leaf translations tagged by domain id, direct-mapped by 4 KiB page number. An entry
 * remembers the page size of its leaf, so one walk of a 2 MiB superpage serves the whole
 * superpage for the pages that index to that slot, and page-selective invalidation removes
 * every entry whose leaf overlaps the invalidated range (iommu.md §6).
 */
#include "hw/iommu/unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int iotlb__init(struct iommu *iommu, unsigned entries)
{
	size_t size = ALIGN_UP(entries * sizeof(*iommu->iotlb), 64);

	iommu->iotlb = aligned_alloc(64, size);
	if (!iommu->iotlb)
		return -ENOMEM;
	memset(iommu->iotlb, 0, size);
	iommu->iotlb_mask = entries - 1;
	return 0;
}

void iotlb__fini(struct iommu *iommu)
{
	free(iommu->iotlb);
	iommu->iotlb = NULL;
}

void iotlb__fill(struct iommu *iommu, uint16_t did, uint64_t iova, const struct vtd_leaf *leaf,
		 uint64_t gen)
{
	struct iotlb_entry *e = iotlb__slot(iommu, did, iova);

	if (!seqlock__write_trylock(&e->lock))
		return;
	if (iommu__inv_gen(iommu) == gen) {
		WRITE_ONCE(e->did, did);
		WRITE_ONCE(e->leaf.base, leaf->base);
		WRITE_ONCE(e->leaf.shift, leaf->shift);
		WRITE_ONCE(e->leaf.maddr, leaf->maddr);
		WRITE_ONCE(e->leaf.host, leaf->host);
		WRITE_ONCE(e->leaf.perm, leaf->perm);
		WRITE_ONCE(e->valid, true);
	}
	seqlock__write_unlock(&e->lock);
}

int iommu__invalidate_iotlb(struct iommu *iommu, unsigned iirg, uint16_t did, uint64_t addr,
			    unsigned am)
{
	uint64_t size = 0;

	if (iirg < DMA_TLB_GLOBAL_FLUSH || iirg > DMA_TLB_PSI_FLUSH)
		return -EINVAL;
	if (iirg == DMA_TLB_PSI_FLUSH) {
		if (am > IOMMU_MAMV)
			return -EINVAL;
		size = VTD_PAGE_SIZE << am;
		if (addr & (size - 1))
			return -EINVAL;
	}
	iommu__inv_begin(iommu);
	for (unsigned i = 0; i <= iommu->iotlb_mask; i++) {
		struct iotlb_entry *e = &iommu->iotlb[i];
		uint64_t lbase, lsize; /* overlap test below is written not to overflow */
		bool drop;

		seqlock__write_lock(&e->lock);
		lbase = e->leaf.base;
		lsize = 1ull << e->leaf.shift;
		drop = iirg == DMA_TLB_GLOBAL_FLUSH ||
		       (e->did == did && (iirg == DMA_TLB_DSI_FLUSH ||
					  (lbase - addr < size || addr - lbase < lsize)));
		if (drop)
			WRITE_ONCE(e->valid, false);
		seqlock__write_unlock(&e->lock);
	}
	return 0;
}
