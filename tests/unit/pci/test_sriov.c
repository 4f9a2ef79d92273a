/* SR-IOV behaviour and config routing, observed through config cycles as a PCI core sees them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/machine.h"
#include "hw/pci/sriov.h"

static struct machine *m;

/* A machine straight from firmware (the previous one, if any, is thrown away). */
static int fresh(void)
{
	machine__destroy(m);
	m = NULL;
	return machine__create(&m, NULL);
}
#define PF0 PCI_RID(1, 0)
#define PF1 PCI_RID(1, 1)
#define CAP E82576_ECAP_SRIOV

static int setup(void **state)
{
	return fresh();
}

static uint32_t rd(uint16_t rid, unsigned off, unsigned size)
{
	uint32_t v = 0;

	pci_topo__cfg_read(&m->pci, rid, off, size, &v);
	return v;
}

static void wr(uint16_t rid, unsigned off, unsigned size, uint32_t v)
{
	assert_int_equal(pci_topo__cfg_write(&m->pci, rid, off, size, v), 0);
}

static bool answers(uint16_t rid)
{
	uint32_t v;

	return pci_topo__cfg_read(&m->pci, rid, PCI_VENDOR_ID, 4, &v) == 0;
}

static void set_ari(bool on)
{
	unsigned devctl2 = m->root_port.pcie + PCI_EXP_DEVCTL2;

	wr(MACHINE_ROOT_PORT_RID, devctl2, 2,
	   on ? rd(MACHINE_ROOT_PORT_RID, devctl2, 2) | PCI_EXP_DEVCTL2_ARI
	      : rd(MACHINE_ROOT_PORT_RID, devctl2, 2) & ~PCI_EXP_DEVCTL2_ARI);
	wr(PF0, CAP + PCI_SRIOV_CTRL, 2, on ? PCI_SRIOV_CTRL_ARI : 0);
}

static void enable(uint16_t pf, unsigned n)
{
	wr(pf, CAP + PCI_SRIOV_NUM_VF, 2, n);
	wr(pf, CAP + PCI_SRIOV_CTRL, 2,
	   (rd(pf, CAP + PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_ARI) | PCI_SRIOV_CTRL_VFE |
		   PCI_SRIOV_CTRL_MSE);
}

static void disable(uint16_t pf)
{
	wr(pf, CAP + PCI_SRIOV_CTRL, 2, rd(pf, CAP + PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_ARI);
	wr(pf, CAP + PCI_SRIOV_NUM_VF, 2, 0);
}

static void test_capability_values(void **state)
{
	assert_int_equal(rd(PF0, CAP, 4) & 0xfffff, 0x10010); /* id 0x10, version 1 */
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_INITIAL_VF, 2), 8);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_TOTAL_VF, 2), 8);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_VF_OFFSET, 2), 384);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_VF_STRIDE, 2), 2);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_VF_DID, 2), 0x10ca);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_SUP_PGSIZE, 4), 0x553);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4), 1);
	assert_int_equal(rd(PF1, CAP + PCI_SRIOV_FUNC_LINK, 1), 1);
	/* Read-only fields ignore writes. */
	wr(PF0, CAP + PCI_SRIOV_TOTAL_VF, 2, 64);
	wr(PF0, CAP + PCI_SRIOV_VF_OFFSET, 4, 0);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_TOTAL_VF, 2), 8);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_VF_OFFSET, 2), 384);
}

static void test_ari_moves_the_vfs(void **state)
{
	set_ari(true);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_VF_OFFSET, 2), 128);
	/* Port 1 follows port 0's hierarchy bit; its own copy is read-only. */
	assert_int_equal(rd(PF1, CAP + PCI_SRIOV_VF_OFFSET, 2), 128);
	wr(PF1, CAP + PCI_SRIOV_CTRL, 2, 0);
	assert_int_equal(rd(PF1, CAP + PCI_SRIOV_VF_OFFSET, 2), 128);
	wr(PF1, CAP + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_ARI);
	assert_int_equal(rd(PF1, CAP + PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_ARI, 0);
	set_ari(false);
	assert_int_equal(rd(PF1, CAP + PCI_SRIOV_VF_OFFSET, 2), 384);
}

