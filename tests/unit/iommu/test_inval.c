/* Invalidation as VT-d defines it: a cached translation may survive a table change until software
 * invalidates, and none survives the matching invalidation. */
#include "fixture.h"

/* Maps one page in @dom at @iova to @maddr and caches it by translating through @rid. */
static void map_and_cache(struct fixture *f, struct dma_domain *dom, uint16_t rid, uint64_t iova,
			  uint64_t maddr, uint64_t size)
{
	assert_int_equal(dma_domain__map(dom, iova, maddr, size, IOMMU_READ), 0);
	for (uint64_t off = 0; off < size; off += PAGE)
		assert_non_null(fixture__host(f, rid, iova + off, IOMMU_READ));
}

static bool reachable(struct fixture *f, uint16_t rid, uint64_t iova)
{
	bool ok = fixture__host(f, rid, iova, IOMMU_READ) != NULL;

	if (!ok)
		fixture__expect_fault(f, rid, iova & ~(PAGE - 1), VTD_FR_READ, false);
	return ok;
}

static void test_stale_until_global_invalidation(void **state)
{
	struct fixture *f = *state;

	map_and_cache(f, &f->a, RID_A, 0x1000, RAM_A, PAGE);
	assert_int_equal(dma_domain__unmap(&f->a, 0x1000, PAGE), 0);
	/* The IOTLB still has it: a real unit would go on using it too. */
	assert_ptr_equal(fixture__host(f, RID_A, 0x1000, IOMMU_READ), f->ram_a);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_GLOBAL_FLUSH, 0, 0, 0), 0);
	assert_false(reachable(f, RID_A, 0x1000));
}

static void test_domain_selective(void **state)
{
	struct fixture *f = *state;

	map_and_cache(f, &f->a, RID_A, 0x1000, RAM_A, PAGE);
	map_and_cache(f, &f->b, RID_B, 0x1000, RAM_B, PAGE);
	assert_int_equal(dma_domain__unmap(&f->a, 0x1000, PAGE), 0);
	assert_int_equal(dma_domain__unmap(&f->b, 0x1000, PAGE), 0);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_DSI_FLUSH, DID_A, 0, 0), 0);
	assert_false(reachable(f, RID_A, 0x1000));
	assert_true(reachable(f, RID_B, 0x1000)); /* B's entry was not in the invalidated domain */
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_DSI_FLUSH, DID_B, 0, 0), 0);
	assert_false(reachable(f, RID_B, 0x1000));
}

static void test_page_selective_with_address_mask(void **state)
{
	struct fixture *f = *state;

	map_and_cache(f, &f->a, RID_A, 0x10000, RAM_A, 8 * PAGE);
	assert_int_equal(dma_domain__unmap(&f->a, 0x10000, 8 * PAGE), 0);
	/* One page: only that one goes. */
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, 0x13000, 0),
			 0);
	assert_false(reachable(f, RID_A, 0x13000));
	assert_true(reachable(f, RID_A, 0x12000));
	assert_true(reachable(f, RID_A, 0x14000));
	/* AM 2: four pages from 0x14000. */
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, 0x14000, 2),
			 0);
	for (uint64_t p = 0x14000; p < 0x18000; p += PAGE)
		assert_false(reachable(f, RID_A, p));
	assert_true(reachable(f, RID_A, 0x10000));
	/* Another domain's page at the same address is not touched. */
	map_and_cache(f, &f->b, RID_B, 0x10000, RAM_B, PAGE);
	assert_int_equal(dma_domain__unmap(&f->b, 0x10000, PAGE), 0);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, 0x10000, 2),
			 0);
	assert_false(reachable(f, RID_A, 0x10000));
	assert_true(reachable(f, RID_B, 0x10000));

	/* Bad requests. */
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, 0x11000, 1),
			 -EINVAL);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, 0, 19),
			 -EINVAL);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, 0, DID_A, 0, 0), -EINVAL);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, 4, DID_A, 0, 0), -EINVAL);
}

static void test_page_selective_hits_superpage(void **state)
{
	struct fixture *f = *state;

	/* Entries cached from a 2 MiB leaf at several offsets; invalidating one 4 KiB page inside
	 * it must drop all of them, since they all came from that leaf. */
	assert_int_equal(dma_domain__map(&f->a, MB2, RAM_A, MB2, IOMMU_READ), 0);
	assert_non_null(fixture__host(f, RID_A, MB2 + 0x1000, IOMMU_READ));
	assert_non_null(fixture__host(f, RID_A, MB2 + 0x100000, IOMMU_READ));
	assert_int_equal(dma_domain__unmap(&f->a, MB2, MB2), 0);
	assert_true(reachable(f, RID_A, MB2 + 0x100000));
	assert_int_equal(
	    iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, MB2 + 0x5000, 0), 0);
	assert_false(reachable(f, RID_A, MB2 + 0x1000));
	assert_false(reachable(f, RID_A, MB2 + 0x100000));
}

