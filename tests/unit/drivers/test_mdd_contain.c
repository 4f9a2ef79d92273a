/*
 * A guest that misbehaves hurts only itself, as the PF driver sees it (docs/hypervisor.md,
 * "Containment"): a VF that floods filter requests gets its share of the port's tables and no
 * more, the administrator's VLANs still fit, and the refusals are counted; a VF that holds its
 * mailbox lock is skipped, never waited for, while dom0 serves the others; and the fidelity items
 * Intel's VF code found: igb's promiscuous policy, and no link for the VFs while the PF is down.
 */
#include <errno.h>

#include "rogue.h"

#define E1000_VF_SET_PROMISC_UNICAST (0x01u << E1000_VT_MSGINFO_SHIFT)
#define MII_CR_PDOWN		     0x0800

static uint32_t vlan_add(unsigned vf, uint16_t vid)
{
	uint32_t msg[2] = {E1000_VF_SET_VLAN | E1000_VF_SET_VLAN_ADD, vid}, reply = 0;

	assert_true(raw_request(vf, msg, 2, &reply, 1));
	return reply;
}

static uint32_t mac_filter_add(unsigned vf, unsigned n)
{
	uint32_t msg[3] = {E1000_VF_SET_MAC_ADDR | E1000_VF_MAC_FILTER_ADD,
			   0x02 | 0xee << 8 | vf << 16 | (n & 0xffu) << 24, 0x0101},
		 reply = 0;

	assert_true(raw_request(vf, msg, 3, &reply, 1));
	return reply;
}

/* ---- shared tables ---- */

static void test_vlan_flood_leaves_admin_and_others_their_share(void **state)
{
	unsigned share, acked[HARNESS_MAX_VFS] = {0};
	struct netdev *pfnd = h.pf_nd;
	int rc;

	assert_int_equal(harness__sriov(7), 7);
	share = mdd_vf_vlan_share(pf());
	assert_int_equal(share, (31 - 7 - 1) / 7); /* one entry per VF and one for the PF kept */
	/* every VF asks for 40 VLANs of its own, as a guest would that floods SET_VLAN */
	for (unsigned vf = 0; vf < 7; vf++) {
		raw_reset(vf);
		for (unsigned i = 0; i < 40; i++)
			acked[vf] +=
			    !!(vlan_add(vf, (uint16_t)(100 * (vf + 1) + i)) & E1000_VT_MSGTYPE_ACK);
	}
	for (unsigned vf = 0; vf < 7; vf++) {
		assert_int_equal(acked[vf], share);
		assert_int_equal(pf()->vf[vf].vlans, share);
		assert_int_equal(pf()->vf[vf].refused, 40 - share);
	}
	assert_true(harness__log_has("VLAN filter refused: its share is 3"));
	/* a VLAN it already has costs nothing more and is not refused */
	assert_true(vlan_add(0, 100) & E1000_VT_MSGTYPE_ACK);
	assert_int_equal(pf()->vf[0].refused, 40 - share);

	/* the administrator's port VLANs, a different one for every VF, and dom0's own: all fit */
	for (unsigned vf = 0; vf < 7; vf++) {
		DOM0(rc = mdd_set_vf_vlan(pf(), vf, 10 + vf, 0, false));
		assert_int_equal(rc, 0);
	}
	DOM0(rc = pfnd->ops->vlan_add(pfnd, 4000));
	assert_int_equal(rc, 0);

	/* a VF reset gives its share back: it may take it again */
	DOM0(rc = mdd_set_vf_vlan(pf(), 6, 0, 0, false));
	assert_int_equal(rc, 0);
	raw_reset(6);
	assert_int_equal(pf()->vf[6].vlans, 0);
	for (unsigned i = 0; i < share; i++)
		assert_true(vlan_add(6, (uint16_t)(3000 + i)) & E1000_VT_MSGTYPE_ACK);
	assert_true(vlan_add(6, 3999) & E1000_VT_MSGTYPE_NACK);
}

