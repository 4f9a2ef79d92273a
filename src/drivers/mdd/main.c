/*
 * MDD probe/remove and port bring-up, as igb does it with SR-IOV (82576.md section 8): reset the
 * port, set up VMDq with the PF on pool num_vfs, the L2 switch (anti-spoofing, VM-to-VM
 * loopback), the VF pools, the PF's own queue pair and two MSI-X vectors: entry 0 for the "other"
 * causes (mailbox, VF reset, link, spoof events), entry 1 for the PF's Tx/Rx queue pair.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vfnet/irq.h>

#include "mdd.h"

#define MDD_MSIX_OTHER 0
#define MDD_MSIX_QUEUE 1
#define MDD_EITR_20K   196 /* about 20 000 interrupts/s (igb's value) */

static const struct pci_device_id mdd_ids[] = {
	{ 0x8086, 0x10C9 },
	{ 0, 0 },
};

unsigned mdd_vf_rar(unsigned vf)
{
	return E1000_RAR_ENTRIES - 1 - vf; /* VF MACs are taken from the end */
}

void mdd_rar_set(struct mdd_adapter *a, unsigned idx, const uint8_t *mac, unsigned pool)
{
	uint32_t ral = mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24;
	uint32_t rah = mac[4] | mac[5] << 8;

	/* RAL first, AV last: the entry never matches half written. */
	wr32(a, E1000_RAH(idx), 0);
	wr32(a, E1000_RAL(idx), ral);
	wr32(a, E1000_RAH(idx), rah | (1u << (E1000_RAH_POOL_SHIFT + pool)) | E1000_RAH_AV);
}

void mdd_rar_clear(struct mdd_adapter *a, unsigned idx)
{
	wr32(a, E1000_RAH(idx), 0);
	wr32(a, E1000_RAL(idx), 0);
}

/* The port's MAC from the NVM (words 0-2 through EERD), else what the reset left in RAR[0]. */
static void mdd_read_mac(struct mdd_adapter *a)
{
	uint8_t *m = a->perm_mac;

	for (unsigned w = 0; w < 3; w++) {
		uint32_t v = 0;

		wr32(a, E1000_EERD, w << E1000_NVM_RW_ADDR_SHIFT | E1000_NVM_RW_REG_START);
		for (int tries = 0; tries < 1000; tries++) {
			v = rd32(a, E1000_EERD);
			if (v & E1000_NVM_RW_REG_DONE)
				break;
			os__udelay(5);
		}
		if (!(v & E1000_NVM_RW_REG_DONE))
			break;
		m[2 * w] = (uint8_t)(v >> E1000_NVM_RW_REG_DATA);
		m[2 * w + 1] = (uint8_t)(v >> (E1000_NVM_RW_REG_DATA + 8));
	}
	if (mdd_mac_valid(m))
		return;
	uint32_t ral = rd32(a, E1000_RAL(0)), rah = rd32(a, E1000_RAH(0));

	for (unsigned i = 0; i < 4; i++)
		m[i] = (uint8_t)(ral >> (8 * i));
	m[4] = (uint8_t)rah;
	m[5] = (uint8_t)(rah >> 8);
	if (!mdd_mac_valid(m)) {
		/* No usable address: a locally administered one, as Linux's eth_random_addr. */
		for (unsigned i = 0; i < ETH_ALEN; i++)
			m[i] = (uint8_t)random();
		m[0] = (m[0] & 0xfe) | 0x02;
		os__log(MDD_TAG, "%s: invalid NVM MAC, using a random one", a->pdev->slot);
	}
}

bool mdd_link_read(struct mdd_adapter *a, unsigned *speed)
{
	uint32_t status = rd32(a, E1000_STATUS);

	if (status == 0xffffffff || !(status & E1000_STATUS_LU)) {
		*speed = 0;
		return false;
	}
	switch (status & E1000_STATUS_SPEED_MASK) {
	case E1000_STATUS_SPEED_1000:
		*speed = 1000;
		break;
	case E1000_STATUS_SPEED_100:
		*speed = 100;
		break;
	default:
		*speed = 10;
	}
	return true;
}

