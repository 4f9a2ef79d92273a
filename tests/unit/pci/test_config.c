/* Config space semantics: masks, RW1C, access checks, BAR sizing, capability lists, FLR. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/machine.h"
#include "hw/pci/cap.h"

static struct machine *m;

/* A machine straight from firmware (the previous one, if any, is thrown away). */
static int fresh(void)
{
	machine__destroy(m);
	m = NULL;
	return machine__create(&m, NULL);
}

static int setup(void **state)
{
	return fresh();
}

static uint32_t rd(struct pci_func *f, unsigned off, unsigned size)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(pci_func__cfg_read(f, off, size, &v), 0);
	return v;
}

static void wr(struct pci_func *f, unsigned off, unsigned size, uint32_t v)
{
	assert_int_equal(pci_func__cfg_write(f, off, size, v), 0);
}

static void test_identity_is_read_only(void **state)
{
	struct pci_func *pf = &m->nicfn->pf[0];

	wr(pf, PCI_VENDOR_ID, 4, 0x12345678);
	wr(pf, PCI_CLASS_REVISION, 4, 0);
	wr(pf, PCI_HEADER_TYPE, 1, 0);
	assert_int_equal(rd(pf, PCI_VENDOR_ID, 2), 0x8086);
	assert_int_equal(rd(pf, PCI_DEVICE_ID, 2), 0x10c9);
	assert_int_equal(rd(pf, PCI_CLASS_REVISION, 4), 0x02000001);
	assert_int_equal(rd(pf, PCI_HEADER_TYPE, 1), 0x80); /* multi-function: two ports */
}

