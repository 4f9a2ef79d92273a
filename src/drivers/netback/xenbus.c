/*
 * netback's xenbus side, as Linux's xen-netback/xenbus.c: probe writes the backend's features
 * and, once the vif is on its bridge (hotplug-status "connected"), says InitWait; the frontend's
 * Connected makes us map its rings and bind its event channels; its Closing/Closed takes them
 * down. A backend left Closed with online = 1 waits for the frontend to start again (a guest's
 * netfront reconnecting, a new dom0's netback finding a connected guest).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vfnet/dma.h"

#include "netback.h"

#define PAGE 4096u

enum netback_tx_mode netback_tx_mode OS_SAVED = NETBACK_TX_MAP;
struct netback_vif *netback_vifs OS_SAVED;

uint64_t netback__thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void tx_event(evtchn_port_t port, void *opaque)
{
	struct netback_vif *vif = opaque;

	os__schedule(&vif->tx_work);
	if (vif->rx_port == vif->tx_port)
		os__schedule(&vif->rx_work);
}

static void rx_event(evtchn_port_t port, void *opaque)
{
	struct netback_vif *vif = opaque;

	os__schedule(&vif->rx_work);
}

static int map_ring(struct netback_vif *vif, grant_ref_t ref, unsigned page, grant_handle_t *h)
{
	struct gnttab_map_grant_ref m = {.host_addr = vif->ring_bus + page * PAGE,
					 .flags = GNTMAP_host_map, .ref = ref,
					 .dom = (domid_t)vif->domid};
	int rc = gnttab__map(&m, 1);

	if (rc)
		return rc;
	if (m.status != GNTST_okay)
		return -EACCES;
	*h = m.handle;
	return 0;
}

static void unmap_ring(struct netback_vif *vif, unsigned page, grant_handle_t h, bool *mapped)
{
	struct gnttab_unmap_grant_ref u = {.host_addr = vif->ring_bus + page * PAGE, .handle = h};

	if (!*mapped)
		return;
	gnttab__unmap(&u, 1);
	*mapped = false;
}

static void disconnect(struct netback_vif *vif)
{
	if (!vif->connected && !vif->tx_ring_mapped && !vif->rx_ring_mapped)
		return;
	netback_vif__carrier(vif, false);
	if (vif->tx_port)
		evtchn__close(vif->tx_port);
	if (vif->rx_port && vif->rx_port != vif->tx_port)
		evtchn__close(vif->rx_port);
	vif->tx_port = vif->rx_port = 0;
	netback_rx__flush_queue(vif);
	unmap_ring(vif, 0, vif->tx_ring_handle, &vif->tx_ring_mapped);
	unmap_ring(vif, 1, vif->rx_ring_handle, &vif->rx_ring_mapped);
	vif->connected = false;
	vif->disabled = false;
	os__log(NB_TAG, "%s: disconnected", vif->nd.name);
}

static int read_flag(struct xenbus_device *dev, const char *key)
{
	unsigned long v;

	return xenbus__read_ulong(XBT_NIL, dev->otherend, key, &v) < 0 ? 0 : (int)v;
}

/* The frontend's keys, its rings, its event channels (Linux's connect_data_rings). */
static int connect(struct netback_vif *vif)
{
	struct xenbus_device *dev = vif->dev;
	unsigned long tx_ref, rx_ref, ch, ch_tx, ch_rx;
	int rc;

	if (xenbus__read_ulong(XBT_NIL, dev->otherend, "tx-ring-ref", &tx_ref) < 0 ||
	    xenbus__read_ulong(XBT_NIL, dev->otherend, "rx-ring-ref", &rx_ref) < 0) {
		os__log(NB_TAG, "%s: reading %s/{tx,rx}-ring-ref failed", vif->nd.name,
			dev->otherend);
		return -EINVAL;
	}
	if (xenbus__read_ulong(XBT_NIL, dev->otherend, "event-channel", &ch) < 0) {
		if (xenbus__read_ulong(XBT_NIL, dev->otherend, "event-channel-tx", &ch_tx) < 0 ||
		    xenbus__read_ulong(XBT_NIL, dev->otherend, "event-channel-rx", &ch_rx) < 0) {
			os__log(NB_TAG, "%s: reading %s/event-channel(-tx/rx) failed",
				vif->nd.name, dev->otherend);
			return -EINVAL;
		}
	} else {
		ch_tx = ch_rx = ch;
	}
	if (!read_flag(dev, "request-rx-copy")) {
		os__log(NB_TAG, "%s: frontend does not support rx-copy", vif->nd.name);
		return -EOPNOTSUPP;
	}
	if (!read_flag(dev, "feature-rx-notify")) {
		os__log(NB_TAG, "%s: frontend does not support feature-rx-notify", vif->nd.name);
		return -EOPNOTSUPP;
	}
	vif->csum_to_guest = !read_flag(dev, "feature-no-csum-offload");
	if ((rc = map_ring(vif, (grant_ref_t)tx_ref, 0, &vif->tx_ring_handle)))
		goto err;
	vif->tx_ring_mapped = true;
	if ((rc = map_ring(vif, (grant_ref_t)rx_ref, 1, &vif->rx_ring_handle)))
		goto err;
	vif->rx_ring_mapped = true;
	vif->tx_sring = (struct netif_tx_sring *)vif->ring_pages;
	vif->rx_sring = (struct netif_rx_sring *)((uint8_t *)vif->ring_pages + PAGE);
	xen_back_ring__init(&vif->tx, &vif->tx_sring->hdr, NET_TX_RING_SIZE);
	xen_back_ring__init(&vif->rx, &vif->rx_sring->hdr, NET_RX_RING_SIZE);
	if ((rc = evtchn__bind_interdomain((domid_t)vif->domid, (evtchn_port_t)ch_tx,
					   &vif->tx_port)))
		goto err;
	if (ch_rx == ch_tx)
		vif->rx_port = vif->tx_port;
	else if ((rc = evtchn__bind_interdomain((domid_t)vif->domid, (evtchn_port_t)ch_rx,
						&vif->rx_port)))
		goto err;
	evtchn__bind(vif->tx_port, tx_event, vif);
	if (vif->rx_port != vif->tx_port)
		evtchn__bind(vif->rx_port, rx_event, vif);
	vif->connected = true;
	vif->disabled = false;
	vif->rxq_moved_ns = os__now_ns();
	netback_vif__carrier(vif, true);
	os__log(NB_TAG, "%s: connected: rings %lu/%lu, event channel%s %lu%s%.0lu, %s TX", vif->nd.name,
		tx_ref, rx_ref, ch_tx == ch_rx ? "" : "s", ch_tx, ch_tx == ch_rx ? "" : "/",
		ch_tx == ch_rx ? 0ul : ch_rx, vif->tx_mode == NETBACK_TX_MAP ? "map" : "copy");
	/* Requests that came before we bound. */
	os__schedule(&vif->tx_work);
	return 0;
err:
	os__log(NB_TAG, "%s: cannot connect: %s", vif->nd.name, strerror(-rc));
	disconnect(vif);
	return rc;
}

