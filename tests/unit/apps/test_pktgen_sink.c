/*
 * pktgen and sink against the runtime test double: what pktgen puts on the wire (valid UDP/IPv4,
 * sequence numbers, pacing, ring-full retries, count) and how sink accounts for loss, reordering,
 * duplicates, corruption, foreign frames and latency, fed with pktgen's own frames.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apps/apps.h"
#include "apps/proto.h"
#include "fake_os.h"

#define T0 1000000000ull

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

static struct fake_netdev nd_a, nd_b;

static int setup(void **state)
{
	fake_os_reset(T0);
	fake_netdev_init(&nd_a, "eth0", mac_a);
	fake_netdev_init(&nd_b, "eth1", mac_b);
	return 0;
}

static int start(struct app *a, const struct app_type *t, struct fake_netdev *nd, char *err,
		 const char *spec)
{
	char buf[256], *argv[APP_MAX_ARGS], *save = NULL;
	int argc = 0;

	memset(a, 0, sizeof(*a));
	a->type = t;
	a->nd = &nd->nd;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	err[0] = 0;
	return t->start(a, argc, argv, err);
}

static uint64_t stat(struct app *a, const char *key)
{
	struct json_object *o = json_object_new_object(), *v;
	uint64_t r;

	a->type->stats(a, o);
	assert_true(json_object_object_get_ex(o, key, &v));
	r = json_object_get_uint64(v);
	json_object_put(o);
	return r;
}

static const struct pg_hdr *pg_of(const struct fake_frame *f)
{
	struct proto_pkt p;

	assert_int_equal(proto__parse(f->data, f->len, &p), 0);
	assert_int_equal(p.kind, PROTO_UDP);
	return (const void *)(f->data + p.data);
}

static void test_pktgen_frames(void **state)
{
	struct app a;
	char err[APP_ERR_MAX];

	fake_config_set("ip", "10.0.0.1/24");
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err,
			       "dst=02:00:00:00:00:0b count=100 size=60 vlan=7 flow=3"),
			 0);
	fake_timers_run(T0 + 1000000, 1000);
	assert_int_equal(nd_a.ntx, 100);
	assert_int_equal(stat(&a, "sent"), 100);
	assert_int_equal(stat(&a, "bytes"), 6000);
	assert_int_equal(stat(&a, "busy"), 0);
	assert_int_equal(stat(&a, "start_ns"), T0 + 1);
	assert_true(stat(&a, "stop_ns") >= T0 + 1);
	assert_int_equal(fake_timer_next(), UINT64_MAX); /* stopped */
	assert_int_equal(nd_a.xmit_calls, 4);		 /* 32 + 32 + 32 + 4 */

	for (unsigned i = 0; i < 100; i++) {
		const struct fake_frame *f = &nd_a.tx[i];
		const struct ipv4_hdr *ip = (const void *)(f->data + ETH_HLEN);
		const struct udp_hdr *udp = (const void *)(f->data + ETH_HLEN + 20);
		const struct pg_hdr *h = pg_of(f);

		assert_int_equal(f->len, 60);
		assert_int_equal(f->flags, PKT_VLAN);
		assert_int_equal(f->vlan, 7);
		assert_memory_equal(f->data, mac_b, 6);
		assert_memory_equal(f->data + 6, mac_a, 6);
		assert_int_equal(ip->saddr, htonl(0x0a000001));
		assert_true(proto__ipv4_csum_ok(ip));
		assert_int_not_equal(udp->csum, 0);
		assert_true(proto__udp_csum_ok(ip, udp));
		assert_int_equal(ntohs(h->magic), PROTO_PG_MAGIC);
		assert_int_equal(ntohs(h->flow), 3);
		assert_int_equal(be64toh(h->seq), i);
		assert_int_equal(proto__csum_fold(proto__csum_add(0, h, sizeof(*h))), 0xffff);
	}
	app_pktgen.stop(&a);
}

static void test_pktgen_src_and_big(void **state)
{
	struct app a;
	char err[APP_ERR_MAX];

	assert_int_equal(start(&a, &app_pktgen, &nd_a, err,
			       "dst=02:00:00:00:00:0b count=3 size=9K src=02:aa:bb:cc:dd:ee"),
			 0);
	fake_timers_run(T0 + 1000, 10);
	assert_int_equal(nd_a.ntx, 3);
	assert_int_equal(nd_a.tx[2].len, 9216);
	assert_int_equal(nd_a.tx[2].flags, 0);
	assert_int_equal(nd_a.tx[2].data[6 + 1], 0xaa);
	assert_true(proto__udp_csum_ok((const void *)(nd_a.tx[2].data + ETH_HLEN),
				       (const void *)(nd_a.tx[2].data + ETH_HLEN + 20)));
	app_pktgen.stop(&a);
}

