/*
 * The administrator's VF policy kept by the machine (pci__vf_policy_save/load), so that it
 * outlives dom0: a toolstack keeps it as well as the PF driver (libvirt re-applies a hostdev's
 * <vlan> and <mac>, xl keeps the domain's config). Every change through admin.c is sent; a PF
 * driver that finds its VFs already enabled (a restarted dom0, main.c) takes it back into its
 * per-VF state before the port is configured, so the first VF_RESET is answered with the
 * administrator's MAC and the pool is already in its port VLAN. Guests keep their addresses
 * and VLANs across a dom0 restart with no command from anyone.
 */
#include <errno.h>
#include <string.h>

#include "mdd.h"

void mdd_policy_save(struct mdd_adapter *a, unsigned vf)
{
	const struct mdd_vf *v = &a->vf[vf];
	struct pci_vf_policy p = {
	    .mac_set = v->mac_admin,
	    .vlan = v->pf_vlan,
	    .qos = v->pf_qos,
	    .spoofchk = v->spoofchk,
	    .trusted = v->trusted,
	    .link_state = (unsigned)v->link_state,
	    .max_tx_rate = v->max_tx_rate,
	};
	int err;

	if (v->mac_admin)
		memcpy(p.mac, v->mac, ETH_ALEN);
	err = pci__vf_policy_save(a->pdev, vf, &p);
	if (err)
		os__log(MDD_TAG,
			"%s: VF %u: the machine did not keep its policy (%d): a dom0 "
			"restart would lose it",
			a->netdev.name, vf, err);
}

void mdd_policy_restore(struct mdd_adapter *a)
{
	unsigned restored = 0;

	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		struct mdd_vf *v = &a->vf[vf];
		struct pci_vf_policy p;

		if (pci__vf_policy_load(a->pdev, vf, &p))
			continue; /* nothing kept: igb's defaults */
		v->mac_admin = p.mac_set && mdd_mac_valid(p.mac);
		if (v->mac_admin)
			memcpy(v->mac, p.mac, ETH_ALEN);
		v->pf_vlan = p.vlan <= 4094 ? p.vlan : 0;
		v->pf_qos = p.qos <= 7 ? p.qos : 0;
		v->spoofchk = p.spoofchk;
		v->trusted = p.trusted;
		v->link_state = p.link_state <= MDD_LINK_DISABLE ? (enum mdd_link_state)p.link_state
								 : MDD_LINK_AUTO;
		v->max_tx_rate = p.max_tx_rate;
		restored++;
	}
	if (restored)
		os__log(MDD_TAG,
			"%s: the administrator's policy of %u VF%s taken back from the "
			"machine",
			a->pdev->slot, restored, restored == 1 ? "" : "s");
}

void mdd_policy_link(struct mdd_adapter *a)
{
	for (unsigned vf = 0; vf < a->num_vfs; vf++)
		if (a->vf[vf].max_tx_rate && a->link_up) {
			a->rate_link_speed = a->link_speed; /* what the kept rates are for now */
			return;
		}
}
