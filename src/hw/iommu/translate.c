/*
 * The device side of DMA remapping: requester id + address -> host memory, through the context
 * cache and the IOTLB, walking the tables on a miss. This is the NIC's hot path: no lock, no
 * allocation; a hit costs two seqlock-protected slot reads.
 */
#include "hw/iommu/unit.h"

#include <errno.h>
#include <string.h>

/* Request types and PTE permission bits line up, so that a permission check is one AND. */
_Static_assert(IOMMU_READ == VTD_PTE_R && IOMMU_WRITE == VTD_PTE_W, "access bits = PTE bits");

struct xlate {
	struct iommu *iommu;
	struct iommu_shard *stats;
	uint64_t gen; /* invalidation generation before any table or cache was read */
	uint16_t rid;
	unsigned access;
	struct dma_seg *segs;
	unsigned nr, max;
};

static int fault(struct xlate *x, uint64_t addr, int reason, bool fpd)
{
	fault__record(x->iommu, x->rid, addr & VTD_PAGE_MASK, (uint8_t)reason,
		      x->access & IOMMU_WRITE, fpd);
	return -EFAULT;
}

/* Appends machine range [@maddr, + @len), whose host address is @host when the caller knows it,
 * merging it with the previous segment when the two are contiguous in host memory. */
static int emit(struct xlate *x, uint8_t *host, uint64_t maddr, uint64_t len)
{
	while (len) {
		uint64_t chunk = len;
		struct dma_seg *last;

		if (!host) {
			host = mem__span(x->iommu->mem, maddr, &chunk);
			if (!host) {
				/* Not memory: an unsupported request on PCIe, not a remapping
				 * fault. */
				STAT_INC(x->stats, aborts);
				return -EIO;
			}
			chunk = MIN(chunk, len);
		}
		last = x->nr ? &x->segs[x->nr - 1] : NULL;
		if (last && (uint8_t *)last->host + last->len == host) {
			last->len += chunk;
		} else {
			if (x->nr == x->max)
				return -E2BIG;
			x->segs[x->nr++] = (struct dma_seg){.host = host, .len = chunk};
		}
		maddr += chunk;
		len -= chunk;
		host = NULL;
	}
	return 0;
}

static int translate_pages(struct xlate *x, const struct vtd_ctx *ctx, uint64_t iova, uint64_t len)
{
	while (len) {
		struct vtd_leaf leaf;
		uint64_t off, chunk;
		int err;

		if (iova >> ctx->width)
			return fault(x, iova, VTD_FR_ADDR_BEYOND_MGAW, ctx->fpd);
		if (iotlb__lookup(x->iommu, ctx->did, iova, &leaf)) {
			STAT_INC(x->stats, iotlb_hits);
		} else {
			STAT_INC(x->stats, iotlb_misses);
			err = walk__pages(x->iommu, ctx, iova, x->access, &leaf);
			if (err)
				return fault(x, iova, err, ctx->fpd);
			iotlb__fill(x->iommu, ctx->did, iova, &leaf, x->gen);
		}
		if ((x->access & IOMMU_WRITE) && !(leaf.perm & VTD_PTE_W))
			return fault(x, iova, VTD_FR_WRITE, ctx->fpd);
		if ((x->access & IOMMU_READ) && !(leaf.perm & VTD_PTE_R))
			return fault(x, iova, VTD_FR_READ, ctx->fpd);
		off = iova - leaf.base;
		chunk = MIN(len, (1ull << leaf.shift) - off);
		err = emit(x, leaf.host ? leaf.host + off : NULL, leaf.maddr + off, chunk);
		if (err)
			return err;
		iova += chunk;
		len -= chunk;
	}
	return 0;
}

/* The common case, done before setting anything else up: the context and the one leaf that
 * covers the whole request are cached, and allow the access. */
static bool fast_path(struct iommu *iommu, const struct vtd_ctx *ctx, uint64_t iova, uint64_t len,
		      unsigned access, struct dma_seg *seg)
{
	struct vtd_leaf leaf;
	uint64_t off;

	if (ctx->tt != VTD_CTX_TT_TRANSLATE || (iova >> ctx->width) ||
	    !iotlb__lookup(iommu, ctx->did, iova, &leaf))
		return false;
	off = iova - leaf.base;
	if (!leaf.host || (leaf.perm & access) != access || len > (1ull << leaf.shift) - off)
		return false;
	seg->host = leaf.host + off;
	seg->len = len;
	return true;
}

int iommu__translate(struct iommu *iommu, uint16_t rid, uint64_t iova, uint64_t len,
		     unsigned access, struct dma_seg *segs, unsigned max_segs)
{
	struct iommu_shard *stats = iommu__shard(iommu);
	uint64_t gen = iommu__inv_gen(iommu);
	struct vtd_ctx ctx;
	struct xlate x;
	bool fpd = false;
	int err;

	if (!access || (access & ~(IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	if (!len)
		return 0;
	STAT_INC(stats, translations);
	x = (struct xlate){
	    .iommu = iommu,
	    .stats = stats,
	    .gen = gen,
	    .rid = rid,
	    .access = access,
	    .segs = segs,
	    .max = max_segs,
	};
	if (unlikely(!__atomic_load_n(&iommu->te, __ATOMIC_ACQUIRE))) {
		err = emit(&x, NULL, iova, len);
		return err ? err : (int)x.nr;
	}
	if (likely(ctx_cache__lookup(iommu, rid, &ctx))) {
		STAT_INC(stats, context_hits);
	} else {
		STAT_INC(stats, context_misses);
		err = walk__context(iommu, rid, &ctx, &fpd);
		if (err)
			return fault(&x, iova, err, fpd);
		ctx_cache__fill(iommu, rid, &ctx, gen);
	}
	if (likely(max_segs && fast_path(iommu, &ctx, iova, len, access, segs))) {
		STAT_INC(stats, iotlb_hits);
		return 1;
	}
	if (ctx.tt == VTD_CTX_TT_PASSTHROUGH)
		err = emit(&x, NULL, iova, len);
	else
		err = translate_pages(&x, &ctx, iova, len);
	return err ? err : (int)x.nr;
}

int iommu__dma_read(struct iommu *iommu, uint16_t rid, uint64_t iova, void *dst, uint64_t len)
{
	struct dma_seg segs[IOMMU_DMA_MAX_SEGS];
	int n = iommu__translate(iommu, rid, iova, len, IOMMU_READ, segs, ARRAY_SIZE(segs));
	uint8_t *d = dst;

	for (int i = 0; i < n; i++) {
		memcpy(d, segs[i].host, segs[i].len);
		d += segs[i].len;
	}
	return n < 0 ? n : 0;
}

int iommu__dma_write(struct iommu *iommu, uint16_t rid, uint64_t iova, const void *src,
		     uint64_t len)
{
	struct dma_seg segs[IOMMU_DMA_MAX_SEGS];
	int n = iommu__translate(iommu, rid, iova, len, IOMMU_WRITE, segs, ARRAY_SIZE(segs));
	const uint8_t *s = src;

	for (int i = 0; i < n; i++) {
		memcpy(segs[i].host, s, segs[i].len);
		s += segs[i].len;
	}
	return n < 0 ? n : 0;
}
