/*
 * vPCI against a real 82576 VF config space (hw/nic/pcidev.c) standing in for the physical
 * function. The fake counts every physical write and fails the test on any that is not Bus
 * Master in Command or Initiate FLR in Device Control.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw/nic/pcidev.h"
#include "hw/pci/cap.h"
#include "lib/compiler.h"
#include "vmm/vpci.h"

#define VF_PCIE (E82576_CAP_PCIE)
#define DEVCTL  (VF_PCIE + PCI_EXP_DEVCTL)
#define MSIXCTL (E82576_CAP_MSIX + PCI_MSIX_FLAGS)

#define BAR0_GPA  0xe0000000ull           /* 64-bit, 16 KiB, below 4 GiB */
#define BAR2_GPA  0xd0001000ull           /* 32-bit prefetchable, 4 KiB */
#define BAR3_GPA  0x200004000ull          /* 64-bit, 16 KiB, above 4 GiB */
#define F64       PCI_BASE_ADDRESS_MEM_TYPE_64
#define F32PF     (PCI_BASE_ADDRESS_MEM_TYPE_32 | PCI_BASE_ADDRESS_MEM_PREFETCH)

struct fake {
	struct pci_func *fn;
	unsigned writes, cmd_writes, flr_writes;
	int fail_reads; /* errno to return from physical reads, 0: none */
};

struct msix_log {
	unsigned calls;
	bool enable, masked;
};

static struct e82576_pci nic;
static struct fake phys;
static struct msix_log mlog;
static struct vpci_dev dev;

static const struct vpci_dev_config vf_cfg = {
	.vendor = E82576_VENDOR,
	.device = E82576_DEV_VF,
	.bar_gpa = {[0] = BAR0_GPA, [2] = BAR2_GPA, [3] = BAR3_GPA},
	.bar_size = {[0] = E82576_VF_BAR_SIZE, [2] = 0x1000, [3] = E82576_VF_BAR_SIZE},
	.bar_flags = {[0] = F64, [2] = F32PF, [3] = F64},
};

static int fake_read(void *opaque, unsigned off, unsigned size, uint32_t *val)
{
	struct fake *f = opaque;

	if (f->fail_reads)
		return -f->fail_reads;
	return pci_func__cfg_read(f->fn, off, size, val);
}

/* The invariant: the VF only ever sees Bus Master toggled or an FLR, as whole 16-bit writes. */
static int fake_write(void *opaque, unsigned off, unsigned size, uint32_t val)
{
	struct fake *f = opaque;
	uint32_t old = pci_func__get(f->fn, off, size);

	f->writes++;
	if (off == PCI_COMMAND && size == 2 && (old ^ val) == PCI_COMMAND_MASTER)
		f->cmd_writes++;
	else if (off == DEVCTL && size == 2 && val == (old | PCI_EXP_DEVCTL_BCR_FLR))
		f->flr_writes++;
	else
		fail_msg("physical write of %#x (%u bytes) to %#x (was %#x)", val, size, off, old);
	return pci_func__cfg_write(f->fn, off, size, val);
}

static void msix_control(void *opaque, bool enable, bool masked)
{
	struct msix_log *l = opaque;

	l->calls++;
	l->enable = enable;
	l->masked = masked;
}

static const struct vpci_phys_ops phys_ops = {.read = fake_read, .write = fake_write};
static const struct vpci_msix_ops msix_ops = {.control = msix_control};

static int setup(void **state)
{
	if (e82576_pci__init(&nic, 1, 0, 0x1122334455667788ull))
		return -1;
	phys = (struct fake){.fn = &nic.vf[0][1]};
	mlog = (struct msix_log){0};
	return vpci__init(&dev, &vf_cfg, &phys_ops, &phys, &msix_ops, &mlog);
}

static uint32_t rd(unsigned off, unsigned size)
{
	uint32_t v;

	assert_int_equal(vpci__read(&dev, off, size, &v), 0);
	return v;
}

static void wr(unsigned off, unsigned size, uint32_t v)
{
	assert_int_equal(vpci__write(&dev, off, size, v), 0);
}

static uint32_t hw(unsigned off, unsigned size)
{
	return pci_func__get(phys.fn, off, size);
}

struct rd_case {
	unsigned off, size;
	uint32_t want;
};

