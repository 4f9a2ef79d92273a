/*
 * sriov_configure: `vfnet sriov PF numvfs N` (pci-sriov.md section 8). Above the total: ERANGE;
 * the same count again: nothing to do; non-zero while VFs are enabled: EBUSY; 0: disable, refused
 * with EBUSY while a VF is assigned away from dom0. igb allows 7 VFs: 8 pools, one for the PF.
 *
 * Enabling first resets the port for the new count (the PF moves to pool N, the VF pools are
 * programmed, PFRSTD is set) and only then sets VF Enable, so a VF that is hot-added and probed
 * at once finds a PF ready to answer its reset handshake.
 */
#include <errno.h>
#include <stdio.h>

#include "mdd.h"

unsigned mdd_sriov_total(struct mdd_adapter *a)
{
	unsigned total = pci__sriov_totalvfs(a->pdev);

	return total < MDD_MAX_VFS ? total : MDD_MAX_VFS;
}

static int mdd_sriov_disable(struct mdd_adapter *a, char *msg, unsigned len)
{
	char who[64] = "";
	int err;

	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		if (!pci__vf_assigned(a->pdev, vf, who, sizeof(who)))
			continue;
		snprintf(msg, len,
			 "%s: VF %u is assigned to %s: cannot deallocate SR-IOV virtual functions "
			 "while they are assigned",
			 a->netdev.name, vf, who[0] ? who : "another domain");
		return -EBUSY;
	}
	err = pci__disable_sriov(a->pdev, who, sizeof(who));
	if (err) {
		snprintf(msg, len, "%s: cannot disable SR-IOV%s%s: %s", a->netdev.name,
			 who[0] ? ", a VF is assigned to " : "", who, err == -EBUSY ? "busy" : "error");
		return err;
	}
	mdd_reinit(a, 0);
	os__log(MDD_TAG, "%s: SR-IOV disabled", a->netdev.name);
	return 0;
}

static int mdd_sriov_enable(struct mdd_adapter *a, unsigned n, char *msg, unsigned len)
{
	int err;

	for (unsigned vf = 0; vf < n; vf++)
		mdd_vf_defaults(a, vf);
	mdd_reinit(a, n);
	err = pci__enable_sriov(a->pdev, n);
	if (err) {
		snprintf(msg, len, "%s: enabling %u VFs failed (%d)", a->netdev.name, n, err);
		mdd_reinit(a, 0);
		return err;
	}
	os__log(MDD_TAG, "%s: %u VFs allocated", a->netdev.name, n);
	return (int)n;
}

int mdd_sriov_set(struct mdd_adapter *a, int num_vfs, char *msg, unsigned len)
{
	unsigned total = mdd_sriov_total(a);

	msg[0] = '\0';
	if (num_vfs < 0) {
		snprintf(msg, len, "invalid number of VFs %d", num_vfs);
		return -EINVAL;
	}
	if ((unsigned)num_vfs > total) {
		snprintf(msg, len, "%s: %d VFs requested, sriov_totalvfs is %u", a->netdev.name,
			 num_vfs, total);
		return -ERANGE;
	}
	if ((unsigned)num_vfs == a->num_vfs)
		return num_vfs;
	if (!num_vfs)
		return mdd_sriov_disable(a, msg, len);
	if (a->num_vfs) {
		snprintf(msg, len, "%u VFs already enabled. Disable before enabling %d VFs",
			 a->num_vfs, num_vfs);
		return -EBUSY;
	}
	return mdd_sriov_enable(a, (unsigned)num_vfs, msg, len);
}

int mdd_sriov_configure(struct pci_dev *dev, int num_vfs)
{
	struct mdd_adapter *a = dev->drvdata;
	char msg[160];
	int ret;

	if (!a)
		return -ENODEV;
	ret = mdd_sriov_set(a, num_vfs, msg, sizeof(msg));
	if (ret < 0 && msg[0])
		os__log(MDD_TAG, "%s", msg);
	return ret;
}
