/*
 * Rx queues (82576.md sections 3 and 6): advanced one-buffer descriptors from RDH up to RDT,
 * SRRCTL.BSIZEPKT KiB per buffer, a frame over as many buffers as it needs with EOP on the last.
 *
 * The header-split descriptor type is taken as one-buffer: the header buffer is left alone and
 * hdr_info reads 0 (no SPH), which igbvf accepts (a zero-length header, the frame in the packet
 * buffer). Frames arrive without FCS, as if VMOLR.STRCRC were always set.
 *
 * A frame is written only when every buffer it needs translated: all of them are translated
 * first, then copied, then the descriptors are written back with the status dword (DD) last.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "hw/nic/desc.h"
#include "hw/nic/nic.h"
#include "lib/compiler.h"

#define NIC_RX_MAX_BUFS 16 /* buffers of one frame: the longest over 1 KiB buffers is 10 */
#define NIC_RX_AHEAD	8  /* descriptors: two lines ahead of the frame being written */
_Static_assert(NIC_TX_FRAME_MAX <= NIC_RX_MAX_BUFS << E1000_SRRCTL_BSIZEPKT_SHIFT &&
		   WIRE_FRAME_MAX <= NIC_RX_MAX_BUFS << E1000_SRRCTL_BSIZEPKT_SHIFT,
	       "a frame fits the descriptors rx.c keeps");

/* The longest frame (FCS included) pool's queue q takes: RLPML with LPE, else 1522. */
static uint32_t rx_limit(struct nic_port *p, unsigned q)
{
	uint32_t v;

	if (!nic_switch__vmdq(p)) {
		if (nic_get(p, E1000_RCTL) & E1000_RCTL_LPE)
			return nic_get(p, E1000_RLPML) & E1000_VMOLR_RLPML_MASK;
		return ETH_VLAN_MAXLEN;
	}
	v = nic_get(p, E1000_VMOLR(q & 7));
	return v & E1000_VMOLR_LPE ? v & E1000_VMOLR_RLPML_MASK : ETH_VLAN_MAXLEN;
}

/* No descriptor: RNBC always; RQDPC when the queue drops (SRRCTL.DROP_EN or QDE), else the frame
 * counts as missed (MPC), since the model has no packet buffer to hold it in. */
static void rx_no_desc(struct nic_port *p, unsigned q)
{
	nic_stats__reg_add(p, E1000_RNBC, 1);
	if ((nic_get(p, E1000_SRRCTL(q)) & E1000_SRRCTL_DROP_EN) ||
	    (nic_get(p, E1000_QDE) & BIT(q)))
		nic_set(p, E1000_RQDPC(q), nic_get(p, E1000_RQDPC(q)) + 1);
	else
		nic_stats__reg_add(p, E1000_MPC, 1);
	nic_stats__rx_drop(p, nic_stats__rxq_pool(p, q), E82576_DROP_NO_DESC);
}

/* Queue q for this pass: its registers and ring taken once per nic_dp__poll, as on the Tx
 * side, not once per frame (the ring's page is then translated once per pass too). An IOMMU
 * invalidation during a pass may miss what the pass already holds, as it may miss a request
 * in flight. */
static struct nic_rxq *rx_queue(struct nic_port *p, unsigned q)
{
	struct nic_rxq *rq = &p->dp.rxq[q];

	if (rq->pass == p->dp.pass)
		return rq;
	rq->pass = p->dp.pass;
	rq->master = nic_dp__bus_master(p, q);
	rq->limit = rx_limit(p, q);
	rq->bufsize = (nic_get(p, E1000_SRRCTL(q)) & E1000_SRRCTL_BSIZEPKT_MASK)
		      << E1000_SRRCTL_BSIZEPKT_SHIFT;
	rq->ring_ok = !nic_ring__open(p, &rq->ring, q, false);
	return rq;
}

/* Ask, exclusive, for the line of the descriptor NIC_RX_AHEAD after idx, if the driver has
 * handed it over and its page is mapped already (a prefetch translates nothing, so it cannot
 * fault): the line comes over from the driver's core, which refilled it, while the frames before
 * it are copied, instead of stalling the read of its buffer address and then, shared, the
 * write-back, which waits for the driver's copy to be invalidated. */
static void rx_prefetch(const struct nic_ring *r, uint32_t idx, uint32_t avail)
{
	unsigned n;
	uint8_t *d;

	if (avail <= NIC_RX_AHEAD)
		return;
	d = nic_ring__mapped(r, idx, &n);
	if (d && n > NIC_RX_AHEAD)
		nic_prefetchw(d + NIC_RX_AHEAD * E1000_DESC_SIZE);
}