static void test_mac_filter_flood_bounded(void **state)
{
	unsigned share, acked[3] = {0};

	assert_int_equal(harness__sriov(3), 3);
	share = mdd_vf_mac_share(pf());
	assert_int_equal(share, 3); /* igbvf's IGBVF_MAX_MAC_FILTERS: 17 shared entries / 3 VFs */
	for (unsigned vf = 0; vf < 3; vf++) {
		raw_reset(vf);
		for (unsigned n = 0; n < 20; n++)
			acked[vf] += !!(mac_filter_add(vf, n) & E1000_VT_MSGTYPE_ACK);
	}
	for (unsigned vf = 0; vf < 3; vf++) {
		assert_int_equal(acked[vf], share);
		assert_int_equal(pf()->vf[vf].refused, 20 - share);
	}
	/* RAR 1-3 stay the PF's (igb's IGB_PF_MAC_FILTERS_RESERVED) */
	for (unsigned i = 1; i <= MDD_PF_MAC_FILTERS_RESERVED; i++)
		assert_false(harness__pf_rd32(E1000_RAH(i)) & E1000_RAH_AV);

	/* with 7 VFs the equal share is smaller: 13 entries / 7 */
	assert_int_equal(harness__sriov(0), 0);
	assert_int_equal(harness__sriov(7), 7);
	assert_int_equal(mdd_vf_mac_share(pf()), 1);
}

/* ---- promiscuous requests: igb's policy, no trust needed ---- */

static void test_promisc_multicast_from_untrusted_vf(void **state)
{
	uint32_t msg, reply;

	assert_int_equal(harness__sriov(2), 2);
	raw_reset(0);
	assert_false(pf()->vf[0].trusted);

	msg = E1000_VF_SET_PROMISC | E1000_VF_SET_PROMISC_MULTICAST;
	assert_true(raw_request(0, &msg, 1, &reply, 1));
	assert_int_equal(reply, msg | E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_CTS);
	assert_true(harness__pf_rd32(E1000_VMOLR(0)) & E1000_VMOLR_MPME);

	msg = E1000_VF_SET_PROMISC; /* "disabled" */
	assert_true(raw_request(0, &msg, 1, &reply, 1));
	assert_int_equal(reply, msg | E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_CTS);
	assert_false(harness__pf_rd32(E1000_VMOLR(0)) & (E1000_VMOLR_MPME | E1000_VMOLR_ROPE));

	/* unicast promiscuous: a pool of the 82576 cannot, trusted or not (DPDK asks) */
	msg = E1000_VF_SET_PROMISC | E1000_VF_SET_PROMISC_UNICAST;
	assert_true(raw_request(0, &msg, 1, &reply, 1));
	assert_int_equal(reply, msg | E1000_VT_MSGTYPE_NACK | E1000_VT_MSGTYPE_CTS);
	assert_false(harness__pf_rd32(E1000_VMOLR(0)) & E1000_VMOLR_ROPE);
}

/* ---- the mailbox lock ---- */

static bool pfsts_seen(void *arg)
{
	return vf_rd(*(unsigned *)arg, VF_V2PMAILBOX) & VF_MBX_PFSTS;
}

static void test_held_mailbox_is_skipped_not_waited_for(void **state)
{
	uint32_t msg = E1000_VF_SET_VLAN | E1000_VF_SET_VLAN_ADD, reply;
	unsigned hostile = 1;
	struct netdev *nd;
	uint64_t deferred;
	int rc;

	vfs_up(3, 1, true); /* VF 0: vdd in guest 1 */
	nd = harness__vf_netdev(0);
	raw_reset(hostile);
	h.dom0_delays = 0;

	/* VF 1 posts a request and keeps the buffer: VFU held, REQ rung every millisecond */
	vf_wr(hostile, VF_VMBMEM(0), msg);
	vf_wr(hostile, VF_VMBMEM(1), 77);
	for (unsigned ms = 0; ms < 1000; ms++) {
		vf_wr(hostile, VF_V2PMAILBOX, VF_MBX_VFU | VF_MBX_REQ);
		harness__advance(MS);
		if (ms == 500) {
			/* dom0 serves the others meanwhile */
			GUEST(1, rc = nd->ops->set_mtu(nd, 9000));
			assert_int_equal(rc, 0);
			GUEST(1, rc = nd->ops->vlan_add(nd, 5));
			assert_int_equal(rc, 0);
		}
	}
	/* dom0 never slept or spun on its behalf */
	assert_int_equal(h.dom0_delays, 0);
	/* and tried its lock only as the back-off allows, not for each of its 1000 REQs */
	deferred = pf()->vf[hostile].mbx_deferred;
	assert_true(deferred > 0);
	assert_true(deferred <= MDD_MBX_DEFER_MAX + 2);
	assert_true(carrier_is(nd, true));

	/* it lets go: its request is served from the retry timer, and its interrupt is back */
	vf_wr(hostile, VF_V2PMAILBOX, 0);
	(void)vf_rd(hostile, VF_V2PMAILBOX);
	vf_wr(hostile, VF_V2PMAILBOX, VF_MBX_VFU);
	vf_wr(hostile, VF_VMBMEM(0), msg);
	vf_wr(hostile, VF_VMBMEM(1), 78);
	vf_wr(hostile, VF_V2PMAILBOX, VF_MBX_REQ);
	assert_true(harness__run_until(pfsts_seen, &hostile, 300 * MS));
	vf_wr(hostile, VF_V2PMAILBOX, VF_MBX_VFU);
	reply = vf_rd(hostile, VF_VMBMEM(0));
	vf_wr(hostile, VF_V2PMAILBOX, VF_MBX_ACK);
	assert_int_equal(reply, msg | E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_CTS);
	assert_true(harness__pf_rd32(E1000_MBVFIMR) & 1u << hostile);
	assert_int_equal(h.dom0_delays, 0);
}