static int mdic(struct mdd_adapter *a, uint32_t cmd, uint16_t *data)
{
	uint32_t v = 0;

	wr32(a, E1000_MDIC, cmd);
	for (int tries = 0; tries < 1000; tries++) {
		v = rd32(a, E1000_MDIC);
		if (v & E1000_MDIC_READY)
			break;
		os__udelay(5);
	}
	if (!(v & E1000_MDIC_READY) || (v & E1000_MDIC_ERROR) || v == 0xffffffff)
		return -EIO;
	*data = (uint16_t)(v & E1000_MDIC_DATA_MASK);
	return 0;
}

/*
 * igb_power_up_link / igb_power_down_link: the PHY is powered only while the PF's interface is
 * up, so without it there is no link, for the PF or its VFs.
 */
void mdd_phy_power(struct mdd_adapter *a, bool on)
{
	uint16_t bmcr;

	if (a->pdev->gone || mdic(a,
				  E1000_MDIC_OP_READ | PHY_CONTROL << E1000_MDIC_REG_SHIFT |
				      1u << E1000_MDIC_PHY_SHIFT,
				  &bmcr))
		return;
	bmcr = on ? bmcr & ~MII_CR_POWER_DOWN : bmcr | MII_CR_POWER_DOWN;
	mdic(a,
	     E1000_MDIC_OP_WRITE | PHY_CONTROL << E1000_MDIC_REG_SHIFT |
		 1u << E1000_MDIC_PHY_SHIFT | bmcr,
	     &bmcr);
}

/* 12-bit MTA index of a multicast address (RCTL.MO = 0, igb's mc_filter_type 0). */
static uint16_t mdd_mta_hash(const uint8_t *mac)
{
	return (uint16_t)((mac[4] >> 4 | mac[5] << 4) & 0xfff);
}

static void mdd_mta_set(uint32_t *mta, uint16_t hash)
{
	mta[(hash >> 5) & 0x7f] |= 1u << (hash & 0x1f);
}

/*
 * igb_set_rx_mode: the shared MTA holds the PF's list and every VF's hashes; the PF pool's VMOLR
 * (VMDq) or RCTL (no VFs) carries the PF's promiscuous state.
 */
void mdd_set_rx_mode(struct mdd_adapter *a)
{
	uint32_t mta[E1000_MTA_SIZE] = { 0 };
	uint32_t rctl = rd32(a, E1000_RCTL) & ~(E1000_RCTL_UPE | E1000_RCTL_MPE);
	bool promisc = a->rx_flags & NETDEV_PROMISC;
	bool allmulti = promisc || (a->rx_flags & NETDEV_ALLMULTI);

	for (unsigned i = 0; i < a->pf_nmc; i++)
		mdd_mta_set(mta, mdd_mta_hash(a->pf_mc[i]));
	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		const struct mdd_vf *v = &a->vf[vf];

		for (unsigned j = 0; j < v->num_mc_hashes && j < E1000_VF_MAX_MC_HASHES; j++)
			mdd_mta_set(mta, v->mc_hashes[j]);
	}
	for (unsigned i = 0; i < E1000_MTA_SIZE; i++)
		pci__writel_post(a->hw, E1000_MTA(i), mta[i]);
	pci__flush(a->hw);

	if (promisc)
		rctl |= E1000_RCTL_UPE;
	if (allmulti)
		rctl |= E1000_RCTL_MPE;
	if (a->num_vfs) {
		uint32_t vmolr = rd32(a, E1000_VMOLR(a->queue));

		vmolr &= ~(E1000_VMOLR_ROPE | E1000_VMOLR_ROMPE | E1000_VMOLR_MPME);
		if (promisc)
			vmolr |= E1000_VMOLR_ROPE;
		/* igb_set_uta: the 82576 takes unknown unicast for a ROPE pool only through the
		 * UTA hash, so a promiscuous PF pool sets all of it (a bridge on pf0 then gets
		 * the frames of every address behind it, from the wire and from the VFs). */
		for (unsigned i = 0; i < E1000_MTA_SIZE; i++)
			pci__writel_post(a->hw, E1000_UTA(i), promisc ? ~0u : 0);
		pci__flush(a->hw);
		if (allmulti)
			vmolr |= E1000_VMOLR_MPME;
		else if (a->pf_nmc)
			vmolr |= E1000_VMOLR_ROMPE;
		wr32(a, E1000_VMOLR(a->queue), vmolr);
		/* VF pools keep their own multicast state; the MTA was rewritten under them. */
		for (unsigned vf = 0; vf < a->num_vfs; vf++)
			mdd_vf_restore_multicast(a, vf);
	}
	wr32(a, E1000_RCTL, rctl);
}