static void test_pktgen_bad_options(void **state)
{
	struct app a;
	char err[APP_ERR_MAX];

	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, "dst=02:00:00:00:00:0b size=x"),
			 -EINVAL);
	assert_string_equal(err, "pktgen: bad value 'x' for size (60..9234)");
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, "size=64"), -EINVAL);
	assert_string_equal(err, "pktgen: missing option dst=");
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, "dst=02:00:00:00:00:0b rate=fast"),
			 -EINVAL);
	assert_int_equal(fake_timer_next(), UINT64_MAX);
}

static void test_pktgen_ring_full(void **state)
{
	struct app a;
	char err[APP_ERR_MAX];

	nd_a.accept = 10;
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, "dst=02:00:00:00:00:0b count=50"), 0);
	fake_timers_run(T0 + 10000000, 1000);
	assert_int_equal(nd_a.ntx, 50);
	assert_true(stat(&a, "busy") >= 4);
	for (unsigned i = 0; i < 50; i++)
		assert_int_equal(be64toh(pg_of(&nd_a.tx[i])->seq), i);

	/* xmit failing (link down) is retried later, not spun on. */
	app_pktgen.stop(&a);
	setup(NULL);
	nd_a.xmit_err = -ENETDOWN;
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, "dst=02:00:00:00:00:0b count=5"), 0);
	assert_int_equal(fake_timers_run(T0 + 5000000, 1000), 1);
	assert_int_equal(stat(&a, "errors"), 1);
	nd_a.xmit_err = 0;
	fake_timers_run(T0 + 50000000, 1000);
	assert_int_equal(nd_a.ntx, 5);
	app_pktgen.stop(&a);
}

static void test_pktgen_rate(void **state)
{
	struct app a;
	char err[APP_ERR_MAX];
	unsigned fired;

	/* 10 kpps for one second: about 10000 frames, in ticks of about 100 us. */
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, "dst=02:00:00:00:00:0b rate=10k"), 0);
	fired = fake_timers_run(T0 + 1000000000, 1000000);
	assert_in_range(nd_a.ntx, 9990, 10010);
	assert_in_range(fired, 9000, 11000);

	/* 1 Mpps: ticks wait for 32 frames' worth of tokens, so the run may end a batch short. */
	app_pktgen.stop(&a);
	setup(NULL);
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, "dst=02:00:00:00:00:0b rate=1M"), 0);
	fired = fake_timers_run(T0 + 10000000, 1000000);
	assert_in_range(nd_a.ntx, 10001 - 32, 10001);
	assert_in_range(fired, 300, 330);
	app_pktgen.stop(&a);
}

/* ---- sink ---- */

/* pktgen makes @n frames of flow @flow into nd_a.tx, from seq 0. */
static void make(unsigned n, unsigned flow, unsigned size)
{
	struct app a;
	char err[APP_ERR_MAX], spec[128];

	snprintf(spec, sizeof(spec), "dst=02:00:00:00:00:0b count=%u flow=%u size=%u", n, flow,
		 size);
	nd_a.ntx = 0;
	assert_int_equal(start(&a, &app_pktgen, &nd_a, err, spec), 0);
	fake_timers_run(fake_now_ns + 1000000, 1000);
	assert_int_equal(nd_a.ntx, n);
	app_pktgen.stop(&a);
}

/* Feed frames nd_a.tx[idx[0..]] to nd_b, in one batch. */
static void feed(const unsigned *idx, unsigned n)
{
	struct pkt pkts[128];

	for (unsigned i = 0; i < n; i++)
		pkts[i] = (struct pkt){.data = nd_a.tx[idx[i]].data, .len = nd_a.tx[idx[i]].len};
	fake_netdev_rx(&nd_b, pkts, n);
}

