/*
 * The L2 switch between pools, driven as igb and igbvf drive it: VF-to-VF unicast with its
 * write-backs, broadcast and multicast replication, VLAN isolation, the default pool,
 * VFRE/VFTE, loopback on and off, and frames from the wire.
 */
#include <string.h>

#include "fixture.h"

static uint8_t buf[16384], got[16384];

/* Rings and buffers on every function of a started machine. */
static void rings_all(void)
{
	for (unsigned i = 0; i < fx.nvfs; i++) {
		fx__rings(i, 64, 64, 2);
		fx__rx_post(i, 63);
	}
	fx__rings(FX_PF, 64, 64, 2);
	fx__rx_post(FX_PF, 63);
}

/* How many frames each function has waiting; drains them. */
static unsigned drain(unsigned i)
{
	unsigned n = 0;

	while (fx__rx(i, got, sizeof(got), NULL) >= 0)
		n++;
	return n;
}

static void test_unicast_vf_to_vf(void **state)
{
	struct fx_rxd wb;
	uint32_t len;
	unsigned last;
	int n;

	fx__start(3);
	rings_all();
	/* igbvf's vectors: Tx queue 0 -> 0, Rx queue 0 -> 1. */
	fx__wr(1, E1000_VF_IVAR0, (1 | E1000_IVAR_VALID) | (0 | E1000_IVAR_VALID) << 8);
	fx__wr(0, E1000_VF_IVAR0, (1 | E1000_IVAR_VALID) | (0 | E1000_IVAR_VALID) << 8);
	len = fx__frame(buf, fx.fn[1].mac, fx.fn[0].mac, -1, 0x88b5, 200, 7);
	last = fx__tx(0, buf, len, NULL);
	assert_false(fx__tx_done(0, last));
	fx__poll();
	n = fx__rx(1, got, sizeof(got), &wb);
	assert_int_equal(n, len);
	assert_memory_equal(got, buf, len);
	assert_int_equal(wb.ndesc, 1);
	assert_int_equal(wb.status,
			 E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXDEXT_STATERR_LB);
	assert_true(fx__tx_done(0, last));
	assert_int_equal(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_HEAD), last + 1);
	assert_int_equal(fx__rd(1, E1000_VF_RXQ(0) + E1000_QR_HEAD), 1);
	assert_int_equal(drain(2) + drain(0) + drain(FX_PF), 0);
	/* The receiver's Rx vector and the sender's Tx vector have their causes. */
	assert_int_equal(fx__rd(1, E1000_VF_EICR), BIT(1));
	assert_int_equal(fx__rd(0, E1000_VF_EICR), BIT(0));
	assert_int_equal(fx__stats().loopback, 1);
	assert_int_equal(fx__stats().tx_frames, 1);
	assert_int_equal(fx__stats().rx_frames, 1);
}

static void test_broadcast_to_every_bam_pool_but_the_sender(void **state)
{
	uint32_t len;

	fx__start(4);
	rings_all();
	fx__wire("null");
	fx__pf_wr(E1000_VMOLR(3), fx__pf_rd(E1000_VMOLR(3)) & ~E1000_VMOLR_BAM);
	len = fx__frame(buf, fx_bcast, fx.fn[2].mac, -1, 0x0806, 46, 1);
	fx__tx(2, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(0), 1);
	assert_int_equal(drain(1), 1);
	assert_int_equal(drain(FX_PF), 1);
	assert_int_equal(drain(2), 0); /* never back to the sender */
	assert_int_equal(drain(3), 0); /* no BAM */
	assert_int_equal(fx__stats().wire_tx, 1);
	assert_int_equal(fx__stats().loopback, 3);
}

/* The MTA bit of a multicast address for RCTL.MO = 0 (82576.md section 4). */
static void mta_set(const uint8_t *mac)
{
	unsigned h = ((mac[4] >> 4) | (unsigned)mac[5] << 4) & 0xfff;

	fx__pf_wr(E1000_MTA + 4 * (h >> 5), fx__pf_rd(E1000_MTA + 4 * (h >> 5)) | BIT(h & 31));
}

