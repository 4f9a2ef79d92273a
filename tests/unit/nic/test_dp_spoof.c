/*
 * Tx anti-spoofing (DTXSWC): a VF's frame must carry one of its pool's MAC addresses and one of
 * its VLANs; a spoofed frame is dropped and counted, WVBR names the pool (bit j MAC, j + 8 VLAN,
 * as igb reads it) and the PF gets ICR.DOUTSYNC.
 */
#include <string.h>

#include "fixture.h"

static uint8_t buf[4096], got[4096];

static void setup_three(void)
{
	fx__start(3);
	for (unsigned i = 0; i < 3; i++) {
		fx__rings(i, 32, 32, 2);
		fx__rx_post(i, 31);
	}
	fx__rings(FX_PF, 32, 32, 2);
	fx__rx_post(FX_PF, 31);
	/* igb's "other" causes: IMS with DOUTSYNC, so ICR shows them. */
	fx__pf_wr(E1000_IMS, E1000_ICR_DOUTSYNC | E1000_ICR_VMMB | E1000_ICR_LSC);
}

struct spoof_case {
	const char *name;
	int src;       /* whose MAC the frame carries (-1: the sender's own) */
	int tci;       /* tag in the frame, -1 none */
	uint32_t vlvf; /* VLVF(0) pools for VLAN 10 */
	bool spoofed;
	enum e82576_drop why;
	uint32_t wvbr;
};

static const struct spoof_case cases[] = {
    {"own MAC, untagged", -1, -1, 0, false, 0, 0},
    {"another VF's MAC", 1, -1, 0, true, E82576_DROP_SPOOF_MAC, BIT(0)},
    {"the PF's MAC", FX_PF, -1, 0, true, E82576_DROP_SPOOF_MAC, BIT(0)},
    {"own VLAN", -1, 10, BIT(0) | BIT(1), false, 0, 0},
    {"a VLAN of others only", -1, 10, BIT(1), true, E82576_DROP_SPOOF_VLAN, BIT(8)},
    {"a VLAN nobody has", -1, 30, BIT(0) | BIT(1), true, E82576_DROP_SPOOF_VLAN, BIT(8)},
};

static void test_spoof_table(void **state)
{
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct spoof_case *k = &cases[c];
		const uint8_t *src = k->src < 0 ? fx.fn[0].mac : fx.fn[k->src].mac;
		struct e82576_dp_stats st;
		uint32_t len, icr;
		unsigned last;

		setup_three();
		fx__pf_wr(E1000_VLVF(0),
			  E1000_VLVF_VLANID_ENABLE | 10 | k->vlvf << E1000_VLVF_POOLSEL_SHIFT);
		len = fx__frame(buf, fx_bcast, src, k->tci, 0x88b5, 64, (uint8_t)c);
		last = fx__tx(0, buf, len, NULL);
		fx__poll();
		print_message("# case: %s\n", k->name);
		assert_true(fx__tx_done(0, last)); /* the sender sees its frame sent either way */
		st = fx__stats();
		icr = fx__pf_rd(E1000_ICR);
		if (k->spoofed) {
			assert_int_equal(st.drops[k->why], 1);
			assert_int_equal(fx__rx(1, got, sizeof(got), NULL), -1);
			assert_int_equal(fx__pf_rd(E1000_WVBR), k->wvbr);
			assert_true(icr & E1000_ICR_DOUTSYNC);
			assert_int_equal(fx__rd(0, E1000_VF_VFGPTC), 0);
		} else {
			assert_int_equal(
			    st.drops[E82576_DROP_SPOOF_MAC] + st.drops[E82576_DROP_SPOOF_VLAN], 0);
			assert_true(fx__rx(1, got, sizeof(got), NULL) > 0);
			assert_int_equal(fx__pf_rd(E1000_WVBR), 0);
			assert_false(icr & E1000_ICR_DOUTSYNC);
			assert_int_equal(fx__rd(0, E1000_VF_VFGPTC), 1);
		}
		/* WVBR is read to clear. */
		assert_int_equal(fx__pf_rd(E1000_WVBR), 0);
		fx__teardown(NULL);
	}
}

static void test_spoof_check_off_lets_it_through(void **state)
{
	uint32_t len;

	setup_three();
	/* ip link set pf vf 0 spoofchk off: igb clears bits 0 and 8. */
	fx__pf_wr(E1000_DTXSWC, fx__pf_rd(E1000_DTXSWC) & ~(BIT(0) | BIT(8)));
	len = fx__frame(buf, fx.fn[2].mac, fx.fn[1].mac, 30, 0x88b5, 64, 1);
	fx__tx(0, buf, len, NULL);
	fx__pf_wr(E1000_VLVF(0),
		  E1000_VLVF_VLANID_ENABLE | 30 | BIT(2) << E1000_VLVF_POOLSEL_SHIFT);
	fx__poll();
	assert_true(fx__rx(2, got, sizeof(got), NULL) > 0);
	assert_int_equal(fx__pf_rd(E1000_WVBR), 0);
}

static void test_pf_pool_is_not_checked(void **state)
{
	uint32_t len;

	setup_three();
	/* igb leaves the PF's pool bits (3 and 11 here) clear: the PF may send as anyone. */
	len = fx__frame(buf, fx.fn[2].mac, fx.fn[1].mac, -1, 0x88b5, 64, 1);
	fx__tx(FX_PF, buf, len, NULL);
	fx__poll();
	assert_true(fx__rx(2, got, sizeof(got), NULL) > 0);
}

static void test_port_vlan_passes_vlan_check(void **state)
{
	struct fx_rxd wb;
	uint32_t len;
	int n;

	setup_three();
	/* ip link set pf vf 0 vlan 40: VMVIR default insertion, VF 2 is on VLAN 40 too. */
	fx__pf_wr(E1000_VMVIR(0), 40 | E1000_VMVIR_VLANA_DEFAULT);
	fx__pf_wr(E1000_VLVF(0),
		  E1000_VLVF_VLANID_ENABLE | 40 | BIT(2) << E1000_VLVF_POOLSEL_SHIFT);
	len = fx__frame(buf, fx.fn[2].mac, fx.fn[0].mac, -1, 0x88b5, 64, 1);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	n = fx__rx(2, got, sizeof(got), &wb);
	assert_int_equal(n, len);
	assert_true(wb.status & E1000_RXD_STAT_VP);
	assert_int_equal(wb.vlan, 40);
	assert_int_equal(fx__stats().drops[E82576_DROP_SPOOF_VLAN], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spoof_table),
	    cmocka_unit_test_teardown(test_spoof_check_off_lets_it_through, fx__teardown),
	    cmocka_unit_test_teardown(test_pf_pool_is_not_checked, fx__teardown),
	    cmocka_unit_test_teardown(test_port_vlan_passes_vlan_check, fx__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
