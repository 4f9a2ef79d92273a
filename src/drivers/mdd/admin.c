/*
 * Administrative per-VF policy: Linux's ndo_set_vf_{mac,vlan,rate,spoofchk,trust,link_state}
 * and ndo_get_vf_config, with igb's checks and messages (iproute2-vf.md section 2).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mdd.h"

#define VLAN_PRIO_SHIFT 13

static const char *const link_state_names[] = { "auto", "enable", "disable" };

/*
 * The checks: what each setter refuses, found without changing anything, so that a command
 * with several settings can be refused whole (`ip link set PF vf N ...`). The setters call
 * them too: one place for each rule.
 */
static int refuse(char *why, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, int err, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, MDD_WHY_LEN, fmt, ap);
		va_end(ap);
	}
	return err;
}

int mdd_check_vf(struct mdd_adapter *a, unsigned vf, char *why)
{
	if (vf < a->num_vfs)
		return 0;
	if (!a->num_vfs)
		return refuse(why, -EINVAL, "%s has no VFs enabled (vfnet sriov %s numvfs N)",
			      a->netdev.name, a->netdev.name);
	return refuse(why, -EINVAL, "%s has %u VFs: vf 0 to %u", a->netdev.name, a->num_vfs,
		      a->num_vfs - 1);
}

int mdd_check_vf_mac(struct mdd_adapter *a, unsigned vf, const uint8_t *mac, char *why)
{
	int err = mdd_check_vf(a, vf, why);

	if (err)
		return err;
	if (!mdd_mac_zero(mac) && !mdd_mac_valid(mac))
		return refuse(why, -EINVAL, "a multicast address cannot be a VF's MAC");
	return 0;
}

int mdd_check_vf_vlan(struct mdd_adapter *a, unsigned vf, unsigned vlan, unsigned qos,
		      bool dot1ad, unsigned taken, char *why)
{
	int err = mdd_check_vf(a, vf, why);

	if (err)
		return err;
	if (vlan > 4094)
		return refuse(why, -EINVAL, "VLAN 4095 is reserved (0..4094)");
	if (qos > 7)
		return refuse(why, -EINVAL, "qos is a 3-bit priority (0..7)");
	if (dot1ad)
		return refuse(why, -EPROTONOSUPPORT,
			      "the 82576 inserts 802.1Q tags only (igb refuses 802.1ad)");
	if (vlan && !mdd_vlvf_has(a, (uint16_t)vlan) && mdd_vlvf_free_entries(a) <= taken)
		return refuse(why, -ENOSPC, "all %u VLVF entries are in use", E1000_VLVF_ENTRIES - 1);
	return 0;
}

int mdd_check_vf_rate(struct mdd_adapter *a, unsigned vf, unsigned min_rate, unsigned max_rate,
		      char *why)
{
	int err;

	if (min_rate)
		return refuse(why, -EINVAL, "the 82576 has no minimum Tx rate (igb takes 0 only)");
	if ((err = mdd_check_vf(a, vf, why)))
		return err;
	if (!a->link_up)
		return refuse(why, -EINVAL, "the link is down: a rate is a share of the link speed");
	if (max_rate > a->link_speed)
		return refuse(why, -EINVAL, "above the link speed (%u Mbps)", a->link_speed);
	return 0;
}

int mdd_check_vf_spoofchk(struct mdd_adapter *a, unsigned vf, char *why)
{
	if (!a->num_vfs)
		return refuse(why, -EOPNOTSUPP, "%s has no VFs enabled", a->netdev.name);
	return mdd_check_vf(a, vf, why);
}

int mdd_check_vf_link_state(struct mdd_adapter *a, unsigned vf, enum mdd_link_state st,
			    char *why)
{
	if (st > MDD_LINK_DISABLE)
		return refuse(why, -EINVAL, "state is auto, enable or disable");
	return mdd_check_vf(a, vf, why);
}

