/*
 * Advanced Tx and Rx descriptors of the 82576 (82576.md section 6), 16 bytes, little-endian.
 * Names as in Linux igb (e1000_82575.h, e1000_defines.h) and igbvf (defines.h).
 */
#ifndef VFNET_HW_NIC_DESC_H
#define VFNET_HW_NIC_DESC_H

#define E1000_DESC_SIZE 16

/* Tx data descriptor, read format: qword 0 buffer address, dword 2 cmd_type_len,
 * dword 3 olinfo_status. Legacy descriptors keep EOP, RS and DD at the same bits. */
#define E1000_ADVTXD_DTALEN_MASK  0x0000FFFF
#define E1000_ADVTXD_MAC_TSTAMP	  0x00080000
#define E1000_ADVTXD_DTYP_MASK	  0x00F00000
#define E1000_ADVTXD_DTYP_CTXT	  0x00200000 /* context descriptor */
#define E1000_ADVTXD_DTYP_DATA	  0x00300000 /* data descriptor */
#define E1000_ADVTXD_DCMD_EOP	  0x01000000 /* end of packet */
#define E1000_ADVTXD_DCMD_IFCS	  0x02000000 /* insert FCS */
#define E1000_ADVTXD_DCMD_RS	  0x08000000 /* report status: write DD back */
#define E1000_ADVTXD_DCMD_DEXT	  0x20000000 /* advanced descriptor */
#define E1000_ADVTXD_DCMD_VLE	  0x40000000 /* insert the context's VLAN tag */
#define E1000_ADVTXD_DCMD_TSE	  0x80000000 /* TCP segmentation */
#define E1000_ADVTXD_IDX_SHIFT	  4	     /* context slot, olinfo and mss_l4len_idx */
#define E1000_ADVTXD_CC		  0x00000080 /* check context */
#define E1000_ADVTXD_POPTS_IXSM	  0x00000100 /* insert the IPv4 header checksum */
#define E1000_ADVTXD_POPTS_TXSM	  0x00000200 /* insert the TCP/UDP checksum */
#define E1000_ADVTXD_PAYLEN_SHIFT 14
/* Tx write-back: dword 3 */
#define E1000_TXD_STAT_DD 0x00000001

/* Tx context descriptor: dword 0 vlan_macip_lens, dword 1 seqnum_seed, dword 2 type_tucmd_mlhl,
 * dword 3 mss_l4len_idx. */
#define E1000_ADVTXD_IPLEN_MASK	    0x000001FF
#define E1000_ADVTXD_MACLEN_SHIFT   9
#define E1000_ADVTXD_MACLEN_MASK    0x0000FE00
#define E1000_ADVTXD_VLAN_SHIFT	    16
#define E1000_ADVTXD_TUCMD_IPV4	    0x00000400
#define E1000_ADVTXD_TUCMD_L4T_UDP  0x00000000
#define E1000_ADVTXD_TUCMD_L4T_TCP  0x00000800
#define E1000_ADVTXD_TUCMD_L4T_SCTP 0x00001000
#define E1000_ADVTXD_TUCMD_L4T_MASK 0x00001800
#define E1000_ADVTXD_L4LEN_SHIFT    8
#define E1000_ADVTXD_MSS_SHIFT	    16

/* Rx descriptor, read format: qword 0 packet buffer, qword 1 header buffer (ignored here). */
/* Rx write-back: dword 0 pkt_info (15:0) and hdr_info (31:16), dword 1 RSS hash or IP id and
 * checksum, dword 2 status_error, dword 3 length (15:0) and vlan (31:16). */
#define E1000_RXDADV_PKTTYPE_IPV4    0x00000010
#define E1000_RXDADV_PKTTYPE_IPV4_EX 0x00000020
#define E1000_RXDADV_PKTTYPE_IPV6    0x00000040
#define E1000_RXDADV_PKTTYPE_IPV6_EX 0x00000080
#define E1000_RXDADV_PKTTYPE_TCP     0x00000100
#define E1000_RXDADV_PKTTYPE_UDP     0x00000200
#define E1000_RXDADV_PKTTYPE_SCTP    0x00000400
#define E1000_RXDADV_HDRBUFLEN_MASK  0x7FE0
#define E1000_RXDADV_HDRBUFLEN_SHIFT 5
#define E1000_RXDADV_SPH	     0x8000
#define E1000_RXD_STAT_DD	     0x00000001 /* descriptor done */
#define E1000_RXD_STAT_EOP	     0x00000002 /* end of packet */
#define E1000_RXD_STAT_IXSM	     0x00000004 /* ignore checksum indication */
#define E1000_RXD_STAT_VP	     0x00000008 /* 802.1Q tag stripped into the vlan field */
#define E1000_RXD_STAT_UDPCS	     0x00000010 /* UDP checksum calculated */
#define E1000_RXD_STAT_TCPCS	     0x00000020 /* L4 (TCP or UDP) checksum calculated */
#define E1000_RXD_STAT_IPCS	     0x00000040 /* IPv4 header checksum calculated */
#define E1000_RXDEXT_STATERR_LB	     0x00040000 /* switched VM to VM (loopback) */
#define E1000_RXDEXT_STATERR_L4E     0x20000000 /* TCPE: L4 checksum error */
#define E1000_RXDEXT_STATERR_IPE     0x40000000 /* IPv4 header checksum error */
#define E1000_RXDEXT_STATERR_RXE     0x80000000

#endif
