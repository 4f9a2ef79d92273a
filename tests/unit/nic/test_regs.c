/*
 * The 82576 model at register level, driven the way the igb and igbvf drivers drive it:
 * decode rules, the NVM, the VF's view of PF state, the mailbox handshake, interrupts with
 * MSI-X masking and EITR moderation, and resets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/iommu/iommu.h"
#include "hw/mem/memory.h"
#include "hw/nic/e82576.h"
#include "hw/nic/regs.h"

struct msi_rec {
	uint16_t rid;
	uint64_t addr;
	uint32_t data;
};

static struct {
	struct machine_mem mem;
	struct iommu *iommu;
	struct e82576 *nic;
	struct msi_rec msi[64];
	unsigned nmsi;
	uint64_t now;
} t;

static void on_msi(void *opaque, uint16_t rid, uint64_t addr, uint32_t data)
{
	if (t.nmsi < 64)
		t.msi[t.nmsi] = (struct msi_rec){rid, addr, data};
	t.nmsi++;
}

static uint64_t fake_now(void)
{
	return t.now;
}

static struct pci_func *pf(void)
{
	return &e82576__pci(t.nic)->pf[0];
}

static struct pci_func *vf(unsigned n)
{
	return &e82576__pci(t.nic)->vf[0][n];
}

static uint32_t cfg(struct pci_func *f, unsigned off, unsigned size)
{
	uint32_t v;

	assert_int_equal(pci_func__cfg_read(f, off, size, &v), 0);
	return v;
}

static void setcfg(struct pci_func *f, unsigned off, unsigned size, uint32_t v)
{
	assert_int_equal(pci_func__cfg_write(f, off, size, v), 0);
}

static uint32_t rd(struct pci_func *f, uint32_t off)
{
	return e82576__rd32(t.nic, f, off);
}

static void wr(struct pci_func *f, uint32_t off, uint32_t v)
{
	e82576__wr32(t.nic, f, off, v);
}

/* What a PF driver does before touching the device, then SR-IOV with n VFs. */
static void bring_up(unsigned nvfs)
{
	setcfg(pf(), PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (!nvfs)
		return;
	setcfg(pf(), E82576_ECAP_SRIOV + PCI_SRIOV_NUM_VF, 2, nvfs);
	setcfg(pf(), E82576_ECAP_SRIOV + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	for (unsigned i = 0; i < nvfs; i++)
		setcfg(vf(i), PCI_COMMAND, 2, PCI_COMMAND_MASTER);
}

static void msix_entry(struct pci_func *f, unsigned v, uint64_t addr, uint32_t data, bool masked)
{
	uint64_t val;

	val = addr & 0xffffffff;
	assert_int_equal(e82576__mmio(t.nic, f, 3, 16 * v, 4, true, &val), 0);
	val = addr >> 32;
	assert_int_equal(e82576__mmio(t.nic, f, 3, 16 * v + 4, 4, true, &val), 0);
	val = data;
	assert_int_equal(e82576__mmio(t.nic, f, 3, 16 * v + 8, 4, true, &val), 0);
	val = masked;
	assert_int_equal(e82576__mmio(t.nic, f, 3, 16 * v + 12, 4, true, &val), 0);
}

static void msix_enable(struct pci_func *f)
{
	setcfg(f, E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
}

static int setup(void **state)
{
	struct e82576_config c = {.bus = 1, .dev = 0, .msi = on_msi, .now_ns = fake_now,
				  .mac = {{0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c},
					  {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0d}}};

	memset(&t, 0, sizeof(t));
	t.now = 1000000000;
	mem__init(&t.mem);
	if (iommu__create(&t.iommu, &t.mem, NULL))
		return -1;
	c.iommu = t.iommu;
	return e82576__create(&t.nic, &c);
}

static int teardown(void **state)
{
	e82576__destroy(t.nic);
	iommu__destroy(t.iommu);
	mem__fini(&t.mem);
	return 0;
}

static void test_decode_needs_memory_enable(void **state)
{
	uint64_t v = 0;

	/* Command.MEM clear: the PF answers nothing, reads are all ones. */
	assert_int_equal(e82576__mmio(t.nic, pf(), 0, E1000_STATUS, 4, false, &v), -EIO);
	assert_int_equal(v, 0xffffffff);
	/* A VF that is not enabled does not decode either. */
	assert_int_equal(e82576__mmio(t.nic, vf(0), 0, E1000_VF_STATUS, 4, false, &v), -EIO);
	bring_up(0);
	assert_int_equal(e82576__mmio(t.nic, pf(), 0, E1000_STATUS, 4, false, &v), 0);
	assert_true(v & E1000_STATUS_LU);
	/* CSRs are dwords: other sizes, unaligned or out-of-BAR accesses are refused. */
	assert_int_equal(e82576__mmio(t.nic, pf(), 0, E1000_STATUS, 2, false, &v), -EINVAL);
	assert_int_equal(e82576__mmio(t.nic, pf(), 0, E1000_STATUS + 1, 4, false, &v), -EINVAL);
	assert_int_equal(e82576__mmio(t.nic, pf(), 0, E1000_MMIO_SIZE, 4, false, &v), -EINVAL);
	assert_int_equal(e82576__mmio(t.nic, pf(), 1, 0, 4, false, &v), -EINVAL);
}

static void test_unknown_registers_read_zero_and_count(void **state)
{
	struct e82576_port_stats st;

	bring_up(0);
	wr(pf(), 0x7ff0, 0xdeadbeef);
	assert_int_equal(rd(pf(), 0x7ff0), 0);
	e82576__port_stats(t.nic, 0, &st);
	assert_int_equal(st.ignored_writes, 1);
	assert_int_equal(st.unknown_reads, 1);
}

static void test_nvm_holds_the_mac(void **state)
{
	uint8_t mac[6];

	bring_up(0);
	for (unsigned w = 0; w < 3; w++) {
		uint32_t v;

		wr(pf(), E1000_EERD, w << E1000_NVM_RW_ADDR_SHIFT | E1000_NVM_RW_REG_START);
		v = rd(pf(), E1000_EERD);
		assert_true(v & E1000_NVM_RW_REG_DONE);
		mac[2 * w] = (uint8_t)(v >> 16);
		mac[2 * w + 1] = (uint8_t)(v >> 24);
	}
	assert_memory_equal(mac, ((uint8_t[]){0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c}), 6);
	/* igb refuses a port whose NVM words 0..0x3F do not sum to 0xBABA. */
	uint16_t sum = 0;

	for (unsigned w = 0; w <= 0x3f; w++) {
		wr(pf(), E1000_EERD, w << E1000_NVM_RW_ADDR_SHIFT | E1000_NVM_RW_REG_START);
		sum = (uint16_t)(sum + (rd(pf(), E1000_EERD) >> E1000_NVM_RW_REG_DATA));
	}
	assert_int_equal(sum, 0xbaba);
}

static void test_io_window_reaches_registers(void **state)
{
	uint64_t v = E1000_STATUS;

	bring_up(0);
	setcfg(pf(), PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_int_equal(e82576__mmio(t.nic, pf(), 2, 0, 4, true, &v), 0);
	assert_int_equal(e82576__mmio(t.nic, pf(), 2, 4, 4, false, &v), 0);
	assert_int_equal(v, rd(pf(), E1000_STATUS));
}

static void test_vf_registers_are_views_of_the_pf(void **state)
{
	bring_up(4);
	assert_int_equal(rd(vf(2), E1000_VF_STATUS) & E1000_STATUS_LU, E1000_STATUS_LU);
	/* VF 2's queue 0 is PF queue 2, its queue 1 is PF queue 10. */
	wr(vf(2), E1000_VF_RXQ(0) + E1000_QR_BAL, 0x12345680);
	wr(vf(2), E1000_VF_TXQ(1) + E1000_QR_LEN, 0x4000);
	assert_int_equal(rd(pf(), E1000_RDBAL(2)), 0x12345680);
	assert_int_equal(rd(pf(), E1000_TDLEN(10)), 0x4000);
	assert_int_equal(rd(vf(2), E1000_VF_RXQ(0) + E1000_QR_BAL), 0x12345680);
	/* Ring lengths are multiples of 128 bytes; the base is 128-byte aligned. */
	wr(vf(1), E1000_VF_RXQ(0) + E1000_QR_LEN, 0x1234);
	assert_int_equal(rd(pf(), E1000_RDLEN(1)), 0x1200);
	/* The VF cannot write what the PF owns. */
	wr(vf(1), E1000_VF_STATUS, 0);
	assert_true(rd(pf(), E1000_STATUS) & E1000_STATUS_LU);
	/* PF queues 0-3 also answer at the low aliases. */
	wr(pf(), 0x2800 + 0x100 * 3, 0xabc00000);
	assert_int_equal(rd(pf(), E1000_RDBAL(3)), 0xabc00000);
}

static uint32_t vf_mbx(unsigned n)
{
	return rd(vf(n), E1000_VF_V2PMAILBOX);
}

static void test_mailbox_reset_handshake(void **state)
{
	uint32_t v, cached = 0;

	bring_up(2);
	/* Until the PF driver says it is done, every VF sees a PF reset in progress. */
	assert_true(vf_mbx(1) & E1000_V2PMAILBOX_RSTI);
	wr(pf(), E1000_CTRL_EXT, E1000_CTRL_EXT_PFRSTD);
	v = vf_mbx(1);
	assert_false(v & E1000_V2PMAILBOX_RSTI);
	assert_true(v & E1000_V2PMAILBOX_RSTD);
	assert_false(vf_mbx(1) & E1000_V2PMAILBOX_RSTD); /* read to clear */

	/* igbvf: CTRL.RST, then post VF_RESET under the lock. */
	wr(vf(1), E1000_VF_CTRL, E1000_CTRL_RST);
	assert_int_equal(rd(pf(), E1000_VFLRE), 1u << 1);
	wr(pf(), E1000_VFLRE, 1u << 1);
	assert_int_equal(rd(pf(), E1000_VFLRE), 0);
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
	assert_true(vf_mbx(1) & E1000_V2PMAILBOX_VFU);
	wr(vf(1), E1000_VF_VMBMEM, 0x00000001);
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_REQ);
	assert_int_equal(rd(pf(), E1000_MBVFICR), 1u << 1);
	assert_true(rd(pf(), E1000_ICR) & E1000_ICR_VMMB);

	/* igb: clear the event, lock, read, ACK while keeping the lock. */
	wr(pf(), E1000_MBVFICR, 1u << 1);
	wr(pf(), E1000_P2VMAILBOX(1), E1000_P2VMAILBOX_PFU);
	assert_int_equal(rd(pf(), E1000_P2VMAILBOX(1)), E1000_P2VMAILBOX_PFU);
	assert_int_equal(rd(pf(), E1000_VMBMEM(1)), 1);
	wr(pf(), E1000_P2VMAILBOX(1), E1000_P2VMAILBOX_ACK | E1000_P2VMAILBOX_PFU);
	cached |= vf_mbx(1);
	assert_true(cached & E1000_V2PMAILBOX_PFACK);
	assert_true(cached & E1000_V2PMAILBOX_PFU);
	/* While the PF holds the buffer the VF can neither lock it nor write it. */
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
	assert_false(vf_mbx(1) & E1000_V2PMAILBOX_VFU);
	wr(vf(1), E1000_VF_VMBMEM, 0xbad);
	assert_int_equal(rd(pf(), E1000_VMBMEM(1)), 1);
	/* Reply: RESET | ACK with the MAC, then STS (which also releases the lock). */
	wr(pf(), E1000_VMBMEM(1), 0x80000001);
	wr(pf(), E1000_VMBMEM(1) + 4, 0x0a211b00);
	wr(pf(), E1000_VMBMEM(1) + 8, 0x0000010b);
	wr(pf(), E1000_P2VMAILBOX(1), E1000_P2VMAILBOX_STS);
	v = vf_mbx(1);
	assert_true(v & E1000_V2PMAILBOX_PFSTS);
	assert_false(v & E1000_V2PMAILBOX_PFU);
	assert_false(vf_mbx(1) & E1000_V2PMAILBOX_PFSTS);
	/* The VF reads the reply under its lock and acknowledges it. */
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
	assert_int_equal(rd(vf(1), E1000_VF_VMBMEM), 0x80000001);
	assert_int_equal(rd(vf(1), E1000_VF_VMBMEM + 4), 0x0a211b00);
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_ACK);
	assert_int_equal(rd(pf(), E1000_MBVFICR), E1000_MBVFICR_VFACK_VF1 << 1);
	assert_false(vf_mbx(1) & E1000_V2PMAILBOX_VFU);
	/* VF 0's mailbox saw none of it. */
	assert_int_equal(rd(vf(0), E1000_VF_VMBMEM), 0);
}

static void test_rvfu_frees_a_stuck_vf_lock(void **state)
{
	bring_up(1);
	wr(vf(0), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_VFU | E1000_V2PMAILBOX_REQ);
	assert_int_equal(rd(pf(), E1000_P2VMAILBOX(0)), E1000_P2VMAILBOX_VFU);
	wr(pf(), E1000_P2VMAILBOX(0), E1000_P2VMAILBOX_PFU);
	assert_int_equal(rd(pf(), E1000_P2VMAILBOX(0)), E1000_P2VMAILBOX_VFU);
	wr(pf(), E1000_P2VMAILBOX(0), E1000_P2VMAILBOX_RVFU | E1000_P2VMAILBOX_PFU);
	assert_int_equal(rd(pf(), E1000_P2VMAILBOX(0)), E1000_P2VMAILBOX_PFU);
	assert_int_equal(rd(pf(), E1000_MBVFICR), 0);
}

/* PF in MSI-X mode as igb programs it: other causes on vector 0, auto-clear. */
static void pf_msix_setup(void)
{
	msix_enable(pf());
	msix_entry(pf(), 0, 0xfee00000, 0x41, false);
	wr(pf(), E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME |
				     E1000_GPIE_NSICR);
	wr(pf(), E1000_IVAR_MISC, (0 | E1000_IVAR_VALID) << 8);
	wr(pf(), E1000_EIAC, 1);
	wr(pf(), E1000_EIAM, 1);
	wr(pf(), E1000_IMS, E1000_ICR_VMMB);
	wr(pf(), E1000_EIMS, 1);
}

static void test_vf_request_interrupts_the_pf(void **state)
{
	bring_up(3);
	pf_msix_setup();
	assert_int_equal(t.nmsi, 0);
	wr(vf(2), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_REQ);
	assert_int_equal(t.nmsi, 1);
	assert_int_equal(t.msi[0].rid, pf()->rid);
	assert_int_equal(t.msi[0].addr, 0xfee00000);
	assert_int_equal(t.msi[0].data, 0x41);
	/* Auto-masked (EIAM): nothing more until the driver re-enables the vector. */
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_REQ);
	assert_int_equal(t.nmsi, 1);
	assert_int_equal(rd(pf(), E1000_MBVFICR), (1u << 2) | (1u << 1));
	/* The cause waited in EICR: re-enabling the vector delivers it (igb_msix_other). */
	(void)rd(pf(), E1000_ICR);
	wr(pf(), E1000_EIMS, 1);
	assert_int_equal(t.nmsi, 2);
	/* MBVFIMR masks a VF's mailbox events; the request is still recorded. */
	wr(pf(), E1000_MBVFICR, 0xff);
	wr(pf(), E1000_MBVFIMR, 0xff & ~(1u << 0));
	wr(pf(), E1000_EIMS, 1);
	wr(vf(0), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_REQ);
	assert_int_equal(t.nmsi, 2);
	assert_int_equal(rd(pf(), E1000_MBVFICR), 1);
}

static void test_masked_vector_is_pending_until_unmasked(void **state)
{
	uint64_t pba = 0, ctrl = 0;

	bring_up(0);
	pf_msix_setup();
	msix_entry(pf(), 0, 0xfee00000, 0x41, true);
	wr(pf(), E1000_EICS, 1);
	assert_int_equal(t.nmsi, 0);
	assert_int_equal(e82576__mmio(t.nic, pf(), 3, E82576_MSIX_PBA_OFFSET, 8, false, &pba), 0);
	assert_int_equal(pba, 1);
	assert_int_equal(e82576__mmio(t.nic, pf(), 3, 12, 4, true, &ctrl), 0);
	assert_int_equal(t.nmsi, 1);
	assert_int_equal(e82576__mmio(t.nic, pf(), 3, E82576_MSIX_PBA_OFFSET, 8, false, &pba), 0);
	assert_int_equal(pba, 0);
	/* The function mask in config space holds everything back too. */
	wr(pf(), E1000_EIMS, 1);
	setcfg(pf(), E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2,
	       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	wr(pf(), E1000_EICS, 1);
	assert_int_equal(t.nmsi, 1);
	setcfg(pf(), E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(t.nmsi, 2);
	/* The PBA is read-only. */
	pba = ~0ull;
	assert_int_equal(e82576__mmio(t.nic, pf(), 3, E82576_MSIX_PBA_OFFSET, 8, true, &pba), 0);
	assert_int_equal(e82576__mmio(t.nic, pf(), 3, E82576_MSIX_PBA_OFFSET, 8, false, &pba), 0);
	assert_int_equal(pba, 0);
}

static void test_eitr_moderates(void **state)
{
	bring_up(0);
	pf_msix_setup();
	wr(pf(), E1000_EIAM, 0); /* no auto-mask: only EITR holds it back */
	wr(pf(), E1000_EITR(0), 648); /* ~162 us between interrupts */
	wr(pf(), E1000_EICS, 1);
	assert_int_equal(t.nmsi, 1);
	t.now += 10000;
	wr(pf(), E1000_EICS, 1);
	assert_int_equal(t.nmsi, 1);
	assert_int_equal(e82576__next_deadline(t.nic, 0), t.now - 10000 + 162000);
	t.now += 100000;
	e82576__run_timers(t.nic, 0);
	assert_int_equal(t.nmsi, 1);
	t.now += 52000;
	e82576__run_timers(t.nic, 0);
	assert_int_equal(t.nmsi, 2);
	assert_int_equal(e82576__next_deadline(t.nic, 0), UINT64_MAX);
}

static void test_pf_mailbox_reply_interrupts_the_vf(void **state)
{
	bring_up(2);
	msix_enable(vf(1));
	msix_entry(vf(1), 2, 0xfee01000, 0x22, false);
	wr(vf(1), E1000_VF_IVAR_MISC, 2 | E1000_IVAR_VALID);
	wr(vf(1), E1000_VF_EIAC, 7);
	wr(vf(1), E1000_VF_EIAM, 7);
	wr(vf(1), E1000_VF_EIMS, 7);
	wr(pf(), E1000_P2VMAILBOX(1), E1000_P2VMAILBOX_STS);
	assert_int_equal(t.nmsi, 1);
	assert_int_equal(t.msi[0].rid, vf(1)->rid);
	assert_int_equal(t.msi[0].data, 0x22);
	/* Auto-masked; the igbvf handler re-enables vector 2 through EIMS. */
	assert_int_equal(rd(vf(1), E1000_VF_EIMS), 3);
	wr(pf(), E1000_P2VMAILBOX(1), E1000_P2VMAILBOX_ACK);
	assert_int_equal(t.nmsi, 1);
	wr(vf(1), E1000_VF_EIMS, 4);
	assert_int_equal(t.nmsi, 2);
	/* Bus Master off: the VF cannot send; the vector stays pending. */
	setcfg(vf(1), PCI_COMMAND, 2, 0);
	wr(vf(1), E1000_VF_EICS, 4);
	wr(vf(1), E1000_VF_EIMS, 4);
	assert_int_equal(t.nmsi, 2);
	setcfg(vf(1), PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_int_equal(t.nmsi, 3);
}

static void test_vf_flr_forgets_everything(void **state)
{
	bring_up(2);
	wr(pf(), E1000_VFRE, 3);
	wr(vf(0), E1000_VF_RXQ(0) + E1000_QR_BAL, 0x10000);
	wr(vf(0), E1000_VF_RXQ(0) + E1000_QR_DCTL, E1000_RXDCTL_QUEUE_ENABLE);
	wr(vf(0), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
	wr(vf(0), E1000_VF_VMBMEM, 0x1234);
	wr(vf(0), E1000_VF_EIMS, 7);
	setcfg(vf(0), E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(cfg(vf(0), PCI_COMMAND, 2), 0);
	assert_int_equal(rd(pf(), E1000_RDBAL(0)), 0);
	assert_int_equal(rd(pf(), E1000_RXDCTL(0)), 0);
	assert_int_equal(rd(pf(), E1000_VMBMEM(0)), 0);
	assert_int_equal(rd(pf(), E1000_VFLRE), 1);
	assert_int_equal(rd(pf(), E1000_VFRE), 2);
	setcfg(vf(0), PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_int_equal(rd(vf(0), E1000_VF_EIMS), 0);
	assert_false(vf_mbx(0) & E1000_V2PMAILBOX_VFU);
}

static void test_pf_reset_signals_every_vf(void **state)
{
	bring_up(3);
	wr(pf(), E1000_CTRL_EXT, E1000_CTRL_EXT_PFRSTD);
	(void)vf_mbx(0);
	wr(pf(), E1000_RAL(0), 0x12345678);
	wr(pf(), E1000_CTRL, rd(pf(), E1000_CTRL) | E1000_CTRL_RST);
	assert_int_equal(rd(pf(), E1000_RAL(0)), 0);
	assert_int_equal(rd(pf(), E1000_CTRL) & E1000_CTRL_RST, 0);
	for (unsigned i = 0; i < 3; i++)
		assert_true(vf_mbx(i) & E1000_V2PMAILBOX_RSTI);
	wr(pf(), E1000_CTRL_EXT, E1000_CTRL_EXT_PFRSTD);
	assert_true(vf_mbx(2) & E1000_V2PMAILBOX_RSTD);
}

static void test_vf_enable_starts_clean(void **state)
{
	uint64_t v = 0;

	bring_up(2);
	msix_entry(vf(1), 0, 0xfee02000, 0x33, false);
	wr(vf(1), E1000_VF_TXQ(0) + E1000_QR_BAL, 0x20000);
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
	wr(vf(1), E1000_VF_VMBMEM, 0x55);
	/* SR-IOV off and on again: the next owner of VF 1 finds nothing of this one. */
	setcfg(pf(), E82576_ECAP_SRIOV + PCI_SRIOV_CTRL, 2, 0);
	setcfg(pf(), E82576_ECAP_SRIOV + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	assert_int_equal(rd(vf(1), E1000_VF_TXQ(0) + E1000_QR_BAL), 0);
	assert_int_equal(rd(pf(), E1000_VMBMEM(1)), 0);
	assert_false(vf_mbx(1) & E1000_V2PMAILBOX_VFU);
	assert_int_equal(e82576__mmio(t.nic, vf(1), 3, 0, 4, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(e82576__mmio(t.nic, vf(1), 3, 12, 4, false, &v), 0);
	assert_int_equal(v, 1); /* masked, as out of reset */
	/* And no VF reset was reported for it: nothing was reset by a driver. */
	assert_int_equal(rd(pf(), E1000_VFLRE), 0);
}

static void test_vf_ctrl_rst_keeps_its_msix_table(void **state)
{
	uint64_t v = 0;

	/* igbvf resets the VF (CTRL.RST) on open and after a PF reset without rewriting its
	 * MSI-X table: the table is PCI state, only an FLR resets it. */
	bring_up(1);
	msix_enable(vf(0));
	msix_entry(vf(0), 2, 0xfee01000, 0x22, false);
	wr(vf(0), E1000_VF_CTRL, E1000_CTRL_RST);
	assert_int_equal(e82576__mmio(t.nic, vf(0), 3, 32, 4, false, &v), 0);
	assert_int_equal(v, 0xfee01000);
	wr(vf(0), E1000_VF_IVAR_MISC, 2 | E1000_IVAR_VALID);
	wr(vf(0), E1000_VF_EIMS, 7);
	wr(pf(), E1000_P2VMAILBOX(0), E1000_P2VMAILBOX_STS);
	assert_int_equal(t.nmsi, 1);
	/* An FLR does reset it. */
	setcfg(vf(0), E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	setcfg(vf(0), PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_int_equal(e82576__mmio(t.nic, vf(0), 3, 32, 4, false, &v), 0);
	assert_int_equal(v, 0);
}

static void test_vf_reset_forgets_psrtype_and_keeps_pf_lock(void **state)
{
	bring_up(2);
	wr(vf(1), E1000_VF_PSRTYPE, 0x1234);
	assert_int_equal(rd(pf(), E1000_PSRTYPE(1)), 0x1234);
	wr(pf(), E1000_P2VMAILBOX(1), E1000_P2VMAILBOX_PFU);
	wr(vf(1), E1000_VF_CTRL, E1000_CTRL_RST);
	assert_int_equal(rd(pf(), E1000_PSRTYPE(1)), 0);
	/* The PF was writing a reply: it still holds the buffer. */
	assert_int_equal(rd(pf(), E1000_P2VMAILBOX(1)), E1000_P2VMAILBOX_PFU);
	wr(pf(), E1000_VMBMEM(1), 0x42);
	assert_int_equal(rd(pf(), E1000_VMBMEM(1)), 0x42);
}

static void test_vf_enable_leaves_pf_queues_alone(void **state)
{
	bring_up(2);
	/* With 2 VFs, queue 2 is the PF's (reg_idx = num_vfs + ...). */
	wr(pf(), E1000_RDBAL(2), 0x40000);
	wr(pf(), E1000_RXDCTL(2), E1000_RXDCTL_QUEUE_ENABLE);
	setcfg(pf(), E82576_ECAP_SRIOV + PCI_SRIOV_CTRL, 2, 0);
	assert_int_equal(rd(pf(), E1000_RDBAL(2)), 0x40000);
	assert_int_equal(rd(pf(), E1000_RXDCTL(2)), E1000_RXDCTL_QUEUE_ENABLE);
}

static void test_icr_asserts_only_with_a_cause(void **state)
{
	bring_up(1);
	(void)rd(pf(), E1000_ICR);
	wr(pf(), E1000_IMS, E1000_ICR_LSC);
	assert_int_equal(rd(pf(), E1000_ICR), 0);
	wr(pf(), E1000_ICS, E1000_ICR_LSC);
	assert_int_equal(rd(pf(), E1000_ICR), E1000_ICR_LSC | E1000_ICR_INT_ASSERTED);
}

static void test_mbvfimr_unmask_raises_latched_events(void **state)
{
	bring_up(2);
	wr(pf(), E1000_MBVFIMR, 0);
	wr(pf(), E1000_IMS, E1000_ICR_VMMB);
	(void)rd(pf(), E1000_ICR);
	wr(vf(1), E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_REQ);
	assert_false(rd(pf(), E1000_ICR) & E1000_ICR_VMMB);
	wr(pf(), E1000_MBVFIMR, 0xff);
	assert_true(rd(pf(), E1000_ICR) & E1000_ICR_VMMB);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_decode_needs_memory_enable),
		T(test_unknown_registers_read_zero_and_count),
		T(test_nvm_holds_the_mac),
		T(test_io_window_reaches_registers),
		T(test_vf_registers_are_views_of_the_pf),
		T(test_mailbox_reset_handshake),
		T(test_rvfu_frees_a_stuck_vf_lock),
		T(test_vf_request_interrupts_the_pf),
		T(test_masked_vector_is_pending_until_unmasked),
		T(test_eitr_moderates),
		T(test_pf_mailbox_reply_interrupts_the_vf),
		T(test_vf_flr_forgets_everything),
		T(test_pf_reset_signals_every_vf),
		T(test_vf_enable_starts_clean),
		T(test_vf_ctrl_rst_keeps_its_msix_table),
		T(test_vf_reset_forgets_psrtype_and_keeps_pf_lock),
		T(test_vf_enable_leaves_pf_queues_alone),
		T(test_icr_asserts_only_with_a_cause),
		T(test_mbvfimr_unmask_raises_latched_events),
	};

	return cmocka_run_group_tests_name("nic_regs", tests, NULL, NULL);
}
