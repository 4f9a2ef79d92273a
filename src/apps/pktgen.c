/*
 * pktgen: sends UDP/IPv4 test frames to dst=MAC, each carrying a struct pg_hdr (flow, sequence
 * number, send time, payload checksum) for sink to check.
 *
 * Frames are prepared once (PG_BATCH buffers); sending one only stamps its sequence number, time
 * and payload checksum. All sending happens in a timer callback: at rate=0 it sends up to
 * PG_BUDGET frames and re-arms at once, so the vCPU keeps serving interrupts and requests; with a
 * rate, a token bucket is refilled from the clock and the timer sleeps until about PG_TICK_NS of
 * tokens (at least one, at most a batch) are there. When the ring is full the untaken frames stay
 * stamped and are retried PG_RETRY_NS later.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>

#include "vfnet/app.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#include "apps.h"
#include "opts.h"
#include "proto.h"

#define PG_BATCH    32
#define PG_BUDGET   256		/* frames per timer callback */
#define PG_TICK_NS  100000ull	/* pacing granularity at low rates */
#define PG_RETRY_NS 10000ull	/* ring full: try again after */
#define PG_ERROR_NS 10000000ull /* xmit failed (link down): try again after */
#define PG_RATE_MAX 1000000000ull
#define NSEC	    ((uint64_t)1000000000)

struct pktgen {
	struct netdev *nd;
	struct os_timer *timer;
	uint64_t size, count, rate, flow, vlan;
	bool vlan_given;

	uint8_t *bufs; /* PG_BATCH frames of size bytes */
	struct pkt pkts[PG_BATCH];
	size_t payload;	   /* offset of the struct pg_hdr */
	uint32_t base_sum; /* checksum sum of the payload with seq, ts and csum zero */

	uint64_t seq;		     /* next sequence number */
	unsigned pend_first, pend_n; /* stamped frames the driver has not taken yet */

	uint64_t credit; /* tokens, in units of 1/NSEC frame */
	uint64_t last_ns;
	uint64_t want;	/* tokens worth a timer tick */
	uint64_t burst; /* most tokens kept */
	bool done;

	uint64_t sent, bytes, busy, errors, start_ns, stop_ns;
};

static uint32_t pg_words(uint64_t v)
{
	return (uint32_t)((v >> 48) + (v >> 32 & 0xffff) + (v >> 16 & 0xffff) + (v & 0xffff));
}

static void pg_stamp(struct pktgen *pg, uint8_t *frame, uint64_t seq, uint32_t ts)
{
	struct pg_hdr *h = (void *)(frame + pg->payload);
	uint32_t sum = pg->base_sum + pg_words(seq) + pg_words(ts);

	h->seq = htobe64(seq);
	h->ts = htonl(ts);
	h->csum = htons((uint16_t)~proto__csum_fold(sum));
}

static void pg_finish(struct pktgen *pg, uint64_t now)
{
	uint64_t ns = now - pg->start_ns;

	pg->done = true;
	pg->stop_ns = now;
	os__log("pktgen",
		"%s: sent %" PRIu64 " frames of %" PRIu64 " bytes in %" PRIu64 " us (%" PRIu64
		" pps), ring full %" PRIu64 " times",
		pg->nd->name, pg->sent, pg->size, ns / 1000, ns ? pg->sent * NSEC / ns : 0,
		pg->busy);
}

static void pg_refill(struct pktgen *pg, uint64_t now)
{
	uint64_t dt = now - pg->last_ns;

	pg->last_ns = now;
	if (dt > NSEC)
		dt = NSEC;
	pg->credit += dt * pg->rate;
	if (pg->credit > pg->burst * NSEC)
		pg->credit = pg->burst * NSEC;
}

/* Stamp the next batch into the buffers: how many frames (0: wait for tokens or done). */
static unsigned pg_prepare(struct pktgen *pg, uint64_t now, unsigned budget)
{
	uint64_t n = PG_BATCH;

	if (pg->count && pg->count - pg->seq < n)
		n = pg->count - pg->seq;
	if (pg->rate && pg->credit / NSEC < n)
		n = pg->credit / NSEC;
	if (budget < n)
		n = budget;
	for (unsigned i = 0; i < n; i++)
		pg_stamp(pg, pg->bufs + i * pg->size, pg->seq + i, (uint32_t)now);
	pg->seq += n;
	if (pg->rate)
		pg->credit -= n * NSEC;
	pg->pend_first = 0;
	pg->pend_n = (unsigned)n;
	return (unsigned)n;
}

