/* The fault log: what a record says, the ring and its overflow, FPD, and the fault event. */
#include "fixture.h"

static void fault_read_at(struct fixture *f, uint64_t iova)
{
	uint8_t b;

	assert_int_equal(iommu__dma_read(f->iommu, RID_A, iova, &b, 1), -EFAULT);
}

static void test_record_fields(void **state)
{
	struct fixture *f = *state;
	struct iommu_fault rec;
	uint8_t b = 0;

	assert_int_equal(iommu__dma_write(f->iommu, RID_B, 0x123456789, &b, 1), -EFAULT);
	assert_int_equal(iommu__fault_status(f->iommu), DMA_FSTS_PPF | 0 << DMA_FSTS_FRI_SHIFT);
	assert_int_equal(iommu__fault_read(f->iommu, 0, &rec), 0);
	assert_int_equal(rec.sid, RID_B);
	assert_int_equal(rec.addr, 0x123456000);
	assert_int_equal(rec.reason, VTD_FR_WRITE);
	assert_true(rec.write);
	/* Reading does not clear; writing F does. */
	assert_int_equal(iommu__fault_read(f->iommu, 0, &rec), 0);
	assert_int_equal(iommu__fault_clear(f->iommu, 0), 0);
	assert_int_equal(iommu__fault_read(f->iommu, 0, &rec), -ENOENT);
	assert_int_equal(iommu__fault_status(f->iommu), 0);
	assert_int_equal(iommu__fault_read(f->iommu, 8, &rec), -EINVAL);
}

static void test_ring_overflow_and_clearing(void **state)
{
	struct fixture *f = *state;
	struct iommu_stats st;
	struct iommu_fault rec;

	/* 8 records fit; the 9th and 10th are lost and set PFO. */
	for (unsigned i = 0; i < 10; i++)
		fault_read_at(f, (uint64_t)i << 12);
	assert_int_equal(iommu__fault_status(f->iommu), DMA_FSTS_PFO | DMA_FSTS_PPF);
	iommu__stats(f->iommu, &st);
	assert_int_equal(st.faults, 10);
	assert_int_equal(st.faults_lost, 2);

	/* Software handles the first three (oldest first); FRI follows. */
	for (unsigned i = 0; i < 3; i++)
		fixture__expect_fault(f, RID_A, (uint64_t)i << 12, VTD_FR_READ, false);
	assert_int_equal(iommu__fault_status(f->iommu),
			 DMA_FSTS_PFO | DMA_FSTS_PPF | 3 << DMA_FSTS_FRI_SHIFT);
	/* The next fault goes to slot 0 again: the ring wrapped. */
	fault_read_at(f, 0x99000);
	assert_int_equal(iommu__fault_read(f->iommu, 0, &rec), 0);
	assert_int_equal(rec.addr, 0x99000);
	iommu__fault_clear_status(f->iommu, DMA_FSTS_PFO);
	assert_int_equal(iommu__fault_status(f->iommu), DMA_FSTS_PPF | 3 << DMA_FSTS_FRI_SHIFT);
	for (unsigned i = 3; i < 8; i++)
		fixture__expect_fault(f, RID_A, (uint64_t)i << 12, VTD_FR_READ, false);
	fixture__expect_fault(f, RID_A, 0x99000, VTD_FR_READ, false);
	fixture__expect_no_fault(f);
	assert_int_equal(iommu__fault_status(f->iommu), 0);
}

static void test_fpd_blocks_silently(void **state)
{
	struct fixture *f = *state;
	struct iommu_stats st;
	struct context_desc d;
	uint8_t b;

	/* A not-present context with FPD: blocked, nothing recorded. */
	assert_int_equal(context__block(&f->ct, RID_NONE, true), 0);
	assert_int_equal(iommu__dma_read(f->iommu, RID_NONE, 0, &b, 1), -EFAULT);
	fixture__expect_no_fault(f);

	/* A present context with FPD: its translation faults are not recorded either. */
	context__read(&f->ct, RID_A, &d);
	d.fpd = true;
	assert_int_equal(context__write(&f->ct, RID_A, &d), 0);
	assert_int_equal(iommu__invalidate_context(f->iommu, DMA_CCMD_DEVICE_INVL, DID_A, RID_A, 0),
			 0);
	assert_int_equal(iommu__dma_read(f->iommu, RID_A, 0x5000, &b, 1), -EFAULT);
	fixture__expect_no_fault(f);
	iommu__stats(f->iommu, &st);
	assert_int_equal(st.faults, 2);
	assert_int_equal(st.faults_suppressed, 2);
	assert_int_equal(iommu__fault_status(f->iommu), 0);
}

static void count_event(void *opaque)
{
	(*(int *)opaque)++;
}

static void test_fault_event_per_record(void **state)
{
	struct fixture *f = *state;
	int events = 0;

	iommu__set_fault_event(f->iommu, count_event, &events);
	fault_read_at(f, 0x1000);
	fault_read_at(f, 0x2000);
	assert_int_equal(events, 2);
	for (unsigned i = 0; i < 10; i++)
		fault_read_at(f, 0x3000);
	assert_int_equal(events, 8); /* lost faults raise nothing */
	iommu__set_fault_event(f->iommu, NULL, NULL);
}

static int setup_one_record(void **state)
{
	struct iommu_config cfg;

	iommu__default_config(&cfg);
	cfg.fault_records = 1;
	return fixture__setup_with(state, &cfg);
}

static void test_single_record_unit(void **state)
{
	struct fixture *f = *state;

	fault_read_at(f, 0x1000);
	fault_read_at(f, 0x2000);
	assert_int_equal(iommu__fault_status(f->iommu), DMA_FSTS_PFO | DMA_FSTS_PPF);
	fixture__expect_fault(f, RID_A, 0x1000, VTD_FR_READ, false);
	fault_read_at(f, 0x3000);
	fixture__expect_fault(f, RID_A, 0x3000, VTD_FR_READ, false);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture__setup, fixture__teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_record_fields),
	    T(test_ring_overflow_and_clearing),
	    T(test_fpd_blocks_silently),
	    T(test_fault_event_per_record),
	    cmocka_unit_test_setup_teardown(test_single_record_unit, setup_one_record,
					    fixture__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
