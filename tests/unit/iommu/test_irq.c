/* Interrupt remapping: decoding remappable MSIs through the IRT, every fault reason, the
 * interrupt-entry cache, and posted-format entries. */
#include "fixture.h"

#include "hw/iommu/irte.h"
#include "hw/iommu/posted.h"

#include <stdlib.h>

struct irq_fixture {
	struct fixture *f;
	struct ir_table irt;
};

static int setup(void **state)
{
	struct irq_fixture *x = calloc(1, sizeof(*x));

	fixture__setup((void **)&x->f);
	assert_int_equal(ir_table__init(&x->irt, &x->f->pool, x->f->iommu, 512, true), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct irq_fixture *x = *state;

	ir_table__fini(&x->irt);
	fixture__teardown((void **)&x->f);
	free(x);
	return 0;
}

static int remap(struct irq_fixture *x, uint16_t rid, unsigned index, struct ir_target *t)
{
	uint64_t addr;
	uint32_t data;

	irte__msi_message(index, &addr, &data);
	return iommu__remap_msi(x->f->iommu, rid, addr, data, t);
}

static void expect_ir_fault(struct irq_fixture *x, uint16_t rid, unsigned index, uint8_t reason)
{
	fixture__expect_fault(x->f, rid, (uint64_t)index << 48, reason, true);
}

static void test_remapped_entry(void **state)
{
	struct irq_fixture *x = *state;
	struct irte e = {.present = true, .vector = 0x51, .dest = 70000, .tm = true, .dlm = 1};
	struct ir_target t;

	assert_int_equal(ir_table__set(&x->irt, 300, &e), 0);
	assert_int_equal(remap(x, RID_A, 300, &t), 0);
	assert_int_equal(t.kind, IR_REMAPPED);
	assert_int_equal(t.vector, 0x51);
	assert_int_equal(t.dest, 70000); /* x2APIC mode: a full 32-bit domain id */
	assert_true(t.tm);
	assert_int_equal(t.dlm, 1);
	assert_int_equal(t.index, 300);
	fixture__expect_no_fault(x->f);
}

static void test_message_decoding(void **state)
{
	struct irq_fixture *x = *state;
	struct irte e = {.present = true, .vector = 0x60, .dest = 3};
	const uint64_t base = 0xfee00000u | MSI_ADDR_IF_REMAP;
	struct ir_target t;

	assert_int_equal(ir_table__set(&x->irt, 0x1ff, &e), 0);
	/* Handle 0x1f0 in bits 19:5 plus sub-handle 0xf from the data (SHV). */
	assert_int_equal(
	    iommu__remap_msi(x->f->iommu, RID_A, base | MSI_ADDR_SHV | 0x1f0 << 5, 0xf, &t), 0);
	assert_int_equal(t.index, 0x1ff);
	/* Without SHV the data is ignored, whatever the vector in it says. */
	assert_int_equal(iommu__remap_msi(x->f->iommu, RID_A, base | 0x1ff << 5, 0x77, &t), 0);
	assert_int_equal(t.vector, 0x60);
	/* Handle bit 15 lives in address bit 2: index 0x81ff is beyond a 512-entry table. */
	assert_int_equal(
	    iommu__remap_msi(x->f->iommu, RID_A, base | MSI_ADDR_HANDLE15 | 0x1ff << 5, 0, &t),
	    -EFAULT);
	expect_ir_fault(x, RID_A, 0x81ff, VTD_FR_IR_INDEX);
	/* Reserved upper data bits with a sub-handle. */
	assert_int_equal(iommu__remap_msi(x->f->iommu, RID_A, base | MSI_ADDR_SHV, 0x10000, &t),
			 -EFAULT);
	expect_ir_fault(x, RID_A, 0, VTD_FR_IR_REQ_RSVD);
	/* Not an interrupt address at all. */
	assert_int_equal(iommu__remap_msi(x->f->iommu, RID_A, 0xfed00010, 0, &t), -EINVAL);
	assert_int_equal(iommu__remap_msi(x->f->iommu, RID_A, 0x1fee00010ull, 0, &t), -EINVAL);
	fixture__expect_no_fault(x->f);
}

static void test_index_and_presence_faults(void **state)
{
	struct irq_fixture *x = *state;
	struct irte e = {.present = true, .vector = 0x40};
	struct ir_target t;

	assert_int_equal(remap(x, RID_A, 512, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 512, VTD_FR_IR_INDEX);
	assert_int_equal(remap(x, RID_A, 7, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 7, VTD_FR_IR_NOT_PRESENT);
	/* FPD on a not-present entry: blocked without a record. */
	e.present = false;
	e.fpd = true;
	assert_int_equal(ir_table__set(&x->irt, 7, &e), 0);
	assert_int_equal(remap(x, RID_A, 7, &t), -EFAULT);
	fixture__expect_no_fault(x->f);
	assert_int_equal(ir_table__set(&x->irt, 600, &e), -EINVAL);
}

static void test_reserved_bits_in_irte(void **state)
{
	struct irq_fixture *x = *state;
	uint64_t *irt = mem_pool__ptr(&x->f->pool, x->irt.base);
	struct ir_target t;

	irt[2 * 10] = IRTE_P | 1ull << 12; /* bits 14:12 */
	assert_int_equal(remap(x, RID_A, 10, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 10, VTD_FR_IR_IRTE_RSVD);
	irt[2 * 11] = IRTE_P;
	irt[2 * 11 + 1] = 3ull << IRTE_SVT_SHIFT; /* SVT 3 is reserved */
	assert_int_equal(remap(x, RID_A, 11, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 11, VTD_FR_IR_IRTE_RSVD);
	irt[2 * 12] = IRTE_P;
	irt[2 * 12 + 1] = BIT64(90 - 64);
	assert_int_equal(remap(x, RID_A, 12, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 12, VTD_FR_IR_IRTE_RSVD);
	irt[2 * 13] = IRTE_P | IRTE_IM | BIT64(3); /* posted: bits 7:2 reserved */
	assert_int_equal(remap(x, RID_A, 13, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 13, VTD_FR_IR_IRTE_RSVD);
	/* In xAPIC mode only bits 47:40 of the destination exist. */
	iommu__set_irta(x->f->iommu, x->irt.base | 8);
	iommu__invalidate_iec(x->f->iommu, IEC_GLOBAL_INVL, 0, 0);
	irt[2 * 14] = IRTE_P | 0x5ull << 32;
	assert_int_equal(remap(x, RID_A, 14, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 14, VTD_FR_IR_IRTE_RSVD);
	irt[2 * 14] = IRTE_P | 0x5ull << 40;
	iommu__invalidate_iec(x->f->iommu, IEC_INDEX_INVL, 14, 0);
	assert_int_equal(remap(x, RID_A, 14, &t), 0);
	assert_int_equal(t.dest, 5);
}

static void test_compatibility_format(void **state)
{
	struct irq_fixture *x = *state;
	struct ir_target t;
	const uint64_t compat = 0xfee00000u | 2 << MSI_ADDR_DEST_SHIFT;

	/* Remapping on and CFI clear: blocked. */
	assert_int_equal(iommu__remap_msi(x->f->iommu, RID_A, compat, 0x33, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 0, VTD_FR_IR_COMPAT);
	iommu__enable_ir(x->f->iommu, true, true);
	assert_int_equal(iommu__remap_msi(x->f->iommu, RID_A, compat, 0x8133, &t), 0);
	assert_int_equal(t.kind, IR_COMPAT);
	assert_int_equal(t.vector, 0x33);
	assert_int_equal(t.dest, 2);
	assert_int_equal(t.dlm, 1);
	assert_true(t.tm);
	/* Remapping off: compatibility passes, remappable cannot be decoded. */
	iommu__enable_ir(x->f->iommu, false, false);
	assert_int_equal(iommu__remap_msi(x->f->iommu, RID_A, compat, 0x33, &t), 0);
	assert_int_equal(remap(x, RID_A, 0, &t), -EOPNOTSUPP);
	fixture__expect_no_fault(x->f);
}

static void test_source_validation(void **state)
{
	struct irq_fixture *x = *state;
	struct irte e = {.present = true, .vector = 0x41, .sid = 0x0118, .svt = IRTE_SVT_RID};
	struct ir_target t;

	/* SVT 1, SQ 0: exactly 01:03.0. */
	assert_int_equal(ir_table__set(&x->irt, 1, &e), 0);
	assert_int_equal(remap(x, 0x0118, 1, &t), 0);
	assert_int_equal(remap(x, 0x0119, 1, &t), -EFAULT);
	expect_ir_fault(x, 0x0119, 1, VTD_FR_IR_SID);
	/* SQ 3: any function of 01:03. */
	e.sq = 3;
	assert_int_equal(ir_table__set(&x->irt, 1, &e), 0);
	assert_int_equal(remap(x, 0x011f, 1, &t), 0);
	assert_int_equal(remap(x, 0x0120, 1, &t), -EFAULT);
	expect_ir_fault(x, 0x0120, 1, VTD_FR_IR_SID);
	/* SQ 1 ignores function bit 2 only; SQ 2 bits 2:1. */
	e.sq = 1;
	assert_int_equal(ir_table__set(&x->irt, 1, &e), 0);
	assert_int_equal(remap(x, 0x011c, 1, &t), 0);
	assert_int_equal(remap(x, 0x0119, 1, &t), -EFAULT);
	expect_ir_fault(x, 0x0119, 1, VTD_FR_IR_SID);
	e.sq = 2;
	assert_int_equal(ir_table__set(&x->irt, 1, &e), 0);
	assert_int_equal(remap(x, 0x011e, 1, &t), 0);
	assert_int_equal(remap(x, 0x0119, 1, &t), -EFAULT);
	expect_ir_fault(x, 0x0119, 1, VTD_FR_IR_SID);
	/* SVT 2: buses 2..4 (behind a bridge). */
	e.svt = IRTE_SVT_BUS;
	e.sid = 0x0204;
	assert_int_equal(ir_table__set(&x->irt, 1, &e), 0);
	assert_int_equal(remap(x, 0x0200, 1, &t), 0);
	assert_int_equal(remap(x, 0x04ff, 1, &t), 0);
	assert_int_equal(remap(x, 0x0500, 1, &t), -EFAULT);
	expect_ir_fault(x, 0x0500, 1, VTD_FR_IR_SID);
	assert_int_equal(remap(x, 0x0118, 1, &t), -EFAULT);
	expect_ir_fault(x, 0x0118, 1, VTD_FR_IR_SID);
	fixture__expect_no_fault(x->f);
}

static void test_interrupt_entry_cache(void **state)
{
	struct irq_fixture *x = *state;
	struct irte e = {.present = true, .vector = 0x30, .dest = 1};
	struct ir_target t;

	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(ir_table__set(&x->irt, 4 + i, &e), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(remap(x, RID_A, 4 + i, &t), 0);
	/* Changed without invalidation: the cached entry is still used. */
	e.vector = 0x31;
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(ir_table__write(&x->irt, 4 + i, &e), 0);
	assert_int_equal(remap(x, RID_A, 4, &t), 0);
	assert_int_equal(t.vector, 0x30);
	/* Index-selective, one entry. */
	assert_int_equal(iommu__invalidate_iec(x->f->iommu, IEC_INDEX_INVL, 5, 0), 0);
	assert_int_equal(remap(x, RID_A, 5, &t), 0);
	assert_int_equal(t.vector, 0x31);
	assert_int_equal(remap(x, RID_A, 4, &t), 0);
	assert_int_equal(t.vector, 0x30);
	/* Index mask 1: 6 and 7. */
	assert_int_equal(iommu__invalidate_iec(x->f->iommu, IEC_INDEX_INVL, 6, 1), 0);
	assert_int_equal(remap(x, RID_A, 7, &t), 0);
	assert_int_equal(t.vector, 0x31);
	assert_int_equal(remap(x, RID_A, 4, &t), 0);
	assert_int_equal(t.vector, 0x30);
	assert_int_equal(iommu__invalidate_iec(x->f->iommu, IEC_GLOBAL_INVL, 0, 0), 0);
	assert_int_equal(remap(x, RID_A, 4, &t), 0);
	assert_int_equal(t.vector, 0x31);
	/* Cleared through the driver call: gone at once. */
	assert_int_equal(ir_table__clear(&x->irt, 4), 0);
	assert_int_equal(remap(x, RID_A, 4, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 4, VTD_FR_IR_NOT_PRESENT);
	assert_int_equal(iommu__invalidate_iec(x->f->iommu, IEC_INDEX_INVL, 5, 1), -EINVAL);
}

static void test_posted_entry(void **state)
{
	struct irq_fixture *x = *state;
	const uint64_t pda = RAM_A + 0x40;
	struct pi_desc *pd = (struct pi_desc *)(x->f->ram_a + 0x40);
	struct irte e = {.present = true, .posted = true, .vector = 0x99, .pda = pda};
	uint64_t pending[4];
	struct ir_target t;

	pi_desc__init(pd, 0xf2, 1);
	assert_int_equal(ir_table__set(&x->irt, 20, &e), 0);
	assert_int_equal(remap(x, RID_A, 20, &t), 0);
	assert_int_equal(t.kind, IR_POSTED);
	assert_int_equal(t.pda, pda);
	assert_int_equal(t.vector, 0x99);
	assert_false(t.urgent);
	/* The first post notifies, the next ones coalesce until the guest takes them. */
	assert_int_equal(iommu__post(x->f->iommu, &t), 1);
	assert_int_equal(iommu__post(x->f->iommu, &t), 0);
	assert_true(pi_desc__take(pd, pending));
	assert_int_equal(pending[2], BIT64(0x99 - 128));
	assert_int_equal(iommu__post(x->f->iommu, &t), 1);
	/* A descriptor outside memory cannot be posted to; a high address round-trips. */
	e.pda = 0x123456789c0ull;
	assert_int_equal(ir_table__set(&x->irt, 21, &e), 0);
	assert_int_equal(remap(x, RID_A, 21, &t), 0);
	assert_int_equal(t.pda, 0x123456789c0ull);
	assert_true(iommu__post(x->f->iommu, &t) == -EFAULT);
	e.pda = pda + 8;
	assert_int_equal(ir_table__set(&x->irt, 21, &e), -EINVAL);
}

static int setup_no_pi(void **state)
{
	struct irq_fixture *x = calloc(1, sizeof(*x));
	struct iommu_config cfg;

	iommu__default_config(&cfg);
	cfg.posted = false;
	fixture__setup_with((void **)&x->f, &cfg);
	assert_int_equal(ir_table__init(&x->irt, &x->f->pool, x->f->iommu, 2, true), 0);
	*state = x;
	return 0;
}

static void test_posted_needs_cap_pi(void **state)
{
	struct irq_fixture *x = *state;
	struct irte e = {.present = true, .posted = true, .vector = 0x99, .pda = RAM_A};
	struct ir_target t;

	assert_int_equal(ir_table__set(&x->irt, 1, &e), 0);
	assert_int_equal(remap(x, RID_A, 1, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 1, VTD_FR_IR_IRTE_RSVD);
	assert_int_equal(remap(x, RID_A, 2, &t), -EFAULT);
	expect_ir_fault(x, RID_A, 2, VTD_FR_IR_INDEX);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_remapped_entry),
	    T(test_message_decoding),
	    T(test_index_and_presence_faults),
	    T(test_reserved_bits_in_irte),
	    T(test_compatibility_format),
	    T(test_source_validation),
	    T(test_interrupt_entry_cache),
	    T(test_posted_entry),
	    cmocka_unit_test_setup_teardown(test_posted_needs_cap_pi, setup_no_pi, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
