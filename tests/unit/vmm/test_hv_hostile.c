/*
 * Hostile guests against the hypervisor, deterministically (what tests/fuzz/fuzz_hypercall.c
 * explores at random): dom0 and two guests as domain records, VF0 given to guest A and VF1 to
 * guest B. A guest hammering its trapped BAR3 with bad offsets, widths and alignment; MSI-X
 * entries with reserved vectors or addresses outside the MSI window (they stay masked in the
 * device); BAR_MAP and MMIO on functions it does not own; EVENT_BIND with bad vectors; CONSOLE
 * at the size limits.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "hc_util.h"
#include "lib/compiler.h"
#include "hw/machine.h"
#include "hw/pci/sriov.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/passthrough.h"

#define PF0  PCI_RID(1, 0)
#define VRID PCI_RID(0, 4 << 3) /* each guest's VF, at 00:04.0 of its own bus */

struct env {
	struct machine *m;
	struct hv *hv;
	struct domain *dom0, *a, *b;
	uint16_t vf[4];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct domain_config d0 = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 8};
	struct domain_config ga = {.name = "guestA", .role = VFNET_ROLE_GUEST, .mem_mib = 8};
	struct domain_config gb = {.name = "guestB", .role = VFNET_ROLE_GUEST, .mem_mib = 8};
	struct machine_config mc = {.wire = {"null", "null"}};
	struct pci_func *pf;
	struct hc_reply rep;
	unsigned cap;

	assert_int_equal(machine__create(&e->m, &mc), 0);
	assert_int_equal(machine__start(e->m), 0);
	assert_int_equal(hv__create(&e->hv, e->m, NULL, NULL), 0);
	assert_int_equal(domain__create(e->hv, &d0, &e->dom0), 0);
	passthrough__adopt(e->hv, e->dom0);
	assert_int_equal(domain__create(e->hv, &ga, &e->a), 0);
	assert_int_equal(domain__create(e->hv, &gb, &e->b), 0);
	pf = machine__pf(e->m, 0);
	cap = pf->sriov->cap;
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, PCI_COMMAND, 2,
				   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER), 0);
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, cap + PCI_SRIOV_NUM_VF, 2, 4), 0);
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, cap + PCI_SRIOV_CTRL, 2,
				   PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE), 0);
	for (unsigned i = 0; i < 4; i++) {
		struct vfnet_hc_vf v;

		e->vf[i] = (uint16_t)(PF0 + pci_sriov__offset(pf) + i * pci_sriov__stride(pf));
		v = (struct vfnet_hc_vf){.pf_rid = PF0, .vf_rid = e->vf[i], .index = (uint16_t)i,
					 .add = 1};
		assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_REPORT, &v, sizeof(v), NULL, 0, &rep),
				 0);
	}
	for (unsigned i = 0; i < 2; i++) {
		struct vfnet_hc_assignable as = {.rid = e->vf[i], .add = 1};
		struct vfnet_hc_attach at = {.domid = (i ? e->b : e->a)->id, .rid = e->vf[i]};

		assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_ASSIGNABLE, &as, sizeof(as), NULL, 0,
				    &rep), 0);
		assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_ATTACH, &at, sizeof(at), NULL, 0, &rep),
				 0);
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	hv__destroy(e->hv);
	machine__destroy(e->m);
	free(e);
	return 0;
}

/* ---- the physical MSI-X table, as the host reads it on the port's engine ---- */

struct table_read {
	struct e82576 *nic;
	struct pci_func *fn;
	unsigned n;
	uint32_t t[E82576_PF_MSIX_VECTORS][4];
	int rc;
};

static void read_table(void *arg)
{
	struct table_read *r = arg;

	for (unsigned i = 0; i < r->n; i++)
		for (unsigned w = 0; w < 4; w++) {
			uint64_t v = 0;

			r->rc |= e82576__mmio(r->nic, r->fn, 3, i * 16 + w * 4, 4, false, &v);
			r->t[i][w] = (uint32_t)v;
		}
}

static void phys_table(struct env *e, unsigned vf, struct table_read *r)
{
	memset(r, 0, sizeof(*r));
	r->nic = e->m->nic;
	r->fn = &e->m->nicfn->vf[0][vf];
	r->n = E82576_VF_MSIX_VECTORS;
	assert_int_equal(e82576__call(e->m->nic, 0, read_table, r), 0);
	assert_int_equal(r->rc, 0);
}

