/*
 * Second-level page tables (iommu.md §4), written the way the hardware will read them: 512
 * 64-bit entries per 4 KiB table, R/W permission bits (R = W = 0: not present), SP for 2 MiB
 * and 1 GiB leaves, address bits 51:12. Entries are published with release stores so that a
 * table is complete before a walker can reach it.
 */
#include "hw/iommu/pgtable.h"

#include <errno.h>

static uint64_t *table(const struct dma_domain *dom, uint64_t maddr)
{
	return mem_pool__ptr(dom->pool, maddr);
}

static unsigned index_at(uint64_t iova, unsigned level)
{
	return (unsigned)(iova >> VTD_LEVEL_SHIFT(level)) & 511;
}

static bool present(uint64_t pte)
{
	return pte & VTD_PTE_PERM_MASK;
}

static bool is_leaf(uint64_t pte, unsigned level)
{
	return level == 1 || (pte & VTD_PTE_SP);
}

static void set_pte(uint64_t *p, uint64_t pte)
{
	__atomic_store_n(p, pte, __ATOMIC_RELEASE);
}

static uint64_t leaf_pte(uint64_t maddr, unsigned level, uint64_t perm)
{
	return (maddr & VTD_PTE_ADDR_MASK) | perm | (level > 1 ? VTD_PTE_SP : 0);
}

int dma_domain__create(struct dma_domain *dom, struct mem_pool *pool, const struct iommu *iommu,
		       uint16_t did, unsigned aw)
{
	uint64_t cap = iommu__cap(iommu);
	unsigned sagaw = (unsigned)(cap >> DMA_CAP_SAGAW_SHIFT) & 0x1f;
	int err;

	if (!aw)
		aw = (sagaw & DMA_CAP_SAGAW_48) ? VTD_AW_48BIT : VTD_AW_39BIT;
	if ((aw != VTD_AW_39BIT && aw != VTD_AW_48BIT) || !(sagaw & BIT(aw)) ||
	    did >= iommu__nr_domains(iommu))
		return -EINVAL;
	dom->pool = pool;
	dom->did = did;
	dom->aw = (uint8_t)aw;
	dom->levels = (uint8_t)VTD_AW_LEVELS(aw);
	dom->max_leaf = (cap & DMA_CAP_SLLPS_1G) ? 3 : (cap & DMA_CAP_SLLPS_2M) ? 2 : 1;
	err = mem_pool__alloc(pool, 1, &dom->root);
	return err;
}

static void free_tree(struct dma_domain *dom, uint64_t maddr, unsigned level)
{
	uint64_t *t = table(dom, maddr);

	for (unsigned i = 0; level > 1 && i < 512; i++)
		if (present(t[i]) && !is_leaf(t[i], level))
			free_tree(dom, t[i] & VTD_PTE_ADDR_MASK, level - 1);
	mem_pool__free(dom->pool, maddr, 1);
}

void dma_domain__destroy(struct dma_domain *dom)
{
	if (!dom->pool)
		return;
	free_tree(dom, dom->root, dom->levels);
	dom->pool = NULL;
}

/* The highest leaf level usable at this point of a mapping, at most @max. */
static unsigned pick_level(const struct dma_domain *dom, uint64_t iova, uint64_t maddr,
			   uint64_t left, unsigned max)
{
	for (unsigned level = MIN(max, dom->max_leaf); level > 1; level--) {
		uint64_t size = VTD_LEVEL_SIZE(level);

		if (!(iova & (size - 1)) && !(maddr & (size - 1)) && left >= size)
			return level;
	}
	return 1;
}

/*
 * Writes one leaf at @level. Returns 0, -EEXIST when something is mapped there, -EAGAIN when a
 * table already hangs where the superpage would go (the caller then uses smaller pages: the
 * table's pages cannot be freed while the unit may still walk it), or -ENOMEM.
 */
