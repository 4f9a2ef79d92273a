/*
 * Fuzz target: random config-space accesses of any offset, size and value, to any routing ID,
 * against the machine's PCI hierarchy. After every access the invariants of the hardware must
 * hold: identity registers read as built, a VF's IDs read 0xFFFF, TotalVFs and the SR-IOV layout
 * stay valid, NumVFs does not change while VFs are enabled, and every enabled VF answers at the
 * routing ID its PF's capability gives it.
 *
 * Input: a sequence of 9-byte records {op, target, off_lo, off_hi, size, value[4]}.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/machine.h"
#include "hw/pci/sriov.h"

static struct machine *m;

/* A machine straight from firmware: built once, then reset between inputs (as fast as it is
 * faithful: a platform reset is what a power cycle does to config space). */
static int fresh(void)
{
	if (!m)
		return machine__create(&m, NULL);
	machine__reset(m);
	return 0;
}

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static uint16_t pick_rid(uint8_t t)
{
	static const uint16_t fixed[] = {0x0000, 0x0008, 0x0100, 0x0101, 0x0180, 0x0181,
					 0x0182, 0x018f, 0x0280, 0x0281, 0x028e, 0x0300};

	return t < 128 ? fixed[t % (sizeof(fixed) / sizeof(fixed[0]))] : (uint16_t)(t << 4 | t >> 4);
}

static unsigned pick_off(uint8_t lo, uint8_t hi)
{
	/* Half the time aim at the interesting structures, else anywhere (even out of range). */
	switch (hi & 0x7) {
	case 0:
		return E82576_ECAP_SRIOV + (lo & 0x3f);
	case 1:
		return E82576_CAP_PCIE + (lo & 0x3f);
	case 2:
		return lo & 0x3f;
	case 3:
		return E82576_CAP_MSIX + (lo & 0xf);
	default:
		return (unsigned)(hi >> 3) << 8 | lo;
	}
}

static void check_invariants(void)
{
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		struct pci_func *pf = &m->nicfn->pf[p];
		struct pci_sriov *s = pf->sriov;
		uint16_t ctrl = (uint16_t)pci_func__get(pf, s->cap + PCI_SRIOV_CTRL, 2);
		unsigned off = pci_sriov__offset(pf), stride = pci_sriov__stride(pf);

		CHECK(pci_func__get(pf, PCI_VENDOR_ID, 4) == 0x10c98086);
		CHECK(pci_func__get(pf, PCI_CLASS_REVISION, 4) == 0x02000001);
		CHECK(pci_func__get(pf, s->cap + PCI_SRIOV_TOTAL_VF, 2) == 8);
		CHECK(pci_func__get(pf, s->cap + PCI_SRIOV_VF_DID, 2) == 0x10ca);
		CHECK(stride == 2 && (off == 384 || off == 128));
		CHECK((off == 128) == pci_sriov__ari(pf));
		CHECK(__builtin_popcount(pci_func__get(pf, s->cap + PCI_SRIOV_SYS_PGSIZE, 4)) == 1);
		if (!(ctrl & PCI_SRIOV_CTRL_VFE)) {
			CHECK(s->enabled == 0);
		} else {
			CHECK(s->enabled == (pci_sriov__num_vfs(pf) < 8 ? pci_sriov__num_vfs(pf) : 8));
		}
		for (unsigned i = 0; i < s->total; i++) {
			struct pci_func *vf = &s->vfs[i];

			CHECK(vf->present == (i < s->enabled));
			CHECK(pci_func__get(vf, PCI_VENDOR_ID, 4) == 0xffffffff);
			for (unsigned b = 0; b < 6; b++)
				CHECK(pci_func__get(vf, PCI_BASE_ADDRESS_0 + 4 * b, 4) == 0);
			CHECK((pci_func__get(vf, PCI_COMMAND, 2) & 3) == 0);
			if (vf->present) {
				CHECK(vf->rid == pf->rid + off + i * stride);
				CHECK(pci_sriov__vf_by_rid(pf, vf->rid) == vf);
			}
		}
	}
	CHECK(pci_func__get(&m->root_port, PCI_HEADER_TYPE, 1) == PCI_HEADER_TYPE_BRIDGE);
	CHECK(pci_func__get(&m->host_bridge, PCI_VENDOR_ID, 2) == 0x8086);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fresh())
		abort();
	for (; size >= 9; data += 9, size -= 9) {
		uint16_t rid = pick_rid(data[1]);
		unsigned off = pick_off(data[2], data[3]);
		unsigned sz = data[4] & 7;
		uint32_t val;
		struct pci_func *pf = &m->nicfn->pf[data[1] & 1];

		memcpy(&val, data + 5, 4);
		if (data[0] & 1) {
			unsigned before = pci_sriov__num_vfs(pf);
			bool vfe = pf->sriov->enabled || (pci_func__get(pf, pf->sriov->cap + PCI_SRIOV_CTRL, 2) &
							  PCI_SRIOV_CTRL_VFE);

			pci_topo__cfg_write(&m->pci, rid, off, sz, val);
			/* NumVFs may only change while VF Enable is clear (or through a PF FLR). */
			if (vfe && pci_sriov__num_vfs(pf) != before)
				CHECK(pci_func__get(pf, pf->sriov->cap + PCI_SRIOV_CTRL, 2) == 0 &&
				      pci_sriov__num_vfs(pf) == 0);
		} else {
			uint32_t v;
			int rc = pci_topo__cfg_read(&m->pci, rid, off, sz, &v);

			/* A master abort reads all ones of the access size; a bad access all ones. */
			if (rc == -ENODEV)
				CHECK(v == (sz == 4 ? 0xffffffffu : (1u << (8 * sz)) - 1));
			else if (rc)
				CHECK(rc == -EINVAL && v == 0xffffffffu);
		}
		check_invariants();
	}
	return 0;
}