static void test_remap_visible_after_invalidation(void **state)
{
	struct fixture *f = *state;

	map_and_cache(f, &f->a, RID_A, 0x1000, RAM_A, PAGE);
	assert_int_equal(dma_domain__unmap(&f->a, 0x1000, PAGE), 0);
	assert_int_equal(dma_domain__map(&f->a, 0x1000, RAM_A + 0x7000, PAGE, IOMMU_READ), 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0x1000, IOMMU_READ), f->ram_a);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, 0x1000, 0), 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0x1000, IOMMU_READ), f->ram_a + 0x7000);
}

/* Points @rid at domain B with a raw context write: no invalidation. */
static void move_to_b(struct fixture *f, uint16_t rid)
{
	struct context_desc d = {.present = true,
				 .tt = VTD_CTX_TT_TRANSLATE,
				 .aw = f->b.aw,
				 .did = DID_B,
				 .slptptr = f->b.root};

	assert_int_equal(context__write(&f->ct, rid, &d), 0);
}

static void test_context_cache_granularities(void **state)
{
	struct fixture *f = *state;
	const uint16_t rid_a1 = RID_A + 1, rid_a5 = RID_A + 5;

	assert_int_equal(dma_domain__map(&f->a, 0, RAM_A, PAGE, IOMMU_READ), 0);
	assert_int_equal(dma_domain__map(&f->b, 0, RAM_B, PAGE, IOMMU_READ), 0);
	assert_int_equal(context__attach(&f->ct, rid_a1, &f->a), 0);
	assert_int_equal(context__attach(&f->ct, rid_a5, &f->a), 0);
	for (uint16_t rid = RID_A; rid <= rid_a5; rid += 1)
		if (rid == RID_A || rid == rid_a1 || rid == rid_a5)
			assert_ptr_equal(fixture__host(f, rid, 0, IOMMU_READ), f->ram_a);

	move_to_b(f, RID_A);
	move_to_b(f, rid_a1);
	move_to_b(f, rid_a5);
	/* Stale: the context cache still says domain A. */
	assert_ptr_equal(fixture__host(f, RID_A, 0, IOMMU_READ), f->ram_a);

	/* Device-selective, function mask 1 (ignore bit 0 of the function): RID_A and rid_a1. */
	assert_int_equal(iommu__invalidate_context(f->iommu, DMA_CCMD_DEVICE_INVL, DID_A, RID_A, 1),
			 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0, IOMMU_READ), f->ram_b);
	assert_ptr_equal(fixture__host(f, rid_a1, 0, IOMMU_READ), f->ram_b);
	assert_ptr_equal(fixture__host(f, rid_a5, 0, IOMMU_READ), f->ram_a);
	/* Domain-selective for B leaves rid_a5 (cached as A) alone; for A it goes. */
	assert_int_equal(iommu__invalidate_context(f->iommu, DMA_CCMD_DOMAIN_INVL, DID_B, 0, 0), 0);
	assert_ptr_equal(fixture__host(f, rid_a5, 0, IOMMU_READ), f->ram_a);
	assert_int_equal(iommu__invalidate_context(f->iommu, DMA_CCMD_DOMAIN_INVL, DID_A, 0, 0), 0);
	assert_ptr_equal(fixture__host(f, rid_a5, 0, IOMMU_READ), f->ram_b);

	/* Global. */
	assert_int_equal(context__attach(&f->ct, RID_A, &f->a), 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0, IOMMU_READ), f->ram_a);
	move_to_b(f, RID_A);
	assert_ptr_equal(fixture__host(f, RID_A, 0, IOMMU_READ), f->ram_a);
	assert_int_equal(iommu__invalidate_context(f->iommu, DMA_CCMD_GLOBAL_INVL, 0, 0, 0), 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0, IOMMU_READ), f->ram_b);

	assert_int_equal(iommu__invalidate_context(f->iommu, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(iommu__invalidate_context(f->iommu, DMA_CCMD_DEVICE_INVL, 0, RID_A, 4),
			 -EINVAL);
}

static void test_attach_and_block_invalidate(void **state)
{
	struct fixture *f = *state;

	/* The driver-level calls invalidate by themselves: no stale access after they return. */
	assert_int_equal(dma_domain__map(&f->a, 0, RAM_A, PAGE, IOMMU_READ), 0);
	assert_int_equal(dma_domain__map(&f->b, 0, RAM_B, PAGE, IOMMU_READ), 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0, IOMMU_READ), f->ram_a);
	assert_int_equal(context__attach(&f->ct, RID_A, &f->b), 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0, IOMMU_READ), f->ram_b);
	assert_int_equal(context__block(&f->ct, RID_A, false), 0);
	assert_null(fixture__host(f, RID_A, 0, IOMMU_READ));
	fixture__expect_fault(f, RID_A, 0, VTD_FR_CTX_NOT_PRESENT, false);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture__setup, fixture__teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_stale_until_global_invalidation),  T(test_domain_selective),
	    T(test_page_selective_with_address_mask), T(test_page_selective_hits_superpage),
	    T(test_remap_visible_after_invalidation), T(test_context_cache_granularities),
	    T(test_attach_and_block_invalidate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
