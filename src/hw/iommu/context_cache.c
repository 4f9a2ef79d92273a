/*
 * The context cache: decoded context entries by requester id, direct-mapped, so that a
 * translation does not read the root and context tables. Only present, valid entries are cached
 * (CAP.CM = 0), so making an entry present needs no invalidation; changing or removing one does.
 */
#include "hw/iommu/unit.h"

#include <errno.h>

void ctx_cache__fill(struct iommu *iommu, uint16_t rid, const struct vtd_ctx *ctx, uint64_t gen)
{
	struct ctx_cache_entry *e = ctx_cache__slot(iommu, rid);

	/* Another thread filling the same slot wins; a cache may always decline to cache. */
	if (!seqlock__write_trylock(&e->lock))
		return;
	if (iommu__inv_gen(iommu) == gen) {
		WRITE_ONCE(e->rid, rid);
		WRITE_ONCE(e->ctx.slptptr, ctx->slptptr);
		WRITE_ONCE(e->ctx.did, ctx->did);
		WRITE_ONCE(e->ctx.tt, ctx->tt);
		WRITE_ONCE(e->ctx.levels, ctx->levels);
		WRITE_ONCE(e->ctx.width, ctx->width);
		WRITE_ONCE(e->ctx.fpd, ctx->fpd);
		WRITE_ONCE(e->valid, true);
	}
	seqlock__write_unlock(&e->lock);
}

/* Device-selective invalidation names the function with SID and a function mask FM: FM n
 * ignores the low n bits of the function number (iommu.md §6). */
static bool sid_matches(uint16_t rid, uint16_t sid, unsigned fm)
{
	uint16_t mask = (uint16_t) ~((1u << fm) - 1);

	return (rid & mask) == (sid & mask);
}

int iommu__invalidate_context(struct iommu *iommu, unsigned cirg, uint16_t did, uint16_t sid,
			      unsigned fm)
{
	if (cirg < DMA_CCMD_GLOBAL_INVL || cirg > DMA_CCMD_DEVICE_INVL || fm > DMA_CCMD_FM_MAX)
		return -EINVAL;
	iommu__inv_begin(iommu);
	for (unsigned i = 0; i < CTX_CACHE_ENTRIES; i++) {
		struct ctx_cache_entry *e = &iommu->ctx_cache[i];
		bool drop;

		seqlock__write_lock(&e->lock);
		drop = cirg == DMA_CCMD_GLOBAL_INVL ||
		       (cirg == DMA_CCMD_DOMAIN_INVL && e->ctx.did == did) ||
		       (cirg == DMA_CCMD_DEVICE_INVL && sid_matches(e->rid, sid, fm));
		if (drop)
			WRITE_ONCE(e->valid, false);
		seqlock__write_unlock(&e->lock);
	}
	return 0;
}