static void test_multicast_by_hash_rompe_and_mpme(void **state)
{
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
	static const uint8_t other[6] = {0x01, 0x00, 0x5e, 0x12, 0x34, 0x56};
	uint32_t len;

	fx__start(3);
	rings_all();
	/* ROMPE only on VF 1; MPME on VF 2. */
	for (unsigned n = 0; n <= 3; n++)
		fx__pf_wr(E1000_VMOLR(n), fx__pf_rd(E1000_VMOLR(n)) & ~E1000_VMOLR_ROMPE);
	fx__pf_wr(E1000_VMOLR(1), fx__pf_rd(E1000_VMOLR(1)) | E1000_VMOLR_ROMPE);
	fx__pf_wr(E1000_VMOLR(2), fx__pf_rd(E1000_VMOLR(2)) | E1000_VMOLR_MPME);
	mta_set(mc);
	len = fx__frame(buf, mc, fx.fn[0].mac, -1, 0x0800, 60, 2);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 1);
	assert_int_equal(drain(2), 1);
	assert_int_equal(drain(FX_PF), 0);
	/* A group whose hash bit is clear: only the multicast-promiscuous pool. */
	len = fx__frame(buf, other, fx.fn[0].mac, -1, 0x0800, 60, 3);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 0);
	assert_int_equal(drain(2), 1);
	assert_int_equal(fx__rd(2, E1000_VF_VFMPRC), 2);
	assert_int_equal(fx__rd(1, E1000_VF_VFMPRC), 1);
}

static void vlvf_set(unsigned i, uint16_t vid, uint32_t pools)
{
	fx__pf_wr(E1000_VLVF(i),
		  E1000_VLVF_VLANID_ENABLE | vid | pools << E1000_VLVF_POOLSEL_SHIFT);
}

static void test_vlan_isolation(void **state)
{
	struct e82576_pool_stats ps;
	struct fx_rxd wb;
	uint32_t len;
	int n;

	fx__start(3);
	rings_all();
	vlvf_set(0, 10, BIT(0) | BIT(1));
	vlvf_set(1, 20, BIT(2));
	len = fx__frame(buf, fx_bcast, fx.fn[0].mac, 10, 0x0800, 100, 4);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	/* VLAN 10 reaches VF 1 only, which strips the tag (VMOLR.STRVLAN). */
	n = fx__rx(1, got, sizeof(got), &wb);
	assert_int_equal(n, len - 4);
	assert_true(wb.status & E1000_RXD_STAT_VP);
	assert_int_equal(wb.vlan, 10);
	assert_memory_equal(got, buf, 12);
	assert_memory_equal(got + 12, buf + 16, len - 16);
	assert_int_equal(drain(2) + drain(FX_PF), 0);
	/* A unicast to VF 2 on VLAN 10 goes nowhere: VF 2 is on VLAN 20. It is VF 2's drop, by
	 * VLAN filtering, counted as such (the broadcast of VLAN 10 above was not VF 2's). */
	assert_int_equal(fx__stats().drops[E82576_DROP_VLAN], 0);
	len = fx__frame(buf, fx.fn[2].mac, fx.fn[0].mac, 10, 0x0800, 100, 5);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(2) + drain(1) + drain(FX_PF), 0);
	assert_int_equal(fx__stats().drops[E82576_DROP_VLAN], 1);
	e82576__pool_stats(fx.nic, 0, 2, &ps);
	assert_int_equal(ps.rx_vlan, 1);
	assert_int_equal(ps.rx_untagged, 0);
	assert_int_equal(ps.rx_drops, 1);
	/* Untagged frames reach the pools that accept untagged (AUPE): not VF 2 once cleared. */
	fx__pf_wr(E1000_VMOLR(2), fx__pf_rd(E1000_VMOLR(2)) & ~E1000_VMOLR_AUPE);
	len = fx__frame(buf, fx_bcast, fx.fn[0].mac, -1, 0x0800, 100, 6);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 1);
	assert_int_equal(drain(FX_PF), 1);
	assert_int_equal(drain(2), 0);
	/* ... and an untagged unicast to it is its drop of the other kind */
	len = fx__frame(buf, fx.fn[2].mac, fx.fn[0].mac, -1, 0x0800, 100, 7);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(2), 0);
	assert_int_equal(fx__stats().drops[E82576_DROP_UNTAGGED], 1);
	e82576__pool_stats(fx.nic, 0, 2, &ps);
	assert_int_equal(ps.rx_vlan, 1);
	assert_int_equal(ps.rx_untagged, 1);
	assert_int_equal(ps.rx_drops, 2);
	e82576__pool_stats(fx.nic, 0, 1, &ps);
	assert_int_equal(ps.rx_vlan + ps.rx_untagged, 0);
}