static void rx_fault(struct nic_port *p, unsigned q, const char *why)
{
	nic_dp__queue_fault(p, q, false, why);
	nic_stats__rx_drop(p, nic_stats__rxq_pool(p, q), E82576_DROP_DMA_FAULT);
}

/* Descriptor write-back: everything, then (release) the status dword that holds DD. */
static void rx_writeback(uint8_t *d, uint32_t pkt_info, uint32_t status, uint32_t len,
			 uint16_t vlan)
{
	le32_put(d, pkt_info);
	le32_put(d + 4, 0); /* RSS hash / IP id and checksum: not modelled */
	le32_put(d + 12, len | (uint32_t)vlan << 16);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n((uint32_t *)(void *)(d + 8), htole32(status), __ATOMIC_RELAXED);
}

bool nic_rx__deliver(struct nic_port *p, unsigned q, struct nic_frame *f, bool strip, bool loopback)
{
	struct nic_dp *dp = &p->dp;
	uint32_t head, tail, bufsize, len, need, avail, status;
	uint8_t *desc[NIC_RX_MAX_BUFS];
	unsigned nsegs = 0;
	struct nic_rxq *rq = rx_queue(p, q);
	struct nic_ring *r = &rq->ring;

	if (!(nic_get(p, E1000_RXDCTL(q)) & E1000_RXDCTL_QUEUE_ENABLE) || !rq->master) {
		nic_stats__rx_drop(p, nic_stats__rxq_pool(p, q), E82576_DROP_RX_QUEUE_OFF);
		return false;
	}
	if (f->len + ETH_FCS_LEN > rq->limit) {
		nic_stats__reg_add(p, E1000_ROC, 1);
		nic_stats__rx_drop(p, nic_stats__rxq_pool(p, q), E82576_DROP_RX_TOO_LONG);
		return false;
	}
	len = f->len - (strip ? VLAN_HLEN : 0);
	bufsize = rq->bufsize;
	head = nic_get(p, E1000_RDH(q));
	tail = nic_get(p, E1000_RDT(q));
	if (!rq->ring_ok || !bufsize) {
		rx_no_desc(p, q);
		return false;
	}
	if (head >= r->count || tail >= r->count) {
		/* A tail beyond the ring gives the hardware nothing (QEMU does the same). */
		nic_stats__count(&dp->stats.bad_tail, 1);
		rx_no_desc(p, q);
		return false;
	}
	need = (len + bufsize - 1) / bufsize;
	avail = (tail + r->count - head) % r->count;
	if (avail < need) {
		rx_no_desc(p, q);
		return false;
	}
	for (uint32_t i = 0; i < need; i++) {
		uint32_t blen = MIN(bufsize, len - i * bufsize);
		int n;

		desc[i] = nic_ring__desc(p, r, (head + i) % r->count);
		if (!desc[i]) {
			rx_fault(p, q, "DMA fault on the descriptor ring");
			return false;
		}
		n = iommu__translate(p->nic->iommu, r->rid, le64_get(desc[i]), blen, IOMMU_WRITE,
				     dp->rxsegs + nsegs, NIC_DP_MAX_SEGS - nsegs);
		if (n < 0) {
			rx_fault(p, q,
				 n == -E2BIG ? "a receive buffer in too many pieces"
					     : "DMA fault on a receive buffer");
			return false;
		}
		nsegs += (unsigned)n;
	}
	rx_prefetch(r, (head + need) % r->count, avail - need);
	nic_frame__copy(f, 2 * ETH_ALEN, strip ? VLAN_HLEN : 0, dp->rxsegs, nsegs);
	nic_frame__classify(f);
	for (uint32_t i = 0; i + 1 < need; i++)
		rx_writeback(desc[i], f->pkt_type, E1000_RXD_STAT_DD, bufsize, 0);
	status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | f->csum;
	if (strip)
		status |= E1000_RXD_STAT_VP;
	if (loopback)
		status |= E1000_RXDEXT_STATERR_LB;
	rx_writeback(desc[need - 1], f->pkt_type, status, len - (need - 1) * bufsize,
		     strip ? f->tci : 0);
	nic_set(p, E1000_RDH(q), (head + need) % r->count);
	dp->intr_rx |= BIT(q);
	/* The frame as the switch delivered it, tag and all: what the pool's port of the switch
	 * carries, the same view as its Tx side. */
	if (nic_cap__on(dp, BIT(q & 7)))
		nic_cap__pool(p, q & 7, f);
	return true;
}
