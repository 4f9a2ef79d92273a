/* DMA remapping as a device and a hypervisor see it: isolation by requester id, permissions,
 * address width, pass-through, multi-segment requests and DMA that faults. */
#include "fixture.h"

#include <string.h>

static void test_each_rid_reaches_only_its_domain(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8];

	assert_int_equal(
	    dma_domain__map(&f->a, 0x10000, RAM_A + 0x3000, PAGE, IOMMU_READ | IOMMU_WRITE), 0);
	assert_int_equal(
	    dma_domain__map(&f->b, 0x10000, RAM_B + 0x5000, PAGE, IOMMU_READ | IOMMU_WRITE), 0);
	memcpy(f->ram_a + 0x3000, "guest-A", 8);
	memcpy(f->ram_b + 0x5000, "guest-B", 8);

	/* The same bus address means different memory for each requester. */
	assert_int_equal(iommu__dma_read(f->iommu, RID_A, 0x10000, buf, 8), 0);
	assert_string_equal((char *)buf, "guest-A");
	assert_int_equal(iommu__dma_read(f->iommu, RID_B, 0x10000, buf, 8), 0);
	assert_string_equal((char *)buf, "guest-B");

	/* A's other pages are not B's to reach, and not A's either unless mapped. */
	assert_int_equal(iommu__dma_read(f->iommu, RID_B, 0x11000, buf, 8), -EFAULT);
	fixture__expect_fault(f, RID_B, 0x11000, VTD_FR_READ, false);
	assert_int_equal(iommu__dma_write(f->iommu, RID_A, 0x20000, buf, 8), -EFAULT);
	fixture__expect_fault(f, RID_A, 0x20000, VTD_FR_WRITE, true);

	/* A requester without a context, and one on a bus without a context table. */
	assert_int_equal(iommu__dma_read(f->iommu, RID_NONE, 0x10000, buf, 8), -EFAULT);
	fixture__expect_fault(f, RID_NONE, 0x10000, VTD_FR_CTX_NOT_PRESENT, false);
	assert_int_equal(iommu__dma_read(f->iommu, RID_NOBUS, 0x10000, buf, 8), -EFAULT);
	fixture__expect_fault(f, RID_NOBUS, 0x10000, VTD_FR_ROOT_NOT_PRESENT, false);
	fixture__expect_no_fault(f);
}

static void test_two_rids_in_one_domain_share_it(void **state)
{
	struct fixture *f = *state;
	uint16_t rid_a2 = RID_A + 1; /* another function given to the same guest */

	assert_int_equal(dma_domain__map(&f->a, 0x0, RAM_A, PAGE, IOMMU_READ), 0);
	assert_int_equal(context__attach(&f->ct, rid_a2, &f->a), 0);
	assert_ptr_equal(fixture__host(f, rid_a2, 0x10, IOMMU_READ), f->ram_a + 0x10);
	assert_ptr_equal(fixture__host(f, RID_A, 0x10, IOMMU_READ), f->ram_a + 0x10);
}

static void test_permissions(void **state)
{
	struct fixture *f = *state;
	struct dma_seg seg;

	assert_int_equal(dma_domain__map(&f->a, 0x1000, RAM_A + 0x1000, PAGE, IOMMU_READ), 0);
	assert_int_equal(dma_domain__map(&f->a, 0x2000, RAM_A + 0x2000, PAGE, IOMMU_WRITE), 0);

	assert_non_null(fixture__host(f, RID_A, 0x1008, IOMMU_READ));
	assert_null(fixture__host(f, RID_A, 0x1008, IOMMU_WRITE));
	fixture__expect_fault(f, RID_A, 0x1000, VTD_FR_WRITE, true);
	assert_non_null(fixture__host(f, RID_A, 0x2008, IOMMU_WRITE));
	assert_null(fixture__host(f, RID_A, 0x2008, IOMMU_READ));
	fixture__expect_fault(f, RID_A, 0x2000, VTD_FR_READ, false);
	/* A read-modify-write needs both. */
	assert_int_equal(
	    iommu__translate(f->iommu, RID_A, 0x1000, 4, IOMMU_READ | IOMMU_WRITE, &seg, 1),
	    -EFAULT);
	fixture__expect_fault(f, RID_A, 0x1000, VTD_FR_WRITE, true);
	assert_int_equal(iommu__translate(f->iommu, RID_A, 0x1000, 4, 0, &seg, 1), -EINVAL);
	fixture__expect_no_fault(f);
}

