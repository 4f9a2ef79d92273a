/*
 * The software side of DMA remapping, as the hypervisor's VT-d driver does it: a DMA domain is a
 * domain id and a second-level page table in machine memory (pages from a mem_pool), shared by
 * every requester attached to the domain (context.h).
 *
 * Map and unmap only write the table; the unit may keep using what it cached until software calls
 * iommu__invalidate_iotlb() for the domain or the pages, exactly as on VT-d. Calls on one domain
 * must be serialised by the caller (the control thread); translations may run meanwhile.
 */
#ifndef VFNET_HW_IOMMU_PGTABLE_H
#define VFNET_HW_IOMMU_PGTABLE_H

#include <stdint.h>

#include "hw/iommu/iommu.h"
#include "hw/mem/pool.h"

struct dma_domain {
	struct mem_pool *pool;
	uint16_t did;
	uint8_t aw;	  /* VTD_AW_*: what the context entry says */
	uint8_t levels;	  /* 3 or 4 */
	uint8_t max_leaf; /* highest level a leaf may sit at: 2 (2 MiB) or 3 (1 GiB) */
	uint64_t root;	  /* machine address of the top-level table */
};

/* A domain for id @did whose tables the unit @iommu can walk: @aw is VTD_AW_39BIT or
 * VTD_AW_48BIT and must be in CAP.SAGAW (0: the widest supported). Superpages are used up to
 * what CAP.SLLPS allows. */
int dma_domain__create(struct dma_domain *dom, struct mem_pool *pool, const struct iommu *iommu,
		       uint16_t did, unsigned aw);
/* Frees every table page. Detach the domain's requesters and invalidate first. */
void dma_domain__destroy(struct dma_domain *dom);

/*
 * Maps [@iova, + @size) to machine [@maddr, + @size) with @perms (IOMMU_READ | IOMMU_WRITE),
 * using 2 MiB (and 1 GiB) leaves wherever both addresses and the size allow. Everything must be
 * 4 KiB aligned and within the domain's width (-EINVAL); mapping over a mapped page is -EEXIST;
 * -ENOMEM when the pool runs out. On error nothing of the range stays mapped.
 */
int dma_domain__map(struct dma_domain *dom, uint64_t iova, uint64_t maddr, uint64_t size,
		    unsigned perms);

/* Unmaps [@iova, + @size) (4 KiB aligned); unmapped parts are skipped. A superpage that is only
 * partly unmapped is split into smaller pages first, so the rest stays mapped. */
int dma_domain__unmap(struct dma_domain *dom, uint64_t iova, uint64_t size);

#endif