static void check_reads(const struct rd_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rd(c[i].off, c[i].size) != c[i].want)
			fail_msg("read %#x/%u: %#x, want %#x", c[i].off, c[i].size,
				 rd(c[i].off, c[i].size), c[i].want);
}

static void test_header(void **state)
{
	static const struct rd_case cases[] = {
		{PCI_VENDOR_ID, 4, E82576_DEV_VF << 16 | E82576_VENDOR},
		{PCI_VENDOR_ID, 2, E82576_VENDOR},
		{PCI_DEVICE_ID, 2, E82576_DEV_VF},
		{PCI_DEVICE_ID + 1, 1, E82576_DEV_VF >> 8},
		{PCI_CLASS_REVISION, 4, PCI_CLASS_NETWORK_ETHERNET << 16 | E82576_REV},
		{PCI_REVISION_ID, 1, E82576_REV},
		{PCI_CACHE_LINE_SIZE, 4, 0}, /* cache line, latency, header type 0, BIST */
		{PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL},
		{PCI_SUBSYSTEM_VENDOR_ID, 4, E82576_SUBSYS << 16 | E82576_VENDOR},
		{PCI_ROM_ADDRESS, 4, 0},
		{PCI_CAPABILITY_LIST, 1, E82576_CAP_MSIX},
		{PCI_INTERRUPT_LINE, 4, 0}, /* line 0, pin 0: no INTx */
		{PCI_STATUS, 2, PCI_STATUS_CAP_LIST},
	};

	/* What the guest sees instead of the VF's 0xffff. */
	assert_int_equal(hw(PCI_VENDOR_ID, 4), 0xffffffff);
	check_reads(cases, ARRAY_SIZE(cases));
	assert_int_equal(vpci__stats(&dev)->reads, ARRAY_SIZE(cases));
}

struct bar_case {
	unsigned bar;
	uint32_t write, want;
};

static void test_bar_sizing(void **state)
{
	static const struct bar_case cases[] = {
		/* Power-on: the machine's addresses with the VF BAR flags. */
		{0, 0, (uint32_t)BAR0_GPA | F64},
		{1, 0, 0},
		{2, 0, (uint32_t)BAR2_GPA | F32PF},
		{3, 0, (uint32_t)BAR3_GPA | F64},
		{4, 0, BAR3_GPA >> 32},
		{5, 0, 0},
	};
	static const struct bar_case sizing[] = {
		{0, ~0u, ~(E82576_VF_BAR_SIZE - 1) | F64},
		{1, ~0u, ~0u}, /* 16 KiB: every upper bit is an address bit */
		{2, ~0u, ~(0x1000u - 1) | F32PF},
		{3, ~0u, ~(E82576_VF_BAR_SIZE - 1) | F64},
		{4, ~0u, ~0u},
		{5, ~0u, 0}, /* not implemented */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(rd(PCI_BASE_ADDRESS_0 + 4 * cases[i].bar, 4), cases[i].want);
	assert_int_equal(vpci__bar_gpa(&dev, 0), BAR0_GPA);
	assert_int_equal(vpci__bar_gpa(&dev, 2), BAR2_GPA);
	assert_int_equal(vpci__bar_gpa(&dev, 3), BAR3_GPA);
	for (size_t i = 0; i < ARRAY_SIZE(sizing); i++) {
		unsigned off = PCI_BASE_ADDRESS_0 + 4 * sizing[i].bar;

		wr(off, 4, sizing[i].write);
		assert_int_equal(rd(off, 4), sizing[i].want);
	}
	/* Restoring the values read before puts every BAR back. */
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned off = PCI_BASE_ADDRESS_0 + 4 * cases[i].bar;

		wr(off, 4, cases[i].want);
		assert_int_equal(rd(off, 4), cases[i].want);
	}
	assert_int_equal(vpci__bar_gpa(&dev, 3), BAR3_GPA);
	/* 16-bit sizing writes work too. */
	wr(PCI_BASE_ADDRESS_2, 2, 0xffff);
	wr(PCI_BASE_ADDRESS_2 + 2, 2, 0xffff);
	assert_int_equal(rd(PCI_BASE_ADDRESS_2, 4), 0xfffff000 | F32PF);
	assert_int_equal(phys.writes, 0);
	/* A BAR lives only in vPCI: the VF's own BARs are untouched (read-only zero anyway). */
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		assert_int_equal(hw(PCI_BASE_ADDRESS_0 + 4 * i, 4), 0);
}