static void test_sink_in_order_and_loss(void **state)
{
	struct app s;
	char err[APP_ERR_MAX];
	unsigned all[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	unsigned gaps[] = {10, 11, 14, 15, 19}; /* 12, 13, 16, 17, 18 lost */

	assert_int_equal(start(&s, &app_sink, &nd_b, err, ""), 0);
	make(20, 1, 64);
	feed(all, 10);
	assert_int_equal(stat(&s, "received"), 10);
	assert_int_equal(stat(&s, "bytes"), 640);
	assert_int_equal(stat(&s, "lost"), 0);
	feed(gaps, 5);
	assert_int_equal(stat(&s, "received"), 15);
	assert_int_equal(stat(&s, "lost"), 5);
	assert_int_equal(stat(&s, "out_of_order"), 0);
	assert_int_equal(stat(&s, "duplicates"), 0);
	assert_int_equal(stat(&s, "corrupted"), 0);
	assert_int_equal(stat(&s, "other"), 0);
	app_sink.stop(&s);
	assert_null(nd_b.nd.listeners);
}

static void test_sink_reorder_and_duplicates(void **state)
{
	struct app s;
	char err[APP_ERR_MAX];
	unsigned order[] = {0, 1, 3, 2, 4, 4, 6, 5, 1, 9, 7};

	assert_int_equal(start(&s, &app_sink, &nd_b, err, ""), 0);
	make(10, 1, 64);
	feed(order, 11);
	/* 3 before 2 and 6 before 5: two late frames, not lost; 4 and 1 again: duplicates;
	 * 9 after 6: 7 and 8 missing, then 7 arrives late: 8 stays lost. */
	assert_int_equal(stat(&s, "received"), 11);
	assert_int_equal(stat(&s, "out_of_order"), 3);
	assert_int_equal(stat(&s, "duplicates"), 2);
	assert_int_equal(stat(&s, "lost"), 1);
	app_sink.stop(&s);
}

static void test_sink_flows_start_where_seen(void **state)
{
	struct app s;
	char err[APP_ERR_MAX];
	unsigned late[] = {5, 6, 7};
	unsigned f2[] = {0, 2};

	assert_int_equal(start(&s, &app_sink, &nd_b, err, ""), 0);
	make(10, 1, 64);
	feed(late, 3); /* sink started after 0..4 went: not lost */
	assert_int_equal(stat(&s, "lost"), 0);
	make(3, 2, 64);
	feed(f2, 2); /* flow 2 has its own sequence */
	assert_int_equal(stat(&s, "lost"), 1);
	assert_int_equal(stat(&s, "received"), 5);
	app_sink.stop(&s);
}

static void test_sink_corrupt_other_and_flow_filter(void **state)
{
	struct app s;
	char err[APP_ERR_MAX];
	unsigned first[] = {0, 1}, rest[] = {2, 3};
	uint8_t arp[60] = {0};
	struct pkt p = {.data = arp, .len = 60};

	assert_int_equal(start(&s, &app_sink, &nd_b, err, "flow=4"), 0);
	make(4, 4, 128);
	nd_a.tx[1].data[100] ^= 0x10;	 /* payload fill */
	nd_a.tx[2].data[42 + 4] ^= 0x01; /* the sequence number itself */
	feed(first, 2);
	feed(rest, 2);
	assert_int_equal(stat(&s, "received"), 4);
	assert_int_equal(stat(&s, "corrupted"), 2);
	assert_int_equal(stat(&s, "lost"), 2); /* 1 and 2 did not count as received in order */

	proto__eth(arp, mac_b, mac_a, PROTO_ETH_P_ARP);
	fake_netdev_rx(&nd_b, &p, 1);
	make(2, 5, 64); /* another flow */
	feed(first, 2);
	assert_int_equal(stat(&s, "other"), 3);
	assert_int_equal(stat(&s, "received"), 4);
	app_sink.stop(&s);

	assert_int_equal(start(&s, &app_sink, &nd_b, err, "flow=70000"), -EINVAL);
	assert_string_equal(err, "sink: bad value '70000' for flow (0..65535)");
}

static void test_sink_latency(void **state)
{
	struct app s;
	char err[APP_ERR_MAX];
	unsigned idx[100];
	struct json_object *o = json_object_new_object(), *h;

	assert_int_equal(start(&s, &app_sink, &nd_b, err, ""), 0);
	make(100, 1, 64); /* all stamped at the same time: the first tick */
	for (unsigned i = 0; i < 100; i++)
		idx[i] = i;
	uint64_t sent = T0 + 1;

	/* 98 frames after 1000 ns, one after 5000 ns, one after 3 ms. */
	fake_now_ns = sent + 1000;
	feed(idx, 98);
	fake_now_ns = sent + 5000;
	feed(idx + 98, 1);
	fake_now_ns = sent + 3000000;
	feed(idx + 99, 1);
	assert_int_equal(stat(&s, "latency_p50_ns"), 1023);
	assert_int_equal(stat(&s, "latency_p99_ns"), 8191);
	assert_int_equal(stat(&s, "latency_max_ns"), 3000000);

	app_sink.stats(&s, o);
	assert_true(json_object_object_get_ex(o, "latency_log2_ns", &h));
	assert_int_equal(json_object_array_length(h), 22); /* 3e6 ns is in bucket 21 */
	assert_int_equal(json_object_get_uint64(json_object_array_get_idx(h, 9)), 98);
	json_object_put(o);
	app_sink.stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_pktgen_frames, setup),
	    cmocka_unit_test_setup(test_pktgen_src_and_big, setup),
	    cmocka_unit_test_setup(test_pktgen_bad_options, setup),
	    cmocka_unit_test_setup(test_pktgen_ring_full, setup),
	    cmocka_unit_test_setup(test_pktgen_rate, setup),
	    cmocka_unit_test_setup(test_sink_in_order_and_loss, setup),
	    cmocka_unit_test_setup(test_sink_reorder_and_duplicates, setup),
	    cmocka_unit_test_setup(test_sink_flows_start_where_seen, setup),
	    cmocka_unit_test_setup(test_sink_corrupt_other_and_flow_filter, setup),
	    cmocka_unit_test_setup(test_sink_latency, setup),
	};

	return cmocka_run_group_tests_name("apps_pktgen_sink", tests, NULL, NULL);
}
