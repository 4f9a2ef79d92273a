/*
 * mdd (PF) and vdd (VF) against the real 82576 model, in one process (harness.h): the reset
 * handshake, the PF's policy on VF requests as vdd's netdev operations see it, VF-to-VF traffic
 * through the NIC's switch, recovery from a PF reset, and sriov_configure.
 *
 * Where a behaviour needs a VF that does not follow vdd's script (no VF_RESET first, more than 30
 * multicast hashes, frame sizes vdd never asks for), the test speaks the mailbox itself through
 * the VF's BAR0: a rogue guest driver.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rogue.h"

/* vdd's moderation API (vdd.h would bring vdd's regs.h beside mdd's) */
enum vdd_itr_mode { VDD_ITR_FIXED, VDD_ITR_OFF, VDD_ITR_ADAPTIVE, VDD_ITR_CONSERVATIVE };
int vdd_itr_parse(const char *s, enum vdd_itr_mode *mode, unsigned *rate);
unsigned vdd_itr_next(enum vdd_itr_mode mode, unsigned cur, unsigned pkts, unsigned bytes);
#define VDD_DEFAULT_ITR 20000
#define VDD_ITR_LOWEST 70000
#define VDD_ITR_LOW 20000
#define VDD_ITR_BULK 4000


static const uint8_t admin_mac[ETH_ALEN] = {0x02, 0xad, 0x00, 0x00, 0x00, 0x01};
static const uint8_t other_mac[ETH_ALEN] = {0x02, 0x0f, 0x00, 0x00, 0x00, 0x99};

/* ---- (1) the reset handshake ---- */

static void test_reset_handshake_gives_admin_mac_and_link_needs_cts(void **state)
{
	struct netdev *nd;
	int rc;

	assert_int_equal(harness__sriov(2), 2);
	DOM0(rc = mdd_set_vf_mac(pf(), 0, admin_mac));
	assert_int_equal(rc, 0);
	assert_int_equal(harness__bind_vf(0, 1), 0);
	nd = harness__vf_netdev(0);
	assert_non_null(nd);
	/* the PF's VF_RESET reply carried the administrator's MAC; RAR[23] is VF 0's */
	assert_memory_equal(nd->mac, admin_mac, ETH_ALEN);
	assert_rar(VF_RAR, admin_mac, 0);
	assert_true(harness__pf_rd32(E1000_VFRE) & 1);
	assert_true(harness__pf_rd32(E1000_VFTE) & 1);
	assert_true(pf()->vf[0].cts);
	/*
	 * The port's link is up (STATUS.LU), but the VF_RESET reply has no CTS (mailbox.md §4)
	 * and vdd sends no SET_MAC for the address the PF gave: no PF word with CTS yet, no link.
	 */
	assert_false(nd->carrier);
	/* open: SET_LPE's ACK carries CTS */
	GUEST(1, assert_int_equal(netdev__open(nd), 0));
	assert_true(harness__run_until(carrier_up, nd, 100 * MS));

	/* the administrator takes the link away: PF_CONTROL_MSG without CTS, link down... */
	DOM0(rc = mdd_set_vf_link_state(pf(), 0, MDD_LINK_DISABLE));
	assert_int_equal(rc, 0);
	harness__advance(100 * MS);
	assert_false(nd->carrier);
	assert_true(vf_rd(0, E1000_STATUS) & E1000_STATUS_LU); /* the port's link is still up */
	assert_false(harness__pf_rd32(E1000_VFRE) & 1);
	/* ...and without a reset loop: the VF settles */
	uint64_t resets = nd->stats.resets;

	harness__advance(3000 * MS);
	assert_true(nd->stats.resets <= resets + 1);
	assert_false(nd->carrier);
	/* enable: a PF word with CTS, the link comes back */
	DOM0(rc = mdd_set_vf_link_state(pf(), 0, MDD_LINK_ENABLE));
	assert_int_equal(rc, 0);
	assert_true(harness__run_until(carrier_up, nd, 100 * MS));
	assert_true(harness__pf_rd32(E1000_VFRE) & 1);
}

/* ---- (2) no VF_RESET, no service ---- */