static void test_bar_move(void **state)
{
	/* A new size-aligned address is kept, in both halves of a 64-bit BAR. */
	wr(PCI_BASE_ADDRESS_0, 4, 0xc0008000);
	wr(PCI_BASE_ADDRESS_1, 4, 0x3);
	assert_int_equal(vpci__bar_gpa(&dev, 0), 0x3c0008000ull);
	assert_int_equal(rd(PCI_BASE_ADDRESS_0, 4), 0xc0008000 | F64);
	/* Address bits below the size and the flag bits are read-only. */
	wr(PCI_BASE_ADDRESS_3, 4, 0x12345fff);
	assert_int_equal(rd(PCI_BASE_ADDRESS_3, 4), 0x12344000 | F64);
	assert_int_equal(vpci__bar_gpa(&dev, 3), 0x212344000ull);
	wr(PCI_BASE_ADDRESS_2, 4, 0x80002001); /* an I/O flag cannot turn it into an I/O BAR */
	assert_int_equal(rd(PCI_BASE_ADDRESS_2, 4), 0x80002000 | F32PF);
	assert_int_equal(vpci__bar_gpa(&dev, 2), 0x80002000);
	/* A byte write moves only that byte. */
	wr(PCI_BASE_ADDRESS_2 + 3, 1, 0x90);
	assert_int_equal(vpci__bar_gpa(&dev, 2), 0x90002000);
	/* Upper halves and bars out of range have no address of their own. */
	assert_int_equal(vpci__bar_gpa(&dev, 1), 0);
	assert_int_equal(vpci__bar_gpa(&dev, 4), 0);
	assert_int_equal(vpci__bar_gpa(&dev, 5), 0);
	assert_int_equal(vpci__bar_gpa(&dev, 6), 0);
	assert_int_equal(vpci__bar_gpa(&dev, ~0u), 0);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 0);
	vpci__reset(&dev);
	assert_int_equal(vpci__bar_gpa(&dev, 0), BAR0_GPA);
	assert_int_equal(vpci__bar_gpa(&dev, 3), BAR3_GPA);
	assert_int_equal(phys.writes, 0);
}

static void test_bar_unimplemented(void **state)
{
	static const unsigned offs[] = {PCI_BASE_ADDRESS_5, PCI_ROM_ADDRESS};

	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		uint64_t dropped = vpci__stats(&dev)->dropped_writes;

		wr(offs[i], 4, ~0u);
		assert_int_equal(rd(offs[i], 4), 0);
		wr(offs[i], 4, 0xfebf0000);
		assert_int_equal(rd(offs[i], 4), 0);
		wr(offs[i] + 2, 2, 0xffff);
		assert_int_equal(rd(offs[i], 4), 0);
		assert_int_equal(vpci__stats(&dev)->dropped_writes, dropped + 3);
	}
	assert_int_equal(phys.writes, 0);
}

