#include "fixture.h"

#include <stdlib.h>
#include <string.h>

int fixture__setup_with(void **state, const struct iommu_config *cfg)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const struct mem_region *r;

	assert_non_null(f);
	mem__init(&f->mem);
	assert_int_equal(mem_pool__init(&f->pool, &f->mem, "hyp", POOL_BASE, POOL_SIZE), 0);
	assert_int_equal(mem__add(&f->mem, "ram-a", RAM_A, RAM_SIZE, &r), 0);
	f->ram_a = r->host;
	assert_int_equal(mem__add(&f->mem, "ram-b", RAM_B, RAM_SIZE, &r), 0);
	f->ram_b = r->host;
	assert_int_equal(iommu__create(&f->iommu, &f->mem, cfg), 0);
	assert_int_equal(context__init(&f->ct, &f->pool, f->iommu), 0);
	assert_int_equal(dma_domain__create(&f->a, &f->pool, f->iommu, DID_A, 0), 0);
	assert_int_equal(dma_domain__create(&f->b, &f->pool, f->iommu, DID_B, 0), 0);
	assert_int_equal(context__attach(&f->ct, RID_A, &f->a), 0);
	assert_int_equal(context__attach(&f->ct, RID_B, &f->b), 0);
	assert_int_equal(context__block(&f->ct, RID_NONE, false), 0);
	*state = f;
	return 0;
}

int fixture__setup(void **state)
{
	return fixture__setup_with(state, NULL);
}

int fixture__teardown(void **state)
{
	struct fixture *f = *state;

	dma_domain__destroy(&f->a);
	dma_domain__destroy(&f->b);
	context__fini(&f->ct);
	iommu__destroy(f->iommu);
	mem_pool__fini(&f->pool);
	mem__fini(&f->mem);
	free(f);
	return 0;
}

void fixture__expect_fault(struct fixture *f, uint16_t rid, uint64_t addr, uint8_t reason,
			   bool write)
{
	struct iommu_fault rec;

	assert_int_equal(iommu__fault_pop(f->iommu, &rec), 0);
	assert_int_equal(rec.sid, rid);
	assert_int_equal(rec.addr, addr);
	assert_int_equal(rec.reason, reason);
	assert_int_equal(rec.write, write);
}

void fixture__expect_no_fault(struct fixture *f)
{
	struct iommu_fault rec;

	assert_int_equal(iommu__fault_pop(f->iommu, &rec), -ENOENT);
}

uint8_t *fixture__host(struct fixture *f, uint16_t rid, uint64_t iova, unsigned access)
{
	struct dma_seg seg;

	if (iommu__translate(f->iommu, rid, iova, 1, access, &seg, 1) != 1)
		return NULL;
	return seg.host;
}
