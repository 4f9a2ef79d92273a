/*
 * A netdev as iproute2's `ip -j link show` prints it (ip/ipaddress.c print_linkinfo,
 * print_link_flags, print_stats64), so that scripts written for `ip -j` read vfnet's links
 * unchanged. The flags follow Linux's dev_get_flags: LOWER_UP only while the device is up and
 * has carrier; an up device without carrier is NO-CARRIER and operstate DOWN.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "vfnet/netdev.h"

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *flags_json(const struct netdev *nd)
{
	struct json_object *a = json_object_new_array();

	if (nd->up && !nd->carrier)
		json_object_array_add(a, json_object_new_string("NO-CARRIER"));
	json_object_array_add(a, json_object_new_string("BROADCAST"));
	json_object_array_add(a, json_object_new_string("MULTICAST"));
	if (nd->rx_mode & NETDEV_ALLMULTI)
		json_object_array_add(a, json_object_new_string("ALLMULTI"));
	if (nd->rx_mode & NETDEV_PROMISC)
		json_object_array_add(a, json_object_new_string("PROMISC"));
	if (nd->up)
		json_object_array_add(a, json_object_new_string("UP"));
	if (nd->up && nd->carrier)
		json_object_array_add(a, json_object_new_string("LOWER_UP"));
	return a;
}

/* stats64 as print_stats64 gives it at -s, plus missed_errors, which its text columns need
 * ("missed") and which it prints itself at -s -s. */
static struct json_object *stats_json(const struct netdev *nd)
{
	struct json_object *o = json_object_new_object(), *rx = json_object_new_object(),
			   *tx = json_object_new_object();
	const struct netdev_stats *s = &nd->stats;

	add_u64(rx, "bytes", s->rx_bytes);
	add_u64(rx, "packets", s->rx_packets);
	add_u64(rx, "errors", s->rx_errors);
	add_u64(rx, "dropped", s->rx_dropped);
	add_u64(rx, "over_errors", 0); /* no Rx FIFO to overrun: frames go straight to memory */
	add_u64(rx, "multicast", s->multicast);
	add_u64(rx, "missed_errors", s->rx_missed);
	add_u64(tx, "bytes", s->tx_bytes);
	add_u64(tx, "packets", s->tx_packets);
	add_u64(tx, "errors", s->tx_errors);
	add_u64(tx, "dropped", s->tx_dropped);
	add_u64(tx, "carrier_errors", 0); /* full duplex only: no carrier sense, no collisions */
	add_u64(tx, "collisions", 0);
	json_object_object_add(o, "rx", rx);
	json_object_object_add(o, "tx", tx);
	return o;
}

void netdev__json(const struct netdev *nd, void *obj, unsigned what)
{
	struct json_object *o = obj;
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", nd->mac[0], nd->mac[1],
		 nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5]);
	json_object_object_add(o, "ifindex", json_object_new_int(nd->ifindex));
	add_str(o, "ifname", nd->name);
	json_object_object_add(o, "flags", flags_json(nd));
	json_object_object_add(o, "mtu", json_object_new_int((int)nd->mtu));
	add_str(o, "operstate", nd->up && nd->carrier ? "UP" : "DOWN");
	add_str(o, "linkmode", "DEFAULT");
	add_str(o, "group", "default");
	add_str(o, "link_type", "ether");
	add_str(o, "address", mac);
	add_str(o, "broadcast", "ff:ff:ff:ff:ff:ff");
	if (what & NETDEV_JSON_DETAILS) {
		json_object_object_add(o, "promiscuity",
				       json_object_new_int(!!(nd->rx_mode & NETDEV_PROMISC)));
		json_object_object_add(o, "allmulti",
				       json_object_new_int(!!(nd->rx_mode & NETDEV_ALLMULTI)));
		json_object_object_add(o, "min_mtu", json_object_new_int(NETDEV_MIN_MTU));
		json_object_object_add(o, "max_mtu", json_object_new_int(NETDEV_MAX_MTU));
		if (nd->parentdev) {
			char dev[24];

			snprintf(dev, sizeof(dev), "0000:%s", nd->parentdev);
			add_str(o, "parentbus", "pci");
			add_str(o, "parentdev", dev);
		}
	}
	if (what & NETDEV_JSON_STATS)
		json_object_object_add(o, "stats64", stats_json(nd));
}
