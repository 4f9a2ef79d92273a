/*
 * The 82576 datapath inside the model: Tx queues (tx.c), the L2 switch and anti-spoofing
 * (switch.c), Rx queues (rx.c), frames and checksums (frame.c), the Tx rate limiter (rate.c),
 * statistics (stats.c), and the per-port poll that drives them with the wire (dp.c).
 *
 * Everything here runs on the thread that owns the port (e82576.h), inside nic_dp__poll: no
 * locks, no allocation. The scratch arrays live in the port and are valid for one call.
 *
 * Frames move as a struct nic_frame: an iovec over the sender's buffers (host pointers from the
 * IOMMU) behind a small private copy of the header, which Tx offloads patch. A receiver gets its
 * copy straight from that iovec, so local delivery costs one memcpy per receiver.
 */
#ifndef VFNET_HW_NIC_DP_H
#define VFNET_HW_NIC_DP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hw/iommu/iommu.h"
#include "hw/nic/desc.h"
#include "hw/nic/e82576.h"
#include "hw/nic/regs.h"
#include "hw/nic/wire.h"
#include "lib/compiler.h"

struct nic_port;

/* Register bits only the datapath reads (Linux e1000_defines.h / e1000_82575.h spelling). */
#define E1000_RCTL_EN		      0x00000002 /* receiver enable */
#define E1000_RCTL_UPE		      0x00000008 /* unicast promiscuous */
#define E1000_RCTL_MPE		      0x00000010 /* multicast promiscuous */
#define E1000_RCTL_LPE		      0x00000020 /* long packets: RLPML instead of 1522 */
#define E1000_RCTL_MO_SHIFT	      12	 /* multicast offset: which 12 address bits hash */
#define E1000_RCTL_BAM		      0x00008000 /* broadcast accept */
#define E1000_RCTL_VFE		      0x00040000 /* VLAN filtering */
#define E1000_TCTL_EN		      0x00000002 /* transmitter enable */
#define E1000_MRQC_ENABLE_MASK	      0x00000007
#define E1000_MRQC_ENABLE_VMDQ	      0x00000003
#define E1000_MRQC_ENABLE_VMDQ_RSS_2Q 0x00000005
#define E1000_TX_HEAD_WB_ENABLE	      0x00000001 /* TDWBAL: write TDH to TDWBAL/H */
#define E1000_STATUS_SPEED_MASK	      0x000000C0
#define E1000_STATUS_SPEED_100	      0x00000040
#define E1000_VMVIR_VLANA_NONE	      0x00000000 /* use the descriptor's VLE and context tag */

#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETH_FCS_LEN	4
#define VLAN_HLEN	4
#define ETH_VLAN_MAXLEN 1522 /* the limit without LPE, FCS included */

#define NIC_DP_MAX_SEGS	 64  /* host segments of one frame, Tx gather or Rx scatter */
#define NIC_DP_HDR_MAX	 768 /* header bytes copied: MACLEN 127 + IPLEN 511 + an L4 header */
#define NIC_DP_HDR_PARSE 128 /* header bytes copied when no offload reaches further */
#define NIC_DP_TX_BATCH	 32  /* frames per Tx pass: the wire gets them in one send */
#define NIC_DP_RX_BATCH	 16  /* frames per wire receive */
#define NIC_DP_TX_FETCH	 64  /* Tx descriptors copied out of a ring at once */
#define NIC_TX_FRAME_MAX WIRE_FRAME_MAX /* 9728-byte jumbo payload + header + one tag */
/* Data and context descriptors one frame may take before the ring is judged broken: the model's
 * bound (a datasheet limit is unconfirmed); igb uses at most 2 + MAX_SKB_FRAGS. */
#define NIC_TX_MAX_FRAME_DESC 64
#define NIC_DP_LINK_POLL_NS   100000000ull  /* the wire's link state is looked at every 100 ms */
#define NIC_DP_WARN_NS	      1000000000ull /* at most one fault warning a second per port */

/* A frame in flight: the bytes as they leave the sender, and what parsing found. */
struct nic_frame {
	const struct iovec *iov;
	unsigned iovcnt;
	uint32_t len;
	const uint8_t *hdr; /* the first hdr_len bytes, contiguous (iov[0] or a copy) */
	uint32_t hdr_len;
	/* L2 (nic_frame__parse) */
	bool tagged; /* outer TPID == VET */
	uint16_t tci;
	uint16_t ethertype; /* after the tag */
	uint16_t l3_off;
	/* Rx write-back facts (nic_frame__classify), the same for every receiver */
	bool classified;
	uint16_t pkt_type; /* E1000_RXDADV_PKTTYPE_* */
	uint32_t csum;	   /* E1000_RXD_STAT_IPCS/TCPCS/UDPCS and E1000_RXDEXT_STATERR_IPE/L4E */
};