/* WVBR (read to clear) names the pools that sent spoofed frames: bit j MAC, bit j + 8 VLAN. */
void mdd_spoof_check(struct mdd_adapter *a)
{
	uint32_t wvbr;
	uint64_t now;

	if (!a->num_vfs)
		return;
	wvbr = rd32(a, E1000_WVBR);
	if (!wvbr || wvbr == 0xffffffff)
		return;
	now = os__now_ns();
	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		struct mdd_vf *v = &a->vf[vf];

		if (!(wvbr & (1u << vf | 1u << (vf + E1000_WVBR_VLAN_SHIFT))))
			continue;
		v->spoof_events++;
		if (now - v->last_spoof_log_ns >= MDD_LOG_WINDOW_NS || !v->last_spoof_log_ns) {
			v->last_spoof_log_ns = now;
			os__log(MDD_TAG, "%s: spoof event(s) detected on VF %u (%llu so far)",
				a->netdev.name, vf, (unsigned long long)v->spoof_events);
		}
	}
}

/* ---- interrupts: acknowledge and schedule ---- */

static void mdd_msix_other(int vector, void *opaque)
{
	struct mdd_adapter *a = opaque;
	uint32_t icr = rd32(a, E1000_ICR); /* reading clears */

	if (icr == 0xffffffff)
		return;
	if (icr & E1000_ICR_DRSTA)
		os__log(MDD_TAG, "%s: device reset asserted", a->netdev.name);
	if (icr & E1000_ICR_DOUTSYNC) {
		/*
		 * A VF that keeps forging frames would raise this cause for each one: log what
		 * WVBR says now, then leave the cause masked until the watchdog's next look, so a
		 * hostile guest costs dom0 one interrupt per watchdog period, not one per frame.
		 */
		mdd_spoof_check(a);
		wr32(a, E1000_IMC, E1000_ICR_DOUTSYNC);
		a->doutsync_masked = true;
	}
	if (icr & E1000_ICR_VMMB)
		os__schedule(&a->mbx_work);
	if (icr & E1000_ICR_LSC)
		os__timer_arm(a->watchdog, 1); /* let the watchdog look at the link now */
	wr32(a, E1000_EIMS, 1u << MDD_MSIX_OTHER);
}

static void mdd_msix_ring(int vector, void *opaque)
{
	struct mdd_adapter *a = opaque;

	os__schedule(&a->napi);
}

static int mdd_request_irqs(struct mdd_adapter *a)
{
	struct pci_dev *pdev = a->pdev;
	int err;

	if (pci__msix_count(pdev) < 2) {
		os__log(MDD_TAG, "%s: MSI-X with 2 vectors is required", pdev->slot);
		return -ENODEV;
	}
	a->vec_other = irq__request(mdd_msix_other, a);
	if (a->vec_other < 0)
		return a->vec_other;
	a->vec_queue = irq__request(mdd_msix_ring, a);
	if (a->vec_queue < 0) {
		err = a->vec_queue;
		goto err_free_other;
	}
	err = pci__msix_set(pdev, MDD_MSIX_OTHER, a->vec_other);
	if (!err)
		err = pci__msix_set(pdev, MDD_MSIX_QUEUE, a->vec_queue);
	if (!err)
		err = pci__msix_enable(pdev, true);
	if (err)
		goto err_free_queue;
	return 0;

err_free_queue:
	irq__free(a->vec_queue);
err_free_other:
	irq__free(a->vec_other);
	return err;
}

static void mdd_free_irqs(struct mdd_adapter *a)
{
	pci__msix_enable(a->pdev, false);
	irq__free(a->vec_queue);
	irq__free(a->vec_other);
}

