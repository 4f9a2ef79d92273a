/* Translation on device threads while the control thread remaps and invalidates: once an
 * invalidation has returned, no translation that starts afterwards may use the old mapping. */
#include "fixture.h"

#include <pthread.h>

#define ROUNDS 30000
#define PAGES  64 /* RAM_A pages cycled through; each holds the round that last mapped it */
#define IOVA   0x7000

struct race {
	struct fixture *f;
	uint64_t epoch; /* rounds whose invalidation has returned */
	bool stop;
	unsigned stale, ok;
};

static void *device(void *arg)
{
	struct race *r = arg;
	uint64_t seen;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint64_t e = __atomic_load_n(&r->epoch, __ATOMIC_ACQUIRE);

		/* Faults are allowed (the page is briefly unmapped); old data is not. */
		if (iommu__dma_read(r->f->iommu, RID_A, IOVA + 8, &seen, sizeof(seen)))
			continue;
		if (seen < e)
			r->stale++;
		else
			r->ok++;
	}
	return NULL;
}

static void test_no_stale_translation_after_invalidation(void **state)
{
	struct fixture *f = *state;
	struct race r = {.f = f};
	pthread_t th[2];

	/* FPD: the unmapped windows would only fill the fault ring. */
	struct context_desc d;

	context__read(&f->ct, RID_A, &d);
	d.fpd = true;
	assert_int_equal(context__write(&f->ct, RID_A, &d), 0);
	iommu__invalidate_context(f->iommu, DMA_CCMD_GLOBAL_INVL, 0, 0, 0);

	*(uint64_t *)(f->ram_a + 8) = 0;
	assert_int_equal(dma_domain__map(&f->a, IOVA, RAM_A, PAGE, IOMMU_READ), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, device, &r), 0);
	for (uint64_t round = 1; round <= ROUNDS; round++) {
		uint64_t page = (round % PAGES) * PAGE;

		*(uint64_t *)(f->ram_a + page + 8) = round;
		assert_int_equal(dma_domain__unmap(&f->a, IOVA, PAGE), 0);
		assert_int_equal(dma_domain__map(&f->a, IOVA, RAM_A + page, PAGE, IOMMU_READ), 0);
		if (round % 2)
			iommu__invalidate_iotlb(f->iommu, DMA_TLB_PSI_FLUSH, DID_A, IOVA, 0);
		else
			iommu__invalidate_iotlb(f->iommu, DMA_TLB_DSI_FLUSH, DID_A, 0, 0);
		__atomic_store_n(&r.epoch, round, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(r.stale, 0);
	assert_true(r.ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_stale_translation_after_invalidation,
					    fixture__setup, fixture__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