static void test_address_beyond_domain_width(void **state)
{
	struct fixture *f = *state;
	struct dma_domain narrow;
	uint16_t rid = 0x0120;
	struct dma_seg seg;

	/* 4 levels: 48 bits. */
	assert_int_equal(iommu__translate(f->iommu, RID_A, 1ull << 48, 4, IOMMU_READ, &seg, 1),
			 -EFAULT);
	fixture__expect_fault(f, RID_A, 1ull << 48, VTD_FR_ADDR_BEYOND_MGAW, false);
	assert_int_equal(dma_domain__map(&f->a, 1ull << 48, RAM_A, PAGE, IOMMU_READ), -EINVAL);

	/* 3 levels: 39 bits; the top of the range works. */
	assert_int_equal(dma_domain__create(&narrow, &f->pool, f->iommu, 7, VTD_AW_39BIT), 0);
	assert_int_equal(context__attach(&f->ct, rid, &narrow), 0);
	assert_int_equal(dma_domain__map(&narrow, (1ull << 39) - PAGE, RAM_A, PAGE, IOMMU_READ), 0);
	assert_ptr_equal(fixture__host(f, rid, (1ull << 39) - 1, IOMMU_READ), f->ram_a + PAGE - 1);
	assert_int_equal(iommu__translate(f->iommu, rid, (1ull << 39) - 2, 4, IOMMU_READ, &seg, 1),
			 -EFAULT);
	fixture__expect_fault(f, rid, 1ull << 39, VTD_FR_ADDR_BEYOND_MGAW, false);
	fixture__expect_no_fault(f);
	assert_int_equal(context__block(&f->ct, rid, false), 0);
	dma_domain__destroy(&narrow);
}

static void test_pass_through_and_translation_off(void **state)
{
	struct fixture *f = *state;
	uint16_t rid = 0x0101;
	struct dma_seg seg;

	assert_int_equal(context__passthrough(&f->ct, rid, 9), 0);
	assert_ptr_equal(fixture__host(f, rid, RAM_B + 0x1234, IOMMU_WRITE), f->ram_b + 0x1234);
	/* No page table: whatever is not memory is not reachable either (and is no fault). */
	assert_int_equal(iommu__translate(f->iommu, rid, 0x30000000, 4, IOMMU_READ, &seg, 1), -EIO);
	fixture__expect_no_fault(f);

	/* With TE clear nothing is remapped: every requester sees machine addresses. */
	iommu__enable_translation(f->iommu, false);
	assert_ptr_equal(fixture__host(f, RID_NONE, RAM_A + 8, IOMMU_READ), f->ram_a + 8);
	iommu__enable_translation(f->iommu, true);
	assert_null(fixture__host(f, RID_NONE, RAM_A + 8, IOMMU_READ));
	fixture__expect_fault(f, RID_NONE, RAM_A, VTD_FR_CTX_NOT_PRESENT, false);
}

static void test_multi_segment_across_pages(void **state)
{
	struct fixture *f = *state;
	struct dma_seg segs[4];
	uint8_t out[3 * PAGE], in[3 * PAGE];

	/* iova 0x10000..0x12fff -> A pages 5, 9, 10: two host segments (9 and 10 are adjacent). */
	assert_int_equal(
	    dma_domain__map(&f->a, 0x10000, RAM_A + 5 * PAGE, PAGE, IOMMU_READ | IOMMU_WRITE), 0);
	assert_int_equal(
	    dma_domain__map(&f->a, 0x11000, RAM_A + 9 * PAGE, 2 * PAGE, IOMMU_READ | IOMMU_WRITE),
	    0);
	assert_int_equal(iommu__translate(f->iommu, RID_A, 0x10800, 0x2000, IOMMU_READ, segs, 4),
			 2);
	assert_ptr_equal(segs[0].host, f->ram_a + 5 * PAGE + 0x800);
	assert_int_equal(segs[0].len, 0x800);
	assert_ptr_equal(segs[1].host, f->ram_a + 9 * PAGE);
	assert_int_equal(segs[1].len, 0x1800);
	assert_int_equal(iommu__translate(f->iommu, RID_A, 0x10800, 0x2000, IOMMU_READ, segs, 1),
			 -E2BIG);
	assert_int_equal(iommu__translate(f->iommu, RID_A, 0x10800, 0, IOMMU_READ, segs, 4), 0);

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	assert_int_equal(iommu__dma_write(f->iommu, RID_A, 0x10000, in, sizeof(in)), 0);
	assert_memory_equal(f->ram_a + 5 * PAGE, in, PAGE);
	assert_memory_equal(f->ram_a + 9 * PAGE, in + PAGE, 2 * PAGE);
	assert_int_equal(iommu__dma_read(f->iommu, RID_A, 0x10000, out, sizeof(out)), 0);
	assert_memory_equal(out, in, sizeof(in));
	fixture__expect_no_fault(f);
}

