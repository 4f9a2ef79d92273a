/* General registers: CTRL, STATUS, the NVM through EERD, CTRL_EXT, MDIC, timers, statistics. */
#include <stdint.h>

#include "hw/nic/nic.h"

#define E1000_MDIC_DATA_MASK 0x0000FFFF
#define E1000_MDIC_REG_SHIFT 16
#define E1000_MDIC_OP_WRITE  0x04000000
#define E1000_MDIC_OP_READ   0x08000000
#define E1000_MDIC_READY     0x10000000

#define MII_BMCR	   0
#define MII_BMSR	   1
#define MII_BMSR_LSTATUS   0x0004
#define MII_BMSR_ANEGCOMPL 0x0020

/* The internal PHY, as far as drivers look at it: 1000/full when its link is up. */
static uint16_t phy_read(struct nic_port *p, unsigned reg)
{
	switch (reg) {
	case MII_BMCR:
		return p->phy_bmcr;
	case MII_BMSR: /* link up and autonegotiation complete only with link */
		return nic_get(p, E1000_STATUS) & E1000_STATUS_LU
			   ? 0x796d
			   : 0x796d & ~(MII_BMSR_LSTATUS | MII_BMSR_ANEGCOMPL);
	default:
		return 0;
	}
}

/*
 * igb powers the PHY down (BMCR.PDOWN, igb_power_down_phy_copper) while the PF's interface is
 * down, and with it the link: STATUS.LU clears and VFs see link down. BMCR.RESET restores the
 * defaults and clears itself.
 */
static void phy_write(struct nic_port *p, unsigned reg, uint16_t val)
{
	uint16_t was = p->phy_bmcr;

	if (reg != MII_BMCR)
		return;
	p->phy_bmcr = val & E82576_PHY_BMCR_RESET ? E82576_PHY_BMCR_DEFAULT : val;
	if ((was ^ p->phy_bmcr) & E82576_PHY_BMCR_PDOWN)
		nic_dp__link_changed(p);
}

uint32_t nic_gen__rd(struct nic_port *p, unsigned idx)
{
	uint32_t off = idx << 2, v;
	unsigned nvf;

	switch (off) {
	case E1000_STATUS:
		v = nic_get(p, E1000_STATUS);
		nvf = nic_port__num_vfs(p);
		if (nvf)
			v |= E1000_STATUS_IOV_MODE | nvf << E1000_STATUS_NUM_VFS_SHIFT;
		return v;
	case E1000_FRTIMER:
		return (uint32_t)(nic__now(p->nic) / 1000); /* free-running, microseconds */
	case E1000_WVBR:
	case E1000_LVMMC:
		/* Wrong-VM-behaviour report: read to clear. */
		v = nic_get(p, off);
		nic_set(p, off, 0);
		return v;
	case E1000_RTTBCNRC:
		return p->rttbcnrc[nic_get(p, E1000_RTTDQSEL) & 0xf];
	}
	return nic_get(p, off);
}

void nic_gen__wr(struct nic_port *p, unsigned idx, uint32_t val)
{
	uint32_t off = idx << 2;

	switch (off) {
	case E1000_CTRL:
		if (val & (E1000_CTRL_RST | E1000_CTRL_DEV_RST)) {
			nic_reset__port(p);
			return;
		}
		nic_set(p, off, val);
		return;
	case E1000_STATUS:
	case E1000_FRTIMER:
	case E1000_WVBR:
	case E1000_LVMMC:
		nic_stat_inc(&p->stats.ignored_writes);
		return;
	case E1000_EERD: {
		unsigned addr = (val >> E1000_NVM_RW_ADDR_SHIFT) & 0x3fff;

		/* A read completes at once: data, DONE and the address. */
		if (val & E1000_NVM_RW_REG_START)
			val = (uint32_t)(addr < 64 ? p->nvm[addr] : 0xffff) << E1000_NVM_RW_REG_DATA |
			      addr << E1000_NVM_RW_ADDR_SHIFT | E1000_NVM_RW_REG_DONE;
		nic_set(p, off, val);
		return;
	}
	case E1000_CTRL_EXT:
		if ((val & E1000_CTRL_EXT_PFRSTD) && !(nic_get(p, off) & E1000_CTRL_EXT_PFRSTD))
			nic_mbx__pf_reset_done(p);
		nic_set(p, off, val);
		return;
	case E1000_MDIC:
		if (val & E1000_MDIC_OP_READ)
			val = (val & ~E1000_MDIC_DATA_MASK) |
			      phy_read(p, (val >> E1000_MDIC_REG_SHIFT) & 0x1f);
		else if (val & E1000_MDIC_OP_WRITE)
			phy_write(p, (val >> E1000_MDIC_REG_SHIFT) & 0x1f,
				  (uint16_t)(val & E1000_MDIC_DATA_MASK));
		nic_set(p, off, val | E1000_MDIC_READY);
		return;
	case E1000_RTTBCNRC:
		p->rttbcnrc[nic_get(p, E1000_RTTDQSEL) & 0xf] =
			val & (E1000_RTTBCNRC_RS_ENA | E1000_RTTBCNRC_RF_INT_MASK |
			       E1000_RTTBCNRC_RF_DEC_MASK);
		return;
	case E1000_VFRE:
	case E1000_VFTE:
		nic_set(p, off, val & 0xff);
		return;
	}
	/* The switch keeps the address and VLAN filters as lookup tables: mark them stale (they
	 * are rebuilt once, before the next frame, however many entries the driver writes). */
	if ((off >= E1000_RAL(0) && off < E1000_RAL(E1000_RAR_ENTRIES - 1) + 8) ||
	    (off >= E1000_VLVF(0) && off < E1000_VLVF(E1000_VLVF_ENTRIES)))
		nic_switch__filters_changed(p);
	nic_set(p, off, val);
}

uint32_t nic_reg__rd(struct nic_port *p, unsigned idx)
{
	return p->mac[idx];
}

void nic_reg__wr(struct nic_port *p, unsigned idx, uint32_t val)
{
	p->mac[idx] = val;
}

void nic_reg__ignore(struct nic_port *p, unsigned idx, uint32_t val)
{
	nic_stat_inc(&p->stats.ignored_writes);
}

uint32_t nic_reg__rd_clear(struct nic_port *p, unsigned idx)
{
	uint32_t v = p->mac[idx];

	p->mac[idx] = 0;
	return v;
}