static void test_set_mac_before_vf_reset_is_nacked_once_per_window(void **state)
{
	uint32_t msg[3] = {E1000_VF_SET_MAC_ADDR, rar_lo(other_mac),
			   (uint32_t)(other_mac[4] | other_mac[5] << 8)};
	uint32_t reply[3];

	assert_int_equal(harness__sriov(1), 1);
	harness__advance(2100 * MS); /* past the NACK window that enabling opened */
	assert_true(raw_request(0, msg, 3, reply, 1));
	assert_int_equal(reply[0] & 0xffff, E1000_VF_SET_MAC_ADDR);
	assert_true(reply[0] & E1000_VT_MSGTYPE_NACK);
	assert_false(reply[0] & (E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_CTS));
	assert_int_equal(pf()->vf[0].nacks, 1);
	assert_true(harness__log_has("before VF_RESET: NACK"));
	assert_false(harness__pf_rd32(E1000_RAH(VF_RAR)) & E1000_RAH_AV);
	/* within the 2 s window the PF only unlocks: no reply at all */
	assert_false(raw_request(0, msg, 3, reply, 1));
	assert_int_equal(pf()->vf[0].nacks, 1);
	/* after VF_RESET the same request is served */
	harness__advance(2100 * MS);
	raw_reset(0);
	assert_true(raw_request(0, msg, 3, reply, 1));
	assert_int_equal(reply[0], E1000_VF_SET_MAC_ADDR | E1000_VT_MSGTYPE_ACK |
				       E1000_VT_MSGTYPE_CTS);
	assert_rar(VF_RAR, other_mac, 0);
}

/* ---- (3) an administrator's MAC against the VF's own ---- */

static void test_admin_mac_wins_unless_trusted(void **state)
{
	struct netdev *nd;
	int rc;

	assert_int_equal(harness__sriov(2), 2);
	DOM0(rc = mdd_set_vf_mac(pf(), 0, admin_mac));
	assert_int_equal(rc, 0);
	vfs_up(2, 1, true);
	nd = harness__vf_netdev(0);

	GUEST(1, rc = nd->ops->set_mac(nd, other_mac));
	assert_int_equal(rc, -EPERM);
	assert_memory_equal(nd->mac, admin_mac, ETH_ALEN);
	assert_rar(VF_RAR, admin_mac, 0);
	assert_true(harness__log_has("attempted to override administratively set MAC"));
	assert_true(nd->carrier); /* the NACK came with CTS: the VF keeps working */

	DOM0(rc = mdd_set_vf_trust(pf(), 0, true));
	assert_int_equal(rc, 0);
	GUEST(1, rc = nd->ops->set_mac(nd, other_mac));
	assert_int_equal(rc, 0);
	assert_memory_equal(nd->mac, other_mac, ETH_ALEN);
	assert_rar(VF_RAR, other_mac, 0);
}

/* ---- (4) VLANs under a port VLAN ---- */

static void test_vlan_refused_under_port_vlan(void **state)
{
	struct netdev *nd0, *nd1;
	int rc;

	assert_int_equal(harness__sriov(2), 2);
	DOM0(rc = mdd_set_vf_vlan(pf(), 0, 100, 3, false));
	assert_int_equal(rc, 0);
	vfs_up(2, 2, true);
	nd0 = harness__vf_netdev(0);
	nd1 = harness__vf_netdev(1);
	assert_int_equal(harness__pf_rd32(E1000_VMVIR(0)),
			 (100u | 3u << 13) | E1000_VMVIR_VLANA_DEFAULT);

	GUEST(1, rc = nd0->ops->vlan_add(nd0, 5));
	assert_int_equal(rc, -EPERM);
	assert_true(harness__log_has("attempted to override administratively set VLAN"));
	/* VF 1 has no port VLAN: the same request is granted */
	GUEST(2, rc = nd1->ops->vlan_add(nd1, 5));
	assert_int_equal(rc, 0);
	assert_int_equal(pf()->vf[1].vlans, 1);
}

/* ---- (5) multicast: more than 30 addresses ---- */