int mdd_set_vf_mac(struct mdd_adapter *a, unsigned vf, const uint8_t *mac)
{
	struct mdd_vf *v;
	int err = mdd_check_vf_mac(a, vf, mac, NULL);

	if (err)
		return err;
	v = &a->vf[vf];
	if (mdd_mac_zero(mac)) {
		v->mac_admin = false;
		os__log(MDD_TAG, "%s: remove administratively set MAC on VF %u", a->netdev.name, vf);
	} else {
		v->mac_admin = true;
		os__log(MDD_TAG,
			"%s: setting MAC %02x:%02x:%02x:%02x:%02x:%02x on VF %u; reload the VF "
			"driver to make this change effective",
			a->netdev.name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], vf);
		if (!a->netdev.up)
			os__log(MDD_TAG,
				"%s: the VF MAC address has been set, but the PF device is not up; "
				"bring the PF device up before attempting to use the VF device",
				a->netdev.name);
	}
	mdd_vf_set_mac(a, vf, mac);
	mdd_policy_save(a, vf);
	return 0;
}

static int enable_port_vlan(struct mdd_adapter *a, unsigned vf, uint16_t vlan, uint16_t qos)
{
	struct mdd_vf *v = &a->vf[vf];
	int err = mdd_vlvf_set(a, vf, vlan, true);

	if (err)
		return err;
	mdd_vf_set_vmvir(a, vf, vlan | (uint32_t)qos << VLAN_PRIO_SHIFT);
	mdd_vf_set_vmolr(a, vf, !vlan); /* tagged only */
	if (vlan != v->pf_vlan)
		mdd_vlvf_set(a, vf, v->pf_vlan, false); /* revoke the previous one */
	v->pf_vlan = vlan;
	v->pf_qos = qos;
	mdd_vf_set_strip(a, vf, true);
	os__log(MDD_TAG, "%s: Setting VLAN %u, QOS 0x%x on VF %u", a->netdev.name, vlan, qos, vf);
	return 0;
}

static int disable_port_vlan(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];

	mdd_vlvf_set(a, vf, 0, true);
	mdd_vf_set_vmvir(a, vf, 0);
	mdd_vf_set_vmolr(a, vf, true);
	if (v->pf_vlan)
		mdd_vlvf_set(a, vf, v->pf_vlan, false);
	v->pf_vlan = 0;
	v->pf_qos = 0;
	mdd_vf_set_strip(a, vf, false);
	return 0;
}

int mdd_set_vf_vlan(struct mdd_adapter *a, unsigned vf, unsigned vlan, unsigned qos, bool dot1ad)
{
	int err = mdd_check_vf_vlan(a, vf, vlan, qos, dot1ad, 0, NULL);

	if (err)
		return err;
	err = vlan || qos ? enable_port_vlan(a, vf, (uint16_t)vlan, (uint16_t)qos)
			  : disable_port_vlan(a, vf);
	if (!err)
		mdd_policy_save(a, vf);
	return err;
}

/*
 * 82576 per-queue rate limiter (82576.md section 8 item 13): VF n transmits on queue n; the
 * factor is link speed / rate as a fixed-point number with 14 fraction bits.
 */
void mdd_rate_program(struct mdd_adapter *a, unsigned vf)
{
	unsigned rate = a->vf[vf].max_tx_rate, link = a->link_speed;
	uint32_t bcnrc = 0;

	if (rate && link) {
		uint32_t rf_int = link / rate;
		uint32_t rf_dec = (uint32_t)(((uint64_t)(link - rf_int * rate)
					      << E1000_RTTBCNRC_RF_INT_SHIFT) / rate);

		bcnrc = E1000_RTTBCNRC_RS_ENA |
			(rf_int << E1000_RTTBCNRC_RF_INT_SHIFT & E1000_RTTBCNRC_RF_INT_MASK) |
			(rf_dec & E1000_RTTBCNRC_RF_DEC_MASK);
	}
	wr32(a, E1000_RTTDQSEL, vf);
	wr32(a, E1000_RTTBCNRM, E1000_RTTBCNRM_MMW);
	wr32(a, E1000_RTTBCNRC, bcnrc);
}

