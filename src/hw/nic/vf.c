/*
 * A VF's BAR0 is a window onto its PF's per-pool state (82576.md section 3): VF n's queue 0 is PF
 * queue n and its queue 1 is PF queue n + 8; its mailbox is the PF's VMBMEM(n)/V2PMAILBOX(n); its
 * interrupt and statistics registers are the per-VF mirrors at PF 0x10000 + 0x100 n. The VF owns
 * no state of its own, as in QEMU's igbvf.
 */
#include "hw/nic/nic.h"

static bool in(uint32_t off, uint32_t base, uint32_t len)
{
	return off >= base && off < base + len;
}

/* The PF register a plain VF register stands for, or 0 when there is none. */
static uint32_t to_pf(unsigned vf, uint32_t off)
{
	switch (off) {
	case E1000_VF_STATUS:
		return E1000_STATUS;
	case E1000_VF_FRTIMER:
		return E1000_FRTIMER;
	case E1000_VF_PSRTYPE:
		return E1000_PSRTYPE(vf);
	case E1000_VF_VFGPRC:
		return E1000_PVFGPRC(vf);
	case E1000_VF_VFGPTC:
		return E1000_PVFGPTC(vf);
	case E1000_VF_VFGORC:
		return E1000_PVFGORC(vf);
	case E1000_VF_VFGOTC:
		return E1000_PVFGOTC(vf);
	case E1000_VF_VFMPRC:
		return E1000_PVFMPRC(vf);
	case E1000_VF_VFGPRLBC:
		return E1000_PVFGPRLBC(vf);
	case E1000_VF_VFGPTLBC:
		return E1000_PVFGPTLBC(vf);
	case E1000_VF_VFGORLBC:
		return E1000_PVFGORLBC(vf);
	case E1000_VF_VFGOTLBC:
		return E1000_PVFGOTLBC(vf);
	}
	for (unsigned q = 0; q < 2; q++) {
		if (in(off, E1000_VF_RXQ(q), 0x40))
			return E1000_RXQ(vf + 8 * q) + (off - E1000_VF_RXQ(q));
		if (in(off, E1000_VF_TXQ(q), 0x40))
			return E1000_TXQ(vf + 8 * q) + (off - E1000_VF_TXQ(q));
	}
	return 0;
}

static bool is_intr(uint32_t off)
{
	return in(off, E1000_VF_EICS, 0x14) || off == E1000_VF_EICR ||
	       in(off, E1000_VF_EITR(0), 12) || off == E1000_VF_IVAR0 ||
	       off == E1000_VF_IVAR_MISC;
}

static bool is_mbx(uint32_t off)
{
	return in(off, E1000_VF_VMBMEM, 4 * E1000_VFMAILBOX_SIZE) || off == E1000_VF_V2PMAILBOX;
}

uint32_t nic_vf__read(struct nic_port *p, unsigned vf, uint32_t off)
{
	uint32_t pf;

	if (off == E1000_VF_CTRL)
		return nic_get(p, E1000_PVTCTRL(vf));
	if (is_intr(off))
		return nic_intr__vf_rd(p, vf, off);
	if (is_mbx(off))
		return nic_mbx__vf_rd(p, vf, off);
	pf = to_pf(vf, off);
	if (pf >= E1000_RXQ_BASE && pf < E1000_TXQ(E1000_NUM_QUEUES))
		return nic_queue__rd(p, pf >> 2);
	if (pf)
		return nic_get(p, pf);
	nic_stat_inc(&p->stats.unknown_reads);
	return 0;
}

void nic_vf__write(struct nic_port *p, unsigned vf, uint32_t off, uint32_t val)
{
	uint32_t pf;

	if (off == E1000_VF_CTRL) {
		/* Only RST does anything, and it clears itself (82576.md section 3). */
		if (val & E1000_CTRL_RST)
			nic_reset__vf(p, vf);
		return;
	}
	if (is_intr(off)) {
		nic_intr__vf_wr(p, vf, off, val);
		return;
	}
	if (is_mbx(off)) {
		nic_mbx__vf_wr(p, vf, off, val);
		return;
	}
	if (off == E1000_VF_PSRTYPE) {
		nic_set(p, E1000_PSRTYPE(vf), val);
		return;
	}
	pf = to_pf(vf, off);
	if (pf >= E1000_RXQ_BASE && pf < E1000_TXQ(E1000_NUM_QUEUES)) {
		nic_queue__wr(p, pf >> 2, val);
		return;
	}
	/* STATUS, FRTIMER and the statistics are read-only for the VF. */
	nic_stat_inc(&p->stats.ignored_writes);
}
