/*
 * The netdev operations that become PF requests (mailbox.md section 5): MAC, MTU (SET_LPE), Rx
 * mode (SET_MULTICAST with up to 30 hashes, SET_PROMISC beyond that or when asked) and VLAN
 * filters. A NACK surfaces as -EPERM. The driver remembers what was asked, because a VF reset
 * makes the PF forget it: vdd_restore_filters sends it again after every handshake.
 */
#include <errno.h>
#include <string.h>

#include "vdd.h"

static bool valid_ether_addr(const uint8_t mac[ETH_ALEN])
{
	static const uint8_t zero[ETH_ALEN];

	return !(mac[0] & 1) && memcmp(mac, zero, ETH_ALEN);
}

static int vdd_set_mac(struct netdev *nd, const uint8_t mac[ETH_ALEN])
{
	struct vdd *a = vdd_from_nd(nd);
	int err;

	if (!valid_ether_addr(mac))
		return -EINVAL;
	if (a->reset_pending)
		return -EAGAIN;
	err = vdd_vf_set_mac(a, mac);
	if (err)
		return err;
	memcpy(nd->mac, mac, ETH_ALEN);
	return 0;
}

/* igbvf asks for the largest frame with FCS, plus a VLAN tag. */
static unsigned max_frame(unsigned mtu)
{
	return mtu + ETH_HLEN + ETH_FCS_LEN + VLAN_HLEN;
}

static int vdd_set_mtu(struct netdev *nd, unsigned mtu)
{
	struct vdd *a = vdd_from_nd(nd);
	int err;

	if (mtu < VDD_MIN_MTU || mtu > VDD_MAX_MTU)
		return -EINVAL;
	if (a->reset_pending)
		return -EAGAIN;
	err = vdd_vf_set_lpe(a, max_frame(mtu));
	if (err)
		return err;
	nd->mtu = mtu;
	return 0;
}

static int apply_rx_mode(struct vdd *a)
{
	uint32_t promisc = 0;
	int err;

	err = vdd_vf_set_multicast(a, (const uint8_t(*)[ETH_ALEN])a->mc, a->nmc);
	if (err)
		return err;
	if (a->rx_flags & NETDEV_PROMISC)
		promisc = E1000_VF_SET_PROMISC_UNICAST | E1000_VF_SET_PROMISC_MULTICAST;
	else if ((a->rx_flags & NETDEV_ALLMULTI) || a->mc_overflow)
		promisc = E1000_VF_SET_PROMISC_MULTICAST;
	if (promisc == a->promisc)
		return 0;
	err = vdd_vf_set_promisc(a, promisc);
	if (err)
		return err;
	a->promisc = promisc;
	return 0;
}

static int vdd_set_rx_mode(struct netdev *nd, unsigned flags, const uint8_t (*mc)[ETH_ALEN],
			   unsigned nmc)
{
	struct vdd *a = vdd_from_nd(nd);

	if (a->reset_pending)
		return -EAGAIN;
	a->rx_flags = flags;
	a->nmc = nmc < E1000_VF_MAX_MC ? nmc : E1000_VF_MAX_MC;
	a->mc_overflow = nmc > E1000_VF_MAX_MC;
	if (a->nmc)
		memcpy(a->mc, mc, (size_t)a->nmc * ETH_ALEN);
	return apply_rx_mode(a);
}

static int vlan_set(struct netdev *nd, uint16_t vid, bool add)
{
	struct vdd *a = vdd_from_nd(nd);
	uint64_t bit = 1ull << (vid % 64);
	int err;

	if (vid >= 4096)
		return -EINVAL;
	if (a->reset_pending)
		return -EAGAIN;
	err = vdd_vf_set_vlan(a, vid, add);
	if (err)
		return err;
	if (add)
		a->vlans[vid / 64] |= bit;
	else
		a->vlans[vid / 64] &= ~bit;
	return 0;
}

static int vdd_vlan_add(struct netdev *nd, uint16_t vid)
{
	return vlan_set(nd, vid, true);
}

static int vdd_vlan_del(struct netdev *nd, uint16_t vid)
{
	return vlan_set(nd, vid, false);
}

/* After a handshake: everything the PF forgot. The first error is returned, all are tried. */
int vdd_restore_filters(struct vdd *a)
{
	int err = 0, e;

	a->promisc = 0; /* the PF reset its VMOLR bits */
	if (a->nmc || a->rx_flags || a->mc_overflow) {
		e = apply_rx_mode(a);
		err = err ? err : e;
	}
	for (unsigned vid = 0; vid < 4096; vid++) {
		if (!(a->vlans[vid / 64] & (1ull << (vid % 64))))
			continue;
		e = vdd_vf_set_vlan(a, (uint16_t)vid, true);
		err = err ? err : e;
	}
	if (err)
		os__log(VDD_NAME, "%s: PF refused a filter after reset: %d", a->nd.name, err);
	return err;
}

int vdd_set_lpe_mtu(struct vdd *a)
{
	return vdd_vf_set_lpe(a, max_frame(a->nd.mtu));
}

const struct netdev_ops vdd_netdev_ops = {
    .open = vdd_open,
    .stop = vdd_stop,
    .xmit = vdd_xmit,
    .set_mac = vdd_set_mac,
    .set_mtu = vdd_set_mtu,
    .set_rx_mode = vdd_set_rx_mode,
    .vlan_add = vdd_vlan_add,
    .vlan_del = vdd_vlan_del,
};