/* igb_configure_msix + igb_irq_enable for one queue pair. */
static void mdd_configure_msix(struct mdd_adapter *a)
{
	unsigned q = a->queue;
	uint32_t mask = 1u << MDD_MSIX_OTHER | 1u << MDD_MSIX_QUEUE;
	uint32_t ivar_q = E1000_IVAR_VALID | MDD_MSIX_QUEUE;

	wr32(a, E1000_GPIE,
	     E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME | E1000_GPIE_NSICR);
	wr32(a, E1000_IVAR_MISC, (E1000_IVAR_VALID | MDD_MSIX_OTHER) << 8);
	for (unsigned i = 0; i < 8; i++)
		wr32(a, E1000_IVAR(i), 0);
	/* 82576 IVAR is column-major: IVAR0[q & 7] byte 0 Rx q, byte 1 Tx q (q < 8). */
	wr32(a, E1000_IVAR(q & 7), ivar_q | ivar_q << 8);
	wr32(a, E1000_EITR(MDD_MSIX_QUEUE), MDD_EITR_20K);
	wr32(a, E1000_EIAC, mask);
	wr32(a, E1000_EIAM, mask);
	wr32(a, E1000_EIMS, mask);
	wr32(a, E1000_IMS, E1000_ICR_LSC | E1000_ICR_DRSTA |
			       (a->num_vfs ? E1000_ICR_VMMB | E1000_ICR_DOUTSYNC : 0));
}

/* VMDq, the switch and the VF pools (82576.md section 8, items 2-9). */
static void mdd_configure_vt(struct mdd_adapter *a)
{
	unsigned n = a->num_vfs, pool = a->queue;
	uint32_t dtxswc = E1000_DTXSWC_VMDQ_LOOPBACK_EN;

	if (!n) {
		wr32(a, E1000_MRQC, 0);
		wr32(a, E1000_VT_CTL, 0);
		wr32(a, E1000_IOVCTL, E1000_IOVCTL_REUSE_VFQ);
		return;
	}
	wr32(a, E1000_MRQC, E1000_MRQC_ENABLE_VMDQ);
	wr32(a, E1000_VT_CTL, pool << E1000_VT_CTL_DEF_PL_SHIFT | E1000_VT_CTL_VM_REPL_EN);
	wr32(a, E1000_DTXCTL, rd32(a, E1000_DTXCTL) | E1000_DTXCTL_VLAN_ADDED);
	wr32(a, E1000_RPLOLR, rd32(a, E1000_RPLOLR) | E1000_VMOLR_STRVLAN);
	/* Anti-spoofing per VF pool; the PF's pool may send as anyone. */
	for (unsigned vf = 0; vf < n; vf++)
		if (a->vf[vf].spoofchk)
			dtxswc |= 1u << vf | 1u << (vf + E1000_DTXSWC_VLAN_SPOOF_SHIFT);
	wr32(a, E1000_DTXSWC, dtxswc);
	wr32(a, E1000_QDE, 0xffff); /* a VF without buffers must not block the others */
	wr32(a, E1000_VFRE, 0); /* each VF's bit comes with its VF_RESET */
	wr32(a, E1000_VFTE, 0);
	wr32(a, E1000_MBVFIMR, 0xff);
	/* VLVF[0] is VID 0 (priority tags and untagged access), the PF's pool first. */
	wr32(a, E1000_VLVF(0), E1000_VLVF_VLANID_ENABLE | 1u << (E1000_VLVF_POOLSEL_SHIFT + pool));
	wr32(a, E1000_VFTA(0), 1);
	mdd_vf_set_vmolr(a, pool, true);
	for (unsigned vf = 0; vf < n; vf++)
		mdd_vf_configure(a, vf);
}

