/*
 * Per-VF state and the handlers of VF mailbox messages, with igb's policy (mailbox.md sections
 * 5-7, 82576.md section 7): admin settings win over the VF's requests unless the VF is trusted.
 */
#include <errno.h>
#include <string.h>

#include "mdd.h"

#define VLAN_PRIO_SHIFT 13

void mdd_vf_defaults(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];

	memset(v, 0, sizeof(*v));
	v->spoofchk = true; /* igb: anti-spoofing on for every VF */
	v->link_state = MDD_LINK_AUTO;
}

bool mdd_vf_may_run(const struct mdd_adapter *a, unsigned vf)
{
	return a->vf[vf].link_state != MDD_LINK_DISABLE;
}

/* VFRE/VFTE: the pool's Rx and Tx gates. */
void mdd_vf_set_enabled(struct mdd_adapter *a, unsigned vf, bool on)
{
	uint32_t bit = 1u << vf;
	uint32_t re = rd32(a, E1000_VFRE), te = rd32(a, E1000_VFTE);

	wr32(a, E1000_VFRE, on ? re | bit : re & ~bit);
	wr32(a, E1000_VFTE, on ? te | bit : te & ~bit);
}

/* ---- shares of the tables (mdd.h) ---- */

unsigned mdd_vf_vlan_share(const struct mdd_adapter *a)
{
	unsigned pool = E1000_VLVF_ENTRIES - 1 - a->num_vfs - MDD_PF_VLANS_RESERVED;

	return a->num_vfs ? pool / a->num_vfs : 0;
}

/* RAR entries a VF's extra filters may use: after the PF's, before the VFs' own MACs. */
static unsigned mac_first(void)
{
	return 1 + MDD_PF_MAC_FILTERS_RESERVED;
}

static unsigned mac_end(const struct mdd_adapter *a)
{
	return mdd_vf_rar(a->num_vfs - 1);
}

unsigned mdd_vf_mac_share(const struct mdd_adapter *a)
{
	unsigned share;

	if (!a->num_vfs)
		return 0;
	share = (mac_end(a) - mac_first()) / a->num_vfs;
	return share < MDD_VF_MAX_MAC_FILTERS ? share : MDD_VF_MAX_MAC_FILTERS;
}

/*
 * A VF's refused requests are logged at most once per window: each line is a console hypercall
 * of dom0's, and a guest that repeats a refused request must not turn dom0 into its printer.
 */
static bool policy_log_due(struct mdd_vf *v)
{
	uint64_t now = os__now_ns();

	if (v->last_policy_log_ns && now - v->last_policy_log_ns < MDD_LOG_WINDOW_NS)
		return false;
	v->last_policy_log_ns = now;
	return true;
}

/* A request beyond the VF's share: counted, logged (rate-limited), NACKed. */
static int refuse(struct mdd_adapter *a, unsigned vf, const char *what, unsigned share)
{
	struct mdd_vf *v = &a->vf[vf];

	v->refused++;
	if (policy_log_due(v)) {
		os__log(MDD_TAG, "%s: VF %u: %s refused: its share is %u (%llu refused so far)",
			a->netdev.name, vf, what, share, (unsigned long long)v->refused);
	}
	return -ENOSPC;
}

/* ---- VLAN filters: VLVF entries shared by all pools, VID 0 in entry 0 ---- */

static int vlvf_find(struct mdd_adapter *a, uint16_t vid)
{
	if (!vid)
		return 0;
	for (int i = E1000_VLVF_ENTRIES - 1; i > 0; i--) {
		uint32_t v = rd32(a, E1000_VLVF(i));

		if ((v & E1000_VLVF_VLANID_ENABLE) && (v & E1000_VLVF_VLANID_MASK) == vid)
			return i;
	}
	return -1;
}

static int vlvf_free(struct mdd_adapter *a)
{
	for (int i = E1000_VLVF_ENTRIES - 1; i > 0; i--)
		if (!(rd32(a, E1000_VLVF(i)) & E1000_VLVF_VLANID_ENABLE))
			return i;
	return -1;
}

