/* VF reset (VF CTRL.RST or FLR) and port reset (PF CTRL.RST), 82576.md section 7. */
#include "hw/nic/nic.h"

/* The VF's statistics mirrors (vf.c): they restart with the VF. */
static const uint32_t vf_stat_regs[] = {
	E1000_PVFGPRC(0),   E1000_PVFGPTC(0),   E1000_PVFGORC(0),   E1000_PVFGOTC(0),
	E1000_PVFMPRC(0),   E1000_PVFGPRLBC(0), E1000_PVFGPTLBC(0), E1000_PVFGORLBC(0),
	E1000_PVFGOTLBC(0),
};

void nic_reset__vf_state(struct nic_port *p, unsigned vf)
{
	/* The VF's queues stop and forget their rings; its interrupt state, mailbox and
	 * statistics start again. Whether the hardware also clears VFRE/VFTE is unconfirmed;
	 * QEMU does, and so does vfnet: the PF driver sets them again when it answers VF_RESET. */
	nic_queue__reset(p, vf);
	nic_queue__reset(p, vf + 8);
	nic_intr__reset_vf(p, vf);
	for (unsigned i = 0; i < sizeof(vf_stat_regs) / sizeof(vf_stat_regs[0]); i++)
		nic_set(p, vf_stat_regs[i] + E1000_PVT(vf) - E1000_PVT(0), 0);
	nic_set(p, E1000_PVTCTRL(vf), 0);
	nic_set(p, E1000_PSRTYPE(vf), 0);
	nic_set(p, E1000_VFRE, nic_get(p, E1000_VFRE) & ~(1u << vf));
	nic_set(p, E1000_VFTE, nic_get(p, E1000_VFTE) & ~(1u << vf));
	nic_mbx__vf_clear(p, vf);
}

void nic_reset__vf(struct nic_port *p, unsigned vf)
{
	/* ... and the PF learns of it through VFLRE and ICR.VMMB. */
	nic_reset__vf_state(p, vf);
	nic_mbx__vf_reset(p, vf);
}

void nic_reset__vfs_enabled(struct nic_port *p, unsigned count)
{
	/* VFs that come or go start from nothing: no rings, vectors (their MSI-X tables are PCI
	 * state that comes into existence with them) or messages of a previous life survive VF
	 * Enable, and a VF that vanished can no longer move data. Queues beyond them are the PF's
	 * and are left alone. */
	for (unsigned vf = 0; vf < count && vf < E82576_MAX_VFS; vf++) {
		nic_reset__vf_state(p, vf);
		nic_msix__init(&p->msix_vf[vf], E82576_VF_VECTORS);
		nic_set(p, E1000_VFLRE, nic_get(p, E1000_VFLRE) & ~(1u << vf));
	}
}

void nic_reset__port(struct nic_port *p)
{
	/* Every register returns to its power-on value, which puts RSTI in every VF mailbox
	 * until the PF driver sets CTRL_EXT.PFRSTD. The MSI-X tables are PCI state and stay. */
	nic_reset__port_regs(p);
	nic_dp__reset(p);
	nic_mbx__pf_reset(p);
}
