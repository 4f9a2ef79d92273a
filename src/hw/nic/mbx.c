/*
 * The PF/VF mailbox (mailbox.md sections 1-2): a 16-dword buffer per VF, lock bits that are
 * levels (VFU, PFU: a write without its lock bit releases it), event bits that are pulses (REQ,
 * ACK, STS) and status bits that clear when the VF reads them (PFSTS, PFACK, RSTD).
 *
 * The VF-visible state lives in the PF's V2PMAILBOX(n) register; P2VMAILBOX(n) is computed from
 * it. Writes to the buffer take effect only for the side that holds the lock (vfnet enforces the
 * protocol the drivers follow, so a VF cannot scribble over a message the PF is writing).
 */
#include <string.h>

#include "hw/nic/nic.h"

/* VF n's VFREQ and VFACK bits in MBVFICR, shifted left by n. */
#define MBVFICR_VF_BITS (1u | E1000_MBVFICR_VFACK_VF1)

static uint32_t v2p(const struct nic_port *p, unsigned vf)
{
	return nic_get(p, E1000_V2PMAILBOX(vf));
}

static void set_v2p(struct nic_port *p, unsigned vf, uint32_t v)
{
	nic_set(p, E1000_V2PMAILBOX(vf), v);
}

static void notify_pf(struct nic_port *p, unsigned vf, uint32_t icr_bits)
{
	nic_set(p, E1000_MBVFICR, nic_get(p, E1000_MBVFICR) | icr_bits);
	if (nic_get(p, E1000_MBVFIMR) & (1u << vf))
		nic_intr__raise_icr(p, E1000_ICR_VMMB);
}

static void notify_vf(struct nic_port *p, unsigned vf)
{
	uint32_t misc = nic_get(p, E1000_PVTIVAR_MISC(vf));

	if (misc & E1000_IVAR_VALID)
		nic_intr__raise_vf(p, vf, 1u << (misc & 0x1f));
}

uint32_t nic_mbx__vf_rd(struct nic_port *p, unsigned vf, uint32_t off)
{
	uint32_t v;

	if (off != E1000_VF_V2PMAILBOX)
		return nic_get(p, E1000_VMBMEM(vf) + (off - E1000_VF_VMBMEM));
	v = v2p(p, vf);
	set_v2p(p, vf, v & ~E1000_V2PMAILBOX_R2C_BITS);
	return v;
}

void nic_mbx__vf_wr(struct nic_port *p, unsigned vf, uint32_t off, uint32_t val)
{
	uint32_t v = v2p(p, vf);

	if (off != E1000_VF_V2PMAILBOX) {
		if (v & E1000_V2PMAILBOX_VFU)
			nic_set(p, E1000_VMBMEM(vf) + (off - E1000_VF_VMBMEM), val);
		else
			nic_stat_inc(&p->stats.ignored_writes);
		return;
	}
	/* VFU is a level that only takes while the PF does not hold the buffer. */
	if ((val & E1000_V2PMAILBOX_VFU) && !(v & E1000_V2PMAILBOX_PFU))
		v |= E1000_V2PMAILBOX_VFU;
	else
		v &= ~E1000_V2PMAILBOX_VFU;
	set_v2p(p, vf, v);
	if (val & E1000_V2PMAILBOX_REQ)
		notify_pf(p, vf, 1u << vf);
	if (val & E1000_V2PMAILBOX_ACK)
		notify_pf(p, vf, E1000_MBVFICR_VFACK_VF1 << vf);
}

uint32_t nic_mbx__pf_rd(struct nic_port *p, unsigned idx)
{
	uint32_t off = idx << 2, v;

	if (off >= E1000_P2VMAILBOX(0) && off < E1000_P2VMAILBOX(E82576_MAX_VFS)) {
		v = v2p(p, (off - E1000_P2VMAILBOX(0)) / 4);
		return (v & E1000_V2PMAILBOX_VFU ? E1000_P2VMAILBOX_VFU : 0) |
		       (v & E1000_V2PMAILBOX_PFU ? E1000_P2VMAILBOX_PFU : 0);
	}
	/* VMBMEM, V2PMAILBOX (the PF's view: nothing clears), MBVFICR, MBVFIMR, VFLRE. */
	return p->mac[idx];
}