static void test_command_and_status(void **state)
{
	struct pci_func *pf = &m->nicfn->pf[0];

	wr(pf, PCI_COMMAND, 2, 0xffff);
	/* Only the implemented enables stick. */
	assert_int_equal(rd(pf, PCI_COMMAND, 2),
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	/* Status error bits are write-1-to-clear; CAP_LIST is read-only. */
	pci_func__set(pf, PCI_STATUS, 2,
		      pci_func__get(pf, PCI_STATUS, 2) | PCI_STATUS_REC_MASTER_ABORT |
			      PCI_STATUS_DETECTED_PARITY);
	wr(pf, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT);
	assert_int_equal(rd(pf, PCI_STATUS, 2) & (PCI_STATUS_REC_MASTER_ABORT |
						   PCI_STATUS_DETECTED_PARITY | PCI_STATUS_CAP_LIST),
			 PCI_STATUS_DETECTED_PARITY | PCI_STATUS_CAP_LIST);
	wr(pf, PCI_STATUS, 2, 0);
	assert_true(rd(pf, PCI_STATUS, 2) & PCI_STATUS_DETECTED_PARITY);
	wr(pf, PCI_COMMAND, 2, 0);
}

static void test_bad_accesses_change_nothing(void **state)
{
	struct pci_func *pf = &m->nicfn->pf[0];
	uint8_t before[PCI_CFG_SIZE];
	uint32_t v;

	memcpy(before, pf->cfg, sizeof(before));
	assert_int_equal(pci_func__cfg_write(pf, PCI_COMMAND + 1, 2, 0xffff), -EINVAL);
	assert_int_equal(pci_func__cfg_write(pf, PCI_COMMAND, 3, 0xffff), -EINVAL);
	assert_int_equal(pci_func__cfg_write(pf, PCI_CFG_SIZE, 4, 0xffffffff), -EINVAL);
	assert_int_equal(pci_func__cfg_write(pf, 0xfffffffc, 4, 0xffffffff), -EINVAL);
	assert_int_equal(pci_func__cfg_write(pf, PCI_COMMAND, 0, 0xffff), -EINVAL);
	assert_int_equal(pci_func__cfg_read(pf, 2, 4, &v), -EINVAL);
	assert_int_equal(v, 0xffffffff);
	assert_memory_equal(before, pf->cfg, sizeof(before));
}

static uint64_t size_bar(struct pci_func *f, unsigned off, bool is64, bool io)
{
	uint32_t lo0 = rd(f, off, 4), hi0 = is64 ? rd(f, off + 4, 4) : 0, lo, hi = 0xffffffff;
	uint64_t mask;

	wr(f, off, 4, 0xffffffff);
	lo = rd(f, off, 4);
	if (is64) {
		wr(f, off + 4, 4, 0xffffffff);
		hi = rd(f, off + 4, 4);
		wr(f, off + 4, 4, hi0);
	}
	wr(f, off, 4, lo0);
	assert_int_equal(rd(f, off, 4), lo0); /* restored */
	mask = (uint64_t)hi << 32 | (lo & (io ? ~3u : ~0xfu));
	if (!is64 && !io)
		mask |= 0xffffffff00000000ull;
	if (io)
		mask |= 0xffffffffffff0000ull;
	return ~mask + 1;
}

static void test_pf_bar_sizing(void **state)
{
	struct pci_func *pf = &m->nicfn->pf[1];

	assert_int_equal(size_bar(pf, PCI_BASE_ADDRESS_0, false, false), 128 * 1024);
	assert_int_equal(size_bar(pf, PCI_BASE_ADDRESS_2, false, true), 32);
	assert_int_equal(size_bar(pf, PCI_BASE_ADDRESS_3, false, false), 16 * 1024);
	assert_int_equal(rd(pf, PCI_BASE_ADDRESS_2, 4) & 1, PCI_BASE_ADDRESS_SPACE_IO);
	/* Unimplemented BARs read zero whatever is written. */
	wr(pf, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	assert_int_equal(rd(pf, PCI_BASE_ADDRESS_1, 4), 0);
	assert_int_equal(pci_func__bar_addr(pf, 0), 0xe0020000);
}

static void test_vf_bar_sizing_in_sriov_cap(void **state)
{
	struct pci_func *pf = &m->nicfn->pf[0];
	unsigned cap = E82576_ECAP_SRIOV;

	assert_int_equal(size_bar(pf, cap + PCI_SRIOV_BAR, true, false), 16 * 1024);
	assert_int_equal(size_bar(pf, cap + PCI_SRIOV_BAR + 12, true, false), 16 * 1024);
	assert_int_equal(rd(pf, cap + PCI_SRIOV_BAR, 4) & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_64);
	/* VF BAR1, 2 (the high half of BAR0 aside) and 5 are unused. */
	wr(pf, cap + PCI_SRIOV_BAR + 8, 4, 0xffffffff);
	assert_int_equal(rd(pf, cap + PCI_SRIOV_BAR + 8, 4), 0);
}

static void test_capability_chain(void **state)
{
	struct pci_func *pf = &m->nicfn->pf[0];
	static const uint8_t std[][2] = {
		{0x40, PCI_CAP_ID_PM}, {0x50, PCI_CAP_ID_MSI}, {0x70, PCI_CAP_ID_MSIX},
		{0xa0, PCI_CAP_ID_EXP}};
	static const uint16_t ext[][2] = {
		{0x100, PCI_EXT_CAP_ID_ERR}, {0x140, PCI_EXT_CAP_ID_DSN},
		{0x150, PCI_EXT_CAP_ID_ARI}, {0x160, PCI_EXT_CAP_ID_SRIOV}};
	unsigned off = rd(pf, PCI_CAPABILITY_LIST, 1), i = 0;

	assert_true(rd(pf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (; off; off = rd(pf, off + 1, 1), i++) {
		assert_true(i < 4);
		assert_int_equal(off, std[i][0]);
		assert_int_equal(rd(pf, off, 1), std[i][1]);
	}
	assert_int_equal(i, 4);
	for (off = 0x100, i = 0; off; off = rd(pf, off, 4) >> 20, i++) {
		assert_true(i < 4);
		assert_int_equal(off, ext[i][0]);
		assert_int_equal(rd(pf, off, 4) & 0xffff, ext[i][1]);
	}
	assert_int_equal(i, 4);
	/* MSI-X: 10 vectors, table at BAR3 + 0, PBA at BAR3 + 0x2000; only enable/mask write. */
	assert_int_equal(rd(pf, 0x70 + PCI_MSIX_FLAGS, 2), 9);
	assert_int_equal(rd(pf, 0x70 + PCI_MSIX_TABLE, 4), 3);
	assert_int_equal(rd(pf, 0x70 + PCI_MSIX_PBA, 4), 0x2003);
	wr(pf, 0x70 + PCI_MSIX_FLAGS, 2, 0xffff);
	assert_int_equal(rd(pf, 0x70 + PCI_MSIX_FLAGS, 2), 0xc009);
	wr(pf, 0x70 + PCI_MSIX_FLAGS, 2, 0);
	/* ARI: PF0 names function 1 as the next; PF1 ends the list. */
	assert_int_equal(rd(pf, 0x150 + PCI_ARI_CAP, 2) >> 8, 1);
	assert_int_equal(rd(&m->nicfn->pf[1], 0x150 + PCI_ARI_CAP, 2) >> 8, 0);
	assert_int_equal(pci_cap__find(pf, PCI_CAP_ID_EXP), 0xa0);
	assert_int_equal(pci_cap__find_ext(pf, PCI_EXT_CAP_ID_SRIOV), 0x160);
	assert_int_equal(pci_cap__find(&m->host_bridge, PCI_CAP_ID_EXP), 0);
}

static void test_conventional_function_has_no_extended_space(void **state)
{
	struct pci_func *hb = &m->host_bridge;

	assert_int_equal(rd(hb, 0x100, 4), 0);
	wr(hb, 0x100, 4, 0xffffffff);
	assert_int_equal(rd(hb, 0x100, 4), 0);
	assert_int_equal(rd(hb, PCI_CLASS_DEVICE, 2), 0x0600);
}

static void test_pf_flr_restores_power_on_state(void **state)
{
	struct pci_func *pf = &m->nicfn->pf[1];

	wr(pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr(pf, 0x70 + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_true(rd(pf, 0xa0 + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR);
	wr(pf, 0xa0 + PCI_EXP_DEVCTL, 2, rd(pf, 0xa0 + PCI_EXP_DEVCTL, 2) | PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(rd(pf, PCI_COMMAND, 2), 0);
	assert_int_equal(rd(pf, 0x70 + PCI_MSIX_FLAGS, 2), 9);
	/* Initiate FLR always reads zero. */
	assert_int_equal(rd(pf, 0xa0 + PCI_EXP_DEVCTL, 2) & PCI_EXP_DEVCTL_BCR_FLR, 0);
	/* FLR also clears BARs, as software that saved config space expects. */
	assert_int_equal(pci_func__bar_addr(pf, 0), 0);
	assert_int_equal(fresh(), 0);
}

static void test_bridge_windows_and_buses(void **state)
{
	struct pci_func *rp = &m->root_port;

	assert_int_equal(rd(rp, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_BRIDGE);
	assert_int_equal(rd(rp, PCI_CLASS_DEVICE, 2), 0x0604);
	assert_int_equal(rd(rp, PCI_PRIMARY_BUS, 4) & 0xffffff, 0x020100);
	assert_true(rd(rp, rp->pcie + PCI_EXP_DEVCAP2, 4) & PCI_EXP_DEVCAP2_ARI);
	assert_int_equal(rd(rp, rp->pcie + PCI_EXP_FLAGS, 2) >> 4 & 0xf, PCI_EXP_TYPE_ROOT_PORT);
	/* Memory window bits below 1 MiB are read-only. */
	wr(rp, PCI_MEMORY_BASE, 2, 0xffff);
	assert_int_equal(rd(rp, PCI_MEMORY_BASE, 2), 0xfff0);
	assert_int_equal(fresh(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_is_read_only),
		cmocka_unit_test(test_command_and_status),
		cmocka_unit_test(test_bad_accesses_change_nothing),
		cmocka_unit_test(test_pf_bar_sizing),
		cmocka_unit_test(test_vf_bar_sizing_in_sriov_cap),
		cmocka_unit_test(test_capability_chain),
		cmocka_unit_test(test_conventional_function_has_no_extended_space),
		cmocka_unit_test(test_pf_flr_restores_power_on_state),
		cmocka_unit_test(test_bridge_windows_and_buses),
	};

	return cmocka_run_group_tests_name("pci_config", tests, setup, NULL);
}
