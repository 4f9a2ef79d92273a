/*
 * Probe, remove and bring-up of the 82576 VF (mailbox.md section 7, Linux igbvf's shape).
 *
 * probe: map BAR0, rings in DMA memory, bus mastering, three MSI-X vectors, the reset handshake
 * (the MAC comes from the PF, or is a random locally administered one when the PF has none),
 * then the netdev "eth%d". open/stop bring the rings up and down; remove undoes probe in reverse
 * and copes with a device that is already gone (reads of all ones end every wait at once).
 *
 * Deferred work cannot be cancelled, so the private struct outlives remove while any of its
 * works is still queued: each work begins with vdd_work_begin, which frees the struct once the
 * last of them has run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "regs.h"
#include "vdd.h"

static const uint8_t zero_mac[ETH_ALEN];

static bool valid_ether_addr(const uint8_t mac[ETH_ALEN])
{
	return !(mac[0] & 1) && memcmp(mac, zero_mac, ETH_ALEN);
}

static bool works_queued(const struct vdd *a)
{
	return a->rx_work.queued || a->tx_work.queued || a->mbx_work.queued || a->reset_work.queued;
}

bool vdd_work_begin(struct vdd *a)
{
	if (!a->removing)
		return true;
	if (!works_queued(a))
		free(a);
	return false;
}

int vdd_queue_enable(struct vdd *a, uint32_t dctl_reg, uint32_t val, bool on)
{
	uint64_t deadline = os__now_ns() + VDD_RING_TIMEOUT_NS;
	uint32_t want = on ? E1000_RXDCTL_QUEUE_ENABLE : 0, v;

	ew32(a, dctl_reg, on ? val | E1000_RXDCTL_QUEUE_ENABLE : val & ~E1000_RXDCTL_QUEUE_ENABLE);
	for (;;) {
		v = er32(a, dctl_reg);
		if (vdd_gone(a, v))
			return -ENODEV;
		if ((v & E1000_RXDCTL_QUEUE_ENABLE) == want)
			return 0;
		if (os__now_ns() >= deadline)
			return -ETIMEDOUT;
	}
}

/* splitmix64 over the time and who we are: unique enough for a locally administered MAC. */
static void random_ether_addr(struct vdd *a, uint8_t mac[ETH_ALEN])
{
	uint64_t z = os__now_ns() ^ (uint64_t)os__domid() << 40 ^ (uint64_t)a->pdev->rid << 24;

	z += 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	for (unsigned i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)(z >> (8 * i));
	mac[0] = (mac[0] & 0xFE) | 0x02; /* unicast, locally administered */
}