static void test_multicast_overflow(void **state)
{
	uint8_t mc[31][ETH_ALEN];
	uint32_t msg[16] = {E1000_VF_SET_MULTICAST | 31u << E1000_VT_MSGINFO_SHIFT}, reply;
	struct netdev *nd;
	int rc;

	for (unsigned i = 0; i < 31; i++) {
		const uint8_t m[ETH_ALEN] = {0x01, 0x00, 0x5e, 0x00, (uint8_t)(i << 4), (uint8_t)i};

		memcpy(mc[i], m, ETH_ALEN);
	}
	vfs_up(2, 1, true);
	nd = harness__vf_netdev(0);

	/* vdd sends 30 hashes and asks for multicast promiscuous, which igb grants any VF */
	GUEST(1, rc = nd->ops->set_rx_mode(nd, 0, (const uint8_t(*)[ETH_ALEN])mc, 31));
	assert_int_equal(rc, 0);
	assert_int_equal(pf()->vf[0].num_mc_hashes, 30);
	assert_false(pf()->vf[0].trusted);
	assert_true(harness__pf_rd32(E1000_VMOLR(0)) & E1000_VMOLR_MPME);
	/* back to 30 or fewer: promiscuous off, the hashes (ROMPE) again */
	GUEST(1, rc = nd->ops->set_rx_mode(nd, 0, (const uint8_t(*)[ETH_ALEN])mc, 30));
	assert_int_equal(rc, 0);
	assert_true(harness__pf_rd32(E1000_VMOLR(0)) & E1000_VMOLR_ROMPE);
	assert_false(harness__pf_rd32(E1000_VMOLR(0)) & E1000_VMOLR_MPME);

	/* a VF driver that announces 31 itself gets MPME without trust (igb's rule) */
	raw_reset(1);
	assert_true(raw_request(1, msg, 16, &reply, 1));
	assert_int_equal(reply, msg[0] | E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_CTS);
	assert_int_equal(pf()->vf[1].num_mc_hashes, 31);
	assert_true(harness__pf_rd32(E1000_VMOLR(1)) & E1000_VMOLR_MPME);
}

/* ---- (6) SET_LPE ---- */

static void test_set_lpe_bounds(void **state)
{
	uint32_t msg[2] = {E1000_VF_SET_LPE, 0}, reply;
	struct netdev *nd;
	uint32_t vmolr;
	int rc;

	vfs_up(2, 1, true);
	nd = harness__vf_netdev(0);
	GUEST(1, rc = nd->ops->set_mtu(nd, 9000));
	assert_int_equal(rc, 0);
	assert_int_equal(nd->mtu, 9000);
	vmolr = harness__pf_rd32(E1000_VMOLR(0));
	assert_true(vmolr & E1000_VMOLR_LPE);
	assert_int_equal(vmolr & E1000_VMOLR_RLPML_MASK, 9000 + 14 + 4 + 4);
	GUEST(1, rc = nd->ops->set_mtu(nd, 9217)); /* beyond vdd's own limit: not sent */
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(nd->mtu, 9000);

	/* the PF's bounds, from a VF that asks for anything */
	raw_reset(1);
	msg[1] = 20000;
	assert_true(raw_request(1, msg, 2, &reply, 1));
	assert_true(reply & E1000_VT_MSGTYPE_ACK);
	assert_int_equal(harness__pf_rd32(E1000_VMOLR(1)) & E1000_VMOLR_RLPML_MASK,
			 E1000_MAX_JUMBO_FRAME);
	msg[1] = 63;
	assert_true(raw_request(1, msg, 2, &reply, 1));
	assert_true(reply & E1000_VT_MSGTYPE_NACK);
	assert_int_equal(harness__pf_rd32(E1000_VMOLR(1)) & E1000_VMOLR_RLPML_MASK,
			 E1000_MAX_JUMBO_FRAME);
}

/* ---- (7) VF to VF through the NIC's switch ---- */

struct catch {
	uint8_t frame[ETH_FRAME_MAX];
	unsigned len, n;
};

/* The test's own frames (EtherType 0x88b5), not the guests' link-up announcements. */
static void catch_rx(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct catch *c = opaque;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *f = pkts[i].data;

		if (pkts[i].len < ETH_HLEN || f[12] != 0x88 || f[13] != 0xb5)
			continue;
		if (!c->n++) {
			memcpy(c->frame, pkts[i].data, pkts[i].len);
			c->len = pkts[i].len;
		}
	}
}

static bool caught(void *arg)
{
	return ((struct catch *)arg)->n > 0;
}

