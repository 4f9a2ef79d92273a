/*
 * vdd: the VF driver (the paper's "VF driver", Linux's igbvf) for the 82576 VF, 8086:10CA.
 *
 * One Tx and one Rx ring (VF queue 0), three MSI-X vectors (Tx, Rx, mailbox), the PF reached only
 * through the mailbox. Everything runs on the domain's vCPU, one callback at a time: no locks.
 * Files: main.c probe/remove and bring-up, intr.c vectors, mbx.c mailbox primitives, vf.c PF
 * messages and link, reset.c link state and recovery, tx.c and rx.c the rings, ndo.c the netdev
 * operations.
 */
#ifndef VDD_H
#define VDD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/netdev.h"
#include "vfnet/os.h"
#include "vfnet/pci.h"

/* The one symbol the runtime needs: register it with pci__register_driver. */
extern struct pci_driver vdd_driver;

#define VDD_NAME "vdd"

#define PCI_VENDOR_ID_INTEL   0x8086
#define E1000_DEV_ID_82576_VF 0x10CA

/* ---- advanced descriptors (82576.md section 6), little-endian in memory ---- */

union e1000_adv_tx_desc {
	struct {
		uint64_t buffer_addr;
		uint32_t cmd_type_len;
		uint32_t olinfo_status;
	} read;
	struct {
		uint64_t rsvd;
		uint32_t nxtseq_seed;
		uint32_t status;
	} wb;
};

struct e1000_adv_tx_context_desc {
	uint32_t vlan_macip_lens;
	uint32_t seqnum_seed;
	uint32_t type_tucmd_mlhl;
	uint32_t mss_l4len_idx;
};

union e1000_adv_rx_desc {
	struct {
		uint64_t pkt_addr;
		uint64_t hdr_addr;
	} read;
	struct {
		uint32_t info; /* pkt_info 15:0, hdr_info 31:16 */
		uint32_t rss;
		uint32_t status_error;
		uint16_t length;
		uint16_t vlan;
	} wb;
};

_Static_assert(sizeof(union e1000_adv_tx_desc) == 16, "Tx descriptor is 16 bytes");
_Static_assert(sizeof(struct e1000_adv_tx_context_desc) == 16, "context descriptor is 16 bytes");
_Static_assert(sizeof(union e1000_adv_rx_desc) == 16, "Rx descriptor is 16 bytes");

#define E1000_ADVTXD_DTYP_CTXT	   0x00200000
#define E1000_ADVTXD_DTYP_DATA	   0x00300000
#define E1000_ADVTXD_DCMD_EOP	   0x01000000
#define E1000_ADVTXD_DCMD_IFCS	   0x02000000
#define E1000_ADVTXD_DCMD_RS	   0x08000000
#define E1000_ADVTXD_DCMD_DEXT	   0x20000000
#define E1000_ADVTXD_DCMD_VLE	   0x40000000
#define E1000_ADVTXD_POPTS_IXSM	   0x00000100
#define E1000_ADVTXD_POPTS_TXSM	   0x00000200
#define E1000_ADVTXD_PAYLEN_SHIFT  14
#define E1000_ADVTXD_MACLEN_SHIFT  9
#define E1000_ADVTXD_VLAN_SHIFT	   16
#define E1000_ADVTXD_TUCMD_IPV4	   0x00000400
#define E1000_ADVTXD_TUCMD_L4T_UDP 0x00000000
#define E1000_ADVTXD_TUCMD_L4T_TCP 0x00000800
#define E1000_TXD_STAT_DD	   0x00000001

#define E1000_RXD_STAT_DD	 0x00000001
#define E1000_RXD_STAT_EOP	 0x00000002
#define E1000_RXD_STAT_IXSM	 0x00000004
#define E1000_RXD_STAT_VP	 0x00000008
#define E1000_RXD_STAT_UDPCS	 0x00000010
#define E1000_RXD_STAT_TCPCS	 0x00000020
#define E1000_RXDEXT_STATERR_CE	 0x01000000
#define E1000_RXDEXT_STATERR_SE	 0x02000000
#define E1000_RXDEXT_STATERR_SEQ 0x04000000
#define E1000_RXDEXT_STATERR_CXE 0x10000000
#define E1000_RXDEXT_STATERR_L4E 0x20000000
#define E1000_RXDEXT_STATERR_IPE 0x40000000
#define E1000_RXDEXT_STATERR_RXE 0x80000000
#define E1000_RXDEXT_ERR_FRAME_ERR_MASK                                                            \
	(E1000_RXDEXT_STATERR_CE | E1000_RXDEXT_STATERR_SE | E1000_RXDEXT_STATERR_SEQ |            \
	 E1000_RXDEXT_STATERR_CXE | E1000_RXDEXT_STATERR_RXE)

/* ---- mailbox messages (mailbox.md sections 4-5) ---- */

