/*
 * The capture tap (capture.h): its ring (order, wrap-around, full, snap length, one producer
 * and one consumer on two threads) and what a filter takes from the datapath (a pool's Tx and
 * Rx, the wire's both directions, nothing else), start and stop on the port.
 */
#include <pthread.h>
#include <string.h>

#include "fixture.h"
#include "hw/nic/capture.h"

static uint8_t buf[4096];
static const uint8_t unknown[6] = {0x02, 0, 0, 0, 0, 0x0b};

static bool push_bytes(struct cap_ring *r, const void *data, uint32_t len, uint64_t ts)
{
	struct iovec iov = {(void *)data, len};

	return cap_ring__push(r, &iov, 1, len, ts);
}

static void test_ring_sizes(void **state)
{
	struct cap_ring *r;

	assert_int_equal(cap_ring__create(&r, 0), -EINVAL);
	assert_int_equal(cap_ring__create(&r, 3), -EINVAL);
	assert_int_equal(cap_ring__create(&r, CAP_RING_MAX * 2), -EINVAL);
	assert_int_equal(cap_ring__create(&r, 1), 0);
	cap_ring__destroy(r);
	cap_ring__destroy(NULL);
}

static void test_ring_order_full_wrap(void **state)
{
	struct cap_ring *r;
	const struct cap_slot *s;
	uint8_t b = 0;

	assert_int_equal(cap_ring__create(&r, 4), 0);
	assert_null(cap_ring__peek(r));
	/* Three rounds over four slots: the indexes wrap, order holds, a fifth frame is refused. */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 4; i++) {
			b = (uint8_t)(round * 4 + i);
			assert_true(push_bytes(r, &b, 1, 100 + b));
		}
		assert_false(push_bytes(r, &b, 1, 0));
		for (unsigned i = 0; i < 4; i++) {
			assert_non_null(s = cap_ring__peek(r));
			assert_int_equal(s->data[0], round * 4 + i);
			assert_int_equal(s->ts_ns, 100 + round * 4 + i);
			assert_int_equal(s->len, 1);
			assert_int_equal(s->caplen, 1);
			cap_ring__pop(r);
		}
		assert_null(cap_ring__peek(r));
	}
	cap_ring__destroy(r);
}

static void test_ring_snaplen_gather(void **state)
{
	static uint8_t big[3000];
	struct iovec iov[3] = {{big, 10}, {big + 10, 1500}, {big + 1510, 1490}};
	struct cap_ring *r;
	const struct cap_slot *s;

	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(cap_ring__create(&r, 2), 0);
	assert_true(cap_ring__push(r, iov, 3, sizeof(big), 1));
	assert_true(cap_ring__push(r, iov, 2, 1510, 2));
	s = cap_ring__peek(r);
	assert_int_equal(s->len, 3000);
	assert_int_equal(s->caplen, CAP_SNAPLEN);
	assert_memory_equal(s->data, big, CAP_SNAPLEN);
	cap_ring__pop(r);
	s = cap_ring__peek(r);
	assert_int_equal(s->len, 1510);
	assert_int_equal(s->caplen, 1510);
	assert_memory_equal(s->data, big, 1510);
	cap_ring__destroy(r);
}

#define SPSC_FRAMES 200000u

static void *producer(void *arg)
{
	struct cap_ring *r = arg;

	for (uint32_t i = 0; i < SPSC_FRAMES;) {
		uint8_t b[64];

		memset(b, (uint8_t)i, sizeof(b));
		memcpy(b, &i, sizeof(i));
		if (push_bytes(r, b, sizeof(b), i))
			i++;
	}
	return NULL;
}

/* Every frame arrives once, in order, whole: the slot is written before the head moves. */
static void test_ring_two_threads(void **state)
{
	struct cap_ring *r;
	pthread_t t;

	assert_int_equal(cap_ring__create(&r, 64), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, r), 0);
	for (uint32_t want = 0; want < SPSC_FRAMES;) {
		const struct cap_slot *s = cap_ring__peek(r);
		uint32_t got;

		if (!s)
			continue;
		memcpy(&got, s->data, sizeof(got));
		assert_int_equal(got, want);
		assert_int_equal(s->ts_ns, want);
		assert_int_equal(s->data[63], (uint8_t)want);
		cap_ring__pop(r);
		want++;
	}
	pthread_join(t, NULL);
	cap_ring__destroy(r);
}

/* ---- the tap on the datapath ---- */

static struct cap_ring *ring;

static void setup(unsigned slots)
{
	fx__start(3);
	for (unsigned i = 0; i < 3; i++) {
		fx__rings(i, 32, 32, 2);
		fx__rx_post(i, 31);
	}
	assert_int_equal(cap_ring__create(&ring, slots), 0);
}

static int teardown(void **state)
{
	e82576__capture_stop(fx.nic, 0);
	cap_ring__destroy(ring);
	ring = NULL;
	return fx__teardown(state);
}

static void start(enum e82576_cap_source source, unsigned pool)
{
	struct e82576_cap_filter f = {.source = source, .pool = pool};

	assert_int_equal(e82576__capture_start(fx.nic, 0, &f, ring), 0);
}

static unsigned drain(uint8_t (*first)[2][6])
{
	const struct cap_slot *s;
	unsigned n = 0;

	while ((s = cap_ring__peek(ring))) {
		if (first && n < 1) {
			memcpy((*first)[0], s->data, 6);
			memcpy((*first)[1], s->data + 6, 6);
		}
		n++;
		cap_ring__pop(ring);
	}
	return n;
}

