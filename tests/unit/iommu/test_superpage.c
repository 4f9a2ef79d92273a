/* 2 MiB and 1 GiB leaves: used when addresses and size allow, translating at every offset, and
 * split when only part of one is unmapped. */
#include "fixture.h"

#define GB1 (1ull << 30)

static void test_2m_mapping_uses_one_leaf(void **state)
{
	struct fixture *f = *state;
	uint64_t before = f->pool.nfree;

	/* 2 MiB at a 2 MiB boundary: level-3 and level-2 tables only, no level-1 table. */
	assert_int_equal(
	    dma_domain__map(&f->a, 0x40000000, RAM_A + MB2, MB2, IOMMU_READ | IOMMU_WRITE), 0);
	assert_int_equal(before - f->pool.nfree, 2);
	for (uint64_t off = 0; off < MB2; off += 0x1f3c1)
		assert_ptr_equal(fixture__host(f, RID_A, 0x40000000 + off, IOMMU_READ),
				 f->ram_a + MB2 + off);
	assert_ptr_equal(fixture__host(f, RID_A, 0x40000000 + MB2 - 1, IOMMU_WRITE),
			 f->ram_a + 2 * MB2 - 1);
	assert_null(fixture__host(f, RID_A, 0x40000000 + MB2, IOMMU_READ));
	fixture__expect_fault(f, RID_A, 0x40000000 + MB2, VTD_FR_READ, false);

	/* Misaligned machine address: 4 KiB pages, one level-1 table more. */
	before = f->pool.nfree;
	assert_int_equal(dma_domain__map(&f->a, 0x40400000, RAM_A + PAGE, MB2, IOMMU_READ), 0);
	assert_int_equal(before - f->pool.nfree, 1);
	assert_ptr_equal(fixture__host(f, RID_A, 0x40400000 + 0x12345, IOMMU_READ),
			 f->ram_a + PAGE + 0x12345);
}

static void test_one_request_spans_a_superpage(void **state)
{
	struct fixture *f = *state;
	struct dma_seg segs[2];

	assert_int_equal(dma_domain__map(&f->a, 0, RAM_A, 2 * MB2, IOMMU_READ), 0);
	assert_int_equal(iommu__translate(f->iommu, RID_A, 0x1ff000, 0x3000, IOMMU_READ, segs, 2),
			 1);
	assert_ptr_equal(segs[0].host, f->ram_a + 0x1ff000);
	assert_int_equal(segs[0].len, 0x3000);
}

static void test_partial_unmap_splits_2m(void **state)
{
	struct fixture *f = *state;
	const uint64_t io = 0x600000;

	assert_int_equal(dma_domain__map(&f->a, io, RAM_A + 2 * MB2, MB2, IOMMU_READ), 0);
	assert_int_equal(dma_domain__unmap(&f->a, io + 0x5000, 2 * PAGE), 0);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_DSI_FLUSH, DID_A, 0, 0), 0);

	assert_null(fixture__host(f, RID_A, io + 0x5000, IOMMU_READ));
	fixture__expect_fault(f, RID_A, io + 0x5000, VTD_FR_READ, false);
	assert_null(fixture__host(f, RID_A, io + 0x6fff, IOMMU_READ));
	fixture__expect_fault(f, RID_A, io + 0x6000, VTD_FR_READ, false);
	/* The rest of the superpage still translates, keeping its permissions. */
	for (uint64_t off = 0; off < MB2; off += 0x3000) {
		if (off >= 0x5000 && off < 0x7000)
			continue;
		assert_ptr_equal(fixture__host(f, RID_A, io + off, IOMMU_READ),
				 f->ram_a + 2 * MB2 + off);
	}
	assert_ptr_equal(fixture__host(f, RID_A, io + 0x7000, IOMMU_READ),
			 f->ram_a + 2 * MB2 + 0x7000);
	assert_null(fixture__host(f, RID_A, io + 0x4000, IOMMU_WRITE));
	fixture__expect_fault(f, RID_A, io + 0x4000, VTD_FR_WRITE, true);

	/* Remapping the hole works, then mapping a 2 MiB leaf over the split one is refused. */
	assert_int_equal(dma_domain__map(&f->a, io + 0x5000, RAM_A, 2 * PAGE, IOMMU_READ), 0);
	assert_ptr_equal(fixture__host(f, RID_A, io + 0x6001, IOMMU_READ), f->ram_a + 0x1001);
	assert_int_equal(dma_domain__map(&f->a, io, RAM_A, MB2, IOMMU_READ), -EEXIST);
	fixture__expect_no_fault(f);
}