static int set_leaf(struct dma_domain *dom, uint64_t iova, uint64_t maddr, unsigned level,
		    uint64_t perm)
{
	uint64_t *t = table(dom, dom->root);
	uint64_t *p;

	for (unsigned l = dom->levels; l > level; l--) {
		uint64_t next;

		p = &t[index_at(iova, l)];
		if (!present(*p)) {
			int err = mem_pool__alloc(dom->pool, 1, &next);

			if (err)
				return err;
			/* Non-leaf entries grant both: the leaf decides (permissions are ANDed). */
			set_pte(p, next | VTD_PTE_R | VTD_PTE_W);
		} else if (is_leaf(*p, l)) {
			return -EEXIST;
		}
		t = table(dom, *p & VTD_PTE_ADDR_MASK);
	}
	p = &t[index_at(iova, level)];
	if (present(*p))
		return is_leaf(*p, level) ? -EEXIST : -EAGAIN;
	set_pte(p, leaf_pte(maddr, level, perm));
	return 0;
}

static uint64_t pte_perms(unsigned perms)
{
	return ((perms & IOMMU_READ) ? VTD_PTE_R : 0) | ((perms & IOMMU_WRITE) ? VTD_PTE_W : 0);
}

static bool range_ok(const struct dma_domain *dom, uint64_t iova, uint64_t size)
{
	uint64_t limit = 1ull << VTD_AW_WIDTH(dom->aw);

	return size && IS_ALIGNED(iova, VTD_PAGE_SIZE) && IS_ALIGNED(size, VTD_PAGE_SIZE) &&
	       iova < limit && size <= limit - iova;
}

int dma_domain__map(struct dma_domain *dom, uint64_t iova, uint64_t maddr, uint64_t size,
		    unsigned perms)
{
	uint64_t done = 0;

	if (!range_ok(dom, iova, size) || !IS_ALIGNED(maddr, VTD_PAGE_SIZE) ||
	    maddr + size < maddr || (maddr + size - 1) > VTD_PTE_ADDR_MASK || !perms ||
	    (perms & ~(IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	while (done < size) {
		unsigned max = dom->max_leaf, level;
		int err;

		do {
			level = pick_level(dom, iova + done, maddr + done, size - done, max);
			err = set_leaf(dom, iova + done, maddr + done, level, pte_perms(perms));
			max = level - 1;
		} while (err == -EAGAIN);
		if (err) {
			if (done)
				dma_domain__unmap(dom, iova, done);
			return err;
		}
		done += VTD_LEVEL_SIZE(level);
	}
	return 0;
}

/* Replaces the superpage at *@p (level @level) by a table of the next level mapping the same
 * memory with the same permissions, so that part of it can be unmapped. */
static int split(struct dma_domain *dom, uint64_t *p, unsigned level)
{
	uint64_t pte = *p, base = pte & VTD_PTE_ADDR_MASK, perm = pte & VTD_PTE_PERM_MASK;
	uint64_t sub = VTD_LEVEL_SIZE(level - 1), next;
	uint64_t *t;
	int err;

	err = mem_pool__alloc(dom->pool, 1, &next);
	if (err)
		return err;
	t = table(dom, next);
	for (unsigned i = 0; i < 512; i++)
		t[i] = leaf_pte(base + i * sub, level - 1, perm);
	set_pte(p, next | VTD_PTE_R | VTD_PTE_W);
	return 0;
}

int dma_domain__unmap(struct dma_domain *dom, uint64_t iova, uint64_t size)
{
	uint64_t end;
	int err;

	if (!range_ok(dom, iova, size))
		return -EINVAL;
	end = iova + size;
	while (iova < end) {
		uint64_t *t = table(dom, dom->root);

		for (unsigned l = dom->levels;; l--) {
			uint64_t *p = &t[index_at(iova, l)];
			uint64_t lsize = VTD_LEVEL_SIZE(l);
			uint64_t next = (iova | (lsize - 1)) + 1; /* start of the next entry */

			if (!present(*p)) {
				iova = next;
				break;
			}
			if (is_leaf(*p, l)) {
				if (!(iova & (lsize - 1)) && end - iova >= lsize) {
					set_pte(p, 0);
					iova = next;
					break;
				}
				err = split(dom, p, l);
				if (err)
					return err;
			}
			t = table(dom, *p & VTD_PTE_ADDR_MASK);
		}
	}
	return 0;
}