static inline bool nic_frame__bcast(const struct nic_frame *f)
{
	static const uint8_t all[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	return !__builtin_memcmp(f->hdr, all, ETH_ALEN);
}

static inline bool nic_frame__mcast(const struct nic_frame *f)
{
	return (f->hdr[0] & 1) && !nic_frame__bcast(f);
}

/* Whether the CPU has PREFETCHW (CPUID 0x80000001 ECX bit 8), found at start-up (dp.c). */
extern bool nic_dp_prefetchw;

/* Ask for the cache line at p with intent to write: a descriptor the driver's core last wrote
 * and the engine reads and then writes back comes over once, exclusive, instead of once shared
 * to be read and again, with the driver's copy invalidated, to be written. */
static inline void nic_prefetchw(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	if (likely(nic_dp_prefetchw)) {
		__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
		return;
	}
#endif
	__builtin_prefetch(p, 1, 3);
}

/* A descriptor ring as the device reaches it: through the IOMMU with the queue's RID. */
struct nic_ring {
	uint64_t base;	/* IOVA of descriptor 0 */
	uint32_t count; /* descriptors */
	uint16_t rid;
	uint64_t win; /* IOVA of the mapped window (one host-contiguous page or less) */
	uint32_t win_len;
	uint8_t *host;
};

/* An Rx queue as one pass sees it (rx.c): what its registers and its function's Bus Master
 * bit say, and its ring with the page last mapped, taken at its first frame of the pass. They
 * only change between passes, on this thread; the queue's enable bit, which a fault clears
 * mid-pass, and its head and tail are read frame by frame. */
struct nic_rxq {
	uint64_t pass;	  /* valid while it is dp->pass */
	bool master;	  /* its function may master the bus */
	bool ring_ok;	  /* its ring has a length */
	uint32_t limit;	  /* the longest frame it takes, FCS included */
	uint32_t bufsize; /* bytes per buffer (SRRCTL.BSIZEPKT) */
	struct nic_ring ring;
};

/* A Tx context descriptor, by slot (IDX). */
struct nic_tx_ctx {
	uint16_t vlan;
	uint16_t iplen;
	uint8_t maclen;
	uint32_t tucmd;
};

struct nic_txq {
	struct nic_tx_ctx ctx[2];
	uint64_t rate_tat; /* rate limiter: when the queue may send again (rate.c) */
};

/* One frame of the current Tx pass, kept until the wire has it and its descriptors are done. */
struct nic_tx_slot {
	uint8_t hdr[VLAN_HLEN + NIC_DP_HDR_MAX];
	struct iovec iov[NIC_DP_MAX_SEGS + 1];
	struct nic_frame f;
	bool to_wire;
	uint16_t first; /* its descriptors: first .. first + ndesc - 1 */
	uint16_t ndesc;
	uint64_t rs; /* bit i: descriptor first + i asked for status (RS) */
};

/*
 * The switch's address and VLAN filters as lookup tables (switch.c): the valid RAR entries and
 * the enabled VLVF entries, packed, so that a frame scans the few entries in use rather than all
 * 24 RAR and 32 VLVF registers, twice. Rebuilt on the first frame after any of those registers
 * was written (nic_switch__filters_changed) or the port was reset.
 */
struct nic_filters {
	bool valid;
	unsigned nrar, nvlvf;
	struct {
		uint64_t mac; /* bytes 0..5 little-endian, as RAL and RAH hold them */
		uint32_t pools;
		bool dst; /* ASEL: a destination address (else a source address) */
	} rar[E1000_RAR_ENTRIES];
	struct {
		uint16_t vid;
		uint32_t pools;
	} vlvf[E1000_VLVF_ENTRIES];
};

/* A pool's frames of the current pass (stats.c): added to the port's counters and to the VF's
 * statistics registers once, when the pass ends, rather than frame by frame. */
struct nic_pool_count {
	uint32_t tx, tx_octets, tx_lb, tx_lb_octets;
	uint32_t rx, rx_octets, rx_mc, rx_lb, rx_lb_octets;
	uint64_t tx_bytes, rx_bytes; /* bytes as sent and as written, for the port's counters */
};
#define NIC_DP_POOLS 8 /* pools in VMDq mode; the PF outside it counts as one more */

struct cap_ring;
/* Capture sources (capture.c): pool n is BIT(n), the wire the bit after the pools. */
#define NIC_CAP_WIRE BIT(NIC_DP_POOLS)

struct nic_dp {
	struct wire *wire;
	uint32_t cap_src; /* capture sources the tap takes frames of (0: no capture runs) */
	uint64_t link_next_ns;
	bool link_due;
	uint32_t tx_pending;	   /* queues left with descriptors after a pass */
	uint32_t intr_tx, intr_rx; /* queue interrupts to raise when the poll ends */
	uint64_t warn_ns;
	uint64_t warn_suppressed;
	struct nic_txq txq[E1000_NUM_QUEUES];
	struct nic_filters filters;
	struct e82576_dp_stats stats; /* one writer (the port's thread), relaxed atomic stores */
	struct e82576_pool_stats pool_stats[NIC_DP_POOLS + 1]; /* the same, per pool */
	/* Pools with counts in count[] (stats.c). */
	uint32_t counted;
	struct nic_pool_count count[NIC_DP_POOLS + 1];
	/* The capture tap (capture.c): set and cleared on this thread, by e82576__call. */
	struct cap_ring *cap_ring;
	struct e82576_capture_stats cap_stats; /* one writer, relaxed atomic stores */
	/* Scratch for one nic_dp__poll. */
	unsigned nslots;
	struct nic_tx_slot slot[NIC_DP_TX_BATCH];
	uint32_t txd_first; /* tx.c: descriptors txd_first.. of the queue being polled */
	unsigned txd_n;
	uint8_t txd[NIC_DP_TX_FETCH][E1000_DESC_SIZE];
	uint64_t pass; /* nic_dp__poll calls: what rxq[] holds belongs to one of them */
	struct nic_rxq rxq[E1000_NUM_QUEUES];
	struct wire_frame wframe[NIC_DP_TX_BATCH];
	struct dma_seg txsegs[NIC_DP_MAX_SEGS];
	struct dma_seg rxsegs[NIC_DP_MAX_SEGS];
	struct wire_buf wbuf[NIC_DP_RX_BATCH];
	uint8_t rxbuf[NIC_DP_RX_BATCH][WIRE_FRAME_MAX];
};

/* ---- dp.c: rings, faults, the wire ---- */
/* The requester ID queue q's DMA carries: its VF's, or the PF's. */
uint16_t nic_dp__rid(struct nic_port *p, unsigned q);
/* Whether queue q's function may master the bus (PCI Command.BME). */
bool nic_dp__bus_master(struct nic_port *p, unsigned q);
/* Ring of queue q from its BAL/BAH/LEN; -EINVAL when its length is 0. */
int nic_ring__open(struct nic_port *p, struct nic_ring *r, unsigned q, bool tx);
/* Host address of descriptor idx only if the last nic_ring__desc mapped it already (no
 * translation, so no fault), with in *n how many descriptors from idx on that mapping holds.
 * Inline, as nic_ring__desc's hit: they run for every descriptor. */
static inline uint8_t *nic_ring__mapped(const struct nic_ring *r, unsigned idx, unsigned *n)
{
	uint64_t iova = r->base + (uint64_t)idx * E1000_DESC_SIZE;

	if (!r->host || iova < r->win || iova - r->win >= r->win_len)
		return NULL;
	*n = (unsigned)((r->win + r->win_len - iova) / E1000_DESC_SIZE);
	return r->host + (iova - r->win);
}
/* Translate the page of descriptor idx (through its end, or the ring's): nic_ring__desc's miss. */
uint8_t *nic_ring__map(struct nic_port *p, struct nic_ring *r, unsigned idx);
/* Host address of descriptor idx (< count), mapped read/write, or NULL on a DMA fault. */
static inline uint8_t *nic_ring__desc(struct nic_port *p, struct nic_ring *r, unsigned idx)
{
	unsigned n;
	uint8_t *d = nic_ring__mapped(r, idx, &n);

	return d ? d : nic_ring__map(p, r, idx);
}
/* Stop queue q after a DMA fault or a broken ring: enable cleared, counted, warned (at most
 * once a second per port). */
void nic_dp__queue_fault(struct nic_port *p, unsigned q, bool tx, const char *why);
/* Hand frames to the wire (which counts its own drops); -ENOLINK, nothing sent, when there is
 * no wire or its link is down. */
int nic_dp__wire_send(struct nic_port *p, const struct wire_frame *frames, unsigned n);

/* ---- capture.c: called only when nic_cap__on says the tap wants the source ---- */
/* Whether the port's capture takes frames of src: the one test on the fast path. */
static inline bool nic_cap__on(const struct nic_dp *dp, uint32_t src)
{
	return unlikely(dp->cap_src & src);
}
void nic_cap__wire_tx(struct nic_port *p, const struct wire_frame *frames, unsigned n);
void nic_cap__wire_rx(struct nic_port *p, const struct nic_frame *f);
/* A frame pool sent, or a copy delivered into it (checked again: VMDq mode only). */
void nic_cap__pool(struct nic_port *p, unsigned pool, const struct nic_frame *f);

/* ---- frame.c ---- */
/* L2 fields from f->hdr; vet is the VLAN TPID (VET). */
void nic_frame__parse(struct nic_frame *f, uint16_t vet);
/* Packet type and checksum status, once per frame, for the Rx write-back. */
void nic_frame__classify(struct nic_frame *f);
/* 32-bit ones' complement partial sum of bytes [off, off + len) as big-endian words, plus sum. */
uint32_t nic_frame__sum(const struct nic_frame *f, uint32_t off, uint32_t len, uint32_t sum);
uint32_t nic_csum__add(const void *buf, size_t len, uint32_t sum);
uint16_t nic_csum__fold(uint32_t sum);
/* Scatter f into dst, leaving out bytes [skip_off, skip_off + skip_len) (a stripped tag). */
void nic_frame__copy(const struct nic_frame *f, uint32_t skip_off, uint32_t skip_len,
		     const struct dma_seg *dst, unsigned ndst);

/* ---- switch.c ---- */
bool nic_switch__vmdq(const struct nic_port *p);
/* Pools a frame goes to by the Rx rules; *rar_ucast: a unicast that hit a RAR entry. */
uint32_t nic_switch__rx_pools(struct nic_port *p, const struct nic_frame *f, bool from_wire,
			      bool *rar_ucast);
/* A frame from the wire: select and deliver. */
void nic_switch__from_wire(struct nic_port *p, struct nic_frame *f);
/* A frame sent by pool (any pool outside VMDq mode): anti-spoofing, then local delivery.
 * Returns -1 when it was dropped as spoofed, else NIC_SWITCH_WIRE if it also goes to the wire,
 * | NIC_SWITCH_LOOPED if a local pool got it. */
#define NIC_SWITCH_WIRE	  1
#define NIC_SWITCH_LOOPED 2
int nic_switch__tx(struct nic_port *p, unsigned pool, struct nic_frame *f);
/* RAL/RAH or VLVF were written: the switch's lookup tables are rebuilt before the next frame. */
void nic_switch__filters_changed(struct nic_port *p);
/* VFTE / VFRE: they gate the pools of enabled VFs only (the PF's pool is never gated). */
bool nic_switch__pool_tx_enabled(struct nic_port *p, unsigned pool);
bool nic_switch__pool_rx_enabled(struct nic_port *p, unsigned pool);

/* ---- rx.c ---- */
/* Write f into Rx queue q; false (and counted) when it was dropped. */
bool nic_rx__deliver(struct nic_port *p, unsigned q, struct nic_frame *f, bool strip,
		     bool loopback);

/* ---- tx.c ---- */
/* Process up to budget descriptors of Tx queue q at time now (the pass's, for the rate
 * limiter); returns how many were completed. */
unsigned nic_tx__poll(struct nic_port *p, unsigned q, unsigned budget, uint64_t now);

/* ---- rate.c ---- */
/* May queue q send a frame of len bytes now? If so it is charged. */
bool nic_rate__admit(struct nic_port *p, unsigned q, uint32_t len, uint64_t now);
/* When a waiting queue q may send again, or 0 when it is not limited. */
uint64_t nic_rate__wake(struct nic_port *p, unsigned q);

/* ---- stats.c ---- */
/* A drop that belongs to no pool (a frame from the wire nobody takes). */
void nic_stats__drop(struct nic_port *p, enum e82576_drop why);
/* A copy for pool dropped on its way in, or a frame from pool dropped on its way out. */
void nic_stats__rx_drop(struct nic_port *p, unsigned pool, enum e82576_drop why);
void nic_stats__tx_drop(struct nic_port *p, unsigned pool, enum e82576_drop why);
/* The pool whose counters Rx queue q's copies go to: q's pool in VMDq mode, else the PF's. */
unsigned nic_stats__rxq_pool(const struct nic_port *p, unsigned q);
void nic_stats__count(uint64_t *counter, uint64_t n);
void nic_stats__wire_tx(struct nic_port *p, const struct nic_frame *f);
void nic_stats__wire_rx(struct nic_port *p, const struct nic_frame *f, bool accepted);
/* A frame left pool's queues (looped: at least one local pool got it). */
void nic_stats__pool_tx(struct nic_port *p, unsigned pool, const struct nic_frame *f, bool looped);
/* A copy landed in pool's queue. */
void nic_stats__pool_rx(struct nic_port *p, unsigned pool, const struct nic_frame *f, bool looped);
/* The pass is over: what nic_stats__pool_tx/rx counted goes into the counters and registers. */
void nic_stats__flush(struct nic_port *p);
/* A PF statistics register (read to clear): add n, saturating as e1000 counters do. */
void nic_stats__reg_add(struct nic_port *p, uint32_t off, uint32_t n);

#endif
