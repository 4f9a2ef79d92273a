/*
 * Registers of the 82576 VF BAR0 (reference/82576.md section 3) and their bits, as the VF driver
 * sees them. Names as in Linux igbvf (regs.h, defines.h, mbx.h); values from the reference.
 */
#ifndef VDD_REGS_H
#define VDD_REGS_H

/* ---- general ---- */
#define E1000_CTRL    0x0000
#define E1000_STATUS  0x0008
#define E1000_FRTIMER 0x1048

#define E1000_CTRL_RST 0x04000000 /* VF queue and interrupt reset, self-clearing */

#define E1000_STATUS_FD		0x00000001
#define E1000_STATUS_LU		0x00000002
#define E1000_STATUS_SPEED_MASK 0x000000C0
#define E1000_STATUS_SPEED_100	0x00000040
#define E1000_STATUS_SPEED_1000 0x00000080

/* ---- interrupts (82576.md section 5) ---- */
#define E1000_EICS	0x1520
#define E1000_EIMS	0x1524
#define E1000_EIMC	0x1528
#define E1000_EIAC	0x152C
#define E1000_EIAM	0x1530
#define E1000_EICR	0x1580
#define E1000_EITR(n)	(0x1680 + 4 * (n))
#define E1000_IVAR0	0x1700
#define E1000_IVAR_MISC 0x1740

#define E1000_IVAR_VALID    0x80
#define E1000_EITR_INTERVAL 0x00007FFC /* bits 14:2 */
#define E1000_EITR_CNT_IGNR 0x80000000

/* ---- mailbox (mailbox.md sections 1-2) ---- */
#define E1000_VMBMEM(i)	 (0x0800 + 4 * (i))
#define E1000_V2PMAILBOX 0x0C40

#define E1000_V2PMAILBOX_REQ	  0x00000001 /* message posted for the PF (pulse) */
#define E1000_V2PMAILBOX_ACK	  0x00000002 /* PF message consumed (pulse) */
#define E1000_V2PMAILBOX_VFU	  0x00000004 /* VF owns the buffer */
#define E1000_V2PMAILBOX_PFU	  0x00000008 /* PF owns the buffer */
#define E1000_V2PMAILBOX_PFSTS	  0x00000010 /* PF wrote a message; read clears */
#define E1000_V2PMAILBOX_PFACK	  0x00000020 /* PF took our message; read clears */
#define E1000_V2PMAILBOX_RSTI	  0x00000040 /* PF reset in progress (level) */
#define E1000_V2PMAILBOX_RSTD	  0x00000080 /* PF reset done; read clears */
#define E1000_V2PMAILBOX_R2C_BITS 0x000000B0

/* ---- misc ---- */
#define E1000_PBACL   0x0F04
#define E1000_PSRTYPE 0x0F0C

/* ---- statistics: 32-bit, wrapping, not clear-on-read ---- */
#define E1000_VFGPRC   0x0F10
#define E1000_VFGPTC   0x0F14
#define E1000_VFGORC   0x0F18
#define E1000_VFGOTC   0x0F34
#define E1000_VFMPRC   0x0F3C
#define E1000_VFGPRLBC 0x0F40
#define E1000_VFGPTLBC 0x0F44
#define E1000_VFGORLBC 0x0F48
#define E1000_VFGOTLBC 0x0F50

/* ---- queues: VF queue q (igbvf uses q = 0 only) ---- */
#define E1000_RDBAL(q)	(0x2800 + 0x100 * (q))
#define E1000_RDBAH(q)	(0x2804 + 0x100 * (q))
#define E1000_RDLEN(q)	(0x2808 + 0x100 * (q))
#define E1000_SRRCTL(q) (0x280C + 0x100 * (q))
#define E1000_RDH(q)	(0x2810 + 0x100 * (q))
#define E1000_RDT(q)	(0x2818 + 0x100 * (q))
#define E1000_RXDCTL(q) (0x2828 + 0x100 * (q))
#define E1000_RQDPC(q)	(0x2830 + 0x100 * (q))

#define E1000_TDBAL(q)	(0x3800 + 0x100 * (q))
#define E1000_TDBAH(q)	(0x3804 + 0x100 * (q))
#define E1000_TDLEN(q)	(0x3808 + 0x100 * (q))
#define E1000_TDH(q)	(0x3810 + 0x100 * (q))
#define E1000_TDT(q)	(0x3818 + 0x100 * (q))
#define E1000_TXDCTL(q) (0x3828 + 0x100 * (q))
#define E1000_TDWBAL(q) (0x3838 + 0x100 * (q))
#define E1000_TDWBAH(q) (0x383C + 0x100 * (q))

#define E1000_RXDCTL_QUEUE_ENABLE 0x02000000
#define E1000_TXDCTL_QUEUE_ENABLE 0x02000000

#define E1000_SRRCTL_BSIZEPKT_SHIFT	 10 /* bits 6:0 in KiB */
#define E1000_SRRCTL_BSIZEHDRSIZE_SHIFT	 2  /* bits 13:8 in 64-byte units */
#define E1000_SRRCTL_DESCTYPE_ADV_ONEBUF 0x02000000
#define E1000_SRRCTL_DROP_EN		 0x80000000

#endif