void nic_mbx__pf_wr(struct nic_port *p, unsigned idx, uint32_t val)
{
	uint32_t off = idx << 2;

	if (off >= E1000_VMBMEM(0) && off < E1000_VMBMEM(E82576_MAX_VFS)) {
		unsigned vf = (off - E1000_VMBMEM(0)) / 0x40;

		if (v2p(p, vf) & E1000_V2PMAILBOX_PFU)
			p->mac[idx] = val;
		else
			nic_stat_inc(&p->stats.ignored_writes);
		return;
	}
	if (off >= E1000_P2VMAILBOX(0) && off < E1000_P2VMAILBOX(E82576_MAX_VFS)) {
		unsigned vf = (off - E1000_P2VMAILBOX(0)) / 4;
		uint32_t v = v2p(p, vf);

		if (val & E1000_P2VMAILBOX_RVFU) {
			/* Force-release a stuck VF lock and forget its pending events (QEMU). */
			v &= ~E1000_V2PMAILBOX_VFU;
			nic_set(p, E1000_MBVFICR,
				nic_get(p, E1000_MBVFICR) & ~(MBVFICR_VF_BITS << vf));
		}
		if ((val & E1000_P2VMAILBOX_PFU) && !(v & E1000_V2PMAILBOX_VFU))
			v |= E1000_V2PMAILBOX_PFU;
		else
			v &= ~E1000_V2PMAILBOX_PFU;
		if (val & E1000_P2VMAILBOX_STS)
			v |= E1000_V2PMAILBOX_PFSTS;
		if (val & E1000_P2VMAILBOX_ACK)
			v |= E1000_V2PMAILBOX_PFACK;
		set_v2p(p, vf, v);
		if (val & (E1000_P2VMAILBOX_STS | E1000_P2VMAILBOX_ACK))
			notify_vf(p, vf);
		return;
	}
	switch (off) {
	case E1000_MBVFICR:
	case E1000_VFLRE:
		p->mac[idx] &= ~val; /* write 1 to clear */
		return;
	case E1000_MBVFIMR: {
		uint32_t was = p->mac[idx], events = nic_get(p, E1000_VFLRE) |
						     nic_get(p, E1000_MBVFICR) |
						     nic_get(p, E1000_MBVFICR) >> 16;

		p->mac[idx] = val & 0xff;
		/* Events latched while masked raise VMMB once their VF is unmasked. */
		if (events & p->mac[idx] & ~was)
			nic_intr__raise_icr(p, E1000_ICR_VMMB);
		return;
	}
	}
	nic_stat_inc(&p->stats.ignored_writes); /* V2PMAILBOX(n) is read-only for the PF */
}

void nic_mbx__pf_reset(struct nic_port *p)
{
	for (unsigned vf = 0; vf < E82576_MAX_VFS; vf++)
		set_v2p(p, vf, E1000_V2PMAILBOX_RSTI);
}

void nic_mbx__pf_reset_done(struct nic_port *p)
{
	for (unsigned vf = 0; vf < E82576_MAX_VFS; vf++) {
		uint32_t v = v2p(p, vf);

		if (v & E1000_V2PMAILBOX_RSTI)
			set_v2p(p, vf, (v & ~E1000_V2PMAILBOX_RSTI) | E1000_V2PMAILBOX_RSTD);
	}
}

void nic_mbx__vf_clear(struct nic_port *p, unsigned vf)
{
	/* Nothing of the previous owner's conversation survives; a PF reset in progress does. */
	for (unsigned i = 0; i < E1000_VFMAILBOX_SIZE; i++)
		nic_set(p, E1000_VMBMEM(vf) + 4 * i, 0);
	/* The PF keeps its lock if it holds one: its reply is its own business. */
	set_v2p(p, vf, v2p(p, vf) & (E1000_V2PMAILBOX_RSTI | E1000_V2PMAILBOX_PFU));
	nic_set(p, E1000_MBVFICR, nic_get(p, E1000_MBVFICR) & ~(MBVFICR_VF_BITS << vf));
}

void nic_mbx__vf_reset(struct nic_port *p, unsigned vf)
{
	nic_mbx__vf_clear(p, vf);
	nic_set(p, E1000_VFLRE, nic_get(p, E1000_VFLRE) | 1u << vf);
	if (nic_get(p, E1000_MBVFIMR) & (1u << vf))
		nic_intr__raise_icr(p, E1000_ICR_VMMB);
}