static void frontend_changed(struct xenbus_device *dev, enum xenbus_state state)
{
	struct netback_vif *vif = dev->drvdata;

	switch (state) {
	case XenbusStateInitialising:
		/* The frontend starts (again): take down what it had, wait for it. */
		disconnect(vif);
		if (dev->state == XenbusStateClosed || dev->state == XenbusStateConnected)
			xenbus__switch_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->state == XenbusStateConnected && vif->connected)
			break;
		if (dev->state != XenbusStateInitWait && dev->state != XenbusStateConnected &&
		    dev->state != XenbusStateClosed)
			break;
		if (!connect(vif))
			xenbus__switch_state(dev, XenbusStateConnected);
		else
			xenbus__switch_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosing:
		disconnect(vif);
		xenbus__switch_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		disconnect(vif);
		xenbus__switch_state(dev, XenbusStateClosed);
		break;
	default:
		break;
	}
}

static int probe(struct xenbus_device *dev)
{
	struct netback_vif *vif = calloc(1, sizeof(*vif));
	static const char *const features[][2] = {
		{"feature-sg", "1"},	     {"feature-rx-copy", "1"},
		{"feature-rx-flip", "0"},    {"feature-split-event-channels", "1"},
		{"feature-rx-notify", "1"},
	};
	int rc;

	if (!vif)
		return -ENOMEM;
	vif->dev = dev;
	vif->domid = dev->otherend_id;
	vif->handle = dev->devid;
	vif->tx_mode = netback_tx_mode;
	vif->tx_work.fn = netback_tx__work;
	vif->rx_work.fn = netback_rx__work;
	dev->drvdata = vif;
	if (xenbus__read(XBT_NIL, dev->nodename, "mac", vif->guest_mac, sizeof(vif->guest_mac)) < 0)
		vif->guest_mac[0] = '\0';
	if (xenbus__read(XBT_NIL, dev->nodename, "bridge", vif->bridge, sizeof(vif->bridge)) < 0)
		vif->bridge[0] = '\0';
	if (!(vif->ring_pages = dma__alloc(2 * PAGE, &vif->ring_bus))) {
		rc = -ENOMEM;
		goto err;
	}
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if ((rc = xenbus__write(XBT_NIL, dev->nodename, features[i][0], features[i][1])))
			goto err;
	if ((rc = netback_vif__create(vif)))
		goto err;
	vif->next = netback_vifs;
	netback_vifs = vif;
	/* As Linux's netback: InitWait only once the hotplug step put the vif on its bridge. */
	if (xenbus__exists(XBT_NIL, dev->nodename, "hotplug-error"))
		return 0;
	xenbus__switch_state(dev, XenbusStateInitWait);
	return 0;
err:
	if (vif->ring_pages)
		dma__free(vif->ring_pages, 2 * PAGE);
	free(vif);
	return rc;
}

