/* Network devices: registration, listeners, and the notifier that starts apps on hot-plug. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "os_priv.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

static struct netdev *devs OS_SAVED;
static struct netdev_notifier *notifiers OS_SAVED;
static struct os_work announce_work OS_SAVED;

/* One RARP announcement (opcode 3, "reverse request", as QEMU's self-announce) per netdev. */
static void announce(struct os_work *w)
{
	static const uint8_t rarp[] = {0x80, 0x35, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x03};

	for (struct netdev *nd = devs; nd; nd = nd->next) {
		uint8_t f[ETH_ZLEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		struct pkt p = {.data = f, .len = ETH_ZLEN};

		if (!nd->announce)
			continue;
		nd->announce = false;
		if (!nd->up || !nd->carrier)
			continue;
		memcpy(f + 6, nd->mac, ETH_ALEN);
		memcpy(f + 12, rarp, sizeof(rarp));
		memcpy(f + 22, nd->mac, ETH_ALEN); /* sender hardware address */
		memcpy(f + 32, nd->mac, ETH_ALEN); /* target hardware address */
		nd->ops->xmit(nd, &p, 1);
	}
}
/* Linux numbers interfaces from 1, the loopback's; domains have none, so the first NIC is 2 as
 * in a guest with one. An index is never given twice, so a script's index stays the device's. */
static int next_ifindex OS_SAVED = 2;

int netdev__init(void)
{
	return 0;
}

struct netdev *netdev__get(const char *name)
{
	for (struct netdev *nd = devs; nd; nd = nd->next)
		if (!strcmp(nd->name, name))
			return nd;
	return NULL;
}

struct netdev *netdev__next(struct netdev *prev)
{
	return prev ? prev->next : devs;
}

int netdev__register(struct netdev *nd)
{
	struct netdev **tail = &devs;

	if (!nd->ops || !nd->ops->xmit)
		return -EINVAL;
	if (!nd->name[0] || strstr(nd->name, "%d")) {
		/* "eth%d": the first free number, as Linux names interfaces. */
		char prefix[NETDEV_NAME_LEN];
		size_t at = nd->name[0] ? (size_t)(strstr(nd->name, "%d") - nd->name) : 3;

		snprintf(prefix, sizeof(prefix), "%.*s", (int)at, nd->name[0] ? nd->name : "eth");
		for (unsigned i = 0; i < 100; i++) {
			snprintf(nd->name, sizeof(nd->name), "%.12s%u", prefix, i);
			if (!netdev__get(nd->name))
				break;
		}
	}
	if (netdev__get(nd->name))
		return -EEXIST;
	if (!nd->mtu)
		nd->mtu = ETH_DATA_LEN;
	nd->listeners = NULL;
	nd->tap = NULL;
	nd->next = NULL;
	nd->ifindex = next_ifindex++;
	nd->rx_mode = 0;
	while (*tail)
		tail = &(*tail)->next;
	*tail = nd;
	os__log("net", "%s: registered, address %02x:%02x:%02x:%02x:%02x:%02x", nd->name,
		nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5]);
	for (struct netdev_notifier *n = notifiers; n; n = n->next)
		n->added(n->opaque, nd);
	return 0;
}

void netdev__unregister(struct netdev *nd)
{
	for (struct netdev **p = &devs; *p; p = &(*p)->next) {
		if (*p != nd)
			continue;
		*p = nd->next;
		if (nd->tap) {
			struct netdev_tap *tap = nd->tap;

			nd->tap = NULL;
			if (tap->gone)
				tap->gone(tap->opaque, nd);
		}
		while (nd->listeners) {
			struct netdev_listener *l = nd->listeners;

			nd->listeners = l->next;
			if (l->gone)
				l->gone(l->opaque, nd);
		}
		os__log("net", "%s: unregistered", nd->name);
		return;
	}
}

int netdev__listen(struct netdev *nd, struct netdev_listener *l)
{
	l->next = nd->listeners;
	nd->listeners = l;
	if (l->link)
		l->link(l->opaque, nd, nd->carrier);
	return 0;
}

void netdev__unlisten(struct netdev *nd, struct netdev_listener *l)
{
	for (struct netdev_listener **p = &nd->listeners; *p; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			return;
		}
}

void netdev__rx(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	if (nd->tap)
		nd->tap->frames(nd->tap->opaque, nd, pkts, n, false);
	for (struct netdev_listener *l = nd->listeners; l; l = l->next)
		l->rx(l->opaque, nd, pkts, n);
}

void netdev__carrier(struct netdev *nd, bool up)
{
	if (nd->carrier == up)
		return;
	nd->carrier = up;
	os__log("net", "%s: link %s", nd->name, up ? "up" : "down");
	if (up && !os__is_dom0()) {
		/* After the driver's callback returns: the driver may be mid-way through it. */
		nd->announce = true;
		announce_work.fn = announce;
		os__schedule(&announce_work);
	}
	for (struct netdev_listener *l = nd->listeners; l; l = l->next)
		if (l->link)
			l->link(l->opaque, nd, up);
}

int netdev__open(struct netdev *nd)
{
	int rc;

	if (nd->up)
		return 0;
	if (nd->ops->open && (rc = nd->ops->open(nd)))
		return rc;
	nd->up = true;
	return 0;
}

int netdev__close(struct netdev *nd)
{
	int rc;

	if (!nd->up)
		return 0;
	if (nd->ops->stop && (rc = nd->ops->stop(nd)))
		return rc;
	nd->up = false;
	return 0;
}

int netdev__xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	if (!nd->up)
		return -ENETDOWN;
	if (nd->tap)
		nd->tap->frames(nd->tap->opaque, nd, pkts, n, true);
	return nd->ops->xmit(nd, pkts, n);
}

int netdev__tap(struct netdev *nd, struct netdev_tap *tap)
{
	if (nd->tap)
		return -EBUSY;
	nd->tap = tap;
	return 0;
}

void netdev__untap(struct netdev *nd, struct netdev_tap *tap)
{
	if (nd->tap == tap)
		nd->tap = NULL;
}

void netdev__notify(struct netdev_notifier *n)
{
	n->next = notifiers;
	notifiers = n;
	for (struct netdev *nd = devs; nd; nd = nd->next)
		n->added(n->opaque, nd);
}
