/*
 * Statistics: the per-VF mirrors igbvf reads (good and loopback packets and octets, multicast),
 * the PF's read-to-clear counters for the wire, and the port's datapath counters, also per pool.
 */
#include <string.h>

#include "fixture.h"

static uint8_t buf[4096], got[4096];

static void setup(void)
{
	fx__start(3);
	for (unsigned i = 0; i < 3; i++) {
		fx__rings(i, 64, 64, 2);
		fx__rx_post(i, 63);
	}
	fx__rings(FX_PF, 64, 64, 2);
	fx__rx_post(FX_PF, 63);
}

static void test_vf_mirrors(void **state)
{
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	uint32_t ulen, blen, mlen;

	setup();
	fx__pf_wr(E1000_VMOLR(1), fx__pf_rd(E1000_VMOLR(1)) | E1000_VMOLR_MPME);
	ulen = fx__frame(buf, fx.fn[1].mac, fx.fn[0].mac, -1, 0x88b5, 100, 1);
	for (unsigned k = 0; k < 3; k++)
		fx__tx(0, buf, ulen, NULL);
	blen = fx__frame(buf, fx_bcast, fx.fn[0].mac, -1, 0x88b5, 50, 2);
	fx__tx(0, buf, blen, NULL);
	mlen = fx__frame(buf, mc, fx.fn[0].mac, -1, 0x88b5, 70, 3);
	fx__tx(0, buf, mlen, NULL);
	fx__poll();
	/* Octets count the FCS the wire would carry. */
	assert_int_equal(fx__rd(0, E1000_VF_VFGPTC), 5);
	assert_int_equal(fx__rd(0, E1000_VF_VFGOTC), 3 * (ulen + 4) + blen + 4 + mlen + 4);
	assert_int_equal(fx__rd(0, E1000_VF_VFGPTLBC), 5);
	assert_int_equal(fx__rd(0, E1000_VF_VFGOTLBC), 3 * (ulen + 4) + blen + 4 + mlen + 4);
	assert_int_equal(fx__rd(1, E1000_VF_VFGPRC), 5);
	assert_int_equal(fx__rd(1, E1000_VF_VFGORC), 3 * (ulen + 4) + blen + 4 + mlen + 4);
	assert_int_equal(fx__rd(1, E1000_VF_VFGPRLBC), 5);
	assert_int_equal(fx__rd(1, E1000_VF_VFGORLBC), 3 * (ulen + 4) + blen + 4 + mlen + 4);
	assert_int_equal(fx__rd(1, E1000_VF_VFMPRC), 1); /* the broadcast is not a multicast */
	assert_int_equal(fx__rd(2, E1000_VF_VFGPRC), 1);
	assert_int_equal(fx__rd(2, E1000_VF_VFGPTC), 0);
	/* VF counters are not cleared by reading (igbvf keeps the last value and subtracts). */
	assert_int_equal(fx__rd(1, E1000_VF_VFGPRC), 5);
	/* The PF sees them at its mirrors. */
	assert_int_equal(fx__pf_rd(E1000_PVFGPRC(1)), 5);
	assert_int_equal(fx__pf_rd(E1000_PVFGPTC(0)), 5);
}