static void remove_vif(struct xenbus_device *dev)
{
	struct netback_vif *vif = dev->drvdata;

	disconnect(vif);
	for (struct netback_vif **p = &netback_vifs; *p; p = &(*p)->next)
		if (*p == vif) {
			*p = vif->next;
			break;
		}
	netback_vif__destroy(vif);
	/* Pages a frontend might still map stay ours: the rings were unmapped above. */
	dma__free(vif->ring_pages, 2 * PAGE);
	vif->ring_pages = NULL;
	/* A work still queued (a full TX batch re-queues itself) runs after this: it frees. */
	vif->removing = true;
	if (!vif->tx_work.queued && !vif->rx_work.queued)
		free(vif);
}

bool netback_vif__work_begin(struct netback_vif *vif)
{
	if (!vif->removing)
		return true;
	if (!vif->tx_work.queued && !vif->rx_work.queued)
		free(vif);
	return false;
}

struct xenbus_driver netback_driver OS_SAVED = {
	.name = "netback",
	.devicetype = "vif",
	.backend = true,
	.probe = probe,
	.otherend_changed = frontend_changed,
	.remove = remove_vif,
};

/* dom0's configuration: `netback_tx = map|copy`. */
void netback__init(void)
{
	const char *mode = os__config("netback_tx");

	if (!os__is_dom0())
		return;
	if (mode && !strcmp(mode, "copy"))
		netback_tx_mode = NETBACK_TX_COPY;
	else if (mode && strcmp(mode, "map"))
		os__log(NB_TAG, "netback_tx=%s: not map or copy; map it is", mode);
	netback_service__init();
}