static void pg_tick(void *opaque)
{
	struct pktgen *pg = opaque;
	uint64_t now = os__now_ns(), wait;
	unsigned budget = PG_BUDGET;

	if (pg->done)
		return;
	if (!pg->start_ns)
		pg->start_ns = now;
	if (pg->rate)
		pg_refill(pg, now);
	while (budget) {
		int r;

		if (!pg->pend_n && !pg_prepare(pg, now, budget))
			break;
		r = netdev__xmit(pg->nd, &pg->pkts[pg->pend_first], pg->pend_n);
		if (r < 0) {
			pg->errors++;
			os__timer_arm(pg->timer, PG_ERROR_NS);
			return;
		}
		pg->sent += (unsigned)r;
		pg->bytes += (unsigned)r * pg->size;
		pg->pend_first += (unsigned)r;
		pg->pend_n -= (unsigned)r;
		budget -= (unsigned)r < budget ? (unsigned)r : budget;
		if (pg->pend_n) {
			pg->busy++;
			os__timer_arm(pg->timer, PG_RETRY_NS);
			return;
		}
	}
	if (pg->count && pg->sent == pg->count) {
		pg_finish(pg, now);
		return;
	}
	if (!budget || !pg->rate) {
		os__timer_arm(pg->timer, 1);
		return;
	}
	/* Sleep until a tick's worth of tokens is there. */
	wait = pg->credit < pg->want * NSEC ? pg->want * NSEC - pg->credit : 0;
	wait = (wait + pg->rate - 1) / pg->rate;
	os__timer_arm(pg->timer, wait ? wait : 1);
}

/* Build the first frame in full, then copy it into the other buffers. */
static void pg_build(struct pktgen *pg, const struct proto_udp_flow *f)
{
	uint8_t *frame = pg->bufs;
	struct pg_hdr *h;
	size_t plen;

	pg->payload = proto__udp_frame(frame, pg->size, f);
	plen = pg->size - pg->payload;
	for (size_t i = sizeof(*h); i < plen; i++)
		frame[pg->payload + i] = (uint8_t)i;
	h = (void *)(frame + pg->payload);
	h->magic = htons(PROTO_PG_MAGIC);
	h->flow = htons((uint16_t)pg->flow);
	pg->base_sum = proto__csum_add(0, h, plen);
	/* Every stamped payload sums to 0xffff, so this UDP checksum holds for all (proto.h). */
	pg_stamp(pg, frame, 0, 0);
	proto__udp_fix_csum((void *)(frame + ETH_HLEN),
			    (void *)(frame + ETH_HLEN + sizeof(struct ipv4_hdr)));
	for (unsigned i = 0; i < PG_BATCH; i++) {
		if (i)
			memcpy(pg->bufs + i * pg->size, frame, pg->size);
		pg->pkts[i] = (struct pkt){
		    .data = pg->bufs + i * pg->size,
		    .len = (uint16_t)pg->size,
		    .vlan = (uint16_t)pg->vlan,
		    .flags = pg->vlan_given ? PKT_VLAN : 0,
		};
	}
}

/* The options into @pg and @f, for start and check alike. */
static int pg_parse(struct pktgen *pg, struct proto_udp_flow *f, bool *src_given, int argc,
		    char **argv, char *err)
{
	const struct opt table[] = {
	    {.key = "dst", .type = OPT_MAC, .val = f->dst, .required = true},
	    {.key = "size",
	     .type = OPT_SIZE,
	     .val = &pg->size,
	     .min = PROTO_PG_MIN,
	     .max = ETH_FRAME_MAX},
	    {.key = "count", .type = OPT_COUNT, .val = &pg->count, .max = UINT64_MAX},
	    {.key = "rate", .type = OPT_RATE, .val = &pg->rate, .max = PG_RATE_MAX},
	    {.key = "vlan", .type = OPT_VLAN, .val = &pg->vlan, .given = &pg->vlan_given},
	    {.key = "src", .type = OPT_MAC, .val = f->src, .given = src_given},
	    {.key = "flow", .type = OPT_UINT, .val = &pg->flow, .max = UINT16_MAX},
	    {.key = "dst_ip", .type = OPT_IPV4, .val = &f->daddr},
	    {.key = "src_ip", .type = OPT_IPV4, .val = &f->saddr},
	    {.key = NULL},
	};

	return opts__parse("pktgen", table, argc, argv, err);
}