static void test_ari_frozen_while_any_pf_has_vfs(void **state)
{
	struct pci_func *vf;

	/* PF1 has VFs at 02:10.1 (no ARI); PF0 must not move them by setting the hierarchy bit. */
	enable(PF1, 2);
	vf = pci_topo__route(&m->pci, PCI_RID(2, 0x81));
	assert_non_null(vf);
	wr(PF0, CAP + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_ARI);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_ARI, 0);
	assert_int_equal(rd(PF1, CAP + PCI_SRIOV_VF_OFFSET, 2), 384);
	assert_ptr_equal(pci_topo__route(&m->pci, PCI_RID(2, 0x81)), vf);
	/* A PF0 FLR leaves PF1's VFs where they are. */
	wr(PF0, E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_ptr_equal(pci_topo__route(&m->pci, PCI_RID(2, 0x81)), vf);
	disable(PF1);
	wr(PF0, CAP + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_ARI);
	assert_true(rd(PF0, CAP + PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_ARI);
	assert_int_equal(fresh(), 0);
}

static void test_vfs_appear_and_vanish(void **state)
{
	set_ari(true);
	assert_false(answers(PCI_RID(1, 0x80)));
	enable(PF0, 7);
	for (unsigned i = 0; i < 7; i++) {
		uint16_t rid = PCI_RID(1, 0x80 + 2 * i);

		assert_true(answers(rid));
		/* A VF's vendor and device read all ones; software takes them from the PF. */
		assert_int_equal(rd(rid, PCI_VENDOR_ID, 4), 0xffffffff);
		assert_int_equal(rd(rid, PCI_CLASS_REVISION, 4), 0x02000001);
	}
	assert_false(answers(PCI_RID(1, 0x80 + 14))); /* the eighth */
	assert_false(answers(PCI_RID(1, 0x81)));      /* PF1 has none */
	disable(PF0);
	assert_false(answers(PCI_RID(1, 0x80)));
	set_ari(false);
}

static void test_numvfs_frozen_while_enabled(void **state)
{
	set_ari(true);
	enable(PF0, 3);
	wr(PF0, CAP + PCI_SRIOV_NUM_VF, 2, 8);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_NUM_VF, 2), 3);
	assert_false(answers(PCI_RID(1, 0x86)));
	/* So are the page size and the hierarchy bit. */
	wr(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4, 2);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4), 1);
	wr(PF0, CAP + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	assert_true(rd(PF0, CAP + PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_ARI);
	assert_true(answers(PCI_RID(1, 0x84)));
	disable(PF0);
	set_ari(false);
}

static void test_more_than_total_enables_total(void **state)
{
	set_ari(true);
	enable(PF1, 200);
	for (unsigned i = 0; i < 8; i++)
		assert_true(answers(PCI_RID(1, 0x81 + 2 * i)));
	assert_false(answers(PCI_RID(1, 0x81 + 16)));
	assert_int_equal(m->nicfn->sriov[1].enabled, 8);
	disable(PF1);
	set_ari(false);
}

static void test_secondary_bus_needs_ari_forwarding(void **state)
{
	unsigned devctl2 = m->root_port.pcie + PCI_EXP_DEVCTL2;

	set_ari(true);
	enable(PF0, 1);
	assert_true(answers(PCI_RID(1, 0x80)));
	/* Without ARI Forwarding Enable the port passes only device 0 on its secondary bus. */
	wr(MACHINE_ROOT_PORT_RID, devctl2, 2, 0);
	assert_false(answers(PCI_RID(1, 0x80)));
	assert_true(answers(PF1));
	disable(PF0);
	set_ari(false);
}

static void test_non_ari_vfs_live_on_the_next_bus(void **state)
{
	enable(PF0, 8);
	enable(PF1, 8);
	assert_true(answers(PCI_RID(2, 0x80)));  /* 02:10.0 = PF0 VF0 */
	assert_true(answers(PCI_RID(2, 0x81)));  /* 02:10.1 = PF1 VF0 */
	assert_true(answers(PCI_RID(2, 0x8e)));  /* 02:11.6 = PF0 VF7 */
	assert_true(answers(PCI_RID(2, 0x8f)));  /* 02:11.7 = PF1 VF7 */
	assert_ptr_equal(pci_topo__route(&m->pci, PCI_RID(2, 0x8f)), &m->nicfn->vf[1][7]);
	/* Bus 3 is beyond the root port's subordinate bus. */
	assert_false(answers(PCI_RID(3, 0)));
	disable(PF0);
	disable(PF1);
}

static void test_vf_config_space(void **state)
{
	uint16_t vf;

	set_ari(true);
	enable(PF0, 2);
	vf = PCI_RID(1, 0x82);
	/* Memory and I/O enables are read-only zero; Bus Master is the VF's own. */
	wr(vf, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(rd(vf, PCI_COMMAND, 2) & 7, PCI_COMMAND_MASTER);
	/* BARs read zero, whatever is written; no INTx pin. */
	for (unsigned b = 0; b < 6; b++) {
		wr(vf, PCI_BASE_ADDRESS_0 + 4 * b, 4, 0xffffffff);
		assert_int_equal(rd(vf, PCI_BASE_ADDRESS_0 + 4 * b, 4), 0);
	}
	assert_int_equal(rd(vf, PCI_INTERRUPT_PIN, 1), 0);
	assert_int_equal(rd(vf, PCI_HEADER_TYPE, 1), 0);
	/* MSI-X with 3 vectors in BAR3, a PCIe capability with FLR. */
	assert_int_equal(rd(vf, E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2), 2);
	assert_int_equal(rd(vf, E82576_CAP_MSIX + PCI_MSIX_TABLE, 4), 3);
	assert_true(rd(vf, E82576_CAP_PCIE + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR);
	/* VF FLR: Bus Master and MSI-X enable return to reset values. */
	wr(vf, E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	wr(vf, E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(rd(vf, PCI_COMMAND, 2), 0);
	assert_int_equal(rd(vf, E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2), 2);
	assert_true(answers(vf));
	disable(PF0);
	set_ari(false);
}

static void test_vf_bars_are_slices_of_the_pf(void **state)
{
	struct pci_func *pf = machine__pf(m, 0);

	enable(PF0, 4);
	assert_true(pci_sriov__vf_mse(pf));
	assert_int_equal(pci_sriov__vf_bar_addr(pf, 0, 0), 0xe0100000);
	assert_int_equal(pci_sriov__vf_bar_addr(pf, 3, 0), 0xe0100000 + 3 * 0x4000);
	assert_int_equal(pci_sriov__vf_bar_addr(pf, 2, 3), 0xe0140000 + 2 * 0x4000);
	assert_int_equal(pci_sriov__vf_bar_addr(pf, 8, 0), 0);
	assert_int_equal(pci_sriov__vf_bar_addr(pf, 0, 1), 0);
	disable(PF0);
	assert_false(pci_sriov__vf_mse(pf));
}

static void test_system_page_size(void **state)
{
	struct pci_func *pf = machine__pf(m, 0);

	/* 64 KiB pages (bit 4): each VF's BAR grows to a page; the sizing protocol shows it. */
	wr(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4, 1u << 4);
	assert_int_equal(pci_sriov__vf_bar_size(pf, 0), 0x10000);
	wr(PF0, CAP + PCI_SRIOV_BAR, 4, 0xffffffff);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_BAR, 4), 0xffff0004);
	wr(PF0, CAP + PCI_SRIOV_BAR, 4, 0xe0100004);
	/* Unsupported (bit 2 = 16 KiB) or several bits: refused, the old value stays. */
	wr(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4, 1u << 2);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4), 1u << 4);
	wr(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4, 0x11);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4), 1u << 4);
	wr(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 1, 1);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_SYS_PGSIZE, 4), 1);
	assert_int_equal(pci_sriov__vf_bar_size(pf, 0), 0x4000);
}

