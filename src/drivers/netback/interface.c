/*
 * The vif netdev in dom0 (vif<domid>.<devid>, address fe:ff:ff:ff:ff:ff as Xen's vif-bridge sets
 * it, so the bridge never takes it as its own) and the hotplug step: onto the bridge the backend
 * directory names, hotplug-status "connected", or "error" with hotplug-error saying why.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfnet/dma.h"

#include "../bridge/bridge.h"
#include "netback.h"

#define PAGE 4096u

static int vif_open(struct netdev *nd)
{
	return 0;
}

static int vif_set_rx_mode(struct netdev *nd, unsigned flags, const uint8_t (*mc)[ETH_ALEN],
			   unsigned nmc)
{
	return 0; /* the guest filters for itself */
}

static const struct netdev_ops vif_ops = {
	.open = vif_open,
	.xmit = netback_rx__xmit,
	.set_rx_mode = vif_set_rx_mode,
};

static void hotplug_error(struct netback_vif *vif, const char *what, const char *bridge)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s %s", what, bridge);
	os__log(NB_TAG, "%s: %s", vif->nd.name, msg);
	xenbus__write(XBT_NIL, vif->dev->nodename, "hotplug-error", msg);
	xenbus__write(XBT_NIL, vif->dev->nodename, "hotplug-status", "error");
}

int netback_vif__create(struct netback_vif *vif)
{
	struct netdev *nd = &vif->nd;
	struct bridge *br;
	int rc;

	snprintf(nd->name, sizeof(nd->name), "vif%u.%u", vif->domid, vif->handle);
	memset(nd->mac, 0xff, ETH_ALEN);
	nd->mac[0] = 0xfe;
	nd->ops = &vif_ops;
	nd->priv = vif;
	nd->speed_mbps = 10000;
	vif->tx_buf = dma__alloc((size_t)NETBACK_TX_BATCH * NETBACK_BUF_SIZE, &vif->tx_buf_bus);
	vif->map_pages = dma__alloc((size_t)NETBACK_TX_BATCH * PAGE, &vif->map_bus);
	vif->rxq_buf = dma__alloc(NETBACK_RX_QUEUE_BYTES, &vif->rxq_bus);
	vif->bounce = dma__alloc(NETBACK_BUF_SIZE, &vif->bounce_bus);
	vif->drain_timer = os__timer_create(netback_rx__drain_timeout, vif);
	if (!vif->tx_buf || !vif->map_pages || !vif->rxq_buf || !vif->bounce)
		goto nomem;
	if ((rc = netdev__register(nd))) {
		netback_vif__destroy(vif);
		return rc;
	}
	vif->registered = true;
	xenbus__write(XBT_NIL, vif->dev->nodename, "vifname", nd->name);
	/* vif-bridge */
	if (!vif->bridge[0] || !(br = bridge__get(vif->bridge))) {
		hotplug_error(vif, "Could not find bridge device", vif->bridge);
		return 0;
	}
	if ((rc = bridge__add_port(br, nd))) {
		hotplug_error(vif, "Could not add the vif to bridge", vif->bridge);
		return 0;
	}
	xenbus__rm(XBT_NIL, vif->dev->nodename, "hotplug-error");
	xenbus__write(XBT_NIL, vif->dev->nodename, "hotplug-status", "connected");
	return 0;
nomem:
	netback_vif__destroy(vif);
	return -ENOMEM;
}

void netback_vif__destroy(struct netback_vif *vif)
{
	if (vif->registered) {
		netdev__unregister(&vif->nd); /* the bridge lets go of its port */
		vif->registered = false;
	}
	if (vif->drain_timer)
		os__timer_destroy(vif->drain_timer);
	vif->drain_timer = NULL;
	if (vif->bounce)
		dma__free(vif->bounce, NETBACK_BUF_SIZE);
	if (vif->rxq_buf)
		dma__free(vif->rxq_buf, NETBACK_RX_QUEUE_BYTES);
	if (vif->map_pages)
		dma__free(vif->map_pages, (size_t)NETBACK_TX_BATCH * PAGE);
	if (vif->tx_buf)
		dma__free(vif->tx_buf, (size_t)NETBACK_TX_BATCH * NETBACK_BUF_SIZE);
	vif->bounce = vif->rxq_buf = vif->map_pages = vif->tx_buf = NULL;
}

void netback_vif__carrier(struct netback_vif *vif, bool on)
{
	if (vif->registered) {
		if (on)
			netdev__open(&vif->nd);
		netdev__carrier(&vif->nd, on);
	}
}

void netback_vif__fatal(struct netback_vif *vif, const char *why)
{
	if (vif->disabled)
		return;
	vif->disabled = true;
	vif->tx_fatal++;
	os__log(NB_TAG, "%s: %s: fatal error; disabling device", vif->nd.name, why);
	netback_vif__carrier(vif, false);
}