static int mmio(struct env *e, struct domain *d, uint16_t rid, unsigned bar, uint32_t off,
		unsigned width, bool write, uint64_t *value)
{
	struct vfnet_hc_mmio m = {.value = write ? *value : 0, .off = off, .rid = rid,
				  .bar = (uint8_t)bar, .width = (uint8_t)width, .write = write};
	struct vfnet_hc_mmio out = {0};
	struct hc_reply rep;
	int rc = hc(e->hv, d, VFNET_HC_MMIO, &m, sizeof(m), &out, sizeof(out), &rep);

	assert_true(rep.hdr.len <= sizeof(rep.data));
	assert_int_equal(rep.hdr.nfds, 0);
	if (!write)
		*value = out.value;
	return rc;
}

static void msix_entry(struct env *e, struct domain *d, unsigned i, uint64_t addr, uint32_t data,
		       uint32_t ctrl)
{
	uint64_t v = PCI_MSIX_ENTRY_CTRL_MASKBIT;

	/* Masked while it is rewritten, as a driver does. */
	assert_int_equal(mmio(e, d, VRID, 3, i * 16 + 12, 4, true, &v), 0);
	v = addr;
	assert_int_equal(mmio(e, d, VRID, 3, i * 16, 8, true, &v), 0);
	v = data;
	assert_int_equal(mmio(e, d, VRID, 3, i * 16 + 8, 4, true, &v), 0);
	v = ctrl;
	assert_int_equal(mmio(e, d, VRID, 3, i * 16 + 12, 4, true, &v), 0);
}

static bool irte_none(struct env *e)
{
	for (unsigned i = 0; i < sizeof(e->hv->irte_used); i++)
		if (e->hv->irte_used[i])
			return false;
	return true;
}

/* ---- the cases ---- */

static void test_bar3_hammer(void **state)
{
	struct env *e = *state;
	static const uint32_t offs[] = {0,	1,	2,	3,	   5,	      6,	  7,
					12,	13,	0x2000, 0x2001,	   0x2004,    0x3ffc,	  0x3ffd,
					0x3fff, 0x4000, 0x4004, 0x10000,   0x7ffffffc, 0xfffffff8, 0xfffffffc,
					0xffffffff};
	static const unsigned widths[] = {0, 1, 2, 3, 5, 6, 7, 9, 16, 255};
	struct table_read before_b, t;
	struct hv_func *fa = passthrough__by_rid(e->hv, e->vf[0]);
	struct hv_msix_entry saved[E82576_PF_MSIX_VECTORS];

	phys_table(e, 1, &before_b);
	memcpy(saved, fa->msix, sizeof(saved));
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		/* Widths the BAR never takes: refused, reads all ones. */
		for (unsigned w = 0; w < ARRAY_SIZE(widths); w++) {
			uint64_t v = 0x1234;

			assert_int_equal(mmio(e, e->a, VRID, 3, offs[i], widths[w], false, &v),
					 -EINVAL);
			assert_true(v == ~0ull);
			v = 0xfee00000;
			assert_int_equal(mmio(e, e->a, VRID, 3, offs[i], widths[w], true, &v),
					 -EINVAL);
		}
		/* 4 and 8: unaligned or beyond 16 KiB refused, the rest answered. */
		for (unsigned width = 4; width <= 8; width += 4) {
			bool ok = offs[i] % width == 0 && (uint64_t)offs[i] + width <= 16384;
			uint64_t v = 0;

			assert_int_equal(mmio(e, e->a, VRID, 3, offs[i], width, false, &v),
					 ok ? 0 : -EINVAL);
			if (!ok)
				assert_true(v == ~0ull);
			v = 0; /* a zero write to a table word unmasks nothing: ctrl is kept 0 */
			if (offs[i] >= E82576_VF_MSIX_VECTORS * 16 || !ok)
				assert_int_equal(mmio(e, e->a, VRID, 3, offs[i], width, true, &v),
						 ok ? 0 : -EINVAL);
		}
	}
	/* Other BARs are not trapped: refused. */
	for (unsigned bar = 0; bar < 256; bar += bar < 8 ? 1 : 61) {
		uint64_t v = 0;

		if (bar == 3)
			continue;
		assert_int_equal(mmio(e, e->a, VRID, bar, 0, 4, false, &v), -EINVAL);
		assert_true(v == ~0ull);
	}
	/* Nothing of the guest's table moved, and the device's table is all masked. */
	assert_memory_equal(saved, fa->msix, sizeof(saved));
	phys_table(e, 0, &t);
	for (unsigned i = 0; i < E82576_VF_MSIX_VECTORS; i++)
		assert_true(t.t[i][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT);
	assert_true(irte_none(e));
	/* Guest B's device table is untouched. */
	phys_table(e, 1, &t);
	assert_memory_equal(&before_b.t, &t.t, sizeof(t.t));
}

