/*
 * netfront's xenbus side, as Linux's xen-netfront: at the backend's InitWait we set up the rings,
 * grant them, allocate the event channel(s) and write our keys in one transaction, then say
 * Connected; the carrier comes up when the backend says Connected too. A backend that closes
 * takes the rings down with it; if its directory still says online, it is a backend going away
 * for good or for a while (dom0 restart): we say Initialising and connect again to the next one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfnet/dma.h"

#include "netfront.h"

#define ZOMBIE_RETRY_NS (100ull * 1000000ull)
#define ZOMBIE_TRIES	600

/* Grants a backend still held when we let go, of every device (also of devices that are gone). */
static struct nf_zombie *zombies OS_SAVED;
static struct os_timer *zombie_timer OS_SAVED;
static uint64_t zombies_leaked OS_SAVED;

static void zombie_retry(void *opaque)
{
	for (struct nf_zombie **p = &zombies; *p;) {
		struct nf_zombie *z = *p;

		if (!gnttab__end(z->ref) || ++z->tries >= ZOMBIE_TRIES) {
			if (z->tries >= ZOMBIE_TRIES) {
				zombies_leaked++;
				os__log(NF_TAG, "grant %u still in use after %u s: its page is kept",
					z->ref, ZOMBIE_TRIES / 10);
			} else {
				gnttab__release(z->ref);
				dma__free(z->page, z->size);
			}
			*p = z->next;
			free(z);
			continue;
		}
		p = &z->next;
	}
	if (zombies)
		os__timer_arm(zombie_timer, ZOMBIE_RETRY_NS);
}

void netfront__end_grant(struct netfront *nf, grant_ref_t ref, void *page, size_t size)
{
	struct nf_zombie *z;

	if (!gnttab__end(ref)) {
		gnttab__release(ref);
		dma__free(page, size);
		return;
	}
	if ((!zombie_timer && !(zombie_timer = os__timer_create(zombie_retry, NULL))) ||
	    !(z = calloc(1, sizeof(*z)))) {
		zombies_leaked++;
		return;
	}
	*z = (struct nf_zombie){.page = page, .size = size, .ref = ref, .next = zombies};
	zombies = z;
	nf->zombies_pending++;
	os__timer_arm(zombie_timer, ZOMBIE_RETRY_NS);
}

static void tx_event(evtchn_port_t port, void *opaque)
{
	struct netfront *nf = opaque;

	os__schedule(&nf->tx_work);
	if (!nf->split)
		os__schedule(&nf->rx_work);
}

static void rx_event(evtchn_port_t port, void *opaque)
{
	struct netfront *nf = opaque;

	os__schedule(&nf->rx_work);
}

static void disconnect(struct netfront *nf)
{
	if (!nf->connected && !nf->tx_sring)
		return;
	netdev__carrier(&nf->nd, false);
	nf->connected = false;
	if (nf->tx_port)
		evtchn__close(nf->tx_port);
	if (nf->split && nf->rx_port)
		evtchn__close(nf->rx_port);
	nf->tx_port = nf->rx_port = 0;
	netfront_tx__teardown(nf);
	netfront_rx__teardown(nf);
	/* The ring pages are freed once the backend has let go of them. */
	if (nf->tx_sring)
		netfront__end_grant(nf, (grant_ref_t)nf->tx_ring_ref, nf->tx_sring, NF_PAGE);
	if (nf->rx_sring)
		netfront__end_grant(nf, (grant_ref_t)nf->rx_ring_ref, nf->rx_sring, NF_PAGE);
	nf->tx_sring = NULL;
	nf->rx_sring = NULL;
	nf->tx_ring_ref = nf->rx_ring_ref = -1;
}

static int setup_rings(struct netfront *nf)
{
	int rc;

	nf->tx_sring = dma__alloc(NF_PAGE, &nf->tx_sring_bus);
	nf->rx_sring = dma__alloc(NF_PAGE, &nf->rx_sring_bus);
	if (!nf->tx_sring || !nf->rx_sring)
		return -ENOMEM;
	xen_sring__init(&nf->tx_sring->hdr);
	xen_sring__init(&nf->rx_sring->hdr);
	xen_front_ring__init(&nf->tx, &nf->tx_sring->hdr, NET_TX_RING_SIZE);
	xen_front_ring__init(&nf->rx, &nf->rx_sring->hdr, NET_RX_RING_SIZE);
	if ((nf->tx_ring_ref = gnttab__grant_page((domid_t)nf->backend_id, nf->tx_sring_bus,
						  false)) < 0)
		return nf->tx_ring_ref;
	if ((nf->rx_ring_ref = gnttab__grant_page((domid_t)nf->backend_id, nf->rx_sring_bus,
						  false)) < 0)
		return nf->rx_ring_ref;
	if ((rc = evtchn__alloc_unbound((domid_t)nf->backend_id, &nf->tx_port)))
		return rc;
	if (nf->split) {
		if ((rc = evtchn__alloc_unbound((domid_t)nf->backend_id, &nf->rx_port)))
			return rc;
	} else {
		nf->rx_port = nf->tx_port;
	}
	if ((rc = netfront_tx__setup(nf)) || (rc = netfront_rx__setup(nf)))
		return rc;
	return 0;
}