static void mdd_configure(struct mdd_adapter *a)
{
	uint32_t rctl = E1000_RCTL_EN | E1000_RCTL_BAM;

	a->queue = a->num_vfs; /* the PF pool: pool index = number of VFs */
	memset(a->rar_owner, -1, sizeof(a->rar_owner));
	mdd_rar_set(a, 0, a->netdev.mac, a->queue);
	if (a->num_vfs)
		rctl |= E1000_RCTL_VFE;
	wr32(a, E1000_RCTL, rctl);
	wr32(a, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT | E1000_TCTL_COLD);
	mdd_configure_vt(a);
	for (unsigned vid = 1; vid < 4095; vid++)
		if (a->pf_vlans[vid >> 5] & 1u << (vid & 31))
			a->netdev.ops->vlan_add(&a->netdev, (uint16_t)vid);
	mdd_set_rx_mode(a);
	mdd_ring_configure(a);
	mdd_configure_msix(a);
	/* As igb_reset: a port whose interface is down keeps its PHY powered down. */
	mdd_phy_power(a, a->if_up);
	a->link_up = mdd_link_read(a, &a->link_speed);
	if (a->pdev->drvdata) /* registered */
		netdev__carrier(&a->netdev, a->link_up);
	else
		a->netdev.carrier = a->link_up;
	a->netdev.speed_mbps = a->link_speed;
	mdd_rates_check(a);
	/* PF reset done: RSTI leaves every VF mailbox and RSTD tells the VFs to start over. */
	if (a->num_vfs)
		wr32(a, E1000_CTRL_EXT, rd32(a, E1000_CTRL_EXT) | E1000_CTRL_EXT_PFRSTD);
}

/*
 * igb_reset with a (new) VF count: tell the VFs (PF_CONTROL_MSG without CTS), stop their pools,
 * reset the MAC, and bring everything back. The PF's queue moves with the VF count.
 */
void mdd_reinit(struct mdd_adapter *a, unsigned num_vfs)
{
	for (unsigned vf = 0; vf < a->num_vfs; vf++)
		a->vf[vf].cts = false;
	mdd_ping_all_vfs(a);
	if (a->num_vfs) {
		wr32(a, E1000_VFRE, 0);
		wr32(a, E1000_VFTE, 0);
	}
	mdd_ring_stop(a);
	wr32(a, E1000_IMC, 0xffffffff);
	wr32(a, E1000_EIMC, 0xffffffff);
	wr32(a, E1000_CTRL, rd32(a, E1000_CTRL) | E1000_CTRL_RST);
	(void)rd32(a, E1000_STATUS); /* ordered after the reset */
	rd32(a, E1000_ICR);
	a->num_vfs = num_vfs;
	mdd_configure(a);
}

static void mdd_watchdog(void *opaque)
{
	struct mdd_adapter *a = opaque;
	unsigned speed;
	bool up = mdd_link_read(a, &speed);

	if (up != a->link_up || speed != a->link_speed) {
		a->link_up = up;
		a->link_speed = speed;
		a->netdev.speed_mbps = speed;
		if (up)
			os__log(MDD_TAG, "%s: NIC Link is Up %u Mbps Full Duplex", a->netdev.name,
				speed);
		else
			os__log(MDD_TAG, "%s: NIC Link is Down", a->netdev.name);
		netdev__carrier(&a->netdev, up);
		mdd_ping_all_vfs(a);
		mdd_rates_check(a);
	}
	mdd_spoof_check(a);
	if (a->doutsync_masked) {
		a->doutsync_masked = false;
		wr32(a, E1000_IMS, E1000_ICR_DOUTSYNC);
	}
	mdd_update_stats(a);
	for (unsigned vf = 0; vf < a->num_vfs; vf++)
		mdd_vf_update_stats(a, vf);
	os__timer_arm(a->watchdog, MDD_WATCHDOG_NS);
}

/* igb_update_stats: the port's read-to-clear counters the netdev reports (ip -s: missed, mcast). */
void mdd_update_stats(struct mdd_adapter *a)
{
	uint32_t mpc = rd32(a, E1000_MPC), mprc = rd32(a, E1000_MPRC);

	if (a->pdev->gone)
		return;
	a->netdev.stats.rx_missed += mpc;
	a->netdev.stats.multicast += mprc;
}

