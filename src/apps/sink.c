/*
 * sink: receives pktgen frames and accounts for them per flow: lost (sequence gaps), out of order
 * (a frame from a gap arriving late), duplicates, corrupted (payload checksum), and one-way
 * latency in log2 buckets of nanoseconds. Frames that are not pktgen's, or of another flow than
 * flow=ID, count as "other".
 *
 * Each flow keeps the next sequence number it expects and a bitmap of the SINK_WINDOW sequence
 * numbers below it, so a late frame inside the window is told from a duplicate; a frame older than
 * the window is counted as out of order. A flow's first frame sets where it starts: frames sent
 * before sink was listening are not lost.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>

#include "vfnet/app.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#include "apps.h"
#include "opts.h"
#include "proto.h"

#define SINK_FLOWS   1024 /* flows tracked at once (open addressing) */
#define SINK_WINDOW  64	  /* bits of the per-flow reorder window */
#define SINK_BUCKETS 33	  /* latencies are below 2^32 ns (proto.h) */

struct sink_flow {
	bool used;
	uint16_t id;
	uint64_t next;	 /* sequence number expected next */
	uint64_t window; /* bit i: next - 1 - i was received */
	uint64_t lost;	 /* current gaps, so late frames never make it negative */
};

struct sink {
	uint64_t flow; /* 0: any */
	uint64_t received, bytes, lost, out_of_order, duplicates, corrupted, other, untracked;
	uint64_t lat_max;
	uint64_t hist[SINK_BUCKETS]; /* hist[k]: latencies in [2^k, 2^(k+1)), hist[0] also 0 */
	struct netdev_listener l;
	struct sink_flow flows[SINK_FLOWS];
};

static struct sink_flow *sink_flow(struct sink *s, uint16_t id)
{
	for (unsigned i = 0, h = id % SINK_FLOWS; i < SINK_FLOWS; i++, h = (h + 1) % SINK_FLOWS) {
		struct sink_flow *f = &s->flows[h];

		if (f->used && f->id == id)
			return f;
		if (!f->used) {
			f->used = true;
			f->id = id;
			return f;
		}
	}
	return NULL;
}

static void sink_seq(struct sink *s, struct sink_flow *f, uint64_t seq)
{
	if (!f->next && !f->window) { /* first frame of the flow */
		f->next = seq + 1;
		f->window = 1;
		return;
	}
	if (seq >= f->next) {
		uint64_t gap = seq - f->next, shift = gap + 1;

		f->lost += gap;
		s->lost += gap;
		f->window = shift >= SINK_WINDOW ? 1 : f->window << shift | 1;
		f->next = seq + 1;
		return;
	}
	uint64_t back = f->next - 1 - seq;

	if (back < SINK_WINDOW && f->window >> back & 1) {
		s->duplicates++;
		return;
	}
	if (back < SINK_WINDOW)
		f->window |= 1ull << back;
	s->out_of_order++;
	if (f->lost) {
		f->lost--;
		s->lost--;
	}
}

static void sink_latency(struct sink *s, uint32_t ts, uint64_t now)
{
	uint32_t ns = (uint32_t)now - ts;
	unsigned k = ns ? 31 - (unsigned)__builtin_clz(ns) : 0;

	s->hist[k]++;
	if (ns > s->lat_max)
		s->lat_max = ns;
}

static void sink_frame(struct sink *s, const struct pkt *pkt, uint64_t now)
{
	const uint8_t *f = pkt->data;
	struct proto_pkt p;
	const struct pg_hdr *h;
	struct sink_flow *fl;

	if (proto__parse(f, pkt->len, &p) || p.kind != PROTO_UDP || p.data_len < sizeof(*h)) {
		s->other++;
		return;
	}
	h = (const void *)(f + p.data);
	if (ntohs(h->magic) != PROTO_PG_MAGIC || (s->flow && ntohs(h->flow) != s->flow)) {
		s->other++;
		return;
	}
	s->received++;
	s->bytes += pkt->len;
	if (proto__csum_fold(proto__csum_add(0, h, p.data_len)) != 0xffff) {
		s->corrupted++;
		return;
	}
	fl = sink_flow(s, ntohs(h->flow));
	if (fl)
		sink_seq(s, fl, be64toh(h->seq));
	else
		s->untracked++;
	sink_latency(s, ntohl(h->ts), now);
}