static void test_pf_flr_disables_vfs(void **state)
{
	set_ari(true);
	enable(PF0, 2);
	assert_true(answers(PCI_RID(1, 0x80)));
	wr(PF0, E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_false(answers(PCI_RID(1, 0x80)));
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_CTRL, 2), 0);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_VF_OFFSET, 2), 384);
	/* NumVFs is writable again. */
	wr(PF0, CAP + PCI_SRIOV_NUM_VF, 2, 5);
	assert_int_equal(rd(PF0, CAP + PCI_SRIOV_NUM_VF, 2), 5);
	assert_int_equal(fresh(), 0);
}

static void test_absent_functions_read_all_ones(void **state)
{
	uint32_t v = 0;

	assert_int_equal(pci_topo__cfg_read(&m->pci, PCI_RID(0, 0x10), 0, 4, &v), -ENODEV);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(pci_topo__cfg_read(&m->pci, PCI_RID(5, 0), 2, 2, &v), -ENODEV);
	assert_int_equal(v, 0xffff);
	assert_int_equal(pci_topo__cfg_read(&m->pci, PCI_RID(1, 2), 0, 1, &v), -ENODEV);
	assert_int_equal(v, 0xff);
	assert_int_equal(pci_topo__cfg_write(&m->pci, PCI_RID(1, 2), 0, 4, 0), -ENODEV);
	assert_int_equal(pci_topo__cfg_read(&m->pci, PF0, 1, 2, &v), -EINVAL);
}

