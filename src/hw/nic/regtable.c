/*
 * The PF register map: which handlers answer each dword of BAR0. Registers are data, behaviour
 * is this table (the QEMU igb habit): one line per register or range, giving its offset, its
 * size in bytes, and its read and write handlers. A NULL read handler reads 0 and a NULL write
 * handler ignores the write; both are counted (core.c). Offsets the table does not name act
 * the same way.
 */
#include "hw/nic/nic.h"

/* X(offset, bytes, read, write) */
#define NIC_PF_REGS(X) \
	X(E1000_CTRL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_STATUS, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_EECD, 4, nic_gen__rd, nic_reg__ignore) \
	X(E1000_EERD, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_CTRL_EXT, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_MDIC, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_VET, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_RCTL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_TCTL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_TCTL_EXT, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_TIPG, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_LEDCTL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_PBA, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_FRTIMER, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_SWSM, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_FWSM, 4, nic_gen__rd, nic_reg__ignore) \
	X(E1000_SW_FW_SYNC, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_RXPBS, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_QDE, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_TXPBS, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_DTXSWC, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_LVMMC, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_WVBR, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_MDFB, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_DTXCTL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_RTTDQSEL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_RTTBCNRM, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_RTTBCNRC, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_VMVIR(0), 4 * E82576_POOLS, nic_gen__rd, nic_gen__wr) \
	X(E1000_RXCSUM, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_RLPML, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_RFCTL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_MTA, 4 * E1000_MTA_SIZE, nic_gen__rd, nic_gen__wr) \
	X(E1000_RAL(0), 8 * 16, nic_gen__rd, nic_gen__wr) \
	X(E1000_RAL(16), 8 * 8, nic_gen__rd, nic_gen__wr) \
	X(E1000_PSRTYPE(0), 4 * E82576_POOLS, nic_gen__rd, nic_gen__wr) \
	X(E1000_VFTA, 4 * 128, nic_gen__rd, nic_gen__wr) \
	X(E1000_WUC, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_MRQC, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_VT_CTL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_VMOLR(0), 4 * E82576_POOLS, nic_gen__rd, nic_gen__wr) \
	X(E1000_RPLOLR, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_IOVCTL, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_VLVF(0), 4 * E1000_VLVF_ENTRIES, nic_gen__rd, nic_gen__wr) \
	X(E1000_UTA, 4 * 128, nic_gen__rd, nic_gen__wr) \
	X(E1000_VFRE, 4, nic_gen__rd, nic_gen__wr) \
	X(E1000_VFTE, 4, nic_gen__rd, nic_gen__wr) \
	/* interrupts (intr.c) */ \
	X(E1000_ICR, 4, nic_intr__rd, nic_intr__wr) \
	X(E1000_ICS, 4, NULL, nic_intr__wr) \
	X(E1000_IMS, 4, nic_intr__rd, nic_intr__wr) \
	X(E1000_IMC, 4, NULL, nic_intr__wr) \
	X(E1000_IAM, 4, nic_intr__rd, nic_intr__wr) \
	X(E1000_GPIE, 4, nic_intr__rd, nic_intr__wr) \
	X(E1000_EICS, 0x14, nic_intr__rd, nic_intr__wr) \
	X(E1000_EICR, 4, nic_intr__rd, nic_intr__wr) \
	X(E1000_EITR(0), 4 * E82576_PF_VECTORS, nic_intr__rd, nic_intr__wr) \
	X(E1000_IVAR0, 4 * 8, nic_intr__rd, nic_intr__wr) \
	X(E1000_IVAR_MISC, 4, nic_intr__rd, nic_intr__wr) \
	/* the PF/VF mailbox (mbx.c) */ \
	X(E1000_VMBMEM(0), 0x40 * E82576_MAX_VFS, nic_mbx__pf_rd, nic_mbx__pf_wr) \
	X(E1000_P2VMAILBOX(0), 4 * E82576_MAX_VFS, nic_mbx__pf_rd, nic_mbx__pf_wr) \
	X(E1000_V2PMAILBOX(0), 4 * E82576_MAX_VFS, nic_mbx__pf_rd, nic_mbx__pf_wr) \
	X(E1000_MBVFICR, 4, nic_mbx__pf_rd, nic_mbx__pf_wr) \
	X(E1000_MBVFIMR, 4, nic_mbx__pf_rd, nic_mbx__pf_wr) \
	X(E1000_VFLRE, 4, nic_mbx__pf_rd, nic_mbx__pf_wr) \
	/* queues, and the low aliases of queues 0-3 (queue.c) */ \
	X(E1000_RXQ_LOW(0), 0x400, nic_queue__rd, nic_queue__wr) \
	X(E1000_TXQ_LOW(0), 0x400, nic_queue__rd, nic_queue__wr) \
	X(E1000_RXQ(0), E1000_QUEUE_STRIDE * E1000_NUM_QUEUES, nic_queue__rd, nic_queue__wr) \
	X(E1000_TXQ(0), E1000_QUEUE_STRIDE * E1000_NUM_QUEUES, nic_queue__rd, nic_queue__wr) \
	/* statistics: read to clear */ \
	X(E1000_STATS_FIRST, E1000_STATS_LAST + 4 - E1000_STATS_FIRST, nic_reg__rd_clear, nic_reg__ignore) \
	/* the per-VF mirrors: the PF may look; only the VF's own registers change them */ \
	X(E1000_PVT(0), 0x100 * E82576_MAX_VFS, nic_reg__rd, nic_reg__ignore)

#define RANGE(off, len) [(off) >> 2 ... ((off) + (len)-4) >> 2]
#define RD(off, len, rd, wr) RANGE(off, len) = rd,
#define WR(off, len, rd, wr) RANGE(off, len) = wr,

const nic_rd_fn nic_pf_rd[NIC_REGS] = {NIC_PF_REGS(RD)};
const nic_wr_fn nic_pf_wr[NIC_REGS] = {NIC_PF_REGS(WR)};
