/* The bridge's ports and its forwarding: learn, look up, forward, flood, deliver locally. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfnet/os.h"

#include "bridge.h"

#define TAG "bridge"
#define BATCH 64

static struct bridge *bridges[BRIDGE_MAX] OS_SAVED;

struct bridge *bridge__get(const char *name)
{
	for (unsigned i = 0; i < BRIDGE_MAX; i++)
		if (bridges[i] && !strcmp(bridges[i]->nd.name, name))
			return bridges[i];
	return NULL;
}

struct bridge *bridge__next(struct bridge *prev)
{
	unsigned i = 0;

	if (prev)
		while (i < BRIDGE_MAX && bridges[i++] != prev)
			;
	for (; i < BRIDGE_MAX; i++)
		if (bridges[i])
			return bridges[i];
	return NULL;
}

static bool is_mcast(const uint8_t *mac)
{
	return mac[0] & 1;
}

/*
 * Frames in from port @in (BRIDGE_MAX_PORTS: from the bridge's own device). Each goes to the
 * port its destination was learnt on, or to every other port; broadcast, multicast and frames
 * for the bridge's own address also up the bridge's device. One xmit per port per batch.
 */
static void forward(struct bridge *br, unsigned in, const struct pkt *pkts, unsigned n)
{
	/* A listener of the bridge's device may answer from inside its rx call: one level of
	 * nesting has arrays of its own; deeper is dropped. */
	static struct pkt outs[2][BRIDGE_MAX_PORTS + 1][BATCH];
	static unsigned depth;
	struct pkt(*out)[BATCH];
	unsigned cnt[BRIDGE_MAX_PORTS + 1];
	uint64_t now = os__now_ns();

	if (depth == 2) {
		br->nd.stats.tx_dropped += n;
		return;
	}
	out = outs[depth++];

	while (n) {
		unsigned k = n < BATCH ? n : BATCH;

		memset(cnt, 0, sizeof(cnt));
		for (unsigned i = 0; i < k; i++) {
			const struct pkt *p = &pkts[i];
			const uint8_t *dst = p->data, *src = (const uint8_t *)p->data + ETH_ALEN;
			int to;

			if (p->len < ETH_HLEN)
				continue;
			if (in < BRIDGE_MAX_PORTS && !is_mcast(src))
				fdb__learn(br, src, in, now);
			if (is_mcast(dst)) {
				to = -1;
			} else if (!memcmp(dst, br->nd.mac, ETH_ALEN)) {
				to = BRIDGE_MAX_PORTS; /* for dom0 itself */
			} else {
				to = fdb__lookup(br, dst, now);
				if (to >= 0 && !br->ports[to])
					to = -1;
			}
			if (to == (int)in) {
				br->filtered++; /* the destination is where it came from */
				continue;
			}
			if (to >= 0) {
				out[to][cnt[to]++] = *p;
				br->forwarded++;
				continue;
			}
			br->flooded++;
			for (unsigned q = 0; q < BRIDGE_MAX_PORTS; q++)
				if (br->ports[q] && q != in)
					out[q][cnt[q]++] = *p;
			if (in != BRIDGE_MAX_PORTS)
				out[BRIDGE_MAX_PORTS][cnt[BRIDGE_MAX_PORTS]++] = *p;
		}
		for (unsigned q = 0; q < BRIDGE_MAX_PORTS; q++) {
			struct bridge_port *bp = br->ports[q];
			int sent;

			if (!cnt[q] || !bp)
				continue;
			sent = netdev__xmit(bp->nd, out[q], cnt[q]);
			if (sent < 0)
				sent = 0;
			bp->tx_frames += (unsigned)sent;
			bp->tx_dropped += cnt[q] - (unsigned)sent;
		}
		if (cnt[BRIDGE_MAX_PORTS] && br->nd.up) {
			br->local_rx += cnt[BRIDGE_MAX_PORTS];
			br->nd.stats.rx_packets += cnt[BRIDGE_MAX_PORTS];
			netdev__rx(&br->nd, out[BRIDGE_MAX_PORTS], cnt[BRIDGE_MAX_PORTS]);
		}
		pkts += k;
		n -= k;
	}
	depth--;
}

static void port_rx(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct bridge_port *bp = opaque;

	bp->rx_frames += n;
	forward(bp->br, bp->no - 1, pkts, n);
}

static void remove_port(struct bridge *br, struct bridge_port *bp)
{
	unsigned q = bp->no - 1;

	br->ports[q] = NULL;
	fdb__flush_port(br, q);
	os__log(TAG, "%s: port %u(%s) entered disabled state", br->nd.name, bp->no, bp->nd->name);
	free(bp);
}

static void port_gone(void *opaque, struct netdev *nd)
{
	struct bridge_port *bp = opaque;

	remove_port(bp->br, bp);
}

static struct bridge *bridge_of(const struct netdev *nd)
{
	for (unsigned i = 0; i < BRIDGE_MAX; i++)
		for (unsigned q = 0; bridges[i] && q < BRIDGE_MAX_PORTS; q++)
			if (bridges[i]->ports[q] && bridges[i]->ports[q]->nd == nd)
				return bridges[i];
	return NULL;
}