/* igb_check_vf_rate_limit: limits were computed for one link speed; another one drops them. */
void mdd_rates_check(struct mdd_adapter *a)
{
	bool reset = false;

	if (a->rate_link_speed && a->rate_link_speed != a->link_speed) {
		reset = true;
		a->rate_link_speed = 0;
		os__log(MDD_TAG, "%s: link speed has been changed. VF Transmit rate is disabled",
			a->netdev.name);
	}
	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		if (reset && a->vf[vf].max_tx_rate) {
			a->vf[vf].max_tx_rate = 0;
			mdd_policy_save(a, vf);
		}
		mdd_rate_program(a, vf);
	}
}

int mdd_set_vf_rate(struct mdd_adapter *a, unsigned vf, unsigned min_rate, unsigned max_rate)
{
	int err = mdd_check_vf_rate(a, vf, min_rate, max_rate, NULL);

	if (err)
		return err;
	a->rate_link_speed = a->link_speed;
	a->vf[vf].max_tx_rate = max_rate;
	mdd_rate_program(a, vf);
	mdd_policy_save(a, vf);
	return 0;
}

int mdd_set_vf_spoofchk(struct mdd_adapter *a, unsigned vf, bool on)
{
	uint32_t bits = 1u << vf | 1u << (vf + E1000_DTXSWC_VLAN_SPOOF_SHIFT), v;
	int err = mdd_check_vf_spoofchk(a, vf, NULL);

	if (err)
		return err;
	v = rd32(a, E1000_DTXSWC);
	wr32(a, E1000_DTXSWC, on ? v | bits : v & ~bits);
	a->vf[vf].spoofchk = on;
	mdd_policy_save(a, vf);
	return 0;
}

int mdd_set_vf_trust(struct mdd_adapter *a, unsigned vf, bool on)
{
	struct mdd_vf *v;
	int err = mdd_check_vf(a, vf, NULL);

	if (err)
		return err;
	v = &a->vf[vf];
	if (v->trusted == on)
		return 0;
	v->trusted = on;
	os__log(MDD_TAG, "%s: VF %u is %strusted", a->netdev.name, vf, on ? "" : "not ");
	mdd_policy_save(a, vf);
	return 0;
}

/*
 * What the VF sees as link. A VF's STATUS is the port's (82576.md section 3), so the PF speaks
 * through the mailbox: igbvf reports link up only after a PF word carrying CTS (mailbox.md
 * section 8). disable: the pool's Rx/Tx gates close and the VF gets PF_CONTROL_MSG without CTS
 * (and no CTS in later replies), so its link goes down without a reset loop. enable: the pool
 * stays open whatever the port's link, so VF-to-VF traffic keeps flowing; STATUS.LU still follows
 * the port, which no 82576 register can override. auto: follow the port.
 */
int mdd_set_vf_link_state(struct mdd_adapter *a, unsigned vf, enum mdd_link_state st)
{
	struct mdd_vf *v;
	int err = mdd_check_vf_link_state(a, vf, st, NULL);

	if (err)
		return err;
	v = &a->vf[vf];
	v->link_state = st;
	mdd_vf_set_enabled(a, vf, st != MDD_LINK_DISABLE && v->cts);
	mdd_ping_vf(a, vf); /* CTS only if it may run now */
	os__log(MDD_TAG, "%s: Setting link state %s on VF %u", a->netdev.name,
		link_state_names[st], vf);
	mdd_policy_save(a, vf);
	return 0;
}

int mdd_get_vf_config(struct mdd_adapter *a, unsigned vf, struct mdd_vf_info *ivi)
{
	const struct mdd_vf *v;

	if (vf >= a->num_vfs)
		return -EINVAL;
	v = &a->vf[vf];
	memset(ivi, 0, sizeof(*ivi));
	ivi->vf = vf;
	memcpy(ivi->mac, v->mac, ETH_ALEN);
	ivi->vlan = v->pf_vlan;
	ivi->qos = v->pf_qos;
	ivi->max_tx_rate = v->max_tx_rate;
	ivi->min_tx_rate = 0;
	ivi->spoofchk = v->spoofchk;
	ivi->trusted = v->trusted;
	ivi->link_state = v->link_state;
	return 0;
}