static void vfta_set(struct mdd_adapter *a, uint16_t vid, bool on)
{
	uint32_t v = rd32(a, E1000_VFTA(vid >> 5)), bit = 1u << (vid & 31);

	wr32(a, E1000_VFTA(vid >> 5), on ? v | bit : v & ~bit);
}

bool mdd_vlvf_has(struct mdd_adapter *a, uint16_t vid)
{
	return vlvf_find(a, vid) >= 0;
}

unsigned mdd_vlvf_free_entries(struct mdd_adapter *a)
{
	unsigned n = 0;

	for (int i = E1000_VLVF_ENTRIES - 1; i > 0; i--)
		n += !(rd32(a, E1000_VLVF(i)) & E1000_VLVF_VLANID_ENABLE);
	return n;
}

/* Add or remove @pool from VID @vid's VLVF entry: -ENOSPC when no entry is free. */
int mdd_vlvf_set(struct mdd_adapter *a, unsigned pool, uint16_t vid, bool add)
{
	uint32_t bit = 1u << (E1000_VLVF_POOLSEL_SHIFT + pool);
	int i = vlvf_find(a, vid);
	uint32_t v;

	if (vid >= 4095)
		return -EINVAL;
	if (i < 0) {
		if (!add)
			return 0;
		i = vlvf_free(a);
		if (i < 0)
			return -ENOSPC;
		wr32(a, E1000_VLVF(i), E1000_VLVF_VLANID_ENABLE | vid | bit);
		vfta_set(a, vid, true);
		return 0;
	}
	v = rd32(a, E1000_VLVF(i));
	v = add ? v | bit : v & ~bit;
	v |= E1000_VLVF_VLANID_ENABLE | vid;
	if (i && !(v & E1000_VLVF_POOLSEL_MASK)) {
		v = 0; /* nobody left on this VLAN */
		vfta_set(a, vid, false);
	} else {
		vfta_set(a, vid, true);
	}
	wr32(a, E1000_VLVF(i), v);
	return 0;
}

static void vlvf_clear_pool(struct mdd_adapter *a, unsigned pool)
{
	uint32_t bit = 1u << (E1000_VLVF_POOLSEL_SHIFT + pool);

	for (unsigned i = 0; i < E1000_VLVF_ENTRIES; i++) {
		uint32_t v = rd32(a, E1000_VLVF(i));

		if (!(v & bit))
			continue;
		v &= ~bit;
		if (i && !(v & E1000_VLVF_POOLSEL_MASK)) {
			vfta_set(a, (uint16_t)(v & E1000_VLVF_VLANID_MASK), false);
			v = 0;
		}
		wr32(a, E1000_VLVF(i), v);
	}
}

/* igb_set_vmolr: tags stripped, untagged accepted unless a port VLAN, broadcasts accepted. */
void mdd_vf_set_vmolr(struct mdd_adapter *a, unsigned pool, bool aupe)
{
	uint32_t vmolr = rd32(a, E1000_VMOLR(pool)) | E1000_VMOLR_STRVLAN;

	vmolr = aupe ? vmolr | E1000_VMOLR_AUPE : vmolr & ~E1000_VMOLR_AUPE;
	vmolr &= ~(E1000_VMOLR_BAM | E1000_VMOLR_RSSE);
	if (pool <= a->num_vfs)
		vmolr |= E1000_VMOLR_BAM;
	wr32(a, E1000_VMOLR(pool), vmolr);
}

void mdd_vf_set_vmvir(struct mdd_adapter *a, unsigned vf, uint32_t tci)
{
	wr32(a, E1000_VMVIR(vf), tci ? tci | E1000_VMVIR_VLANA_DEFAULT : 0);
}

void mdd_vf_set_strip(struct mdd_adapter *a, unsigned vf, bool on)
{
	uint32_t vmolr = rd32(a, E1000_VMOLR(vf));

	wr32(a, E1000_VMOLR(vf),
	     on ? vmolr | E1000_VMOLR_STRVLAN : vmolr & ~E1000_VMOLR_STRVLAN);
}

