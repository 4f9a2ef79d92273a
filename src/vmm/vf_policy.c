/*
 * The VF policy the machine keeps for dom0's PF driver (VFNET_HC_VF_POLICY): what `ip link set
 * PF vf N ...` set, held per VF in its hv_func so that it outlives dom0. dom0 sends it after
 * every change; a new dom0's PF driver that finds VFs already enabled asks for it before it
 * programs the port. The record is checked here, field by field, as anything from a domain is;
 * the machine does not apply it (the PF driver does), it only keeps it. A VF that goes away
 * (VF Enable cleared) forgets it (passthrough.c, sync_vfs).
 */
#include <errno.h>
#include <string.h>

#include "vmm/hv.h"
#include "vmm/passthrough.h"

#define POLICY_FLAGS	(VFNET_POLICY_MAC | VFNET_POLICY_SPOOFCHK | VFNET_POLICY_TRUST)
#define POLICY_RATE_MAX 100000u /* Mbit/s: far above any link the 82576 has */

static int check(const struct vfnet_hc_vf_policy *p)
{
	static const uint8_t zero[6];
	bool has_mac = p->flags & VFNET_POLICY_MAC;

	if (p->write > 1 || p->rsvd)
		return -EINVAL;
	if (!p->write)
		return p->flags || memcmp(p->mac, zero, 6) || p->vlan || p->qos || p->link_state ||
			       p->max_tx_rate || p->min_tx_rate
			   ? -EINVAL
			   : 0;
	if (p->flags & ~POLICY_FLAGS)
		return -EINVAL;
	if (has_mac ? (p->mac[0] & 1) || !memcmp(p->mac, zero, 6) : !!memcmp(p->mac, zero, 6))
		return -EINVAL;
	if (p->vlan > 4094 || p->qos > 7 || p->link_state > VFNET_LINK_DISABLE)
		return -EINVAL;
	if (p->max_tx_rate > POLICY_RATE_MAX || p->min_tx_rate > POLICY_RATE_MAX ||
	    (p->max_tx_rate && p->min_tx_rate > p->max_tx_rate))
		return -EINVAL;
	return 0;
}

int passthrough__vf_policy(struct hv *hv, const struct vfnet_hc_vf_policy *in,
			   struct vfnet_hc_vf_policy *out)
{
	struct hv_func *pf = passthrough__by_rid(hv, in->pf_rid), *f = NULL;
	int rc;

	if ((rc = check(in)))
		return rc;
	if (!pf || pf->vf >= 0 || in->vf >= E82576_MAX_VFS)
		return -ENODEV;
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++)
		if (hv->funcs[i].port == pf->port && hv->funcs[i].vf == (int)in->vf)
			f = &hv->funcs[i];
	if (!f || !f->present)
		return -ENODEV; /* not enabled: there is nothing to keep a policy for */
	if (in->write) {
		f->policy = *in;
		f->policy.write = 0;
		f->policy_kept = true;
		return 0;
	}
	if (!f->policy_kept)
		return -ENOENT;
	*out = f->policy;
	out->flags |= VFNET_POLICY_KEPT;
	return 0;
}