static void test_command(void **state)
{
	assert_int_equal(rd(PCI_COMMAND, 2), 0);
	assert_false(vpci__memory_enabled(&dev));
	assert_false(vpci__bus_master(&dev));

	/* Memory Space is the guest's, Bus Master goes to the VF. */
	wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(rd(PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_true(vpci__memory_enabled(&dev));
	assert_true(vpci__bus_master(&dev));
	assert_int_equal(hw(PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	assert_int_equal(phys.cmd_writes, 1);

	/* The same value again, or bits that are not Bus Master: nothing reaches the VF. */
	wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr(PCI_COMMAND, 2,
	   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_IO | PCI_COMMAND_INTX_DISABLE |
		   PCI_COMMAND_SERR | PCI_COMMAND_PARITY | PCI_COMMAND_SPECIAL);
	assert_int_equal(phys.cmd_writes, 1);
	assert_int_equal(hw(PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	assert_int_equal(rd(PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
						     PCI_COMMAND_IO | PCI_COMMAND_INTX_DISABLE);

	/* A byte write to the upper half leaves Bus Master and Memory alone. */
	wr(PCI_COMMAND + 1, 1, 0);
	assert_int_equal(rd(PCI_COMMAND, 2),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_IO);
	/* A dword write covers Status too, which stays the VF's. */
	wr(PCI_COMMAND, 4, 0xffff0000 | PCI_COMMAND_MEMORY);
	assert_int_equal(rd(PCI_COMMAND, 4), PCI_STATUS_CAP_LIST << 16 | PCI_COMMAND_MEMORY);
	assert_false(vpci__bus_master(&dev));
	assert_int_equal(hw(PCI_COMMAND, 2), 0);
	assert_int_equal(phys.cmd_writes, 2);

	wr(PCI_COMMAND, 1, 0);
	assert_false(vpci__memory_enabled(&dev));
	assert_int_equal(phys.writes, 2);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 0);
}

static void test_status_read_only(void **state)
{
	/* An error bit set by the VF stays set: RW1C is not the guest's to clear. */
	pci_func__set(phys.fn, PCI_STATUS, 2, PCI_STATUS_CAP_LIST | PCI_STATUS_DETECTED_PARITY);
	wr(PCI_STATUS, 2, 0xffff);
	assert_int_equal(rd(PCI_STATUS, 2), PCI_STATUS_CAP_LIST | PCI_STATUS_DETECTED_PARITY);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 1);
	assert_int_equal(phys.writes, 0);
}

static void test_virtual_bytes(void **state)
{
	wr(PCI_INTERRUPT_LINE, 1, 11);
	wr(PCI_CACHE_LINE_SIZE, 1, 16);
	wr(PCI_LATENCY_TIMER, 1, 0x40);  /* read-only */
	wr(PCI_INTERRUPT_PIN, 1, 1);     /* read-only: no INTx */
	wr(PCI_BIST, 1, PCI_BIST_START); /* read-only 0 */
	assert_int_equal(rd(PCI_INTERRUPT_LINE, 2), 11);
	assert_int_equal(rd(PCI_CACHE_LINE_SIZE, 4), 16);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 3);
	/* A dword write: line taken, pin and the rest not. */
	wr(PCI_INTERRUPT_LINE, 4, 0xffffff05);
	assert_int_equal(rd(PCI_INTERRUPT_LINE, 4), 5);
	assert_int_equal(phys.writes, 0);
	vpci__reset(&dev);
	assert_int_equal(rd(PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(rd(PCI_CACHE_LINE_SIZE, 1), 0);
}

static void test_cap_lists(void **state)
{
	/* The guest walks the same lists the VF has. */
	static const struct rd_case cases[] = {
		{PCI_CAPABILITY_LIST, 1, E82576_CAP_MSIX},
		{E82576_CAP_MSIX, 2, E82576_CAP_PCIE << 8 | PCI_CAP_ID_MSIX},
		{E82576_CAP_PCIE, 2, PCI_CAP_ID_EXP},
		{PCI_CFG_STD_SIZE, 4, E82576_ECAP_ARI << 20 | 1 << 16 | PCI_EXT_CAP_ID_ERR},
		{E82576_ECAP_ARI, 4, 1 << 16 | PCI_EXT_CAP_ID_ARI},
	};

	check_reads(cases, ARRAY_SIZE(cases));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(rd(cases[i].off, cases[i].size), hw(cases[i].off, cases[i].size));
		wr(cases[i].off, cases[i].size, 0);
	}
	check_reads(cases, ARRAY_SIZE(cases));
	assert_int_equal(vpci__stats(&dev)->dropped_writes, ARRAY_SIZE(cases));
	assert_int_equal(phys.writes, 0);
}

static void test_msix(void **state)
{
	uint32_t table = hw(E82576_CAP_MSIX + PCI_MSIX_TABLE, 4),
		 pba = hw(E82576_CAP_MSIX + PCI_MSIX_PBA, 4);

	assert_int_equal(rd(MSIXCTL, 2), E82576_VF_MSIX_VECTORS - 1);

	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(mlog.calls, 1);
	assert_true(mlog.enable);
	assert_false(mlog.masked);
	assert_int_equal(rd(MSIXCTL, 2), PCI_MSIX_FLAGS_ENABLE | (E82576_VF_MSIX_VECTORS - 1));

	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_int_equal(mlog.calls, 2);
	assert_true(mlog.enable && mlog.masked);
	assert_true(vpci__msix_enabled(&dev) && vpci__msix_masked(&dev));

	/* No change, no call; Table Size is read-only. */
	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_QSIZE);
	assert_int_equal(mlog.calls, 2);
	assert_int_equal(rd(MSIXCTL, 2), PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL |
						 (E82576_VF_MSIX_VECTORS - 1));
	/* The low byte holds no writable bit. */
	wr(MSIXCTL, 1, 0xff);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 1);
	/* A byte write to the high byte: unmask. */
	wr(MSIXCTL + 1, 1, PCI_MSIX_FLAGS_ENABLE >> 8);
	assert_int_equal(mlog.calls, 3);
	assert_true(mlog.enable && !mlog.masked);
	/* A dword write over id, next and control. */
	wr(E82576_CAP_MSIX, 4, 0);
	assert_int_equal(mlog.calls, 4);
	assert_false(mlog.enable);
	assert_int_equal(rd(E82576_CAP_MSIX, 2), E82576_CAP_PCIE << 8 | PCI_CAP_ID_MSIX);

	/* Table and PBA offsets are the VF's, read-only. */
	wr(E82576_CAP_MSIX + PCI_MSIX_TABLE, 4, 0x1000 | 2);
	wr(E82576_CAP_MSIX + PCI_MSIX_PBA, 4, ~0u);
	assert_int_equal(rd(E82576_CAP_MSIX + PCI_MSIX_TABLE, 4), table);
	assert_int_equal(rd(E82576_CAP_MSIX + PCI_MSIX_PBA, 4), pba);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 3);

	/* Virtual: the VF's own control never moved. */
	assert_int_equal(hw(MSIXCTL, 2), E82576_VF_MSIX_VECTORS - 1);
	assert_int_equal(phys.writes, 0);
}

static void test_flr(void **state)
{
	uint32_t devctl = hw(DEVCTL, 2);

	wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE);
	wr(PCI_BASE_ADDRESS_0, 4, 0x10000000);
	wr(PCI_INTERRUPT_LINE, 1, 9);
	assert_int_equal(hw(PCI_COMMAND, 2), PCI_COMMAND_MASTER);

	/* Other Device Control bits are read-only: nothing reaches the VF. */
	wr(DEVCTL, 2, devctl ^ 0x7fff);
	wr(DEVCTL + 1, 1, 0x7f);
	assert_int_equal(rd(DEVCTL, 2), devctl);
	assert_int_equal(phys.flr_writes, 0);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 2);

	mlog.calls = 0;
	wr(DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR | 0x1234);
	assert_int_equal(phys.flr_writes, 1);
	assert_int_equal(phys.writes, 2); /* Bus Master, then the FLR */
	/* The VF was reset (Bus Master off), and so is everything virtual. */
	assert_int_equal(hw(PCI_COMMAND, 2), 0);
	assert_int_equal(hw(DEVCTL, 2), devctl);
	assert_int_equal(rd(PCI_COMMAND, 2), 0);
	assert_false(vpci__memory_enabled(&dev));
	assert_false(vpci__bus_master(&dev));
	assert_false(vpci__msix_enabled(&dev));
	assert_int_equal(rd(MSIXCTL, 2), E82576_VF_MSIX_VECTORS - 1);
	assert_int_equal(vpci__bar_gpa(&dev, 0), BAR0_GPA);
	assert_int_equal(rd(PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(mlog.calls, 1);
	assert_false(mlog.enable || mlog.masked);
	/* Initiate FLR reads as zero. */
	assert_int_equal(rd(DEVCTL, 2), devctl);

	/* A byte write to the upper half of Device Control is an FLR too. */
	wr(DEVCTL + 1, 1, PCI_EXP_DEVCTL_BCR_FLR >> 8);
	assert_int_equal(phys.flr_writes, 2);
}

static void test_flr_not_capable(void **state)
{
	uint32_t devcap = hw(VF_PCIE + PCI_EXP_DEVCAP, 4);

	pci_func__set(phys.fn, VF_PCIE + PCI_EXP_DEVCAP, 4, devcap & ~PCI_EXP_DEVCAP_FLR);
	assert_int_equal(vpci__init(&dev, &vf_cfg, &phys_ops, &phys, &msix_ops, &mlog), 0);
	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE);
	wr(DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(phys.writes, 0);
	assert_true(vpci__msix_enabled(&dev));
	assert_int_equal(vpci__stats(&dev)->dropped_writes, 1);
}

static void test_bad_accesses(void **state)
{
	static const struct {
		unsigned off, size;
	} bad[] = {
		{0, 3}, {0, 0}, {0, 8}, {1, 2}, {2, 4}, {3, 4}, {PCI_COMMAND + 1, 2},
		{PCI_BASE_ADDRESS_0 + 2, 4}, {4096, 1}, {4096, 4}, {4095, 2}, {4094, 4},
		{~0u, 1}, {~0u - 3, 4}, {0x10000, 2},
	};
	uint32_t bar0 = rd(PCI_BASE_ADDRESS_0, 4), cmd = rd(PCI_COMMAND, 2);
	struct vpci_stats before = *vpci__stats(&dev);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint32_t v = 0;

		assert_int_equal(vpci__read(&dev, bad[i].off, bad[i].size, &v), -EINVAL);
		assert_int_equal(v, ~0u);
		assert_int_equal(vpci__write(&dev, bad[i].off, bad[i].size, ~0u), -EINVAL);
		assert_int_equal(vpci__write(&dev, bad[i].off, bad[i].size, 0), -EINVAL);
	}
	assert_int_equal(vpci__stats(&dev)->bad_accesses,
			 before.bad_accesses + 3 * ARRAY_SIZE(bad));
	assert_int_equal(vpci__stats(&dev)->reads, before.reads);
	assert_int_equal(vpci__stats(&dev)->writes, before.writes);
	assert_int_equal(vpci__stats(&dev)->dropped_writes, before.dropped_writes);
	assert_int_equal(rd(PCI_BASE_ADDRESS_0, 4), bar0);
	assert_int_equal(rd(PCI_COMMAND, 2), cmd);
	assert_int_equal(mlog.calls, 0);
	assert_int_equal(phys.writes, 0);
	/* The last byte is a good access. */
	assert_int_equal(rd(4095, 1), 0);
}

/* Everything but the emulated fields: writes of zeros and ones in every size change nothing. */
static void test_read_only_everywhere(void **state)
{
	/* Dword-aligned; each dword holds no guest-writable byte. */
	static const unsigned ro[] = {
		PCI_VENDOR_ID, PCI_CLASS_REVISION, PCI_CARDBUS_CIS, PCI_SUBSYSTEM_VENDOR_ID,
		PCI_CAPABILITY_LIST, 0x38, E82576_CAP_MSIX + PCI_MSIX_TABLE,
		E82576_CAP_MSIX + PCI_MSIX_PBA, VF_PCIE, VF_PCIE + PCI_EXP_DEVCAP,
		VF_PCIE + PCI_EXP_LNKCAP, VF_PCIE + PCI_EXP_LNKCTL, VF_PCIE + PCI_EXP_DEVCTL2,
		VF_PCIE + PCI_EXP_LNKCTL2, E82576_ECAP_AER, E82576_ECAP_AER + PCI_ERR_UNCOR_STATUS,
		E82576_ECAP_AER + PCI_ERR_UNCOR_MASK, E82576_ECAP_AER + PCI_ERR_UNCOR_SEVER,
		E82576_ECAP_AER + PCI_ERR_COR_STATUS, E82576_ECAP_AER + PCI_ERR_COR_MASK,
		E82576_ECAP_AER + PCI_ERR_CAP, E82576_ECAP_ARI, E82576_ECAP_ARI + PCI_ARI_CAP,
		0x200, 0xffc,
	};
	static const uint32_t vals[] = {0, ~0u, 0x5a5a5a5a};
	static const unsigned sizes[] = {1, 2, 4};
	uint8_t before[PCI_CFG_SIZE];

	memcpy(before, phys.fn->cfg, sizeof(before));
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++)
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
			for (unsigned b = 0; b < 4; b += sizes[s])
				for (size_t v = 0; v < ARRAY_SIZE(vals); v++) {
					uint32_t was = rd(ro[i] + b, sizes[s]);

					wr(ro[i] + b, sizes[s], vals[v]);
					assert_int_equal(rd(ro[i] + b, sizes[s]), was);
				}
	assert_int_equal(phys.writes, 0);
	assert_memory_equal(before, phys.fn->cfg, sizeof(before));
	assert_int_equal(vpci__stats(&dev)->dropped_writes, vpci__stats(&dev)->writes);
}