#define E1000_VFMAILBOX_SIZE	       16
#define E1000_VT_MSGTYPE_ACK	       0x80000000
#define E1000_VT_MSGTYPE_NACK	       0x40000000
#define E1000_VT_MSGTYPE_CTS	       0x20000000
#define E1000_VT_MSGINFO_SHIFT	       16
#define E1000_VT_MSGINFO_MASK	       (0xFF << E1000_VT_MSGINFO_SHIFT)
#define E1000_VF_RESET		       0x01
#define E1000_VF_SET_MAC_ADDR	       0x02
#define E1000_VF_SET_MULTICAST	       0x03
#define E1000_VF_SET_VLAN	       0x04
#define E1000_VF_SET_VLAN_ADD	       (1u << E1000_VT_MSGINFO_SHIFT)
#define E1000_VF_SET_LPE	       0x05
#define E1000_VF_SET_PROMISC	       0x06
#define E1000_VF_SET_PROMISC_UNICAST   (0x01u << E1000_VT_MSGINFO_SHIFT)
#define E1000_VF_SET_PROMISC_MULTICAST (0x02u << E1000_VT_MSGINFO_SHIFT)
#define E1000_PF_CONTROL_MSG	       0x0100
#define E1000_VF_MAX_MC		       30

/* ---- timeouts (mailbox.md section 9), as deadlines on os__now_ns ---- */

#define VDD_MBX_TIMEOUT_NS     1000000000ull /* posted mailbox op: 2000 x 500 us */
#define VDD_RST_TIMEOUT_NS     10000000ull /* RSTI/RSTD to settle (igbvf: 200 x 5 us, more here) */
#define VDD_RING_TIMEOUT_NS    10000000ull /* queue enable bit to settle */
#define VDD_WATCHDOG_NS	       2000000000ull
#define VDD_RESET_RETRY_NS     200000000ull  /* a failed handshake is tried again after this, */
#define VDD_RESET_RETRY_MAX_NS 5000000000ull /* doubling up to this */

/* ---- rings ---- */

#define VDD_TXD		256
#define VDD_RXD		4096
#define VDD_BUF_SIZE	2048  /* SRRCTL one-buffer, 2 KiB */
#define VDD_RX_BUDGET	64    /* frames per poll, as NAPI's weight */
#define VDD_DEFAULT_ITR 20000 /* interrupts per second per queue vector */
/* Adaptive moderation's three settings (interrupts per second), by what an interrupt brought */
#define VDD_ITR_LOWEST 70000 /* a few small frames: latency first */
#define VDD_ITR_LOW    20000 /* some frames */
#define VDD_ITR_BULK   4000  /* a ring's worth: throughput first, fewest interrupts */
#define VDD_MIN_MTU    68
#define VDD_MAX_MTU    9216
#define VLAN_HLEN      4
#define ETH_FCS_LEN    4

/*
 * Interrupt moderation, igbvf's InterruptThrottleRate (the domain's configuration key): 0 off,
 * 1 adaptive, 3 adaptive but never below VDD_ITR_LOW's latency, 100..100000 a fixed rate.
 */
enum vdd_itr_mode { VDD_ITR_FIXED, VDD_ITR_OFF, VDD_ITR_ADAPTIVE, VDD_ITR_CONSERVATIVE };

/* The setting for @s: 0 with *mode and *rate set, or -EINVAL (nothing set). */
int vdd_itr_parse(const char *s, enum vdd_itr_mode *mode, unsigned *rate);
/* Adaptive moderation: the rate to use after an interrupt that brought @pkts frames of @bytes,
 * at @cur interrupts per second now. */
unsigned vdd_itr_next(enum vdd_itr_mode mode, unsigned cur, unsigned pkts, unsigned bytes);

/* MSI-X entries (82576.md section 5) */
enum { VDD_VEC_TX, VDD_VEC_RX, VDD_VEC_MBX, VDD_NVEC };

struct vdd_tx_info {
	uint16_t eop;	/* last descriptor of the frame that starts here */
	uint16_t bytes; /* frame length, for the statistics */
};

struct vdd_ring {
	void *desc;
	uint64_t desc_bus;
	size_t desc_size;
	uint8_t *buf; /* VDD_BUF_SIZE per descriptor: descriptor i always uses buffer i */
	uint64_t buf_bus;
	size_t buf_size;
	unsigned count;
	unsigned next_to_use, next_to_clean;
	struct vdd_tx_info *info; /* Tx only */
};

struct vdd_mbx {
	uint32_t v2p_cache; /* read-to-clear bits seen but not yet tested */
	bool timed_out;	    /* a posted op timed out: all fail until the next reset */
};

struct vdd {
	struct pci_dev *pdev;
	struct pci_bar *hw;
	struct netdev nd;
	bool registered;

	int vector[VDD_NVEC];
	uint32_t eims_enable_mask;    /* the vectors' EICR/EIMS bits */
	unsigned itr;		      /* interrupts per second now, 0: not throttled */
	enum vdd_itr_mode itr_mode;   /* InterruptThrottleRate: fixed, off or adaptive */
	unsigned itr_pkts, itr_bytes; /* received since the last Rx interrupt's poll completed */
	uint64_t itr_changes;	      /* EITR rewrites by the adaptive mode */

