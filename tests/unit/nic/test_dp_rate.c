/*
 * The per-VF Tx rate limit as igb programs it (RTTDQSEL, RTTBCNRC = RS_ENA | factor), measured
 * over one simulated second on a fake clock; and the link state that follows the wire.
 */
#include <string.h>

#include "fixture.h"

static uint8_t buf[2048], got[2048];

#define FRAME	  1514
#define WIRE_SIZE (FRAME + 24) /* what the link carries: FCS, preamble, inter-packet gap */
#define STEP_NS	  10000

/* igb_set_vf_rate_limit: rate factor = link speed / rate, 14 fraction bits. */
static uint32_t rttbcnrc(unsigned mbps)
{
	uint32_t ri = 1000 / mbps, rf = (uint32_t)(((1000 % mbps) << 14) / mbps);

	return E1000_RTTBCNRC_RS_ENA | ri << E1000_RTTBCNRC_RF_INT_SHIFT | rf;
}

static void setup(void)
{
	fx__start(2);
	fx__rings(0, 256, 16, 2);
	fx__rings(1, 16, 256, 2);
	fx__rx_post(1, 255);
}

/* Keep VF 0's ring full of frames for VF 1, for ns of fake time; VF 1 takes what arrives.
 * Returns the frames VF 1 got. */
static unsigned run(uint64_t ns)
{
	unsigned frames = 0;
	uint32_t len = fx__frame(buf, fx.fn[1].mac, fx.fn[0].mac, -1, 0x88b5, FRAME - 14, 1);

	for (uint64_t end = fx.now + ns; fx.now < end; fx.now += STEP_NS) {
		uint32_t head = fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_HEAD);
		unsigned n = 0;

		while ((fx.fn[0].tx.next + 1) % 256 != head && n++ < 64)
			fx__tx(0, buf, len, NULL);
		fx__poll();
		for (n = 0; fx__rx(1, got, sizeof(got), NULL) >= 0; n++)
			frames++;
		if (n)
			fx__rx_post(1, n);
	}
	return frames;
}

static void test_rate_limit_holds_within_5_percent(void **state)
{
	static const unsigned rates[] = {100, 300, 33, 750};

	for (unsigned c = 0; c < sizeof(rates) / sizeof(rates[0]); c++) {
		struct e82576_dp_stats st;
		double bits, want = rates[c] * 1e6;
		unsigned frames;

		setup();
		fx__pf_wr(E1000_RTTDQSEL, 0);
		fx__pf_wr(E1000_RTTBCNRM, 0x14);
		fx__pf_wr(E1000_RTTBCNRC, rttbcnrc(rates[c]));
		frames = run(1000000000ull);
		bits = (double)frames * WIRE_SIZE * 8;
		print_message("# %u Mb/s: %u frames, %.1f Mb/s\n", rates[c], frames, bits / 1e6);
		assert_true(bits > want * 0.95 && bits < want * 1.05);
		/* Over the limit frames wait in the ring: none is dropped. */
		st = fx__stats();
		for (unsigned i = 0; i < E82576_DROP_NR; i++)
			assert_int_equal(st.drops[i], 0);
		assert_int_equal(st.rx_frames, frames);
		/* A full ring waits for a time the engine can sleep until. */
		assert_true(nic_dp__next_deadline(fx.port) > fx.now - STEP_NS);
		assert_true(nic_dp__next_deadline(fx.port) < fx.now + 1000000);
		fx__teardown(NULL);
	}
	fx__start(0);
}

static void test_other_queues_are_not_limited(void **state)
{
	unsigned frames;

	setup();
	/* VF 1's queue is limited, VF 0's is not: 1 ms carries far more than 100 Mb/s. */
	fx__pf_wr(E1000_RTTDQSEL, 1);
	fx__pf_wr(E1000_RTTBCNRC, rttbcnrc(100));
	frames = run(1000000);
	assert_true(frames > 1000);
	assert_int_equal(nic_dp__next_deadline(fx.port), UINT64_MAX);
	/* The same limit on VF 0's queue paces it: 1 ms at 100 Mb/s is ~8 such frames, plus the
	 * burst the limiter tolerates (16 jumbo frames' worth, rate.c), far from unlimited. */
	fx__pf_wr(E1000_RTTDQSEL, 0);
	fx__pf_wr(E1000_RTTBCNRC, rttbcnrc(100));
	frames = run(1000000);
	assert_true(frames < 200);
}

static void test_link_follows_the_wire(void **state)
{
	struct wire_cable *cable;
	struct wire *far;
	uint8_t frame[64];
	uint32_t len;

	setup();
	fx__pf_wr(E1000_IMS, E1000_ICR_LSC);
	assert_int_equal(wire_cable__create(&cable), 0);
	assert_int_equal(wire__open(&fx.wire, "cable", cable, 0), 0);
	nic_dp__attach_wire(fx.port, fx.wire);
	/* Nobody at the other end: link down, LSC. */
	fx__poll();
	assert_false(fx__pf_rd(E1000_STATUS) & E1000_STATUS_LU);
	assert_false(fx__rd(0, E1000_VF_STATUS) & E1000_STATUS_LU);
	assert_true(fx__pf_rd(E1000_ICR) & E1000_ICR_LSC);
	/* Frames for the wire are dropped as link down; local delivery goes on. */
	len = fx__frame(frame, fx_bcast, fx.fn[0].mac, -1, 0x88b5, 46, 1);
	fx__tx(0, frame, len, NULL);
	fx__poll();
	assert_int_equal(fx__stats().drops[E82576_DROP_LINK_DOWN], 1);
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
	/* The other end plugged in: seen at the next look, at most 100 ms later. */
	assert_int_equal(wire__open(&far, "cable", cable, 1), 0);
	assert_true(nic_dp__next_deadline(fx.port) <= fx.now + NIC_DP_LINK_POLL_NS);
	fx__poll();
	assert_false(fx__pf_rd(E1000_STATUS) & E1000_STATUS_LU);
	fx.now += NIC_DP_LINK_POLL_NS;
	fx__poll();
	assert_true(fx__pf_rd(E1000_STATUS) & E1000_STATUS_LU);
	assert_true(fx__pf_rd(E1000_ICR) & E1000_ICR_LSC);
	fx__tx(0, frame, len, NULL);
	fx__poll();
	assert_int_equal(fx__stats().wire_tx, 1);
	nic_dp__attach_wire(fx.port, NULL);
	wire__close(far);
	wire__close(fx.wire);
	fx.wire = NULL;
	wire_cable__destroy(cable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_rate_limit_holds_within_5_percent, fx__teardown),
	    cmocka_unit_test_teardown(test_other_queues_are_not_limited, fx__teardown),
	    cmocka_unit_test_teardown(test_link_follows_the_wire, fx__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