static void test_vf_to_vf_frame(void **state)
{
	static struct catch c;
	struct netdev_listener l = {.rx = catch_rx, .opaque = &c};
	uint8_t frame[200];
	struct pkt p = {.data = frame, .len = sizeof(frame)};
	struct netdev *tx, *rx;
	uint64_t rx0, tx0;
	int rc;

	memset(&c, 0, sizeof(c));
	vfs_up(2, 2, true);
	tx = harness__vf_netdev(0);
	rx = harness__vf_netdev(1);
	netdev__listen(rx, &l);
	memcpy(frame, rx->mac, ETH_ALEN);
	memcpy(frame + 6, tx->mac, ETH_ALEN);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (unsigned i = 14; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	/* The VFs' link-up announcements go first; the counters move by our frame alone. */
	harness__advance(10 * MS);
	rx0 = rx->stats.rx_packets;
	tx0 = tx->stats.tx_packets;
	GUEST(1, rc = netdev__xmit(tx, &p, 1));
	assert_int_equal(rc, 1);
	assert_true(harness__run_until(caught, &c, 100 * MS));
	assert_int_equal(c.n, 1);
	assert_int_equal(c.len, sizeof(frame));
	assert_memory_equal(c.frame, frame, sizeof(frame));
	assert_int_equal(rx->stats.rx_packets - rx0, 1);
	assert_int_equal(tx->stats.tx_packets - tx0, 1);
	netdev__unlisten(rx, &l);
}

/* ---- (8) PF reset: the VF notices and recovers by itself ---- */

struct link_log {
	unsigned downs, ups;
};

static void link_cb(void *opaque, struct netdev *nd, bool up)
{
	struct link_log *ll = opaque;

	if (up)
		ll->ups++;
	else
		ll->downs++;
}

static void rx_ignore(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n)
{
}

struct recovered {
	struct netdev *nd;
	uint64_t resets;
};

static bool has_recovered(void *arg)
{
	struct recovered *r = arg;

	return r->nd->stats.resets > r->resets && r->nd->carrier;
}

static void test_pf_reset_vf_recovers(void **state)
{
	static struct catch c;
	struct link_log ll = {0};
	struct netdev_listener l = {.rx = rx_ignore, .link = link_cb, .opaque = &ll};
	struct netdev_listener lc = {.rx = catch_rx, .opaque = &c};
	struct recovered r;
	uint8_t frame[64] = {0};
	struct pkt p = {.data = frame, .len = sizeof(frame)};
	struct netdev *nd, *nd1;
	int rc;

	memset(&c, 0, sizeof(c));
	vfs_up(2, 2, true);
	nd = harness__vf_netdev(0);
	nd1 = harness__vf_netdev(1);
	netdev__listen(nd, &l);
	ll = (struct link_log){0};
	r = (struct recovered){nd, nd->stats.resets};

	/* the PF's netdev stop op: igb_close, a port reset with the PHY powered down */
	DOM0(rc = pf()->netdev.ops->stop(&pf()->netdev));
	assert_int_equal(rc, 0);
	/* while the PF is down, its VFs have no link (igb powers the PHY down), for good */
	assert_false(harness__run_until(has_recovered, &r, 1000 * MS));
	assert_false(nd->carrier);
	assert_false(nd1->carrier);
	assert_false(harness__pf_rd32(E1000_STATUS) & E1000_STATUS_LU);
	assert_true(ll.downs >= 1);
	/* the PF up again: link, and the VF back */
	DOM0(rc = pf()->netdev.ops->open(&pf()->netdev));
	assert_int_equal(rc, 0);
	assert_true(harness__run_until(has_recovered, &r, 1000 * MS));
	assert_true(ll.downs >= 1);
	assert_true(ll.ups >= 1);
	assert_true(pf()->vf[0].cts);
	assert_true(harness__pf_rd32(E1000_VFRE) & 1);

	/* and traffic flows again, from the recovered VF to the other one */
	netdev__listen(nd1, &lc);
	assert_true(harness__run_until(carrier_up, nd1, 1000 * MS));
	memcpy(frame, nd1->mac, ETH_ALEN);
	memcpy(frame + 6, nd->mac, ETH_ALEN);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	GUEST(1, rc = netdev__xmit(nd, &p, 1));
	assert_int_equal(rc, 1);
	assert_true(harness__run_until(caught, &c, 100 * MS));
	assert_memory_equal(c.frame, frame, sizeof(frame));
	netdev__unlisten(nd1, &lc);
	netdev__unlisten(nd, &l);
}

/* ---- a dom0 restart keeps the administrator's policy ---- */

static bool has_mac(void *arg)
{
	struct netdev *nd = arg;

	return nd->carrier && !memcmp(nd->mac, admin_mac, ETH_ALEN);
}

static void test_dom0_restart_keeps_policy(void **state)
{
	struct mdd_vf_info ivi;
	struct recovered r;
	struct netdev *nd;
	uint32_t dtxswc;
	int vlvf = -1;

	vfs_up(2, 1, true);
	nd = harness__vf_netdev(0);
	DOM0(assert_int_equal(mdd_set_vf_mac(pf(), 0, admin_mac), 0));
	DOM0(assert_int_equal(mdd_set_vf_vlan(pf(), 0, 30, 3, false), 0));
	DOM0(assert_int_equal(mdd_set_vf_spoofchk(pf(), 1, false), 0));
	DOM0(assert_int_equal(mdd_set_vf_trust(pf(), 1, true), 0));
	DOM0(assert_int_equal(mdd_set_vf_link_state(pf(), 1, MDD_LINK_ENABLE), 0));
	assert_true(h.policy_kept[0] && h.policy_kept[1]);
	/* the VF driver reloaded after the MAC change, as igb asks: it runs with admin_mac */
	harness__unbind_vf(0);
	assert_int_equal(harness__bind_vf(0, 1), 0);
	nd = harness__vf_netdev(0);
	GUEST(1, assert_int_equal(netdev__open(nd), 0));
	assert_true(harness__run_until(has_mac, nd, 1000 * MS));
	r = (struct recovered){nd, nd->stats.resets};

	assert_int_equal(harness__dom0_restart(), 0);
	assert_true(harness__log_has("policy of 2 VFs taken back"));
	/* before any mailbox message is answered, the port is programmed as the administrator
	 * left it: the MAC filter, the port VLAN and its insertion, spoof checking */
	assert_rar(VF_RAR, admin_mac, 0);
	assert_int_equal(harness__pf_rd32(E1000_VMVIR(0)),
			 30u | 3u << 13 | E1000_VMVIR_VLANA_DEFAULT);
	for (unsigned i = 1; i < E1000_VLVF_ENTRIES; i++) {
		uint32_t v = harness__pf_rd32(E1000_VLVF(i));

		if ((v & E1000_VLVF_VLANID_ENABLE) && (v & E1000_VLVF_VLANID_MASK) == 30)
			vlvf = (int)i;
	}
	assert_true(vlvf > 0);
	assert_true(harness__pf_rd32(E1000_VLVF(vlvf)) & 1u << E1000_VLVF_POOLSEL_SHIFT);
	dtxswc = harness__pf_rd32(E1000_DTXSWC);
	assert_true(dtxswc & 1u << 0);
	assert_false(dtxswc & 1u << 1);
	DOM0(assert_int_equal(mdd_get_vf_config(pf(), 0, &ivi), 0));
	assert_memory_equal(ivi.mac, admin_mac, ETH_ALEN);
	assert_int_equal(ivi.vlan, 30);
	assert_int_equal(ivi.qos, 3);
	assert_true(ivi.spoofchk);
	DOM0(assert_int_equal(mdd_get_vf_config(pf(), 1, &ivi), 0));
	assert_false(ivi.spoofchk);
	assert_true(ivi.trusted);
	assert_int_equal(ivi.link_state, MDD_LINK_ENABLE);

	/* the guest's VF driver resets against the new PF driver (its watchdog notices within
	 * its 2 s period) and keeps its MAC */
	assert_true(harness__run_until(has_recovered, &r, 5000 * MS));
	assert_memory_equal(nd->mac, admin_mac, ETH_ALEN);

	/* SR-IOV off forgets it: VFs enabled again start from igb's defaults */
	harness__unbind_vf(0);
	assert_int_equal(harness__sriov(0), 0);
	assert_false(h.policy_kept[0] || h.policy_kept[1]);
	assert_int_equal(harness__sriov(2), 2);
	DOM0(assert_int_equal(mdd_get_vf_config(pf(), 0, &ivi), 0));
	assert_int_equal(ivi.vlan, 0);
	assert_true(mdd_mac_zero(ivi.mac));
}

/* ---- (9) sriov_configure ---- */

/* ---- interrupt moderation: InterruptThrottleRate ---- */

#define VF_EITR(i) (0x1680 + 4 * (i))
#define EITR_US(v) (((v) & 0x7FFC) >> 2)

static void send_frames(struct netdev *tx, struct netdev *rx, unsigned n, unsigned len)
{
	static uint8_t frame[1514];
	struct pkt p[32];
	unsigned sent = 0;

	memcpy(frame, rx->mac, ETH_ALEN);
	memcpy(frame + 6, tx->mac, ETH_ALEN);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (unsigned i = 0; i < 32; i++)
		p[i] = (struct pkt){.data = frame, .len = len};
	while (sent < n) {
		int rc;

		GUEST(1, rc = netdev__xmit(tx, p, n - sent < 32 ? n - sent : 32));
		assert_true(rc >= 0);
		sent += (unsigned)rc;
		harness__step();
	}
}

static void test_itr_parse(void **state)
{
	enum vdd_itr_mode m;
	unsigned r;

	assert_int_equal(vdd_itr_parse("0", &m, &r), 0);
	assert_true(m == VDD_ITR_OFF && r == 0);
	assert_int_equal(vdd_itr_parse("1", &m, &r), 0);
	assert_true(m == VDD_ITR_ADAPTIVE && r == VDD_DEFAULT_ITR);
	assert_int_equal(vdd_itr_parse("3", &m, &r), 0);
	assert_true(m == VDD_ITR_CONSERVATIVE);
	assert_int_equal(vdd_itr_parse("8000", &m, &r), 0);
	assert_true(m == VDD_ITR_FIXED && r == 8000);
	m = VDD_ITR_FIXED;
	r = 1234;
	for (const char *const *s = (const char *const[]){"2", "99", "100001", "-1", "1x", "", " 1",
							  NULL};
	     *s; s++) {
		assert_int_equal(vdd_itr_parse(*s, &m, &r), -EINVAL);
		assert_true(m == VDD_ITR_FIXED && r == 1234); /* nothing set */
	}
	/* the adaptive rule: at once towards latency, by quarters towards fewer interrupts */
	assert_int_equal(vdd_itr_next(VDD_ITR_ADAPTIVE, 4000, 1, 64), VDD_ITR_LOWEST);
	assert_int_equal(vdd_itr_next(VDD_ITR_CONSERVATIVE, 4000, 1, 64), VDD_ITR_LOW);
	assert_int_equal(vdd_itr_next(VDD_ITR_ADAPTIVE, 20000, 0, 0), 20000);
	r = vdd_itr_next(VDD_ITR_ADAPTIVE, VDD_ITR_LOWEST, 64, 64 * 64);
	assert_true(r < VDD_ITR_LOWEST && r > VDD_ITR_BULK);
	for (unsigned i = 0; i < 20; i++)
		r = vdd_itr_next(VDD_ITR_ADAPTIVE, r, 64, 64 * 64);
	assert_int_equal(r, VDD_ITR_BULK);
	assert_int_equal(vdd_itr_next(VDD_ITR_FIXED, 8000, 64, 64 * 64), 8000);
}

/* Adaptive moderation on a real VF: a stream of full polls lowers the Rx vector's rate to the
 * bulk setting, single frames raise it to the lowest-latency one; a fixed setting stays. */
static void test_itr_adaptive_follows_traffic(void **state)
{
	struct netdev_listener l = {.rx = catch_rx};
	static struct catch c;
	struct netdev *tx, *rx;

	l.opaque = &c;
	harness__set_guest_config("InterruptThrottleRate=1\n");
	vfs_up(2, 2, true);
	tx = harness__vf_netdev(0);
	rx = harness__vf_netdev(1);
	assert_true(harness__log_has("interrupt throttling adaptive"));
	netdev__listen(rx, &l);
	/* the link-up announcements (single frames) already set it to the lowest latency */
	assert_int_equal(EITR_US(vf_rd(1, VF_EITR(1))), 1000000 / VDD_ITR_LOWEST);
	/* one interrupt per burst: each tells the driver what a stream brings */
	for (unsigned round = 0; round < 30; round++) {
		send_frames(tx, rx, 64, 1514);
		harness__advance(1 * MS);
	}
	assert_int_equal(EITR_US(vf_rd(1, VF_EITR(1))), 1000000 / VDD_ITR_BULK);
	assert_int_equal(EITR_US(vf_rd(1, VF_EITR(0))), 1000000 / VDD_ITR_BULK); /* Tx follows */
	for (unsigned i = 0; i < 3; i++) {
		send_frames(tx, rx, 1, 64);
		harness__advance(2 * MS);
	}
	assert_int_equal(EITR_US(vf_rd(1, VF_EITR(1))), 1000000 / VDD_ITR_LOWEST);
	netdev__unlisten(rx, &l);
}

static void test_itr_fixed_and_off(void **state)
{
	harness__set_guest_config("InterruptThrottleRate=8000\n");
	vfs_up(3, 1, true);
	assert_int_equal(EITR_US(vf_rd(0, VF_EITR(1))), 1000000 / 8000);
	harness__set_guest_config("InterruptThrottleRate=0\n");
	assert_int_equal(harness__bind_vf(1, 2), 0);
	assert_int_equal(EITR_US(vf_rd(1, VF_EITR(1))), 0);
	harness__set_guest_config("InterruptThrottleRate=fast\n");
	assert_int_equal(harness__bind_vf(2, 3), 0);
	assert_true(harness__log_has("InterruptThrottleRate=fast: not 0, 1, 3 or 100..100000"));
	assert_int_equal(EITR_US(vf_rd(2, VF_EITR(1))), 1000000 / VDD_DEFAULT_ITR);
}

static void test_sriov_configure_rules(void **state)
{
	uint32_t ctrl;
	unsigned cap = pci__find_ext_cap(h.pf, PCI_EXT_CAP_ID_SRIOV);

	assert_int_equal(harness__sriov(8), -ERANGE);
	assert_int_equal(harness__sriov(-1), -EINVAL);
	assert_int_equal(harness__sriov(7), 7); /* 8 pools: 7 VFs and the PF's */
	assert_int_equal(harness__sriov(0), 0);
	assert_int_equal(harness__sriov(2), 2);
	assert_non_null(pci__vf(h.pf, 1));
	assert_null(pci__vf(h.pf, 2));
	assert_int_equal(pf()->queue, 2); /* the PF moved to pool 2 */
	assert_int_equal(harness__sriov(2), 2); /* the same count: nothing to do */
	assert_int_equal(harness__sriov(3), -EBUSY);
	assert_int_equal(pci__sriov_numvfs(h.pf), 2);

	/* a VF away in a guest keeps SR-IOV on */
	h.vf_assigned[1] = true;
	assert_int_equal(harness__sriov(0), -EBUSY);
	assert_true(harness__log_has("VF 1 is assigned to guest2"));
	h.vf_assigned[1] = false;

	/* 0 disables, with a VF driver bound: it is removed first */
	assert_int_equal(harness__bind_vf(0, 1), 0);
	assert_int_equal(harness__sriov(0), 0);
	assert_null(pci__vf(h.pf, 0));
	assert_null(harness__vf_netdev(0));
	assert_int_equal(pf()->num_vfs, 0);
	assert_int_equal(pf()->queue, 0);
	assert_int_equal(pci__cfg_read(h.pf, cap + PCI_SRIOV_CTRL, 2, &ctrl), 0);
	assert_false(ctrl & PCI_SRIOV_CTRL_VFE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, harness__setup, harness__teardown)
		T(test_reset_handshake_gives_admin_mac_and_link_needs_cts),
		T(test_set_mac_before_vf_reset_is_nacked_once_per_window),
		T(test_admin_mac_wins_unless_trusted),
		T(test_vlan_refused_under_port_vlan),
		T(test_multicast_overflow),
		T(test_set_lpe_bounds),
		T(test_vf_to_vf_frame),
		T(test_pf_reset_vf_recovers),
		T(test_dom0_restart_keeps_policy),
		T(test_sriov_configure_rules),
		T(test_itr_adaptive_follows_traffic),
		T(test_itr_fixed_and_off),
		cmocka_unit_test(test_itr_parse),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
