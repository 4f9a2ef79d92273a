#include "hw/iommu/context.h"

#include <errno.h>

static uint64_t *entry_at(const struct context_tables *ct, uint64_t table, unsigned index)
{
	uint64_t *t = mem_pool__ptr(ct->pool, table);

	return t + 2 * index;
}

int context__init(struct context_tables *ct, struct mem_pool *pool, struct iommu *iommu)
{
	int err;

	ct->pool = pool;
	ct->iommu = iommu;
	err = mem_pool__alloc(pool, 1, &ct->root);
	if (err)
		return err;
	iommu__set_root_table(iommu, ct->root);
	/* The unit may hold entries from an earlier root table: drop them all (iommu.md §6). */
	iommu__invalidate_context(iommu, DMA_CCMD_GLOBAL_INVL, 0, 0, 0);
	iommu__invalidate_iotlb(iommu, DMA_TLB_GLOBAL_FLUSH, 0, 0, 0);
	iommu__enable_translation(iommu, true);
	return 0;
}

void context__fini(struct context_tables *ct)
{
	uint64_t *root;

	if (!ct->pool)
		return;
	iommu__enable_translation(ct->iommu, false);
	root = mem_pool__ptr(ct->pool, ct->root);
	for (unsigned bus = 0; bus < 256; bus++)
		if (root[2 * bus] & VTD_ROOT_P)
			mem_pool__free(ct->pool, root[2 * bus] & VTD_ROOT_CTP_MASK, 1);
	mem_pool__free(ct->pool, ct->root, 1);
	ct->pool = NULL;
}

/* The context entry of @rid, allocating its bus's context table if @alloc. */
static uint64_t *context_entry(const struct context_tables *ct, uint16_t rid, bool alloc)
{
	uint64_t *re = entry_at(ct, ct->root, rid >> 8);
	uint64_t table;

	if (!(re[0] & VTD_ROOT_P)) {
		if (!alloc || mem_pool__alloc(ct->pool, 1, &table))
			return NULL;
		__atomic_store_n(&re[0], table | VTD_ROOT_P, __ATOMIC_RELEASE);
	}
	return entry_at(ct, re[0] & VTD_ROOT_CTP_MASK, rid & 0xff);
}

int context__write(struct context_tables *ct, uint16_t rid, const struct context_desc *d)
{
	uint64_t *ce = context_entry(ct, rid, true);
	uint64_t lo, hi;

	if (!ce)
		return -ENOMEM;
	lo = (d->slptptr & VTD_CTX_SLPTPTR_MASK) | (uint64_t)d->tt << VTD_CTX_TT_SHIFT |
	     (d->fpd ? VTD_CTX_FPD : 0) | (d->present ? VTD_CTX_P : 0);
	hi = (d->aw & VTD_CTX_AW_MASK) | (uint64_t)d->did << VTD_CTX_DID_SHIFT;
	/* A 128-bit entry cannot be stored at once: make it not present, write the high qword,
	 * then the low one, so that the unit (which rereads the low qword) never mixes halves. */
	__atomic_store_n(&ce[0], lo & ~VTD_CTX_P, __ATOMIC_RELEASE);
	__atomic_store_n(&ce[1], hi, __ATOMIC_RELEASE);
	__atomic_store_n(&ce[0], lo, __ATOMIC_RELEASE);
	return 0;
}

void context__read(const struct context_tables *ct, uint16_t rid, struct context_desc *d)
{
	const uint64_t *ce = context_entry(ct, rid, false);
	uint64_t lo = ce ? ce[0] : 0, hi = ce ? ce[1] : 0;

	*d = (struct context_desc){
	    .present = lo & VTD_CTX_P,
	    .fpd = lo & VTD_CTX_FPD,
	    .tt = (uint8_t)((lo & VTD_CTX_TT_MASK) >> VTD_CTX_TT_SHIFT),
	    .aw = (uint8_t)(hi & VTD_CTX_AW_MASK),
	    .did = (uint16_t)((hi & VTD_CTX_DID_MASK) >> VTD_CTX_DID_SHIFT),
	    .slptptr = lo & VTD_CTX_SLPTPTR_MASK,
	};
}

/* Writes the entry, then invalidates what the unit may have cached from the old one. Not-present
 * entries are never cached (CAP.CM = 0), so only a present old entry needs it. */
static int replace(struct context_tables *ct, uint16_t rid, const struct context_desc *d)
{
	struct context_desc old;
	int err;

	context__read(ct, rid, &old);
	err = context__write(ct, rid, d);
	if (err || !old.present)
		return err;
	iommu__invalidate_context(ct->iommu, DMA_CCMD_DEVICE_INVL, old.did, rid, 0);
	iommu__invalidate_iotlb(ct->iommu, DMA_TLB_DSI_FLUSH, old.did, 0, 0);
	return 0;
}

int context__attach(struct context_tables *ct, uint16_t rid, const struct dma_domain *dom)
{
	struct context_desc d = {
	    .present = true,
	    .tt = VTD_CTX_TT_TRANSLATE,
	    .aw = dom->aw,
	    .did = dom->did,
	    .slptptr = dom->root,
	};

	return replace(ct, rid, &d);
}

int context__passthrough(struct context_tables *ct, uint16_t rid, uint16_t did)
{
	struct context_desc d = {.present = true, .tt = VTD_CTX_TT_PASSTHROUGH, .did = did};

	if (!(iommu__ecap(ct->iommu) & DMA_ECAP_PT))
		return -EOPNOTSUPP;
	return replace(ct, rid, &d);
}

int context__block(struct context_tables *ct, uint16_t rid, bool silent)
{
	struct context_desc d = {.fpd = silent};

	return replace(ct, rid, &d);
}