static void test_superpage_over_emptied_table(void **state)
{
	struct fixture *f = *state;

	/* A table left under a 2 MiB slot (after a split and a full unmap) is reused with 4 KiB
	 * pages: the unit may still be walking it, so it is not freed under its feet. */
	assert_int_equal(dma_domain__map(&f->a, 0, RAM_A, MB2, IOMMU_READ), 0);
	assert_int_equal(dma_domain__unmap(&f->a, 0, PAGE), 0);
	assert_int_equal(dma_domain__unmap(&f->a, PAGE, MB2 - PAGE), 0);
	assert_int_equal(dma_domain__map(&f->a, 0, RAM_A + MB2, MB2, IOMMU_WRITE), 0);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_GLOBAL_FLUSH, 0, 0, 0), 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0x1abcd, IOMMU_WRITE), f->ram_a + MB2 + 0x1abcd);
}

static void test_1g_leaf_and_split(void **state)
{
	struct fixture *f = *state;
	struct machine_mem *mem = &f->mem;
	const struct mem_region *r;
	const uint64_t big = 0x100000000ull; /* 4 GiB, 1 GiB aligned */
	uint64_t before = f->pool.nfree;

	assert_int_equal(mem__add(mem, "big", big, GB1, &r), 0);
	assert_int_equal(dma_domain__map(&f->b, GB1, big, GB1, IOMMU_READ | IOMMU_WRITE), 0);
	assert_int_equal(before - f->pool.nfree, 1); /* only a level-3 table */
	assert_ptr_equal(fixture__host(f, RID_B, GB1 + 0x3456789, IOMMU_WRITE),
			 r->host + 0x3456789);

	/* Unmapping 4 KiB splits 1 GiB -> 2 MiB -> 4 KiB. */
	assert_int_equal(dma_domain__unmap(&f->b, GB1 + 5 * MB2 + PAGE, PAGE), 0);
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_B, GB1, 18), 0);
	assert_null(fixture__host(f, RID_B, GB1 + 5 * MB2 + PAGE, IOMMU_READ));
	fixture__expect_fault(f, RID_B, GB1 + 5 * MB2 + PAGE, VTD_FR_READ, false);
	assert_ptr_equal(fixture__host(f, RID_B, GB1 + 5 * MB2, IOMMU_READ), r->host + 5 * MB2);
	assert_ptr_equal(fixture__host(f, RID_B, GB1 + 5 * MB2 + 2 * PAGE, IOMMU_READ),
			 r->host + 5 * MB2 + 2 * PAGE);
	assert_ptr_equal(fixture__host(f, RID_B, 2 * GB1 - 1, IOMMU_READ), r->host + GB1 - 1);
	assert_int_equal(dma_domain__unmap(&f->b, GB1, GB1), 0);
	assert_int_equal(mem__remove(mem, big), 0);
}

static int setup_no_1g(void **state)
{
	struct iommu_config cfg;

	iommu__default_config(&cfg);
	cfg.superpage_1g = false;
	return fixture__setup_with(state, &cfg);
}

static void test_no_1g_without_sllps(void **state)
{
	struct fixture *f = *state;
	uint64_t before = f->pool.nfree;
	uint64_t *l4, *l3;

	/* Without CAP.SLLPS 1 GiB the driver uses 2 MiB leaves... */
	assert_int_equal(dma_domain__map(&f->a, GB1, RAM_A, GB1, IOMMU_READ), 0);
	assert_int_equal(before - f->pool.nfree, 2);
	assert_int_equal(dma_domain__unmap(&f->a, GB1, GB1), 0);
	/* ...and the unit rejects a 1 GiB leaf written anyway (reserved SP at level 3). */
	l4 = mem_pool__ptr(&f->pool, f->a.root);
	l3 = mem_pool__ptr(&f->pool, l4[0] & VTD_PTE_ADDR_MASK);
	l3[1] = 0 | VTD_PTE_SP | VTD_PTE_R;
	assert_int_equal(iommu__invalidate_iotlb(f->iommu, DMA_TLB_GLOBAL_FLUSH, 0, 0, 0), 0);
	assert_null(fixture__host(f, RID_A, GB1, IOMMU_READ));
	fixture__expect_fault(f, RID_A, GB1, VTD_FR_PTE_RSVD, false);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture__setup, fixture__teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_2m_mapping_uses_one_leaf),
	    T(test_one_request_spans_a_superpage),
	    T(test_partial_unmap_splits_2m),
	    T(test_superpage_over_emptied_table),
	    T(test_1g_leaf_and_split),
	    cmocka_unit_test_setup_teardown(test_no_1g_without_sllps, setup_no_1g,
					    fixture__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
