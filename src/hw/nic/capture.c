/*
 * The capture tap (capture.h): its ring, the datapath's hooks, and starting and stopping it on
 * the port's engine.
 *
 * The datapath tests one mask per frame (nic_cap__on in dp.h); everything here runs only when
 * that mask names the frame's source, so a port nobody captures pays one predicted branch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/nic/capture.h"
#include "hw/nic/nic.h"
#include "lib/compiler.h"

/* ---- the ring ---- */

int cap_ring__create(struct cap_ring **out, unsigned slots)
{
	struct cap_ring *r;

	if (!slots || slots > CAP_RING_MAX || (slots & (slots - 1)))
		return -EINVAL;
	r = aligned_alloc(64, sizeof(*r));
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	/* calloc: the pages of slots never used are never touched. */
	r->slot = calloc(slots, sizeof(*r->slot));
	if (!r->slot) {
		free(r);
		return -ENOMEM;
	}
	r->mask = slots - 1;
	*out = r;
	return 0;
}

void cap_ring__destroy(struct cap_ring *r)
{
	if (!r)
		return;
	free(r->slot);
	free(r);
}

bool cap_ring__push(struct cap_ring *r, const struct iovec *iov, unsigned iovcnt, uint32_t len,
		    uint64_t ts_ns)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED); /* ours */
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE); /* the slot is free to reuse */
	struct cap_slot *s;
	uint32_t off = 0;

	if (head - tail > r->mask)
		return false;
	s = &r->slot[head & r->mask];
	s->ts_ns = ts_ns;
	s->len = len;
	s->caplen = MIN(len, (uint32_t)CAP_SNAPLEN);
	for (unsigned i = 0; i < iovcnt && off < s->caplen; i++) {
		uint32_t k = (uint32_t)MIN(iov[i].iov_len, (size_t)(s->caplen - off));

		memcpy(s->data + off, iov[i].iov_base, k);
		off += k;
	}
	s->caplen = off; /* the iovec may hold less than len says: keep what is there */
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

const struct cap_slot *cap_ring__peek(struct cap_ring *r)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED); /* ours */

	if (tail == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
		return NULL;
	return &r->slot[tail & r->mask];
}

void cap_ring__pop(struct cap_ring *r)
{
	/* Release: our reads of the slot are done before the producer may write it again. */
	__atomic_store_n(&r->tail, __atomic_load_n(&r->tail, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

/* ---- the datapath's hooks ---- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void cap_frame(struct nic_port *p, const struct iovec *iov, unsigned iovcnt, uint32_t len,
		      uint64_t ts)
{
	struct nic_dp *dp = &p->dp;

	if (cap_ring__push(dp->cap_ring, iov, iovcnt, len, ts))
		nic_stats__count(&dp->cap_stats.frames, 1);
	else
		nic_stats__count(&dp->cap_stats.dropped, 1);
}

void nic_cap__wire_rx(struct nic_port *p, const struct nic_frame *f)
{
	cap_frame(p, f->iov, f->iovcnt, f->len, realtime_ns());
}

void nic_cap__wire_tx(struct nic_port *p, const struct wire_frame *frames, unsigned n)
{
	uint64_t ts = realtime_ns();

	for (unsigned i = 0; i < n; i++) {
		uint64_t len = 0;

		for (unsigned k = 0; k < frames[i].iovcnt; k++)
			len += frames[i].iov[k].iov_len;
		cap_frame(p, frames[i].iov, frames[i].iovcnt, (uint32_t)MIN(len, UINT32_MAX), ts);
	}
}

void nic_cap__pool(struct nic_port *p, unsigned pool, const struct nic_frame *f)
{
	/* Outside VMDq mode there are no pools: queue numbers name the PF's queues only. */
	if (!nic_switch__vmdq(p) || !(p->dp.cap_src & BIT(pool)))
		return;
	cap_frame(p, f->iov, f->iovcnt, f->len, realtime_ns());
}

/* ---- start, stop, counters ---- */

struct cap_op {
	struct nic_port *port;
	uint32_t src;
	struct cap_ring *ring;
	int rc;
};

static void do_start(void *arg)
{
	struct cap_op *op = arg;
	struct nic_dp *dp = &op->port->dp;

	if (dp->cap_src) {
		op->rc = -EBUSY;
		return;
	}
	__atomic_store_n(&dp->cap_stats.frames, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->cap_stats.dropped, 0, __ATOMIC_RELAXED);
	dp->cap_ring = op->ring;
	dp->cap_src = op->src;
	op->rc = 0;
}

static void do_stop(void *arg)
{
	struct cap_op *op = arg;
	struct nic_dp *dp = &op->port->dp;

	op->rc = dp->cap_src ? 0 : -ENOENT;
	dp->cap_src = 0;
	dp->cap_ring = NULL;
}

int e82576__capture_start(struct e82576 *nic, unsigned port, const struct e82576_cap_filter *flt,
			  struct cap_ring *ring)
{
	struct cap_op op = {.ring = ring};
	int rc;

	if (port >= E82576_PORTS || !ring)
		return -EINVAL;
	switch (flt->source) {
	case E82576_CAP_WIRE:
		op.src = NIC_CAP_WIRE;
		break;
	case E82576_CAP_POOL:
		if (flt->pool >= E82576_POOLS)
			return -EINVAL;
		op.src = BIT(flt->pool);
		break;
	default:
		return -EINVAL;
	}
	op.port = &nic->port[port];
	rc = e82576__call(nic, port, do_start, &op);
	return rc ? rc : op.rc;
}

int e82576__capture_stop(struct e82576 *nic, unsigned port)
{
	struct cap_op op = {0};
	int rc;

	if (port >= E82576_PORTS)
		return -EINVAL;
	op.port = &nic->port[port];
	/* The call returns after do_stop ran on the engine, between two passes: from then on no
	 * pass can reach the ring. */
	rc = e82576__call(nic, port, do_stop, &op);
	return rc ? rc : op.rc;
}

void e82576__capture_stats(struct e82576 *nic, unsigned port, struct e82576_capture_stats *st)
{
	const struct e82576_capture_stats *s = &nic->port[port].dp.cap_stats;

	st->frames = __atomic_load_n(&s->frames, __ATOMIC_RELAXED);
	st->dropped = __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);
}