	struct vdd_mbx mbx;
	uint8_t perm_addr[ETH_ALEN]; /* from the VF_RESET reply, zero on NACK */
	bool cts;		     /* the PF's last word said clear to send */
	bool link;

	bool opened;  /* the user's state: open() without stop() */
	bool running; /* the rings are live in the device */
	bool removing;
	bool reset_pending;
	bool in_reset;
	bool reset_failed_logged;
	uint64_t retry_ns;
	uint64_t last_reset_ns;

	struct vdd_ring tx, rx;
	uint8_t *rx_frame; /* a frame over several buffers is joined here */

	/* what a reset must restore */
	unsigned rx_flags;
	uint8_t mc[E1000_VF_MAX_MC][ETH_ALEN];
	unsigned nmc;
	bool mc_overflow;
	uint32_t promisc; /* E1000_VF_SET_PROMISC_* last sent */
	uint64_t vlans[4096 / 64];

	struct os_work rx_work, tx_work, mbx_work, reset_work;
	struct os_timer *watchdog;
	struct os_timer *retry;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline struct vdd *vdd_from_nd(struct netdev *nd)
{
	return nd->priv;
}

/* Register access. */
static inline uint32_t er32(struct vdd *a, uint32_t reg)
{
	return pci__readl(a->hw, reg);
}

static inline void ew32(struct vdd *a, uint32_t reg, uint32_t val)
{
	pci__writel(a->hw, reg, val);
}

/* A read of a surprise-removed device returns all ones. */
static inline bool vdd_gone(struct vdd *a, uint32_t readval)
{
	return a->pdev->gone || readval == 0xFFFFFFFFu;
}

/* main.c: probe, remove, bring-up */
bool vdd_work_begin(struct vdd *a);
int vdd_hw_init(struct vdd *a, bool first);
int vdd_up(struct vdd *a);
void vdd_down(struct vdd *a);
int vdd_open(struct netdev *nd);
int vdd_stop(struct netdev *nd);
int vdd_queue_enable(struct vdd *a, uint32_t dctl_reg, uint32_t val, bool on);

/* reset.c: link state and recovery */
void vdd_schedule_reset(struct vdd *a);
void vdd_update_link(struct vdd *a);
void vdd_set_carrier(struct vdd *a, bool up, unsigned speed);
void vdd_reset_work(struct os_work *w);
void vdd_mbx_work(struct os_work *w);
void vdd_retry_timer(void *opaque);
void vdd_watchdog(void *opaque);

/* mbx.c: the VF side of the mailbox primitives (mailbox.md section 3) */
int vdd_mbx_check_for_msg(struct vdd *a);
int vdd_mbx_check_for_ack(struct vdd *a);
int vdd_mbx_check_for_rst(struct vdd *a);
int vdd_mbx_write(struct vdd *a, const uint32_t *msg, unsigned len);
int vdd_mbx_read(struct vdd *a, uint32_t *msg, unsigned len);
int vdd_mbx_write_posted(struct vdd *a, const uint32_t *msg, unsigned len);
int vdd_mbx_read_posted(struct vdd *a, uint32_t *msg, unsigned len);

/* vf.c: the PF conversation (mailbox.md sections 5, 7 and 8) */
int vdd_vf_reset_hw(struct vdd *a);
int vdd_vf_set_mac(struct vdd *a, const uint8_t mac[ETH_ALEN]);
int vdd_vf_set_multicast(struct vdd *a, const uint8_t (*mc)[ETH_ALEN], unsigned nmc);
int vdd_vf_set_promisc(struct vdd *a, uint32_t flags);
int vdd_vf_set_vlan(struct vdd *a, uint16_t vid, bool add);
int vdd_vf_set_lpe(struct vdd *a, unsigned max_frame);
int vdd_vf_check_link(struct vdd *a, bool *up, unsigned *speed);
void vdd_vf_handle_mbx(struct vdd *a);

/* intr.c */
int vdd_intr_request(struct vdd *a);
void vdd_intr_free(struct vdd *a);
void vdd_intr_configure(struct vdd *a);
/* After an Rx poll that emptied the ring: adapt EITR to what the interrupt brought. */
void vdd_itr_update(struct vdd *a);
void vdd_intr_enable(struct vdd *a, uint32_t mask);
void vdd_intr_disable(struct vdd *a, uint32_t mask);

/* tx.c */
int vdd_tx_alloc(struct vdd *a);
void vdd_tx_free(struct vdd *a);
void vdd_tx_configure(struct vdd *a);
void vdd_tx_stop(struct vdd *a);
int vdd_xmit(struct netdev *nd, const struct pkt *pkts, unsigned n);
void vdd_tx_clean(struct vdd *a);
void vdd_tx_work(struct os_work *w);

/* rx.c */
int vdd_rx_alloc(struct vdd *a);
void vdd_rx_free(struct vdd *a);
void vdd_rx_configure(struct vdd *a);
void vdd_rx_stop(struct vdd *a);
void vdd_rx_work(struct os_work *w);

/* ndo.c */
extern const struct netdev_ops vdd_netdev_ops;
int vdd_restore_filters(struct vdd *a);
int vdd_set_lpe_mtu(struct vdd *a);

#endif