static void tx_frame(unsigned from, const uint8_t *dst, uint8_t seed)
{
	uint32_t len = fx__frame(buf, dst, fx.fn[from].mac, -1, 0x88b5, 64, seed);

	fx__tx(from, buf, len, NULL);
	fx__poll();
}

static void test_pool_both_directions(void **state)
{
	struct e82576_capture_stats st;
	uint8_t macs[2][6];

	setup(16);
	start(E82576_CAP_POOL, 0);
	tx_frame(0, fx.fn[1].mac, 1); /* pool 0 sends: seen */
	assert_int_equal(drain(&macs), 1);
	assert_memory_equal(macs[0], fx.fn[1].mac, 6);
	assert_memory_equal(macs[1], fx.fn[0].mac, 6);
	tx_frame(1, fx.fn[0].mac, 2); /* delivered into pool 0: seen */
	assert_int_equal(drain(&macs), 1);
	assert_memory_equal(macs[1], fx.fn[1].mac, 6);
	tx_frame(1, fx.fn[2].mac, 3); /* between others: not seen */
	assert_int_equal(drain(NULL), 0);
	e82576__capture_stats(fx.nic, 0, &st);
	assert_int_equal(st.frames, 2);
	assert_int_equal(st.dropped, 0);
}

static void test_spoofed_frame_is_seen(void **state)
{
	uint32_t len;

	setup(16);
	fx__pf_wr(E1000_DTXSWC, fx__pf_rd(E1000_DTXSWC) | BIT(0));
	start(E82576_CAP_POOL, 0);
	len = fx__frame(buf, fx.fn[1].mac, fx.fn[2].mac, -1, 0x88b5, 64, 1);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__stats().drops[E82576_DROP_SPOOF_MAC], 1);
	assert_int_equal(drain(NULL), 1);
}

static void test_wire_both_directions(void **state)
{
	uint8_t macs[2][6];

	setup(16);
	fx__wire("loop");
	start(E82576_CAP_WIRE, 0);
	tx_frame(0, fx.fn[1].mac, 1); /* VF to VF: never on the wire */
	assert_int_equal(drain(NULL), 0);
	tx_frame(0, unknown, 2); /* out to the wire, and back in from the loop */
	assert_int_equal(drain(&macs), 2);
	assert_memory_equal(macs[0], unknown, 6);
	assert_int_equal(fx__stats().wire_tx, 1);
}

static void test_wire_snaplen(void **state)
{
	static uint8_t big[3000];
	const struct cap_slot *s;
	uint32_t len;

	setup(16);
	fx__wire("null");
	start(E82576_CAP_WIRE, 0);
	len = fx__frame(big, unknown, fx.fn[0].mac, -1, 0x88b5, 2900, 1);
	fx__tx(0, big, len, NULL);
	fx__poll();
	assert_non_null(s = cap_ring__peek(ring));
	assert_int_equal(s->len, len);
	assert_int_equal(s->caplen, CAP_SNAPLEN);
	assert_memory_equal(s->data, big, CAP_SNAPLEN);
}

static void test_full_ring_drops_and_counts(void **state)
{
	struct e82576_capture_stats st;

	setup(2);
	start(E82576_CAP_POOL, 1);
	for (uint8_t i = 0; i < 5; i++)
		tx_frame(0, fx.fn[1].mac, i);
	e82576__capture_stats(fx.nic, 0, &st);
	assert_int_equal(st.frames, 2);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(drain(NULL), 2);
	assert_int_equal(fx__stats().rx_frames, 5); /* the datapath lost nothing */
}

static void test_start_stop(void **state)
{
	struct e82576_cap_filter bad = {.source = E82576_CAP_POOL, .pool = 8};
	struct e82576_cap_filter wire = {.source = E82576_CAP_WIRE};

	setup(16);
	assert_int_equal(e82576__capture_start(fx.nic, 0, &bad, ring), -EINVAL);
	assert_int_equal(e82576__capture_start(fx.nic, 2, &wire, ring), -EINVAL);
	assert_int_equal(e82576__capture_start(fx.nic, 0, &wire, NULL), -EINVAL);
	assert_int_equal(e82576__capture_stop(fx.nic, 0), -ENOENT);
	start(E82576_CAP_POOL, 0);
	assert_int_equal(e82576__capture_start(fx.nic, 0, &wire, ring), -EBUSY);
	assert_int_equal(e82576__capture_stop(fx.nic, 0), 0);
	tx_frame(0, fx.fn[1].mac, 1); /* stopped: nothing more reaches the ring */
	assert_int_equal(drain(NULL), 0);
	/* The other port is free to capture meanwhile, and the port again once stopped. */
	start(E82576_CAP_WIRE, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring_sizes),
	    cmocka_unit_test(test_ring_order_full_wrap),
	    cmocka_unit_test(test_ring_snaplen_gather),
	    cmocka_unit_test(test_ring_two_threads),
	    cmocka_unit_test_teardown(test_pool_both_directions, teardown),
	    cmocka_unit_test_teardown(test_spoofed_frame_is_seen, teardown),
	    cmocka_unit_test_teardown(test_wire_both_directions, teardown),
	    cmocka_unit_test_teardown(test_wire_snaplen, teardown),
	    cmocka_unit_test_teardown(test_full_ring_drops_and_counts, teardown),
	    cmocka_unit_test_teardown(test_start_stop, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