/* The VF's VMOLR multicast bits; its hashes are already in the MTA (mdd_set_rx_mode). */
void mdd_vf_restore_multicast(struct mdd_adapter *a, unsigned vf)
{
	const struct mdd_vf *v = &a->vf[vf];
	uint32_t vmolr = rd32(a, E1000_VMOLR(vf)) & ~(E1000_VMOLR_ROMPE | E1000_VMOLR_MPME);

	if (v->num_mc_hashes > E1000_VF_MAX_MC_HASHES || v->multi_promisc)
		vmolr |= E1000_VMOLR_MPME;
	else if (v->num_mc_hashes)
		vmolr |= E1000_VMOLR_ROMPE;
	wr32(a, E1000_VMOLR(vf), vmolr);
}

/* ---- MAC addresses ---- */

static void vf_drop_filters(struct mdd_adapter *a, unsigned vf)
{
	for (unsigned i = 1; i < E1000_RAR_ENTRIES; i++)
		if (a->rar_owner[i] == (int8_t)vf) {
			mdd_rar_clear(a, i);
			a->rar_owner[i] = -1;
		}
}

void mdd_vf_set_mac(struct mdd_adapter *a, unsigned vf, const uint8_t *mac)
{
	memcpy(a->vf[vf].mac, mac, ETH_ALEN);
	if (mdd_mac_valid(mac))
		mdd_rar_set(a, mdd_vf_rar(vf), mac, vf);
	else
		mdd_rar_clear(a, mdd_vf_rar(vf));
}

/* ---- resets ---- */

/* igb_vf_reset: the work common to every kind of VF reset. */
void mdd_vf_reset(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];

	v->cts = false;
	v->multi_promisc = false;
	v->last_nack_ns = os__now_ns();
	mdd_mbx_forget(a, vf);
	vlvf_clear_pool(a, vf);
	v->vlans = 0;
	memset(v->vlan_ids, 0, sizeof(v->vlan_ids));
	mdd_vlvf_set(a, vf, v->pf_vlan, true);
	mdd_vf_set_vmvir(a, vf, v->pf_vlan | (uint32_t)v->pf_qos << VLAN_PRIO_SHIFT);
	mdd_vf_set_vmolr(a, vf, !v->pf_vlan);
	vf_drop_filters(a, vf);
	v->num_mc_hashes = 0;
	mdd_set_rx_mode(a);
}

/* After a port reset: program what the administrator set; the VF must send VF_RESET again. */
void mdd_vf_configure(struct mdd_adapter *a, unsigned vf)
{
	mdd_vf_reset(a, vf);
	mdd_vf_set_mac(a, vf, a->vf[vf].mac);
}

/* VFLRE: a function-level reset or a VF CTRL.RST. */
void mdd_vf_reset_event(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];

	if (!v->mac_admin)
		memset(v->mac, 0, ETH_ALEN);
	memset(v->stats.last, 0, sizeof(v->stats.last)); /* the VF's counters restart */
	mdd_vf_reset(a, vf);
}

/* VF_RESET: the handshake's answer is the MAC (ACK), or NACK when the VF has none. */
void mdd_vf_reset_msg(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];
	const uint8_t *m = v->mac;
	uint32_t reply[3];

	mdd_vf_reset(a, vf);
	mdd_vf_set_mac(a, vf, v->mac);
	mdd_vf_set_enabled(a, vf, mdd_vf_may_run(a, vf));
	v->cts = true;
	reply[0] = E1000_VF_RESET |
		   (mdd_mac_zero(m) ? E1000_VT_MSGTYPE_NACK : E1000_VT_MSGTYPE_ACK);
	reply[1] = m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24;
	reply[2] = m[4] | m[5] << 8;
	mdd_mbx_write(a, vf, reply, 3);
}

/* ---- message handlers: 0 = ACK, -errno = NACK ---- */

static void msg_mac(const uint32_t *msg, uint8_t *mac)
{
	for (unsigned i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)(msg[1 + i / 4] >> (8 * (i % 4)));
}

