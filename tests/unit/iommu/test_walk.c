/* What the unit does with tables that software got wrong: each malformed root entry, context
 * entry or page-table entry faults with its own reason. Entries are written raw, as a buggy
 * driver would. */
#include "fixture.h"

static uint64_t *root_entry(struct fixture *f, unsigned bus)
{
	return (uint64_t *)mem_pool__ptr(&f->pool, f->ct.root) + 2 * bus;
}

static uint64_t *context_entry(struct fixture *f, uint16_t rid)
{
	uint64_t *re = root_entry(f, rid >> 8);

	return (uint64_t *)mem_pool__ptr(&f->pool, re[0] & VTD_ROOT_CTP_MASK) + 2 * (rid & 0xff);
}

/* Translates a read of page 0 by @rid after dropping every cached context. */
static void expect_read_fault(struct fixture *f, uint16_t rid, uint8_t reason)
{
	iommu__invalidate_context(f->iommu, DMA_CCMD_GLOBAL_INVL, 0, 0, 0);
	iommu__invalidate_iotlb(f->iommu, DMA_TLB_GLOBAL_FLUSH, 0, 0, 0);
	assert_null(fixture__host(f, rid, 0x10, IOMMU_READ));
	fixture__expect_fault(f, rid, 0, reason, false);
}

static void test_root_faults(void **state)
{
	struct fixture *f = *state;
	uint64_t *re = root_entry(f, RID_A >> 8);
	uint64_t good = re[0];

	re[1] = 1; /* high qword reserved */
	expect_read_fault(f, RID_A, VTD_FR_ROOT_RSVD);
	re[1] = 0;
	re[0] = good | 0x10;
	expect_read_fault(f, RID_A, VTD_FR_ROOT_RSVD);
	re[0] = 0x70000000 | VTD_ROOT_P; /* context table pointer outside memory */
	expect_read_fault(f, RID_A, VTD_FR_CTP_INVALID);
	re[0] = good;

	iommu__set_root_table(f->iommu, 0x70000000);
	expect_read_fault(f, RID_A, VTD_FR_ROOT_ADDR);
	iommu__set_root_table(f->iommu, f->ct.root);
}

static void test_context_faults(void **state)
{
	struct fixture *f = *state;
	uint64_t *ce = context_entry(f, RID_A);
	uint64_t lo = ce[0], hi = ce[1];

	ce[0] = lo | 0x100; /* bits 11:4 reserved */
	expect_read_fault(f, RID_A, VTD_FR_CTX_RSVD);
	ce[0] = lo;
	ce[1] = hi | BIT64(40);
	expect_read_fault(f, RID_A, VTD_FR_CTX_RSVD);
	ce[1] = (hi & ~VTD_CTX_AW_MASK) | 3; /* 57-bit: not in SAGAW */
	expect_read_fault(f, RID_A, VTD_FR_CTX_INVALID);
	ce[1] = hi;
	ce[0] = lo | (uint64_t)VTD_CTX_TT_DEVTLB << VTD_CTX_TT_SHIFT; /* no device-IOTLB */
	expect_read_fault(f, RID_A, VTD_FR_CTX_INVALID);
	ce[0] = lo | 3ull << VTD_CTX_TT_SHIFT;
	expect_read_fault(f, RID_A, VTD_FR_CTX_INVALID);
	ce[0] = 0x70000000 | VTD_CTX_P; /* page table outside memory */
	expect_read_fault(f, RID_A, VTD_FR_PTE_READ);
	ce[0] = lo;
}

static void test_pte_faults(void **state)
{
	struct fixture *f = *state;
	uint64_t *l4, *l3, *l2;

	assert_int_equal(dma_domain__map(&f->a, 0, RAM_A, MB2, IOMMU_READ), 0);
	l4 = mem_pool__ptr(&f->pool, f->a.root);
	l3 = mem_pool__ptr(&f->pool, l4[0] & VTD_PTE_ADDR_MASK);
	l2 = mem_pool__ptr(&f->pool, l3[0] & VTD_PTE_ADDR_MASK);

	l2[0] |= 0x8; /* bits 6:2 reserved */
	expect_read_fault(f, RID_A, VTD_FR_PTE_RSVD);
	l2[0] = (RAM_A + PAGE) | VTD_PTE_SP | VTD_PTE_R; /* superpage address not 2 MiB aligned */
	expect_read_fault(f, RID_A, VTD_FR_PTE_RSVD);
	l2[0] = 0x70000000 | VTD_PTE_R | VTD_PTE_W; /* next table outside memory */
	expect_read_fault(f, RID_A, VTD_FR_PTE_READ);
	l4[0] |= VTD_PTE_SP; /* no superpages at level 4 */
	expect_read_fault(f, RID_A, VTD_FR_PTE_RSVD);
	l4[0] &= ~VTD_PTE_SP;
	/* A non-leaf entry without R takes R away from the whole subtree (permissions AND). */
	l2[0] = RAM_A | VTD_PTE_SP | VTD_PTE_R;
	l3[0] &= ~VTD_PTE_R;
	expect_read_fault(f, RID_A, VTD_FR_READ);
	l3[0] |= VTD_PTE_R;
	iommu__invalidate_iotlb(f->iommu, DMA_TLB_GLOBAL_FLUSH, 0, 0, 0);
	assert_ptr_equal(fixture__host(f, RID_A, 0x10, IOMMU_READ), f->ram_a + 0x10);
}

static void test_fault_reason_strings(void **state)
{
	assert_string_equal(iommu__fault_reason_str(VTD_FR_CTX_NOT_PRESENT),
			    "context entry not present");
	assert_string_equal(iommu__fault_reason_str(VTD_FR_WRITE), "write not permitted");
	assert_string_equal(iommu__fault_reason_str(VTD_FR_IR_SID), "interrupt source-id mismatch");
	assert_string_equal(iommu__fault_reason_str(0), "unknown");
	assert_string_equal(iommu__fault_reason_str(0x1f), "unknown");
	assert_string_equal(iommu__fault_reason_str(0x27), "unknown");
	for (unsigned r = 1; r <= VTD_FR_TT_BLOCKED; r++)
		assert_string_not_equal(iommu__fault_reason_str(r), "unknown");
	for (unsigned r = VTD_FR_IR_REQ_RSVD; r <= VTD_FR_IR_SID; r++)
		assert_string_not_equal(iommu__fault_reason_str(r), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture__setup, fixture__teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_root_faults),
	    T(test_context_faults),
	    T(test_pte_faults),
	    cmocka_unit_test(test_fault_reason_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