static void test_default_pool_for_unmatched_frames_from_the_wire(void **state)
{
	static const uint8_t stranger[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	struct wire_frame wf;
	struct iovec iov;
	uint32_t len;

	fx__start(2);
	rings_all();
	fx__wire("loop");
	len = fx__frame(buf, stranger, stranger, -1, 0x0800, 64, 9);
	iov = (struct iovec){buf, len};
	wf = (struct wire_frame){&iov, 1};
	assert_int_equal(wire__send(fx.wire, &wf, 1), 1);
	fx__poll();
	assert_int_equal(drain(FX_PF), 1); /* DEF_PL is the PF's pool */
	assert_int_equal(drain(0) + drain(1), 0);
	fx__pf_wr(E1000_VT_CTL, fx__pf_rd(E1000_VT_CTL) | E1000_VT_CTL_DISABLE_DEF_POOL);
	assert_int_equal(wire__send(fx.wire, &wf, 1), 1);
	fx__poll();
	assert_int_equal(drain(FX_PF), 0);
	assert_int_equal(fx__stats().drops[E82576_DROP_FILTERED], 1);
	/* A VF's frame that no local pool claims goes to the wire, not to the default pool. */
	len = fx__frame(buf, stranger, fx.fn[0].mac, -1, 0x0800, 64, 10);
	fx__pf_wr(E1000_VT_CTL, fx__pf_rd(E1000_VT_CTL) & ~E1000_VT_CTL_DISABLE_DEF_POOL);
	fx__tx(0, buf, len, NULL);
	assert_int_equal(nic_dp__poll(fx.port, 64), 1 + 1); /* its descriptor, then from the loop */
	assert_int_equal(drain(FX_PF), 1);		    /* ... which delivers it by DEF_PL */
	assert_int_equal(drain(1), 0);
}

static void test_vfre_and_vfte_gate_the_vfs(void **state)
{
	uint32_t len;
	unsigned last;

	fx__start(3);
	rings_all();
	fx__pf_wr(E1000_VFRE, fx__pf_rd(E1000_VFRE) & ~BIT(1));
	len = fx__frame(buf, fx.fn[1].mac, fx.fn[0].mac, -1, 0x0800, 64, 1);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 0);
	assert_int_equal(fx__stats().drops[E82576_DROP_RX_GATED], 1);
	fx__pf_wr(E1000_VFRE, fx__pf_rd(E1000_VFRE) | BIT(1));
	fx__pf_wr(E1000_VFTE, fx__pf_rd(E1000_VFTE) & ~BIT(0));
	last = fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 0);
	assert_true(fx__tx_done(0, last)); /* dropped, but the descriptor completes */
	assert_int_equal(fx__stats().drops[E82576_DROP_TX_GATED], 1);
	/* The PF's pool is never gated (igb never sets its bit). */
	fx__pf_wr(E1000_VFRE, BIT(1));
	fx__pf_wr(E1000_VFTE, BIT(1));
	len = fx__frame(buf, fx.fn[FX_PF].mac, fx.fn[1].mac, -1, 0x0800, 64, 2);
	fx__tx(1, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(FX_PF), 1);
	len = fx__frame(buf, fx.fn[1].mac, fx.fn[FX_PF].mac, -1, 0x0800, 64, 3);
	fx__tx(FX_PF, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 1);
}

static void test_loopback_off_sends_to_the_wire_only(void **state)
{
	uint32_t len;

	fx__start(2);
	rings_all();
	fx__wire("null");
	fx__pf_wr(E1000_DTXSWC, fx__pf_rd(E1000_DTXSWC) & ~E1000_DTXSWC_VMDQ_LOOPBACK_EN);
	len = fx__frame(buf, fx.fn[1].mac, fx.fn[0].mac, -1, 0x0800, 64, 1);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 0);
	assert_int_equal(fx__stats().wire_tx, 1);
	assert_int_equal(fx__stats().loopback, 0);
	/* With loopback on, a unicast a RAR entry claims for a local pool stays off the wire. */
	fx__pf_wr(E1000_DTXSWC, fx__pf_rd(E1000_DTXSWC) | E1000_DTXSWC_VMDQ_LOOPBACK_EN);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(1), 1);
	assert_int_equal(fx__stats().wire_tx, 1);
}