int bridge__add_port(struct bridge *br, struct netdev *nd)
{
	struct bridge *other = bridge_of(nd);
	struct bridge_port *bp;
	unsigned q;
	int rc;

	if (other)
		return other == br ? -EEXIST : -EBUSY;
	if (nd == &br->nd)
		return -EINVAL;
	for (q = 0; q < BRIDGE_MAX_PORTS && br->ports[q]; q++)
		;
	if (q == BRIDGE_MAX_PORTS)
		return -ENOSPC;
	if (!(bp = calloc(1, sizeof(*bp))))
		return -ENOMEM;
	bp->br = br;
	bp->nd = nd;
	bp->no = q + 1;
	bp->l = (struct netdev_listener){.rx = port_rx, .gone = port_gone, .opaque = bp};
	if ((rc = netdev__open(nd))) {
		free(bp);
		return rc;
	}
	/* A bridge port hears every address, as Linux's bridge sets it. */
	if (nd->ops->set_rx_mode && (rc = nd->ops->set_rx_mode(nd, NETDEV_PROMISC, NULL, 0)))
		os__log(TAG, "%s: %s refuses promiscuous mode: %s", br->nd.name, nd->name,
			strerror(-rc));
	br->ports[q] = bp;
	netdev__listen(nd, &bp->l);
	os__log(TAG, "%s: port %u(%s) entered forwarding state", br->nd.name, bp->no, nd->name);
	return 0;
}

void bridge__del_port(struct bridge *br, struct netdev *nd)
{
	for (unsigned q = 0; q < BRIDGE_MAX_PORTS; q++) {
		struct bridge_port *bp = br->ports[q];

		if (bp && bp->nd == nd) {
			netdev__unlisten(nd, &bp->l);
			remove_port(br, bp);
			return;
		}
	}
}

/* ---- the bridge's own device ---- */

static int br_xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct bridge *br = nd->priv;

	nd->stats.tx_packets += n;
	forward(br, BRIDGE_MAX_PORTS, pkts, n);
	return (int)n;
}

static int br_open(struct netdev *nd)
{
	netdev__carrier(nd, true);
	return 0;
}

static const struct netdev_ops br_ops = {.open = br_open, .xmit = br_xmit};

/* The uplink comes and goes with its driver (a PF reset, a dom0 PF driver's rebind). */
static void uplink_added(void *opaque, struct netdev *nd)
{
	for (unsigned i = 0; i < BRIDGE_MAX; i++) {
		struct bridge *br = bridges[i];
		int rc;

		if (br && !strcmp(br->uplink, nd->name) && (rc = bridge__add_port(br, nd)) &&
		    rc != -EEXIST)
			os__log(TAG, "%s: cannot add uplink %s: %s", br->nd.name, nd->name,
				strerror(-rc));
	}
}

static struct netdev_notifier uplinks OS_SAVED = {.added = uplink_added};

static int create(const char *name, const char *uplink)
{
	struct bridge *br;
	unsigned i;
	int rc;

	for (i = 0; i < BRIDGE_MAX && bridges[i]; i++)
		;
	if (i == BRIDGE_MAX || !(br = calloc(1, sizeof(*br))))
		return -ENOSPC;
	snprintf(br->nd.name, sizeof(br->nd.name), "%s", name);
	snprintf(br->uplink, sizeof(br->uplink), "%s", uplink);
	br->nd.ops = &br_ops;
	br->nd.priv = br;
	br->nd.speed_mbps = 10000;
	/* A locally administered address of its own (Linux takes the lowest of its ports'; the
	 * vifs' fe:ff:ff:ff:ff:ff are never lowest). */
	br->nd.mac[0] = 0x02;
	br->nd.mac[1] = 0x00;
	br->nd.mac[2] = 0x00;
	br->nd.mac[3] = 0xb2;
	br->nd.mac[4] = (uint8_t)os__domid();
	br->nd.mac[5] = (uint8_t)i;
	if ((rc = netdev__register(&br->nd))) {
		free(br);
		return rc;
	}
	bridges[i] = br;
	os__log(TAG, "%s: created (stp off, forward delay 0), uplink %s", name,
		uplink[0] ? uplink : "none");
	return 0;
}

void bridge__init(void)
{
	const char *spec;
	bool any = false;

	if (!os__is_dom0())
		return;
	for (unsigned n = 0; (spec = os__config_nth("bridge", n)); n++) {
		char name[NETDEV_NAME_LEN] = "", up[NETDEV_NAME_LEN] = "";
		const char *colon = strchr(spec, ':');
		int rc;

		any = true;
		if (!strcmp(spec, "none"))
			continue;
		snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec),
			 spec);
		if (colon)
			snprintf(up, sizeof(up), "%s", colon + 1);
		if ((rc = create(name, up)))
			os__log(TAG, "bridge %s: %s", spec, strerror(-rc));
	}
	if (!any)
		create("xenbr0", "pf0");
	netdev__notify(&uplinks);
	bridge_service__init();
}