/* A guest's worth of random writes: the VF only ever sees Bus Master and FLR (fake_write). */
static void test_random_writes(void **state)
{
	static const unsigned sizes[] = {1, 2, 4, 3};
	unsigned seed = 12345;

	for (unsigned n = 0; n < 200000; n++) {
		unsigned r = (unsigned)rand_r(&seed), size = sizes[r & 3];
		/* Half the time in the header and capabilities, where the emulation is. */
		unsigned off = (r >> 2 & 1) ? (unsigned)rand_r(&seed) % 0x110
					    : (unsigned)rand_r(&seed) % 0x1004;
		uint32_t val = (uint32_t)rand_r(&seed) ^ (uint32_t)rand_r(&seed) << 16, v;
		int rc = vpci__write(&dev, off, size, val);

		assert_true(rc == 0 || rc == -EINVAL);
		rc = vpci__read(&dev, off & ~3u, 4, &v);
		assert_true(rc == 0 || rc == -EINVAL);
	}
	assert_int_equal(phys.writes, phys.cmd_writes + phys.flr_writes);
	assert_true(phys.cmd_writes > 0);
	assert_true(phys.flr_writes > 0);
	/* The VF's config space is still its own: only Bus Master may differ from power-on. */
	for (unsigned off = 0; off < PCI_CFG_SIZE; off += 2) {
		uint32_t mask = off == PCI_COMMAND ? 0xffff & ~PCI_COMMAND_MASTER : 0xffff;

		assert_int_equal(le16_get(&phys.fn->poweron[off]) & mask, hw(off, 2) & mask);
	}
	/* The emulation is still sane. */
	assert_int_equal(rd(PCI_VENDOR_ID, 4), E82576_DEV_VF << 16 | E82576_VENDOR);
	assert_int_equal(rd(PCI_CAPABILITY_LIST, 1), E82576_CAP_MSIX);
}