/* After VF_RESET: tell the PF the MAC we use. Its reply carries CTS, which the link needs. */
static int set_hw_mac(struct vdd *a, bool first)
{
	bool perm = valid_ether_addr(a->perm_addr);
	uint8_t mac[ETH_ALEN];
	int err;

	if (!first) {
		memcpy(mac, a->nd.mac, ETH_ALEN);
	} else if (perm) {
		memcpy(mac, a->perm_addr, ETH_ALEN);
	} else {
		random_ether_addr(a, mac);
		os__log(VDD_NAME,
			"%s: PF gave no MAC address, using random %02x:%02x:%02x:%02x:%02x:%02x",
			a->pdev->slot, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	}
	/* The address the PF gave in its reset reply is already in our RAR: nothing to ask. */
	err = perm && !memcmp(mac, a->perm_addr, ETH_ALEN) ? 0 : vdd_vf_set_mac(a, mac);
	if (err == -EPERM && perm && memcmp(mac, a->perm_addr, ETH_ALEN)) {
		/* the administrator set our MAC meanwhile: theirs wins */
		memcpy(mac, a->perm_addr, ETH_ALEN);
		err = vdd_vf_set_mac(a, mac);
	}
	if (err == -EPERM) {
		/* the NACK came with CTS: the VF works, with an address the PF refuses */
		os__log(VDD_NAME, "%s: PF refused MAC address %02x:%02x:%02x:%02x:%02x:%02x",
			a->pdev->slot, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		err = 0;
	}
	if (!err)
		memcpy(a->nd.mac, mac, ETH_ALEN);
	return err;
}

/* The handshake and what must follow every CTRL.RST (it clears the interrupt setup). */
int vdd_hw_init(struct vdd *a, bool first)
{
	int err = vdd_vf_reset_hw(a);

	if (err)
		return err;
	err = set_hw_mac(a, first);
	if (err)
		return err;
	vdd_intr_configure(a);
	a->last_reset_ns = os__now_ns();
	if (!first)
		vdd_restore_filters(a);
	return 0;
}

int vdd_up(struct vdd *a)
{
	int err = vdd_set_lpe_mtu(a);

	if (err)
		os__log(VDD_NAME, "%s: PF refused max frame for MTU %u: %d", a->nd.name, a->nd.mtu,
			err);
	vdd_tx_configure(a);
	vdd_rx_configure(a);
	(void)er32(a, E1000_EICR); /* drop stale causes */
	a->running = true;
	vdd_intr_enable(a, 1u << VDD_VEC_TX | 1u << VDD_VEC_RX);
	return a->pdev->gone ? -ENODEV : 0;
}

void vdd_down(struct vdd *a)
{
	a->running = false;
	vdd_intr_disable(a, 1u << VDD_VEC_TX | 1u << VDD_VEC_RX);
	vdd_rx_stop(a);
	vdd_tx_stop(a);
}

int vdd_open(struct netdev *nd)
{
	struct vdd *a = vdd_from_nd(nd);
	int err;

	if (a->opened)
		return 0;
	a->opened = true;
	if (a->reset_pending)
		return 0; /* the reset work brings the rings up */
	err = vdd_up(a);
	if (err) {
		a->opened = false;
		return err;
	}
	vdd_update_link(a);
	return 0;
}

int vdd_stop(struct netdev *nd)
{
	struct vdd *a = vdd_from_nd(nd);

	a->opened = false;
	if (a->running)
		vdd_down(a);
	return 0;
}

static void vdd_release(struct vdd *a)
{
	a->removing = true;
	if (!works_queued(a))
		free(a);
}

static int vdd_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vdd *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return -ENOMEM;
	a->pdev = pdev;
	a->itr = VDD_DEFAULT_ITR;
	a->itr_mode = VDD_ITR_FIXED;
	if (os__config("InterruptThrottleRate") &&
	    vdd_itr_parse(os__config("InterruptThrottleRate"), &a->itr_mode, &a->itr))
		os__log(VDD_NAME,
			"%s: InterruptThrottleRate=%s: not 0, 1, 3 or 100..100000; %u/s it is",
			pdev->slot, os__config("InterruptThrottleRate"), VDD_DEFAULT_ITR);
	else if (os__config("InterruptThrottleRate"))
		os__log(VDD_NAME, "%s: interrupt throttling %s", pdev->slot,
			a->itr_mode == VDD_ITR_OFF	      ? "off"
			: a->itr_mode == VDD_ITR_ADAPTIVE     ? "adaptive"
			: a->itr_mode == VDD_ITR_CONSERVATIVE ? "adaptive, conservative"
							      : "fixed");
	for (unsigned i = 0; i < VDD_NVEC; i++)
		a->vector[i] = -1;
	a->rx_work.fn = vdd_rx_work;
	a->tx_work.fn = vdd_tx_work;
	a->mbx_work.fn = vdd_mbx_work;
	a->reset_work.fn = vdd_reset_work;
	strcpy(a->nd.name, "eth%d");
	a->nd.mtu = ETH_DATA_LEN;
	a->nd.ops = &vdd_netdev_ops;
	a->nd.priv = a;
	a->nd.parentdev = pdev->slot;

	a->hw = pci__iomap(pdev, 0);
	if (!a->hw) {
		err = errno ? -errno : -ENOMEM;
		goto err_free;
	}
	a->watchdog = os__timer_create(vdd_watchdog, a);
	a->retry = os__timer_create(vdd_retry_timer, a);
	if (!a->watchdog || !a->retry) {
		err = -ENOMEM;
		goto err_timers;
	}
	err = vdd_tx_alloc(a);
	if (err)
		goto err_timers;
	err = vdd_rx_alloc(a);
	if (err)
		goto err_tx;
	err = pci__set_master(pdev, true);
	if (err)
		goto err_rx;
	err = vdd_intr_request(a);
	if (err)
		goto err_master;
	err = vdd_hw_init(a, true);
	if (err) {
		os__log(VDD_NAME, "%s: reset failed (%d)%s", pdev->slot, err,
			err == -EAGAIN ? ": PF still in reset state. Is the PF interface up?" : "");
		goto err_intr;
	}
	/*
	 * The link may have come up during the handshake, before anyone could be told; and apps
	 * open the device from inside netdev__register, so link changes from then on must reach
	 * the netdev core.
	 */
	a->nd.carrier = a->link;
	a->registered = true;
	err = netdev__register(&a->nd);
	if (err) {
		a->registered = false;
		goto err_intr;
	}
	pdev->drvdata = a;
	os__log(VDD_NAME, "%s: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, 3 MSI-X vectors", pdev->slot,
		a->nd.name, a->nd.mac[0], a->nd.mac[1], a->nd.mac[2], a->nd.mac[3], a->nd.mac[4],
		a->nd.mac[5]);
	vdd_update_link(a);
	os__timer_arm(a->watchdog, VDD_WATCHDOG_NS);
	return 0;

err_intr:
	ew32(a, E1000_EIMC, ~0u);
	ew32(a, E1000_EIAC, 0);
	vdd_intr_free(a);
err_master:
	pci__set_master(pdev, false);
err_rx:
	vdd_rx_free(a);
err_tx:
	vdd_tx_free(a);
err_timers:
	if (a->retry)
		os__timer_destroy(a->retry);
	if (a->watchdog)
		os__timer_destroy(a->watchdog);
	pci__iounmap(a->hw);
err_free:
	vdd_release(a);
	return err;
}

static void vdd_remove(struct pci_dev *pdev)
{
	struct vdd *a = pdev->drvdata;

	if (!a)
		return;
	/* from here on, handlers and works only return */
	a->removing = true;
	os__timer_destroy(a->watchdog);
	os__timer_destroy(a->retry);
	if (a->running)
		vdd_down(a);
	if (a->registered)
		netdev__unregister(&a->nd);
	ew32(a, E1000_EIMC, ~0u);
	ew32(a, E1000_EIAC, 0);
	vdd_intr_free(a);
	pci__set_master(pdev, false);
	vdd_rx_free(a);
	vdd_tx_free(a);
	pci__iounmap(a->hw);
	pdev->drvdata = NULL;
	vdd_release(a);
}

static const struct pci_device_id vdd_ids[] = {
    {PCI_VENDOR_ID_INTEL, E1000_DEV_ID_82576_VF},
    {0, 0},
};

struct pci_driver vdd_driver OS_SAVED = {
    .name = VDD_NAME,
    .id_table = vdd_ids,
    .probe = vdd_probe,
    .remove = vdd_remove,
};