static void test_frame_from_the_wire_follows_rx_rules(void **state)
{
	struct wire_frame wf[2];
	struct iovec iov[2];
	uint8_t b2[256];
	struct fx_rxd wb;
	uint32_t len, len2;
	int n;

	fx__start(3);
	rings_all();
	fx__wire("loop");
	len =
	    fx__frame(buf, fx.fn[2].mac, (const uint8_t[]){0x02, 9, 9, 9, 9, 9}, -1, 0x0800, 90, 3);
	len2 = fx__frame(b2, fx_bcast, (const uint8_t[]){0x02, 9, 9, 9, 9, 9}, -1, 0x0806, 46, 4);
	iov[0] = (struct iovec){buf, len};
	iov[1] = (struct iovec){b2, len2};
	wf[0] = (struct wire_frame){&iov[0], 1};
	wf[1] = (struct wire_frame){&iov[1], 1};
	assert_int_equal(wire__send(fx.wire, wf, 2), 2);
	fx__poll();
	n = fx__rx(2, got, sizeof(got), &wb);
	assert_int_equal(n, len);
	assert_memory_equal(got, buf, len);
	assert_false(wb.status & E1000_RXDEXT_STATERR_LB); /* it came from outside */
	/* The broadcast reaches every pool. */
	assert_int_equal(drain(0), 1);
	assert_int_equal(drain(1), 1);
	assert_int_equal(drain(2), 1);
	assert_int_equal(drain(FX_PF), 1);
	assert_int_equal(fx__stats().wire_rx, 2);
	assert_int_equal(fx__pf_rd(E1000_GPRC), 2);
	assert_int_equal(fx__pf_rd(E1000_BPRC), 1);
	/* Receiver off (RCTL.EN clear): the wire's frames are dropped. */
	fx__pf_wr(E1000_RCTL, fx__pf_rd(E1000_RCTL) & ~E1000_RCTL_EN);
	assert_int_equal(wire__send(fx.wire, wf, 1), 1);
	fx__poll();
	assert_int_equal(drain(2), 0);
	assert_int_equal(fx__stats().drops[E82576_DROP_FILTERED], 1);
}

/* Without VMDq (no VFs, MRQC 0) the PF's queue 0 takes what RCTL and the RAR accept. */
static void test_plain_mode_filters_for_queue_0(void **state)
{
	static const uint8_t stranger[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	struct wire_frame wf;
	struct iovec iov;
	uint32_t len;

	fx__start(0);
	fx__pf_wr(E1000_MRQC, 0);
	fx.fn[FX_PF].txq = E1000_TXQ(0);
	fx.fn[FX_PF].rxq = E1000_RXQ(0);
	fx__rings(FX_PF, 64, 64, 2);
	fx__rx_post(FX_PF, 63);
	fx__wire("loop");
	len = fx__frame(buf, stranger, fx.fn[FX_PF].mac, -1, 0x0800, 64, 1);
	iov = (struct iovec){buf, len};
	wf = (struct wire_frame){&iov, 1};
	assert_int_equal(wire__send(fx.wire, &wf, 1), 1);
	fx__poll();
	assert_int_equal(drain(FX_PF), 0);
	fx__pf_wr(E1000_RCTL, fx__pf_rd(E1000_RCTL) | E1000_RCTL_UPE);
	assert_int_equal(wire__send(fx.wire, &wf, 1), 1);
	fx__poll();
	assert_int_equal(drain(FX_PF), 1);
	/* The PF's own transmit goes out and, on the loop, comes back to its own address. */
	len = fx__frame(buf, fx.fn[FX_PF].mac, stranger, -1, 0x0800, 64, 2);
	fx__tx(FX_PF, buf, len, NULL);
	fx__poll();
	assert_int_equal(drain(FX_PF), 1);
	assert_int_equal(fx__stats().wire_tx, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_unicast_vf_to_vf, fx__teardown),
	    cmocka_unit_test_teardown(test_broadcast_to_every_bam_pool_but_the_sender,
				      fx__teardown),
	    cmocka_unit_test_teardown(test_multicast_by_hash_rompe_and_mpme, fx__teardown),
	    cmocka_unit_test_teardown(test_vlan_isolation, fx__teardown),
	    cmocka_unit_test_teardown(test_default_pool_for_unmatched_frames_from_the_wire,
				      fx__teardown),
	    cmocka_unit_test_teardown(test_vfre_and_vfte_gate_the_vfs, fx__teardown),
	    cmocka_unit_test_teardown(test_loopback_off_sends_to_the_wire_only, fx__teardown),
	    cmocka_unit_test_teardown(test_frame_from_the_wire_follows_rx_rules, fx__teardown),
	    cmocka_unit_test_teardown(test_plain_mode_filters_for_queue_0, fx__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