static int vf_set_mac_msg(struct mdd_adapter *a, unsigned vf, const uint32_t *msg)
{
	struct mdd_vf *v = &a->vf[vf];
	uint32_t info = msg[0] & E1000_VT_MSGINFO_MASK;
	uint8_t mac[ETH_ALEN];
	int free_idx = -1;
	unsigned held = 0;

	msg_mac(msg, mac);
	if (v->mac_admin && !v->trusted) {
		if (policy_log_due(v))
			os__log(MDD_TAG,
				"%s: VF %u attempted to override administratively set MAC address; "
				"reload the VF driver to resume operations",
				a->netdev.name, vf);
		return -EPERM;
	}
	if (!mdd_mac_valid(mac)) {
		if (policy_log_due(v))
			os__log(MDD_TAG, "%s: VF %u attempted to set invalid MAC", a->netdev.name,
				vf);
		return -EINVAL;
	}
	switch (info) {
	case 0:
		mdd_vf_set_mac(a, vf, mac);
		return 0;
	case E1000_VF_MAC_FILTER_CLR:
		vf_drop_filters(a, vf);
		return 0;
	case E1000_VF_MAC_FILTER_ADD:
		/* Entries between the PF's reserved ones and the VFs' own at the end are shared. */
		for (unsigned i = mac_first(); i < mac_end(a); i++) {
			if (a->rar_owner[i] == (int8_t)vf) {
				uint32_t ral = rd32(a, E1000_RAL(i)), rah = rd32(a, E1000_RAH(i));

				if (ral == (mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24) &&
				    (rah & 0xffff) == (uint32_t)(mac[4] | mac[5] << 8))
					return 0;
				held++;
			} else if (a->rar_owner[i] < 0 && free_idx < 0 &&
				   !(rd32(a, E1000_RAH(i)) & E1000_RAH_AV)) {
				free_idx = (int)i;
			}
		}
		if (held >= mdd_vf_mac_share(a))
			return refuse(a, vf, "MAC filter", mdd_vf_mac_share(a));
		if (free_idx < 0)
			return refuse(a, vf, "MAC filter (none free)", mdd_vf_mac_share(a));
		a->rar_owner[free_idx] = (int8_t)vf;
		mdd_rar_set(a, (unsigned)free_idx, mac, vf);
		return 0;
	}
	return -EINVAL;
}

static int vf_set_multicast_msg(struct mdd_adapter *a, unsigned vf, const uint32_t *msg)
{
	struct mdd_vf *v = &a->vf[vf];
	unsigned n = (msg[0] & E1000_VT_MSGINFO_MASK) >> E1000_VT_MSGINFO_SHIFT;

	/* More than 30 announced: kept as a count, the pool goes multicast promiscuous. */
	v->num_mc_hashes = n;
	if (n > E1000_VF_MAX_MC_HASHES)
		n = E1000_VF_MAX_MC_HASHES;
	for (unsigned j = 0; j < n; j++)
		v->mc_hashes[j] = (uint16_t)(msg[1 + j / 2] >> (16 * (j % 2))) & 0xfff;
	mdd_set_rx_mode(a);
	return 0;
}

static int vf_set_vlan_msg(struct mdd_adapter *a, unsigned vf, const uint32_t *msg)
{
	struct mdd_vf *v = &a->vf[vf];
	bool add = msg[0] & E1000_VF_SET_VLAN_ADD;
	uint16_t vid = msg[1] & E1000_VLVF_VLANID_MASK;
	uint64_t bit = 1ull << (vid % 64);
	bool had = v->vlan_ids[vid / 64] & bit;
	int err;

	if (v->pf_vlan) {
		if (policy_log_due(v))
			os__log(MDD_TAG,
				"%s: VF %u attempted to override administratively set VLAN tag; "
				"reload the VF driver to resume operations",
				a->netdev.name, vf);
		return -EPERM;
	}

	if (!vid && !add)
		return 0;
	if (vid && add && !had && v->vlans >= mdd_vf_vlan_share(a))
		return refuse(a, vf, "VLAN filter", mdd_vf_vlan_share(a));
	if (vid && !add && !had)
		return 0; /* not one of its own: nothing to take away */
	err = mdd_vlvf_set(a, vf, vid, add);
	if (err == -ENOSPC)
		return refuse(a, vf, "VLAN filter (none free)", mdd_vf_vlan_share(a));
	if (err)
		return err;
	if (vid && add != had) {
		v->vlan_ids[vid / 64] ^= bit;
		v->vlans = add ? v->vlans + 1 : v->vlans - 1;
	}
	mdd_vf_set_strip(a, vf, vid != 0);
	return 0;
}