/* A broken list is cut where it breaks, and the guest sees the cut list. */
static void test_malformed_lists(void **state)
{
	/* PCIe points back at MSI-X; ARI points back at AER. */
	pci_func__set(phys.fn, E82576_CAP_PCIE + 1, 1, E82576_CAP_MSIX);
	pci_func__set(phys.fn, E82576_ECAP_ARI, 4, PCI_CFG_STD_SIZE << 20 | 1 << 16 |
							   PCI_EXT_CAP_ID_ARI);
	assert_int_equal(vpci__init(&dev, &vf_cfg, &phys_ops, &phys, &msix_ops, &mlog), 0);
	assert_int_equal(rd(E82576_CAP_PCIE, 2), PCI_CAP_ID_EXP);
	assert_int_equal(rd(E82576_ECAP_ARI, 4), 1 << 16 | PCI_EXT_CAP_ID_ARI);
	/* MSI-X and FLR still work. */
	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(mlog.calls, 1);
	wr(DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(phys.flr_writes, 1);
	assert_int_equal(mlog.calls, 2);

	/* A pointer into the header: no list at all, so no MSI-X to enable. */
	pci_func__set(phys.fn, PCI_CAPABILITY_LIST, 1, 0x3c);
	assert_int_equal(vpci__init(&dev, &vf_cfg, &phys_ops, &phys, &msix_ops, &mlog), 0);
	assert_int_equal(rd(PCI_CAPABILITY_LIST, 1), 0);
	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(mlog.calls, 2);
	assert_int_equal(rd(MSIXCTL, 2), E82576_VF_MSIX_VECTORS - 1);

	/* Reserved low pointer bits are ignored, as Linux does. */
	pci_func__set(phys.fn, PCI_CAPABILITY_LIST, 1, E82576_CAP_MSIX | 3);
	assert_int_equal(vpci__init(&dev, &vf_cfg, &phys_ops, &phys, &msix_ops, &mlog), 0);
	assert_int_equal(rd(PCI_CAPABILITY_LIST, 1), E82576_CAP_MSIX);
	assert_int_equal(phys.writes, 1);
}

static void test_bad_config(void **state)
{
	struct vpci_dev_config c[12];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		c[i] = vf_cfg;
	c[n++].bar_size[0] = 0x3000;             /* not a power of two */
	c[n++].bar_size[2] = 8;                  /* too small */
	c[n++].bar_gpa[0] = BAR0_GPA + 0x1000;   /* not aligned to its size */
	c[n++].bar_flags[2] = PCI_BASE_ADDRESS_SPACE_IO;
	c[n++].bar_flags[2] = F32PF | 0x10000;   /* an address, not flags */
	c[n++].bar_gpa[2] = 0x100000000ull;      /* 32-bit above 4 GiB */
	c[n++].bar_flags[2] = PCI_BASE_ADDRESS_MEM_TYPE_1M;
	c[n].bar_size[5] = 0x1000;               /* 64-bit in the last slot */
	c[n++].bar_flags[5] = F64;
	c[n++].bar_size[1] = 0x1000;             /* the upper half of BAR0 described */
	c[n++].bar_flags[4] = F64;               /* flags of an unimplemented BAR */
	c[n++].bar_gpa[5] = 0x1000;              /* address of an unimplemented BAR */
	for (size_t i = 0; i < n; i++)
		if (vpci__init(&dev, &c[i], &phys_ops, &phys, &msix_ops, &mlog) != -EINVAL)
			fail_msg("config %zu accepted", i);
	assert_int_equal(vpci__init(&dev, &vf_cfg, NULL, &phys, NULL, NULL), -EINVAL);
	assert_int_equal(vpci__init(&dev, NULL, &phys_ops, &phys, NULL, NULL), -EINVAL);
	/* No MSI-X ops: fine, and a 1 GiB 64-bit BAR sizes correctly. */
	c[0] = vf_cfg;
	c[0].bar_size[3] = 1ull << 30;
	c[0].bar_gpa[3] = 1ull << 34;
	c[0].bar_size[0] = 1ull << 33;
	c[0].bar_gpa[0] = 1ull << 35;
	assert_int_equal(vpci__init(&dev, &c[0], &phys_ops, &phys, NULL, NULL), 0);
	wr(MSIXCTL, 2, PCI_MSIX_FLAGS_ENABLE);
	wr(PCI_BASE_ADDRESS_3, 4, ~0u);
	wr(PCI_BASE_ADDRESS_4, 4, ~0u);
	assert_int_equal(rd(PCI_BASE_ADDRESS_3, 4), 0xc0000000 | F64);
	assert_int_equal(rd(PCI_BASE_ADDRESS_4, 4), ~0u);
	/* 8 GiB: the whole low half is size bits, the upper half has one read-only bit. */
	wr(PCI_BASE_ADDRESS_0, 4, ~0u);
	wr(PCI_BASE_ADDRESS_1, 4, ~0u);
	assert_int_equal(rd(PCI_BASE_ADDRESS_0, 4), F64);
	assert_int_equal(rd(PCI_BASE_ADDRESS_1, 4), ~1u);
	assert_int_equal(phys.writes, 0);
}

static void test_phys_errors(void **state)
{
	uint32_t v = 0;

	phys.fail_reads = EIO;
	assert_int_equal(vpci__read(&dev, PCI_STATUS, 2, &v), -EIO);
	assert_int_equal(v, ~0u);
	assert_int_equal(vpci__read(&dev, PCI_COMMAND, 2, &v), -EIO);
	assert_int_equal(vpci__write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MASTER), -EIO);
	assert_int_equal(vpci__write(&dev, DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR), -EIO);
	/* Fully virtual fields need no physical read. */
	assert_int_equal(vpci__read(&dev, PCI_VENDOR_ID, 4, &v), 0);
	assert_int_equal(vpci__read(&dev, PCI_BASE_ADDRESS_0, 4, &v), 0);
	assert_int_equal(vpci__init(&dev, &vf_cfg, &phys_ops, &phys, &msix_ops, &mlog), -EIO);
	assert_int_equal(phys.writes, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_header),         T(test_bar_sizing),
		T(test_bar_move),       T(test_bar_unimplemented),
		T(test_command),        T(test_status_read_only),
		T(test_virtual_bytes),  T(test_cap_lists),
		T(test_msix),           T(test_flr),
		T(test_flr_not_capable), T(test_bad_accesses),
		T(test_read_only_everywhere), T(test_random_writes),
		T(test_malformed_lists), T(test_bad_config),
		T(test_phys_errors),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