static int pg_check(int argc, char **argv, char *err)
{
	struct pktgen *pg = calloc(1, sizeof(*pg));
	struct proto_udp_flow f = {0};
	bool src_given;
	int r;

	if (!pg) {
		snprintf(err, APP_ERR_MAX, "pktgen: out of memory");
		return -ENOMEM;
	}
	r = pg_parse(pg, &f, &src_given, argc, argv, err);
	free(pg);
	return r;
}

static int pg_start(struct app *a, int argc, char **argv, char *err)
{
	struct pktgen *pg;
	struct proto_udp_flow f = {.sport = PROTO_UDP_DISCARD, .dport = PROTO_UDP_DISCARD};
	bool src_given;
	int r;

	pg = calloc(1, sizeof(*pg));
	if (!pg) {
		snprintf(err, APP_ERR_MAX, "pktgen: out of memory");
		return -ENOMEM;
	}
	pg->nd = a->nd;
	pg->size = 64;
	f.daddr = htonl(0xc6120002); /* 198.18.0.2: RFC 2544 benchmarking */
	if (opts__config_ipv4("ip", &f.saddr))
		f.saddr = htonl(0xc6120001);
	r = pg_parse(pg, &f, &src_given, argc, argv, err);
	if (r)
		goto err_free;
	if (!src_given)
		memcpy(f.src, a->nd->mac, ETH_ALEN);

	r = -ENOMEM;
	pg->bufs = malloc(PG_BATCH * pg->size);
	pg->timer = os__timer_create(pg_tick, pg);
	if (!pg->bufs || !pg->timer) {
		snprintf(err, APP_ERR_MAX, "pktgen: out of memory");
		goto err_free;
	}
	pg_build(pg, &f);
	pg->want = pg->rate * PG_TICK_NS / NSEC;
	pg->want = pg->want < 1 ? 1 : pg->want > PG_BATCH ? PG_BATCH : pg->want;
	pg->burst = PG_BUDGET;
	pg->last_ns = os__now_ns();
	pg->credit = NSEC; /* the first frame goes at once */

	r = apps__open(a, err);
	if (r)
		goto err_free;
	a->priv = pg;
	os__timer_arm(pg->timer, 1);
	return 0;

err_free:
	if (pg->timer)
		os__timer_destroy(pg->timer);
	free(pg->bufs);
	free(pg);
	return r;
}

static void pg_stop(struct app *a)
{
	struct pktgen *pg = a->priv;

	if (!pg->done && pg->start_ns)
		pg_finish(pg, os__now_ns());
	os__timer_destroy(pg->timer);
	free(pg->bufs);
	free(pg);
	a->priv = NULL;
}

static void pg_stats(struct app *a, void *obj)
{
	struct pktgen *pg = a->priv;

	json_object_object_add(obj, "sent", json_object_new_uint64(pg->sent));
	json_object_object_add(obj, "bytes", json_object_new_uint64(pg->bytes));
	json_object_object_add(obj, "busy", json_object_new_uint64(pg->busy));
	json_object_object_add(obj, "errors", json_object_new_uint64(pg->errors));
	json_object_object_add(obj, "start_ns", json_object_new_uint64(pg->start_ns));
	json_object_object_add(obj, "stop_ns", json_object_new_uint64(pg->stop_ns));
}

const struct app_type app_pktgen = {
    .name = "pktgen",
    .start = pg_start,
    .check = pg_check,
    .stop = pg_stop,
    .stats = pg_stats,
};
