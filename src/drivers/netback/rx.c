/*
 * dom0 to guest: the RX ring, as Linux's xenvif_rx_action. A frame for the guest takes as many
 * of its posted buffers (granted pages) as it needs; its bytes go there by grant copy, straight
 * from where the frame lies in our RAM (a PF's receive buffer, a page a TX mapping put in our
 * RAM), or from a bounce buffer when it is not in our RAM or has to change (a VLAN tag the NIC
 * stripped goes back into the frame; checksums a guest cannot take blank are filled in). Copies
 * go NETBACK_COPY_BATCH to a hypercall; the responses after them, then one notification.
 * A guest without buffers gets its frames queued (NETBACK_RX_QUEUE, copied), then dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfnet/dma.h"

#include "netback.h"

#define PAGE	   4096u
#define MAX_SLOTS  ((ETH_FRAME_MAX + PAGE - 1) / PAGE + 1)
#define BOUNCES	   16

struct rx_slot {
	RING_IDX idx;
	uint16_t id;
	uint16_t flags;
	int16_t status;
	unsigned op_first, op_count;
};

static struct {
	struct netback_vif *vif;
	struct gnttab_copy ops[NETBACK_COPY_BATCH];
	unsigned nops;
	struct rx_slot slots[NETBACK_COPY_BATCH];
	unsigned nslots;
	unsigned bounces;
} b OS_SAVED;

static uint8_t *bounce_pool OS_SAVED;
static uint64_t bounce_pool_bus OS_SAVED;

static void flush(void)
{
	struct netback_vif *vif = b.vif;

	if (!vif || !b.nslots)
		return;
	if (b.nops) {
		if (gnttab__copy(b.ops, b.nops))
			for (unsigned i = 0; i < b.nops; i++)
				b.ops[i].status = GNTST_general_error;
		vif->rx_copy_ops += b.nops;
		vif->hypercalls++;
	}
	for (unsigned s = 0; s < b.nslots; s++) {
		struct rx_slot *sl = &b.slots[s];
		struct netif_rx_response *r =
			&vif->rx_sring->ring[sl->idx & (NET_RX_RING_SIZE - 1)].rsp;
		int16_t st = sl->status;

		for (unsigned k = 0; k < sl->op_count; k++)
			if (b.ops[sl->op_first + k].status != GNTST_okay)
				st = NETIF_RSP_ERROR;
		/* The response sits in the slot of the request it answers. */
		r->id = sl->id;
		r->offset = 0;
		r->flags = sl->flags;
		r->status = st;
		vif->rx.rsp_prod_pvt = sl->idx + 1;
	}
	if (xen_back_ring__push_responses(&vif->rx))
		evtchn__notify(vif->rx_port);
	b.nops = b.nslots = b.bounces = 0;
}

static void begin(struct netback_vif *vif)
{
	if (b.vif != vif)
		flush();
	b.vif = vif;
}

