/*
 * The software side of the root and context tables (iommu.md §3): which domain, if any, each
 * requester id belongs to. One root table per unit; a context table per bus, allocated when the
 * first requester on that bus is given a context.
 *
 * context__write() only writes an entry. context__attach(), __passthrough() and __block() also
 * invalidate as VT-d requires when a present entry changes: the context cache for that device,
 * then the IOTLB of the domain it was in. Control thread only.
 */
#ifndef VFNET_HW_IOMMU_CONTEXT_H
#define VFNET_HW_IOMMU_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/iommu/iommu.h"
#include "hw/iommu/pgtable.h"
#include "hw/mem/pool.h"

struct context_tables {
	struct mem_pool *pool;
	struct iommu *iommu;
	uint64_t root; /* machine address of the root table (RTADDR) */
};

/* A context entry's fields (VTD_CTX_*). */
struct context_desc {
	bool present;
	bool fpd;   /* fault processing disable: block without recording */
	uint8_t tt; /* VTD_CTX_TT_TRANSLATE or VTD_CTX_TT_PASSTHROUGH */
	uint8_t aw; /* VTD_AW_* */
	uint16_t did;
	uint64_t slptptr; /* second-level page-table root */
};

/* Allocates an empty root table, latches it (SRTP), invalidates the context cache and IOTLB
 * globally and enables translation (TE): from then on every requester is blocked (fault 0x1)
 * until it is given a context. */
int context__init(struct context_tables *ct, struct mem_pool *pool, struct iommu *iommu);
/* Disables translation and frees the tables. */
void context__fini(struct context_tables *ct);

/* Writes @rid's context entry (no invalidation). -ENOMEM when a context table is needed and the
 * pool is empty. */
int context__write(struct context_tables *ct, uint16_t rid, const struct context_desc *desc);
/* Reads it back; an entry without a context table reads as not present. */
void context__read(const struct context_tables *ct, uint16_t rid, struct context_desc *desc);

/* @rid translates through @dom's page table with @dom's domain id. */
int context__attach(struct context_tables *ct, uint16_t rid, const struct dma_domain *dom);
/* @rid's DMA addresses are machine addresses (TT 2), tagged with domain id @did. */
int context__passthrough(struct context_tables *ct, uint16_t rid, uint16_t did);
/* @rid is blocked: every DMA faults with 0x2, recorded unless @silent (FPD). */
int context__block(struct context_tables *ct, uint16_t rid, bool silent);

#endif
