/* VF reset (VF CTRL.RST or FLR) and port reset (PF CTRL.RST), 82576.md section 7. */
#include "hw/nic/nic.h"

void nic_reset__vf_state(struct nic_port *p, unsigned vf)
{
	/* The VF's queues stop and forget their rings; its interrupt state, mailbox and
	 * statistics start again; the PF learns of it through VFLRE and ICR.VMMB. Whether the
	 * hardware also clears VFRE/VFTE is unconfirmed; QEMU does, and so does vfnet: the PF
	 * driver sets them again when it answers VF_RESET. */
	nic_queue__reset(p, vf);
	nic_queue__reset(p, vf + 8);
	nic_intr__reset_vf(p, vf);
	for (uint32_t off = 0x10; off < 0x80; off += 4)
		if (off < 0x20 || off == 0x34 || off >= 0x3c)
			nic_set(p, E1000_PVT(vf) + off, 0);
	nic_set(p, E1000_PVTCTRL(vf), 0);
	nic_set(p, E1000_VFRE, nic_get(p, E1000_VFRE) & ~(1u << vf));
	nic_set(p, E1000_VFTE, nic_get(p, E1000_VFTE) & ~(1u << vf));
	nic_mbx__vf_clear(p, vf);
}

void nic_reset__vf(struct nic_port *p, unsigned vf)
{
	nic_reset__vf_state(p, vf);
	nic_mbx__vf_reset(p, vf);
}

void nic_reset__vfs_enabled(struct nic_port *p, unsigned numvfs)
{
	/* VFs that come or go start from nothing: no rings, vectors or messages of a previous
	 * life survive VF Enable, and a VF that vanished can no longer move data. */
	for (unsigned vf = 0; vf < E82576_MAX_VFS; vf++)
		nic_reset__vf_state(p, vf);
}

void nic_reset__port(struct nic_port *p)
{
	/* Every register returns to its power-on value, which puts RSTI in every VF mailbox
	 * until the PF driver sets CTRL_EXT.PFRSTD. The MSI-X tables are PCI state and stay. */
	nic_reset__port_regs(p);
	nic_dp__reset(p);
	nic_mbx__pf_reset(p);
}