static void test_msix_refused_entries_stay_masked(void **state)
{
	struct env *e = *state;
	struct hv_func *fa = passthrough__by_rid(e->hv, e->vf[0]);
	static const struct {
		uint64_t addr;
		uint32_t data;
	} bad[] = {
		{0xfee00000, 0},	  {0xfee00000, 1},	   {0xfee00000, 31},
		{0xfee00000, 0x100 | 5}, /* vector 5: the data's low byte counts */
		{0x12345000, 40},	  {0xfef00000, 40},	   {0xfed00000, 40},
		{0x1fee00000ull, 40},	  {0xfee00000ull | 1ull << 63, 40}, {0, 40},
	};
	struct table_read t;
	uint64_t refused = fa->irq_refused;

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		unsigned n = i % E82576_VF_MSIX_VECTORS;
		uint64_t v;

		msix_entry(e, e->a, n, bad[i].addr, bad[i].data, 0);
		assert_int_equal(fa->irq_refused, ++refused);
		assert_int_equal(fa->msix[n].irte, -1);
		phys_table(e, 0, &t);
		assert_true(t.t[n][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT);
		/* The guest reads back what it wrote (unmasked), not the device's entry. */
		assert_int_equal(mmio(e, e->a, VRID, 3, n * 16 + 12, 4, false, &v), 0);
		assert_int_equal(v, 0);
	}
	assert_true(irte_none(e));
	/* The lowest usable vector is taken: the entry is live, remappable, posted to A. */
	msix_entry(e, e->a, 0, 0xfee00000, VFNET_VEC_FIRST, 0);
	assert_true(fa->msix[0].irte >= 0);
	phys_table(e, 0, &t);
	assert_false(t.t[0][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT);
	assert_true(t.t[0][0] & (1u << 4));
	{
		struct ir_target tgt;
		uint64_t addr = (uint64_t)t.t[0][1] << 32 | t.t[0][0];

		assert_int_equal(iommu__remap_msi(e->m->iommu, e->vf[0], addr, t.t[0][2], &tgt), 0);
		assert_int_equal(tgt.kind, IR_POSTED);
		assert_true(tgt.pda == e->a->ram_maddr);
		/* The same message from guest B's VF is refused by source validation. */
		assert_int_not_equal(iommu__remap_msi(e->m->iommu, e->vf[1], addr, t.t[0][2],
						      &tgt), 0);
	}
	/* Its data rewritten to a reserved vector while live: masked in the device again. */
	{
		uint64_t v = 31;

		assert_int_equal(mmio(e, e->a, VRID, 3, 8, 4, true, &v), 0);
	}
	phys_table(e, 0, &t);
	assert_true(t.t[0][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void test_bar_map_not_owned(void **state)
{
	struct env *e = *state;
	struct vfnet_hc_bar b = {.rid = VRID, .bar = 3};
	struct vfnet_hc_bar_map map;
	struct hc_reply rep;
	uint16_t others[] = {PF0, PCI_RID(1, 1), e->vf[0], e->vf[1], e->vf[2], e->vf[3],
			     PCI_RID(0, 0), PCI_RID(0, 5 << 3), PCI_RID(0, 3 << 3), 0xffff};

	/* Its own VF: BAR3 trapped; BAR0 direct with two descriptors; nothing else. */
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_BAR_MAP, &b, sizeof(b), &map, sizeof(map), &rep),
			 0);
	assert_int_equal(map.flags, VFNET_BAR_TRAPPED);
	for (unsigned bar = 0; bar < 256; bar++) {
		b.bar = (uint8_t)bar;
		if (bar == 0 || bar == 3)
			continue;
		assert_int_equal(hc(e->hv, e->a, VFNET_HC_BAR_MAP, &b, sizeof(b), NULL, 0, &rep),
				 -EINVAL);
		assert_int_equal(rep.hdr.nfds, 0);
		assert_int_equal(rep.hdr.len, 0);
	}
	/* Anything else: the PFs, the physical RIDs (its own VF's included), empty slots. */
	for (unsigned i = 0; i < ARRAY_SIZE(others); i++) {
		for (unsigned bar = 0; bar < 6; bar++) {
			uint64_t v = 0;

			b = (struct vfnet_hc_bar){.rid = others[i], .bar = (uint8_t)bar};
			assert_int_equal(hc(e->hv, e->a, VFNET_HC_BAR_MAP, &b, sizeof(b), NULL, 0,
					    &rep), -ENODEV);
			assert_int_equal(rep.hdr.nfds, 0);
			assert_int_equal(mmio(e, e->a, others[i], bar, 0, 4, false, &v), -ENODEV);
			v = 0xfee00000;
			assert_int_equal(mmio(e, e->a, others[i], bar, 0, 4, true, &v), -ENODEV);
		}
	}
	/* dom0 gave VF0 away: it cannot map it either; reserved bytes are refused. */
	b = (struct vfnet_hc_bar){.rid = e->vf[0], .bar = 0};
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_BAR_MAP, &b, sizeof(b), NULL, 0, &rep),
			 -ENODEV);
	b = (struct vfnet_hc_bar){.rid = VRID, .bar = 3, .rsvd = {0, 0, 0, 0, 1}};
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_BAR_MAP, &b, sizeof(b), NULL, 0, &rep), -EINVAL);
	assert_int_equal(passthrough__by_rid(e->hv, e->vf[1])->mmio_traps, 0);
}

