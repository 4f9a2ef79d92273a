/*
 * Fuzz target: a hostile guest's config accesses of any offset, size and value, against vPCI
 * over a real 82576 VF config space (hw/nic/pcidev.c). The invariant: the only physical writes
 * are Bus Master toggled in Command and Initiate FLR in PCI Express Device Control, and the VF's
 * config space never differs from power-on in anything else. The guest's view stays sane too:
 * its ids, header type, capability pointer and BAR flags never change, and the MSI-X callback
 * always agrees with the guest's MSI-X control.
 *
 * Input: a sequence of 8-byte records {op, off_lo, off_hi, size, value[4]}.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/nic/pcidev.h"
#include "vmm/vpci.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

#define DEVCTL (E82576_CAP_PCIE + PCI_EXP_DEVCTL)

static struct e82576_pci nic;
static struct pci_func *vf;
static struct vpci_dev dev;
static bool msix_enable, msix_masked;

static const struct vpci_dev_config cfg = {
	.vendor = E82576_VENDOR,
	.device = E82576_DEV_VF,
	.bar_gpa = {[0] = 0xe0000000, [2] = 0xd0001000, [3] = 0x200004000},
	.bar_size = {[0] = E82576_VF_BAR_SIZE, [2] = 0x1000, [3] = E82576_VF_BAR_SIZE},
	.bar_flags = {[0] = PCI_BASE_ADDRESS_MEM_TYPE_64, [2] = PCI_BASE_ADDRESS_MEM_PREFETCH,
		      [3] = PCI_BASE_ADDRESS_MEM_TYPE_64},
};

static int phys_read(void *opaque, unsigned off, unsigned size, uint32_t *val)
{
	return pci_func__cfg_read(vf, off, size, val);
}

static int phys_write(void *opaque, unsigned off, unsigned size, uint32_t val)
{
	uint32_t old = pci_func__get(vf, off, size);

	CHECK((off == PCI_COMMAND && size == 2 && (old ^ val) == PCI_COMMAND_MASTER) ||
	      (off == DEVCTL && size == 2 && val == (old | PCI_EXP_DEVCTL_BCR_FLR)));
	return pci_func__cfg_write(vf, off, size, val);
}

static void msix_control(void *opaque, bool enable, bool masked)
{
	msix_enable = enable;
	msix_masked = masked;
}

static const struct vpci_phys_ops phys_ops = {.read = phys_read, .write = phys_write};
static const struct vpci_msix_ops msix_ops = {.control = msix_control};

static unsigned pick_off(uint8_t lo, uint8_t hi)
{
	/* Mostly where the emulation is, else anywhere (even out of range). */
	switch (hi & 0x7) {
	case 0:
	case 1:
		return lo & 0x3f;
	case 2:
		return E82576_CAP_MSIX + (lo & 0xf);
	case 3:
		return E82576_CAP_PCIE + (lo & 0x3f);
	case 4:
		return E82576_ECAP_AER + (lo & 0x7f);
	default:
		return (unsigned)(hi >> 3) << 8 | lo;
	}
}

static void check_invariants(void)
{
	uint32_t v;

	/* The VF: power-on contents, but for Bus Master. */
	CHECK((pci_func__get(vf, PCI_COMMAND, 2) & ~PCI_COMMAND_MASTER) ==
	      (vf->poweron[PCI_COMMAND] | (uint32_t)vf->poweron[PCI_COMMAND + 1] << 8));
	CHECK(!memcmp(vf->cfg + PCI_STATUS, vf->poweron + PCI_STATUS,
		      PCI_CFG_SIZE - PCI_STATUS));
	CHECK(!memcmp(vf->cfg, vf->poweron, PCI_COMMAND));

	/* The guest's view. */
	CHECK(vpci__read(&dev, PCI_VENDOR_ID, 4, &v) == 0 && v == 0x10ca8086);
	CHECK(vpci__read(&dev, PCI_HEADER_TYPE, 1, &v) == 0 && v == 0);
	CHECK(vpci__read(&dev, PCI_CAPABILITY_LIST, 1, &v) == 0 && v == E82576_CAP_MSIX);
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		CHECK(vpci__read(&dev, PCI_BASE_ADDRESS_0 + 4 * b, 4, &v) == 0);
		if (cfg.bar_size[b])
			CHECK((v & 0xf) == cfg.bar_flags[b]);
		else if (b != 1 && b != 4)
			CHECK(v == 0);
	}
	CHECK(vpci__bar_gpa(&dev, 0) % E82576_VF_BAR_SIZE == 0);
	CHECK(vpci__bar_gpa(&dev, 2) % 0x1000 == 0 && vpci__bar_gpa(&dev, 2) < 1ull << 32);
	CHECK(vpci__read(&dev, E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2, &v) == 0);
	CHECK((v & PCI_MSIX_FLAGS_QSIZE) == E82576_VF_MSIX_VECTORS - 1);
	CHECK(!!(v & PCI_MSIX_FLAGS_ENABLE) == msix_enable);
	CHECK(!!(v & PCI_MSIX_FLAGS_MASKALL) == msix_masked);
	CHECK(msix_enable == vpci__msix_enabled(&dev) && msix_masked == vpci__msix_masked(&dev));
	CHECK(vpci__read(&dev, PCI_COMMAND, 2, &v) == 0);
	CHECK(!!(v & PCI_COMMAND_MEMORY) == vpci__memory_enabled(&dev));
	CHECK(!!(v & PCI_COMMAND_MASTER) == vpci__bus_master(&dev));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!vf) {
		CHECK(e82576_pci__init(&nic, 1, 0, 1) == 0);
		vf = &nic.vf[0][2];
	}
	pci_func__reset_config(vf);
	msix_enable = msix_masked = false;
	CHECK(vpci__init(&dev, &cfg, &phys_ops, NULL, &msix_ops, NULL) == 0);
	for (; size >= 8; data += 8, size -= 8) {
		unsigned off = pick_off(data[1], data[2]), sz = data[3] & 7;
		struct vpci_stats before = *vpci__stats(&dev);
		bool ok = (sz == 1 || sz == 2 || sz == 4) && off < PCI_CFG_SIZE &&
			  !(off & (sz - 1));
		uint32_t val, v = 0;
		int rc;

		memcpy(&val, data + 4, 4);
		if (data[0] & 1) {
			rc = vpci__write(&dev, off, sz, val);
		} else {
			rc = vpci__read(&dev, off, sz, &v);
			CHECK(rc || sz == 4 || v < 1u << (8 * sz));
		}
		CHECK(ok ? rc == 0 : rc == -EINVAL && (data[0] & 1 || v == ~0u));
		CHECK(vpci__stats(&dev)->bad_accesses == before.bad_accesses + !ok);
		check_invariants();
	}
	return 0;
}