static int vf_set_lpe_msg(struct mdd_adapter *a, unsigned vf, const uint32_t *msg)
{
	uint32_t size = msg[1], vmolr;

	if (size < E1000_MIN_FRAME) {
		if (policy_log_due(&a->vf[vf]))
			os__log(MDD_TAG, "%s: VF %u max frame %u out of range", a->netdev.name, vf,
				size);
		return -EINVAL;
	}
	if (size > E1000_MAX_JUMBO_FRAME)
		size = E1000_MAX_JUMBO_FRAME;
	vmolr = rd32(a, E1000_VMOLR(vf)) & ~E1000_VMOLR_RLPML_MASK;
	wr32(a, E1000_VMOLR(vf), vmolr | size | E1000_VMOLR_LPE);
	return 0;
}

static int vf_set_promisc_msg(struct mdd_adapter *a, unsigned vf, const uint32_t *msg)
{
	struct mdd_vf *v = &a->vf[vf];
	uint32_t info = msg[0] & E1000_VT_MSGINFO_MASK;
	uint32_t vmolr;

	/* As igb: no trust needed; what a pool cannot do (unicast promiscuous) is refused. */
	vmolr = rd32(a, E1000_VMOLR(vf)) & ~(E1000_VMOLR_ROPE | E1000_VMOLR_ROMPE | E1000_VMOLR_MPME);
	v->multi_promisc = false;
	if (info & E1000_VF_SET_PROMISC_MULTICAST) {
		v->multi_promisc = true;
		vmolr |= E1000_VMOLR_MPME;
		info &= ~E1000_VF_SET_PROMISC_MULTICAST;
	} else if (v->num_mc_hashes > E1000_VF_MAX_MC_HASHES) {
		vmolr |= E1000_VMOLR_MPME;
	} else if (v->num_mc_hashes) {
		vmolr |= E1000_VMOLR_ROMPE;
	}
	wr32(a, E1000_VMOLR(vf), vmolr);
	return info ? -EINVAL : 0; /* flags left over (unicast promiscuous): not supported */
}

int mdd_vf_msg(struct mdd_adapter *a, unsigned vf, uint32_t *msg)
{
	switch (msg[0] & 0xffff) {
	case E1000_VF_SET_MAC_ADDR:
		return vf_set_mac_msg(a, vf, msg);
	case E1000_VF_SET_MULTICAST:
		return vf_set_multicast_msg(a, vf, msg);
	case E1000_VF_SET_VLAN:
		return vf_set_vlan_msg(a, vf, msg);
	case E1000_VF_SET_LPE:
		return vf_set_lpe_msg(a, vf, msg);
	case E1000_VF_SET_PROMISC:
		return vf_set_promisc_msg(a, vf, msg);
	}
	if (policy_log_due(&a->vf[vf]))
		os__log(MDD_TAG, "%s: VF %u: unhandled message 0x%08x", a->netdev.name, vf, msg[0]);
	return -EOPNOTSUPP;
}

/* ---- statistics: the 32-bit wrapping per-VF mirrors, widened ---- */

void mdd_vf_update_stats(struct mdd_adapter *a, unsigned vf)
{
	static const uint32_t regs[5] = { E1000_PVFGPRC(0), E1000_PVFGPTC(0), E1000_PVFGORC(0),
					  E1000_PVFGOTC(0), E1000_PVFMPRC(0) };
	struct mdd_vf_stats *s = &a->vf[vf].stats;
	uint64_t *acc[5] = { &s->rx_packets, &s->tx_packets, &s->rx_bytes, &s->tx_bytes,
			     &s->rx_multicast };

	for (unsigned i = 0; i < 5; i++) {
		uint32_t cur = rd32(a, regs[i] + 0x100 * vf);

		if (cur == 0xffffffff && a->pdev->gone)
			return;
		*acc[i] += (uint32_t)(cur - s->last[i]);
		s->last[i] = cur;
	}
}