static void test_faulting_write_touches_nothing(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2 * PAGE], canary[PAGE];

	/* The first page is writable, the second read-only: nothing at all may be written. */
	assert_int_equal(
	    dma_domain__map(&f->a, 0x40000, RAM_A + 0x40000, PAGE, IOMMU_READ | IOMMU_WRITE), 0);
	assert_int_equal(dma_domain__map(&f->a, 0x41000, RAM_A + 0x41000, PAGE, IOMMU_READ), 0);
	memset(canary, 0xc5, sizeof(canary));
	memcpy(f->ram_a + 0x40000, canary, PAGE);
	memcpy(f->ram_a + 0x41000, canary, PAGE);
	memset(data, 0x11, sizeof(data));
	assert_int_equal(iommu__dma_write(f->iommu, RID_A, 0x40010, data, PAGE + 0x20), -EFAULT);
	fixture__expect_fault(f, RID_A, 0x41000, VTD_FR_WRITE, true);
	assert_memory_equal(f->ram_a + 0x40000, canary, PAGE);
	assert_memory_equal(f->ram_a + 0x41000, canary, PAGE);

	/* Unmapped tail: the read fails and the buffer is left alone too. */
	memset(data, 0x22, sizeof(data));
	assert_int_equal(iommu__dma_read(f->iommu, RID_A, 0x41ff0, data, 0x20), -EFAULT);
	fixture__expect_fault(f, RID_A, 0x42000, VTD_FR_READ, false);
	assert_int_equal(data[0], 0x22);
}

static void test_mapping_outside_memory_aborts(void **state)
{
	struct fixture *f = *state;
	struct dma_seg seg;
	struct iommu_stats st;

	/* Software may point a PTE anywhere; a DMA there is an unsupported request, not a fault. */
	assert_int_equal(dma_domain__map(&f->a, 0x5000, 0x20000000, PAGE, IOMMU_READ), 0);
	assert_int_equal(iommu__translate(f->iommu, RID_A, 0x5000, 8, IOMMU_READ, &seg, 1), -EIO);
	fixture__expect_no_fault(f);
	iommu__stats(f->iommu, &st);
	assert_int_equal(st.aborts, 1);
}

static void test_map_rejects_overlap_and_bad_ranges(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dma_domain__map(&f->a, 0x100000, RAM_A, 4 * PAGE, IOMMU_READ), 0);
	/* Overlapping the last page: -EEXIST, and the first page of the attempt is not left. */
	assert_int_equal(dma_domain__map(&f->a, 0xff000, RAM_A + 0x10000, 5 * PAGE, IOMMU_READ),
			 -EEXIST);
	assert_null(fixture__host(f, RID_A, 0xff000, IOMMU_READ));
	fixture__expect_fault(f, RID_A, 0xff000, VTD_FR_READ, false);
	assert_ptr_equal(fixture__host(f, RID_A, 0x100000, IOMMU_READ), f->ram_a);
	assert_int_equal(dma_domain__map(&f->a, 0x200100, RAM_A, PAGE, IOMMU_READ), -EINVAL);
	assert_int_equal(dma_domain__map(&f->a, 0x200000, RAM_A + 1, PAGE, IOMMU_READ), -EINVAL);
	assert_int_equal(dma_domain__map(&f->a, 0x200000, RAM_A, 0, IOMMU_READ), -EINVAL);
	assert_int_equal(dma_domain__map(&f->a, 0x200000, RAM_A, PAGE, 0), -EINVAL);
	assert_int_equal(dma_domain__unmap(&f->a, 0x200000, 100), -EINVAL);
}

static void test_counters(void **state)
{
	struct fixture *f = *state;
	struct iommu_stats st;
	uint8_t b;

	assert_int_equal(dma_domain__map(&f->a, 0, RAM_A, PAGE, IOMMU_READ), 0);
	assert_int_equal(iommu__dma_read(f->iommu, RID_A, 0, &b, 1), 0);
	assert_int_equal(iommu__dma_read(f->iommu, RID_A, 1, &b, 1), 0);
	assert_int_equal(iommu__dma_read(f->iommu, RID_A, PAGE, &b, 1), -EFAULT);
	iommu__stats(f->iommu, &st);
	assert_int_equal(st.translations, 3);
	assert_int_equal(st.iotlb_misses, 2);
	assert_int_equal(st.iotlb_hits, 1);
	assert_int_equal(st.context_misses, 1);
	assert_int_equal(st.context_hits, 2);
	assert_int_equal(st.faults, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture__setup, fixture__teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_each_rid_reaches_only_its_domain),
	    T(test_two_rids_in_one_domain_share_it),
	    T(test_permissions),
	    T(test_address_beyond_domain_width),
	    T(test_pass_through_and_translation_off),
	    T(test_multi_segment_across_pages),
	    T(test_faulting_write_touches_nothing),
	    T(test_mapping_outside_memory_aborts),
	    T(test_map_rejects_overlap_and_bad_ranges),
	    T(test_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