static int mdd_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct mdd_adapter *a;
	int err;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->pdev = pdev;
	a->port = pdev->rid & 7;
	a->mbx_work.fn = mdd_mbx_task;
	a->napi.fn = mdd_napi_poll;
	a->hw = pci__iomap(pdev, 0);
	if (!a->hw) {
		err = errno ? -errno : -ENOMEM;
		goto err_free;
	}
	pci__set_master(pdev, true);
	err = mdd_request_irqs(a);
	if (err)
		goto err_unmap;
	a->watchdog = os__timer_create(mdd_watchdog, a);
	if (!a->watchdog) {
		err = -ENOMEM;
		goto err_irqs;
	}
	a->mbx_retry = os__timer_create(mdd_mbx_retry, a);
	if (!a->mbx_retry) {
		err = -ENOMEM;
		goto err_timer;
	}
	err = mdd_ring_alloc(a);
	if (err)
		goto err_retry;

	/* Reset the port before anything else: the MAC comes from the NVM afterwards. */
	wr32(a, E1000_CTRL, rd32(a, E1000_CTRL) | E1000_CTRL_RST);
	(void)rd32(a, E1000_STATUS);
	mdd_read_mac(a);
	snprintf(a->netdev.name, sizeof(a->netdev.name), "pf%u", a->port);
	memcpy(a->netdev.mac, a->perm_mac, ETH_ALEN);
	a->netdev.mtu = ETH_DATA_LEN;
	a->netdev.ops = &mdd_netdev_ops;
	a->netdev.priv = a;
	a->netdev.parentdev = pdev->slot;
	/* VFs enabled before we came (a restarted dom0 finds them, as igb_probe_vfs does):
	 * serve them, with the administrator's policy the machine kept for them; the VFs reset
	 * and ask again. */
	a->num_vfs = pci__sriov_numvfs(pdev);
	for (unsigned vf = 0; vf < a->num_vfs; vf++)
		mdd_vf_defaults(a, vf);
	if (a->num_vfs) {
		os__log(MDD_TAG, "%s: %u VFs already enabled: taking them over", pdev->slot,
			a->num_vfs);
		mdd_policy_restore(a);
	}
	mdd_configure(a);
	mdd_policy_link(a);
	err = netdev__register(&a->netdev);
	if (err)
		goto err_rings;
	pdev->drvdata = a;
	mdd_service_add(a);
	os__timer_arm(a->watchdog, MDD_WATCHDOG_NS);
	os__log(MDD_TAG, "%s: %s %02x:%02x:%02x:%02x:%02x:%02x, Intel 82576, %u VFs max",
		pdev->slot, a->netdev.name, a->perm_mac[0], a->perm_mac[1], a->perm_mac[2],
		a->perm_mac[3], a->perm_mac[4], a->perm_mac[5], MDD_MAX_VFS);
	return 0;

err_rings:
	mdd_ring_stop(a);
	mdd_ring_free(a);
err_retry:
	os__timer_destroy(a->mbx_retry);
err_timer:
	os__timer_destroy(a->watchdog);
err_irqs:
	mdd_free_irqs(a);
err_unmap:
	pci__iounmap(a->hw);
err_free:
	free(a);
	return err;
}

static void mdd_remove(struct pci_dev *pdev)
{
	struct mdd_adapter *a = pdev->drvdata;

	if (!a)
		return;
	mdd_service_del(a);
	os__timer_arm(a->watchdog, 0);
	if (a->num_vfs && mdd_sriov_configure(pdev, 0) < 0)
		os__log(MDD_TAG, "%s: VFs stay enabled: they are assigned", a->netdev.name);
	netdev__unregister(&a->netdev);
	if (!pdev->gone) {
		wr32(a, E1000_IMC, 0xffffffff);
		wr32(a, E1000_EIMC, 0xffffffff);
		mdd_ring_stop(a);
	}
	mdd_free_irqs(a);
	os__timer_destroy(a->mbx_retry);
	os__timer_destroy(a->watchdog);
	mdd_ring_free(a);
	free(a->pf_mc);
	pci__iounmap(a->hw);
	pdev->drvdata = NULL;
	free(a);
}

struct pci_driver mdd_driver OS_SAVED = {
	.name = "mdd",
	.id_table = mdd_ids,
	.probe = mdd_probe,
	.remove = mdd_remove,
	.sriov_configure = mdd_sriov_configure,
};