static void test_held_mailbox_too_long_is_dropped_and_logged(void **state)
{
	unsigned hostile = 0;

	assert_int_equal(harness__sriov(2), 2);
	raw_reset(hostile);
	harness__log_clear();
	vf_wr(hostile, VF_V2PMAILBOX, VF_MBX_VFU | VF_MBX_REQ);
	harness__advance(3000 * MS);
	assert_int_equal(pf()->vf[hostile].mbx_dropped, 1);
	assert_false(pf()->vf[hostile].cts); /* as igb when its lock times out: start over */
	assert_true(harness__log_has("VF 0 keeps its mailbox locked"));
	/* it is heard again: a later REQ gets through once it lets go */
	assert_true(harness__pf_rd32(E1000_MBVFIMR) & 1u << hostile);
	assert_int_equal(h.dom0_delays, 0);
}

/* ---- link follows the PF ---- */

static bool carrier_down(void *arg)
{
	return carrier_is(arg, false);
}

static void test_vf_has_no_link_while_pf_is_down(void **state)
{
	struct netdev *pfnd = h.pf_nd, *nd;
	uint32_t mdic;
	int rc;

	/* the PF's interface down (as if dom0's network configuration never brought it up) */
	DOM0(rc = pfnd->ops->stop(pfnd));
	assert_int_equal(rc, 0);
	pfnd->up = false;
	harness__advance(10 * MS);
	assert_false(harness__pf_rd32(E1000_STATUS) & E1000_STATUS_LU);
	vfs_up(2, 1, false);
	nd = harness__vf_netdev(0);
	GUEST(1, rc = netdev__open(nd));
	assert_int_equal(rc, 0);
	assert_false(harness__run_until(carrier_up, nd, 500 * MS));
	assert_false(vf_rd(0, E1000_STATUS) & E1000_STATUS_LU);
	/* the PHY says why: powered down */
	e82576__wr32(h.m->nic, machine__pf(h.m, 0), E1000_MDIC,
		     E1000_MDIC_OP_READ | 1u << E1000_MDIC_PHY_SHIFT);
	mdic = harness__pf_rd32(E1000_MDIC);
	assert_true(mdic & MII_CR_PDOWN);

	/* the PF up: link for it and its VFs */
	DOM0(rc = netdev__open(pfnd));
	assert_int_equal(rc, 0);
	assert_true(harness__run_until(carrier_up, nd, 1000 * MS));
	assert_true(pfnd->carrier);
	/* down again: the VF loses its link */
	DOM0(rc = pfnd->ops->stop(pfnd));
	pfnd->up = false;
	assert_true(harness__run_until(carrier_down, nd, 3000 * MS));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, harness__setup, harness__teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_vlan_flood_leaves_admin_and_others_their_share),
	    T(test_mac_filter_flood_bounded),
	    T(test_promisc_multicast_from_untrusted_vf),
	    T(test_held_mailbox_is_skipped_not_waited_for),
	    T(test_held_mailbox_too_long_is_dropped_and_logged),
	    T(test_vf_has_no_link_while_pf_is_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