/* Enough posted buffers for @slots? If not, ask to be told when more come (and look again). */
static bool buffers(struct netback_vif *vif, unsigned slots)
{
	RING_IDX prod;

	do {
		prod = xen_ring__load(&vif->rx_sring->hdr.req_prod);
		if (xen_back_ring__unconsumed(&vif->rx) >= slots)
			return true;
		__atomic_store_n(&vif->rx_sring->hdr.req_event, prod + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while (xen_ring__load(&vif->rx_sring->hdr.req_prod) != prod);
	return false;
}

static void *bounce(struct netback_vif *vif, uint64_t *bus)
{
	if (!bounce_pool && !(bounce_pool = dma__alloc((size_t)BOUNCES * NETBACK_BUF_SIZE,
						       &bounce_pool_bus)))
		return NULL;
	if (b.bounces == BOUNCES)
		flush();
	b.vif = vif;
	*bus = bounce_pool_bus + (uint64_t)b.bounces * NETBACK_BUF_SIZE;
	return bounce_pool + (size_t)b.bounces++ * NETBACK_BUF_SIZE;
}

/*
 * Send one frame: false when the guest has not posted the buffers (nothing consumed). A frame
 * that cannot be built (too long) is dropped and counted: true.
 */
static bool send(struct netback_vif *vif, const struct pkt *p)
{
	unsigned len = p->len + (p->flags & PKT_VLAN ? 4u : 0u);
	unsigned slots = (len + PAGE - 1) / PAGE, ops_max = slots * 2 + 2, done = 0;
	const uint8_t *data = p->data;
	uint64_t src;
	uint16_t first_flags = 0;

	if (!len || len > ETH_FRAME_MAX || p->len < ETH_HLEN) {
		vif->nd.stats.tx_dropped++;
		return true;
	}
	if (!buffers(vif, slots))
		return false;
	begin(vif);
	if (b.nops + ops_max > NETBACK_COPY_BATCH || b.nslots + slots > NETBACK_COPY_BATCH)
		flush();
	b.vif = vif;
	src = dma__bus(data);
	/* In place when it lies in our RAM as it is to go; else through a bounce buffer. */
	if (!src || !dma__cpu(src, p->len) || (p->flags & PKT_VLAN) ||
	    ((p->flags & PKT_CSUM) && !vif->csum_to_guest)) {
		uint8_t *bb = bounce(vif, &src);

		if (!bb) {
			vif->nd.stats.tx_dropped++;
			return true;
		}
		if (p->flags & PKT_VLAN) {
			memcpy(bb, data, 2 * ETH_ALEN);
			bb[12] = 0x81;
			bb[13] = 0x00;
			bb[14] = (uint8_t)(p->vlan >> 8);
			bb[15] = (uint8_t)p->vlan;
			memcpy(bb + 16, data + 2 * ETH_ALEN, p->len - 2 * ETH_ALEN);
		} else {
			memcpy(bb, data, p->len);
		}
		if ((p->flags & PKT_CSUM) && !vif->csum_to_guest)
			netdev__csum_fill(bb, len);
		data = bb;
	}
	if (p->flags & PKT_CSUM && vif->csum_to_guest)
		first_flags = NETRXF_csum_blank | NETRXF_data_validated;
	else if (p->flags & (PKT_CSUM_OK | PKT_CSUM))
		first_flags = NETRXF_data_validated;
	for (unsigned s = 0; s < slots; s++) {
		struct netif_rx_request req;
		struct rx_slot *sl = &b.slots[b.nslots++];
		unsigned chunk = len - done < PAGE ? len - done : PAGE, dst = 0;

		memcpy(&req, &vif->rx_sring->ring[vif->rx.req_cons & (NET_RX_RING_SIZE - 1)].req,
		       sizeof(req));
		*sl = (struct rx_slot){.idx = vif->rx.req_cons++, .id = req.id,
				       .flags = (uint16_t)((s ? 0 : first_flags) |
							   (s + 1 < slots ? NETRXF_more_data : 0)),
				       .status = (int16_t)chunk, .op_first = b.nops};
		while (dst < chunk) {
			uint64_t at = src + done + dst;
			unsigned room = PAGE - (unsigned)(at % PAGE);
			unsigned k = chunk - dst < room ? chunk - dst : room;
			struct gnttab_copy *c = &b.ops[b.nops++];

			memset(c, 0, sizeof(*c));
			c->source.u.gmfn = at / PAGE;
			c->source.domid = DOMID_SELF;
			c->source.offset = (uint16_t)(at % PAGE);
			c->dest.u.ref = req.gref;
			c->dest.domid = (domid_t)vif->domid;
			c->dest.offset = (uint16_t)dst;
			c->len = (uint16_t)k;
			c->flags = GNTCOPY_dest_gref;
			dst += k;
			sl->op_count++;
		}
		done += chunk;
	}
	vif->nd.stats.tx_packets++;
	vif->nd.stats.tx_bytes += p->len;
	return true;
}

/* Room for @len contiguous bytes in the queue's buffer: their offset, or -1. */
static long queue_room(struct netback_vif *vif, unsigned len)
{
	unsigned w = vif->rxq_wr, r;

	if (!vif->rxq_count)
		return len <= NETBACK_RX_QUEUE_BYTES ? 0 : -1;
	r = (unsigned)((uint8_t *)vif->rxq[vif->rxq_head].data - vif->rxq_buf);
	if (w >= r) {
		if (w + len <= NETBACK_RX_QUEUE_BYTES)
			return w;
		return len < r ? 0 : -1; /* wrap to the start */
	}
	return w + len < r ? (long)w : -1;
}

static void enqueue(struct netback_vif *vif, const struct pkt *p)
{
	struct pkt *q;
	long at;

	if (vif->rxq_count == NETBACK_RX_QUEUE || (at = queue_room(vif, p->len)) < 0) {
		vif->rx_queue_drops++;
		vif->nd.stats.tx_dropped++;
		return;
	}
	q = &vif->rxq[(vif->rxq_head + vif->rxq_count++) % NETBACK_RX_QUEUE];
	q->data = vif->rxq_buf + at;
	memcpy(q->data, p->data, p->len);
	vif->rxq_wr = (unsigned)at + p->len;
	q->len = p->len;
	q->vlan = p->vlan;
	q->flags = p->flags;
	if (vif->rxq_count == 1) {
		vif->rxq_moved_ns = os__now_ns();
		os__timer_arm(vif->drain_timer, (uint64_t)NETBACK_RX_DRAIN_MS * 1000000ull);
	}
}

/* Queued frames first, in order, while the guest has buffers. */
static void drain(struct netback_vif *vif)
{
	bool moved = false;

	while (vif->rxq_count && send(vif, &vif->rxq[vif->rxq_head])) {
		vif->rxq_head = (vif->rxq_head + 1) % NETBACK_RX_QUEUE;
		vif->rxq_count--;
		moved = true;
	}
	if (moved) {
		/* The copies read the queue's slots: done before a slot is filled again. */
		flush();
		vif->rxq_moved_ns = os__now_ns();
		os__timer_arm(vif->drain_timer,
			      vif->rxq_count ? (uint64_t)NETBACK_RX_DRAIN_MS * 1000000ull : 0);
	}
}

int netback_rx__xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct netback_vif *vif = nd->priv;
	uint64_t t0 = netback__thread_ns();

	if (!vif->connected || vif->disabled) {
		nd->stats.tx_dropped += n;
		return (int)n;
	}
	drain(vif);
	for (unsigned i = 0; i < n; i++) {
		if (!vif->rxq_count && send(vif, &pkts[i]))
			continue;
		vif->rx_no_buffer++;
		enqueue(vif, &pkts[i]);
	}
	flush();
	vif->cpu_ns += netback__thread_ns() - t0;
	return (int)n;
}

void netback_rx__work(struct os_work *w)
{
	struct netback_vif *vif = (struct netback_vif *)((uint8_t *)w -
							  offsetof(struct netback_vif, rx_work));
	uint64_t t0;

	if (!netback_vif__work_begin(vif))
		return;
	t0 = netback__thread_ns();

	if (!vif->connected || vif->disabled)
		return;
	drain(vif);
	flush();
	vif->cpu_ns += netback__thread_ns() - t0;
}

void netback_rx__flush_queue(struct netback_vif *vif)
{
	if (b.vif == vif) {
		b.nops = b.nslots = b.bounces = 0; /* its ring is going: nothing to answer */
		b.vif = NULL;
	}
	vif->rx_drained += vif->rxq_count;
	vif->nd.stats.tx_dropped += vif->rxq_count;
	vif->rxq_count = vif->rxq_head = vif->rxq_wr = 0;
	if (vif->drain_timer)
		os__timer_arm(vif->drain_timer, 0);
}

/* A queue that has not moved for NETBACK_RX_DRAIN_MS: the guest is not taking frames. */
void netback_rx__drain_timeout(void *opaque)
{
	struct netback_vif *vif = opaque;

	if (!vif->rxq_count)
		return;
	if (os__now_ns() - vif->rxq_moved_ns >= (uint64_t)NETBACK_RX_DRAIN_MS * 1000000ull) {
		os__log(NB_TAG, "%s: guest took no frames for %u ms: %u queued frames dropped",
			vif->nd.name, NETBACK_RX_DRAIN_MS, vif->rxq_count);
		netback_rx__flush_queue(vif);
		return;
	}
	os__timer_arm(vif->drain_timer, (uint64_t)NETBACK_RX_DRAIN_MS * 1000000ull);
}