static int write_keys(struct netfront *nf)
{
	const char *dir = nf->dev->nodename;
	xenbus_transaction_t t;
	int rc;

	/* Linux's talk_to_netback: all keys in one transaction, again on EAGAIN. */
	do {
		if ((rc = xenbus__transaction_start(&t)))
			return rc;
		if ((rc = xenbus__printf(t, dir, "tx-ring-ref", "%d", nf->tx_ring_ref)) ||
		    (rc = xenbus__printf(t, dir, "rx-ring-ref", "%d", nf->rx_ring_ref)) ||
		    (nf->split
			     ? (rc = xenbus__printf(t, dir, "event-channel-tx", "%u", nf->tx_port)) ||
				       (rc = xenbus__printf(t, dir, "event-channel-rx", "%u",
							    nf->rx_port))
			     : (rc = xenbus__printf(t, dir, "event-channel", "%u", nf->tx_port))) ||
		    (rc = xenbus__write(t, dir, "request-rx-copy", "1")) ||
		    (rc = xenbus__write(t, dir, "feature-rx-notify", "1")) ||
		    (rc = xenbus__write(t, dir, "feature-sg", "1")) ||
		    (rc = xenbus__write(t, dir, "feature-gso-tcpv4", "0"))) {
			xenbus__transaction_end(t, true);
			return rc;
		}
		rc = xenbus__transaction_end(t, false);
	} while (rc == -EAGAIN);
	return rc;
}

static int connect(struct netfront *nf)
{
	unsigned long v;
	int rc;

	nf->split = xenbus__read_ulong(XBT_NIL, nf->dev->otherend, "feature-split-event-channels",
				       &v) == 0 && v;
	if (xenbus__read_ulong(XBT_NIL, nf->dev->otherend, "feature-rx-copy", &v) || !v) {
		os__log(NF_TAG, "%s: the backend does not support rx-copy", nf->nd.name);
		return -EOPNOTSUPP;
	}
	if ((rc = setup_rings(nf)) || (rc = write_keys(nf))) {
		os__log(NF_TAG, "%s: cannot set up the rings: %s", nf->nd.name, strerror(-rc));
		disconnect(nf);
		return rc;
	}
	evtchn__bind(nf->tx_port, tx_event, nf);
	if (nf->split)
		evtchn__bind(nf->rx_port, rx_event, nf);
	nf->connected = true;
	if (xenbus__read_ulong(XBT_NIL, nf->dev->otherend, "mtu", &v) == 0 && v >= 68 &&
	    v <= ETH_FRAME_MAX - ETH_HLEN - 4)
		nf->nd.mtu = (unsigned)v;
	os__log(NF_TAG, "%s: rings %d/%d, event channel%s %u%s", nf->nd.name, nf->tx_ring_ref,
		nf->rx_ring_ref, nf->split ? "s" : "", nf->tx_port, nf->split ? " and rx" : "");
	return 0;
}

void netfront__ring_broken(struct netfront *nf, const char *why)
{
	os__log(NF_TAG, "%s: %s: the backend misbehaves; disconnecting", nf->nd.name, why);
	nf->rx_bad_ring++;
	disconnect(nf);
	xenbus__switch_state(nf->dev, XenbusStateClosing);
}

static bool backend_online(struct netfront *nf)
{
	unsigned long v;

	return xenbus__read_ulong(XBT_NIL, nf->dev->otherend, "online", &v) == 0 && v;
}