static void test_event_bind_vectors(void **state)
{
	struct env *e = *state;
	static const uint32_t bad[] = {0, 1, 31, 256, 257, 0x10020, 0x80000020u, 0xffffffffu};
	struct hc_reply rep;
	struct vfnet_hc_vector v;
	uint64_t pir_b[4], pir_0[4];

	memcpy(pir_b, e->b->shared->pir, sizeof(pir_b));
	memcpy(pir_0, e->dom0->shared->pir, sizeof(pir_0));
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		v.vector = bad[i];
		assert_int_equal(hc(e->hv, e->a, VFNET_HC_EVENT_BIND, &v, sizeof(v), NULL, 0, &rep),
				 -EINVAL);
		assert_int_equal(e->a->ev_vector, 0);
	}
	/* 255 is fine; the pending PCI_ADD event is posted into A's page, and only there. */
	v.vector = 255;
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_EVENT_BIND, &v, sizeof(v), NULL, 0, &rep), 0);
	assert_int_equal(e->a->ev_vector, 255);
	assert_true(e->a->shared->pir[3] & (1ull << 63));
	v.vector = VFNET_VEC_FIRST;
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_EVENT_BIND, &v, sizeof(v), NULL, 0, &rep), 0);
	assert_true(e->a->shared->pir[0] & (1ull << VFNET_VEC_FIRST));
	assert_memory_equal(pir_b, e->b->shared->pir, sizeof(pir_b));
	assert_memory_equal(pir_0, e->dom0->shared->pir, sizeof(pir_0));
	/* Wrong argument sizes. */
	{
		uint8_t small[3] = {40, 0, 0}, big[8] = {40};

		assert_int_equal(hc(e->hv, e->a, VFNET_HC_EVENT_BIND, small, sizeof(small), NULL, 0,
				    &rep), -EINVAL);
		assert_int_equal(hc(e->hv, e->a, VFNET_HC_EVENT_BIND, big, sizeof(big), NULL, 0,
				    &rep), -EINVAL);
	}
}

static void test_console_sizes(void **state)
{
	struct env *e = *state;
	static char buf[VFNET_HC_MAX_MSG + 16];
	char out[64];
	struct hc_reply rep;
	uint64_t before;

	memset(buf, 'q', sizeof(buf));
	memcpy(buf + 4000 - 4, "tail", 4);
	before = e->a->log_bytes;
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_CONSOLE, buf, 4000, NULL, 0, &rep), 0);
	assert_int_equal(e->a->log_bytes, before + 4000);
	assert_int_equal(domain__log_read(e->a, out, 4), 4);
	assert_memory_equal(out, "tail", 4);
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_CONSOLE, NULL, 0, NULL, 0, &rep), 0);
	assert_int_equal(e->a->log_bytes, before + 4000);
	/* The largest message, and one byte more (refused whole, nothing logged). */
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_CONSOLE, buf, VFNET_HC_MAX_DATA, NULL, 0, &rep),
			 0);
	before = e->a->log_bytes;
	{
		static uint8_t msg[VFNET_HC_MAX_MSG + 1];
		struct vfnet_hc_req req = {.op = VFNET_HC_CONSOLE, .len = VFNET_HC_MAX_DATA + 1,
					   .seq = 9};

		memcpy(msg, &req, sizeof(req));
		hypercall__handle(e->hv, e->a, msg, sizeof(msg), &rep);
		assert_int_equal(rep.hdr.status, -EMSGSIZE);
		assert_int_equal(rep.hdr.len, 0);
	}
	assert_int_equal(e->a->log_bytes, before);
	assert_int_equal(e->b->log_bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bar3_hammer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_refused_entries_stay_masked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bar_map_not_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_bind_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_sizes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