static void test_rid_parse(void **state)
{
	uint16_t rid;
	char buf[8];

	assert_int_equal(pci_rid__parse("01:10.2", &rid), 0);
	assert_int_equal(rid, 0x0182);
	assert_string_equal(pci_rid__str(rid, buf), "01:10.2");
	assert_int_equal(pci_rid__parse("0000:ff:1f.7", &rid), 0);
	assert_int_equal(rid, 0xffff);
	assert_int_equal(pci_rid__parse("1:0.0", &rid), -EINVAL);
	assert_int_equal(pci_rid__parse("01:20.0", &rid), -EINVAL);
	assert_int_equal(pci_rid__parse("01:00.8", &rid), -EINVAL);
	assert_int_equal(pci_rid__parse("0001:01:00.0", &rid), -EINVAL);
	assert_int_equal(pci_rid__parse("01:00.0 ", &rid), -EINVAL);
	assert_int_equal(pci_rid__parse("+1:00.0", &rid), -EINVAL);
	assert_int_equal(pci_rid__parse("", &rid), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capability_values),
		cmocka_unit_test(test_ari_moves_the_vfs),
		cmocka_unit_test(test_ari_frozen_while_any_pf_has_vfs),
		cmocka_unit_test(test_vfs_appear_and_vanish),
		cmocka_unit_test(test_numvfs_frozen_while_enabled),
		cmocka_unit_test(test_more_than_total_enables_total),
		cmocka_unit_test(test_secondary_bus_needs_ari_forwarding),
		cmocka_unit_test(test_non_ari_vfs_live_on_the_next_bus),
		cmocka_unit_test(test_vf_config_space),
		cmocka_unit_test(test_vf_bars_are_slices_of_the_pf),
		cmocka_unit_test(test_system_page_size),
		cmocka_unit_test(test_pf_flr_disables_vfs),
		cmocka_unit_test(test_absent_functions_read_all_ones),
		cmocka_unit_test(test_rid_parse),
	};

	return cmocka_run_group_tests_name("pci_sriov", tests, setup, NULL);
}