static void backend_changed(struct xenbus_device *dev, enum xenbus_state state)
{
	struct netfront *nf = dev->drvdata;

	switch (state) {
	case XenbusStateInitWait:
		if (dev->state != XenbusStateInitialising)
			break;
		if (connect(nf))
			break;
		xenbus__switch_state(dev, XenbusStateConnected);
		break;
	case XenbusStateConnected:
		if (nf->connected)
			netdev__carrier(&nf->nd, true);
		break;
	case XenbusStateClosing:
		/* The backend goes (network-detach): close, as xenbus_frontend_closed. */
		disconnect(nf);
		xenbus__switch_state(dev, backend_online(nf) ? XenbusStateInitialising
							     : XenbusStateClosed);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		if (dev->state == XenbusStateClosed && !backend_online(nf))
			break;
		disconnect(nf);
		if (backend_online(nf)) {
			/* Its dom0 went: ready for the next backend. */
			if (dev->state == XenbusStateConnected)
				nf->reconnects++;
			xenbus__switch_state(dev, XenbusStateInitialising);
		} else {
			xenbus__switch_state(dev, XenbusStateClosed);
		}
		break;
	default:
		break;
	}
}

static int nf_open(struct netdev *nd)
{
	return 0;
}

static int nf_set_mac(struct netdev *nd, const uint8_t mac[ETH_ALEN])
{
	memcpy(nd->mac, mac, ETH_ALEN);
	return 0;
}

static int nf_set_rx_mode(struct netdev *nd, unsigned flags, const uint8_t (*mc)[ETH_ALEN],
			  unsigned nmc)
{
	return 0; /* the backend sends us what the bridge sends: nothing to filter */
}

static int nf_vlan(struct netdev *nd, uint16_t vid)
{
	return 0; /* no VLAN filtering here: tags travel in the frames */
}

static int nf_set_mtu(struct netdev *nd, unsigned mtu)
{
	if (mtu < 68 || mtu > ETH_FRAME_MAX - ETH_HLEN - 4)
		return -EINVAL;
	nd->mtu = mtu;
	return 0;
}

static const struct netdev_ops nf_ops = {
	.open = nf_open,
	.xmit = netfront_tx__xmit,
	.set_mac = nf_set_mac,
	.set_mtu = nf_set_mtu,
	.set_rx_mode = nf_set_rx_mode,
	.vlan_add = nf_vlan,
	.vlan_del = nf_vlan,
};

static int parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned v[6];

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int probe(struct xenbus_device *dev)
{
	struct netfront *nf = calloc(1, sizeof(*nf));
	char mac[24];
	int rc;

	if (!nf)
		return -ENOMEM;
	nf->dev = dev;
	nf->backend_id = dev->otherend_id;
	nf->tx_ring_ref = nf->rx_ring_ref = -1;
	for (unsigned i = 0; i < NET_TX_RING_SIZE; i++)
		nf->txb[i].ref = -1;
	for (unsigned i = 0; i < NET_RX_RING_SIZE; i++)
		nf->rxb[i].ref = -1;
	nf->rx_work.fn = netfront_rx__work;
	nf->tx_work.fn = netfront_tx__work;
	if (xenbus__read(XBT_NIL, dev->nodename, "mac", mac, sizeof(mac)) < 0 ||
	    parse_mac(mac, nf->nd.mac)) {
		os__log(NF_TAG, "%s: no valid mac", dev->nodename);
		free(nf);
		return -EINVAL;
	}
	nf->nd.ops = &nf_ops;
	nf->nd.priv = nf;
	nf->nd.speed_mbps = 10000;
	if ((rc = netdev__register(&nf->nd))) {
		free(nf);
		return rc;
	}
	nf->registered = true;
	dev->drvdata = nf;
	xenbus__switch_state(dev, XenbusStateInitialising);
	return 0;
}

static void remove_nf(struct xenbus_device *dev)
{
	struct netfront *nf = dev->drvdata;

	disconnect(nf);
	netdev__unregister(&nf->nd);
	for (unsigned i = 0; i < NET_TX_RING_SIZE; i++)
		if (nf->txb[i].page)
			netfront__end_grant(nf, (grant_ref_t)nf->txb[i].ref, nf->txb[i].page,
					    NF_PAGE);
	for (unsigned i = 0; i < NET_RX_RING_SIZE; i++)
		if (nf->rxb[i].page)
			netfront__end_grant(nf, (grant_ref_t)nf->rxb[i].ref, nf->rxb[i].page,
					    NF_PAGE);
	/* Grants a backend still holds outlive the device: retried until it lets go. */
	free(nf->rx_lin);
	free(nf);
}

struct xenbus_driver netfront_driver OS_SAVED = {
	.name = "netfront",
	.devicetype = "vif",
	.backend = false,
	.probe = probe,
	.otherend_changed = backend_changed,
	.remove = remove_nf,
};