static void sink_rx(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct sink *s = opaque;
	uint64_t now = os__now_ns();

	for (unsigned i = 0; i < n; i++)
		sink_frame(s, &pkts[i], now);
}

/* The upper bound of the bucket holding the @pct-th percentile, at most the largest latency. */
static uint64_t sink_percentile(const struct sink *s, unsigned pct)
{
	uint64_t total = 0, seen = 0, want;

	for (unsigned k = 0; k < SINK_BUCKETS; k++)
		total += s->hist[k];
	if (!total)
		return 0;
	want = (total * pct + 99) / 100;
	for (unsigned k = 0; k < SINK_BUCKETS; k++) {
		seen += s->hist[k];
		if (seen >= want) {
			uint64_t hi = (2ull << k) - 1;

			return hi < s->lat_max ? hi : s->lat_max;
		}
	}
	return s->lat_max;
}

static int sink_parse(uint64_t *flow, int argc, char **argv, char *err)
{
	const struct opt table[] = {
	    {.key = "flow", .type = OPT_UINT, .val = flow, .max = UINT16_MAX},
	    {.key = NULL},
	};

	return opts__parse("sink", table, argc, argv, err);
}

static int sink_check(int argc, char **argv, char *err)
{
	uint64_t flow;

	return sink_parse(&flow, argc, argv, err);
}

static int sink_start(struct app *a, int argc, char **argv, char *err)
{
	struct sink *s = calloc(1, sizeof(*s));
	int r;

	if (!s) {
		snprintf(err, APP_ERR_MAX, "sink: out of memory");
		return -ENOMEM;
	}
	r = sink_parse(&s->flow, argc, argv, err);
	if (r)
		goto err_free;
	r = apps__open(a, err);
	if (r)
		goto err_free;
	s->l = (struct netdev_listener){.rx = sink_rx, .opaque = s};
	r = netdev__listen(a->nd, &s->l);
	if (r) {
		snprintf(err, APP_ERR_MAX, "sink: cannot listen on %s: %s", a->nd->name,
			 strerror(-r));
		goto err_free;
	}
	a->priv = s;
	return 0;

err_free:
	free(s);
	return r;
}

static void sink_stop(struct app *a)
{
	struct sink *s = a->priv;

	netdev__unlisten(a->nd, &s->l);
	free(s);
	a->priv = NULL;
}

static void sink_stats(struct app *a, void *obj)
{
	struct sink *s = a->priv;
	struct json_object *hist = json_object_new_array();
	unsigned top = SINK_BUCKETS;

	json_object_object_add(obj, "received", json_object_new_uint64(s->received));
	json_object_object_add(obj, "bytes", json_object_new_uint64(s->bytes));
	json_object_object_add(obj, "lost", json_object_new_uint64(s->lost));
	json_object_object_add(obj, "out_of_order", json_object_new_uint64(s->out_of_order));
	json_object_object_add(obj, "duplicates", json_object_new_uint64(s->duplicates));
	json_object_object_add(obj, "corrupted", json_object_new_uint64(s->corrupted));
	json_object_object_add(obj, "other", json_object_new_uint64(s->other));
	json_object_object_add(obj, "untracked", json_object_new_uint64(s->untracked));
	json_object_object_add(obj, "latency_p50_ns",
			       json_object_new_uint64(sink_percentile(s, 50)));
	json_object_object_add(obj, "latency_p99_ns",
			       json_object_new_uint64(sink_percentile(s, 99)));
	json_object_object_add(obj, "latency_max_ns", json_object_new_uint64(s->lat_max));
	/* latency_log2_ns[k]: frames with a latency in [2^k, 2^(k+1)) ns, up to the last non-zero
	 */
	while (top && !s->hist[top - 1])
		top--;
	for (unsigned k = 0; k < top; k++)
		json_object_array_add(hist, json_object_new_uint64(s->hist[k]));
	json_object_object_add(obj, "latency_log2_ns", hist);
}

const struct app_type app_sink = {
    .name = "sink",
    .start = sink_start,
    .check = sink_check,
    .stop = sink_stop,
    .stats = sink_stats,
};