static void test_pf_wire_counters_read_to_clear(void **state)
{
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02};
	static const uint8_t stranger[6] = {0x02, 0x44, 0x44, 0x44, 0x44, 0x44};
	uint32_t len[3];
	uint64_t octets = 0;

	setup();
	fx__wire("loop");
	len[0] = fx__frame(buf, stranger, fx.fn[0].mac, -1, 0x88b5, 100, 1);
	fx__tx(0, buf, len[0], NULL);
	len[1] = fx__frame(buf, fx_bcast, fx.fn[0].mac, -1, 0x88b5, 46, 2);
	fx__tx(0, buf, len[1], NULL);
	len[2] = fx__frame(buf, mc, fx.fn[0].mac, -1, 0x88b5, 60, 3);
	fx__tx(0, buf, len[2], NULL);
	fx__poll();
	for (unsigned k = 0; k < 3; k++)
		octets += len[k] + 4;
	assert_int_equal(fx__pf_rd(E1000_GPTC), 3);
	assert_int_equal(fx__pf_rd(E1000_TPT), 3);
	assert_int_equal(fx__pf_rd(E1000_BPTC), 1);
	assert_int_equal(fx__pf_rd(E1000_MPTC), 1);
	assert_int_equal(fx__pf_rd(E1000_GOTCL), octets);
	assert_int_equal(fx__pf_rd(E1000_GOTCH), 0);
	/* The loop brought all three back: the stranger and the multicast nobody asked for go
	 * to the default pool, the broadcast to every BAM pool. */
	assert_int_equal(fx__pf_rd(E1000_TPR), 3);
	assert_int_equal(fx__pf_rd(E1000_GPRC), 3);
	assert_int_equal(fx__pf_rd(E1000_BPRC), 1);
	assert_int_equal(fx__pf_rd(E1000_MPRC), 1);
	assert_int_equal(fx__pf_rd(E1000_GORCL), octets);
	/* The PF: the looped broadcast, then the stranger, the broadcast, the multicast. */
	assert_int_equal(fx__rx(FX_PF, got, sizeof(got), NULL), len[1]);
	assert_int_equal(fx__rx(FX_PF, got, sizeof(got), NULL), len[0]);
	assert_int_equal(fx__rx(FX_PF, got, sizeof(got), NULL), len[1]);
	assert_int_equal(fx__rx(FX_PF, got, sizeof(got), NULL), len[2]);
	/* Read to clear. */
	assert_int_equal(fx__pf_rd(E1000_GPTC), 0);
	assert_int_equal(fx__pf_rd(E1000_GOTCL), 0);
	assert_int_equal(fx__pf_rd(E1000_GPRC), 0);
	assert_int_equal(fx__stats().wire_tx, 3);
	assert_int_equal(fx__stats().wire_rx, 3);
	/* Without the default pool the multicast is filtered. */
	fx__pf_wr(E1000_VT_CTL, fx__pf_rd(E1000_VT_CTL) | E1000_VT_CTL_DISABLE_DEF_POOL);
	fx__tx(0, buf, len[2], NULL);
	fx__poll();
	assert_int_equal(fx__pf_rd(E1000_TPR), 1);
	assert_int_equal(fx__pf_rd(E1000_GPRC), 0);
	assert_int_equal(fx__stats().drops[E82576_DROP_FILTERED], 1);
}

static void test_port_counters(void **state)
{
	struct e82576_dp_stats st;
	struct e82576_pool_stats ps;
	uint32_t len;

	setup();
	len = fx__frame(buf, fx_bcast, fx.fn[2].mac, -1, 0x88b5, 100, 1);
	fx__tx(2, buf, len, NULL);
	fx__rings(1, 64, 64, 2); /* VF 1 has no buffers now */
	fx__poll();
	st = fx__stats();
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(st.tx_bytes, len);
	assert_int_equal(st.rx_frames, 2); /* VF 0 and the PF */
	assert_int_equal(st.rx_bytes, 2 * len);
	assert_int_equal(st.loopback, 2);
	assert_int_equal(st.drops[E82576_DROP_NO_DESC], 1);
	assert_int_equal(st.drops[E82576_DROP_LINK_DOWN], 1); /* no wire attached */
	assert_int_equal(fx__rx(0, got, sizeof(got), NULL), len);
	/* The same per pool: VF 2 sent it (and lost its wire copy), VF 0 got it, VF 1 lost it. */
	e82576__pool_stats(fx.nic, 0, 2, &ps);
	assert_int_equal(ps.tx_frames, 1);
	assert_int_equal(ps.tx_bytes, len);
	assert_int_equal(ps.tx_drops, 1);
	assert_int_equal(ps.rx_frames + ps.rx_drops, 0);
	e82576__pool_stats(fx.nic, 0, 0, &ps);
	assert_int_equal(ps.rx_frames, 1);
	assert_int_equal(ps.rx_bytes, len);
	assert_int_equal(ps.tx_frames + ps.rx_drops + ps.tx_drops, 0);
	e82576__pool_stats(fx.nic, 0, 1, &ps);
	assert_int_equal(ps.rx_drops, 1);
	assert_int_equal(ps.rx_frames + ps.tx_frames + ps.tx_drops, 0);
	/* A VF reset clears its mirrors, not these: rates are differences of readings. */
	fx__wr(1, E1000_VF_CTRL, E1000_CTRL_RST);
	e82576__pool_stats(fx.nic, 0, 1, &ps);
	assert_int_equal(ps.rx_drops, 1);
	for (unsigned i = 0; i < E82576_DROP_NR; i++)
		assert_string_not_equal(e82576_drop__name((enum e82576_drop)i), "unknown");
	assert_string_equal(e82576_drop__name(E82576_DROP_SPOOF_MAC), "spoof_mac");
	assert_string_equal(e82576_drop__name(E82576_DROP_NR), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_vf_mirrors, fx__teardown),
	    cmocka_unit_test_teardown(test_pf_wire_counters_read_to_clear, fx__teardown),
	    cmocka_unit_test_teardown(test_port_counters, fx__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
