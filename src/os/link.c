/*
 * `vfnet ip link` inside a domain: its netdevs as iproute2 shows them, and the changes
 * `ip link set` makes (rtnetlink's do_setlink, for what a vfnet netdev has).
 *
 *   {"op":"link-show", "dev"?: NAME, "stats"?: bool, "details"?: bool}
 *       -> {"links": [ netdev__json(...) + a PF's "vfinfo_list" ]}, in ifindex order
 *   {"op":"link-set", "dev": NAME, "address"?: MAC, "mtu"?: N, "promisc"?: on/off,
 *    "allmulticast"?: on/off, "state"?: "up"|"down", "vfs"?: [ {"vf": N, ...}, ... ]}
 *       -> {"link": the device as link-show gives it}
 *
 * link-set checks the whole request before it changes anything: the values here, then every
 * VF group through the PF driver's check. It then applies them in do_setlink's order (address,
 * MTU, flags, VFs). Only a device's own refusal while applying (a VF driver whose PF says no)
 * can leave the earlier changes in place, as with rtnetlink.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#define ERR_MAX 160

static bool bool_of(struct json_object *req, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(req, key, &v) && json_object_get_boolean(v);
}

/* on/off as a boolean or the words: 1, 0, -1 absent, -2 malformed. */
static int onoff_of(struct json_object *req, const char *key)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(req, key, &v))
		return -1;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	if (!json_object_is_type(v, json_type_string))
		return -2;
	s = json_object_get_string(v);
	return !strcmp(s, "on") ? 1 : !strcmp(s, "off") ? 0 : -2;
}

static int parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned b[ETH_ALEN];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static struct json_object *link_json(struct netdev *nd, unsigned what)
{
	struct json_object *o = json_object_new_object();

	netdev__json(nd, o, what);
	if (nd->vf_ops && nd->vf_ops->show)
		nd->vf_ops->show(nd, o, what);
	return o;
}

/* The device a request names: NULL with iproute2's message in @err (show's or set's). */
static struct netdev *dev_of(struct json_object *req, bool show, char *err)
{
	struct json_object *v;
	const char *name = "";
	struct netdev *nd = NULL;

	if (json_object_object_get_ex(req, "dev", &v) && json_object_is_type(v, json_type_string)) {
		name = json_object_get_string(v);
		nd = netdev__get(name);
	}
	if (!nd) {
		/* a name is echoed only while it is short and printable */
		bool shown = strlen(name) < NETDEV_NAME_LEN;

		for (const char *c = name; shown && *c; c++)
			shown = *c > ' ' && *c < 127 && *c != '"';
		snprintf(err, ERR_MAX,
			 show ? "Device \"%s\" does not exist." : "Cannot find device \"%s\"",
			 shown ? name : "?");
	}
	return nd;
}

static int svc_link_show(void *opaque, void *req_, void *reply, char *err)
{
	struct json_object *req = req_, *arr;
	unsigned what = (bool_of(req, "stats") ? NETDEV_JSON_STATS : 0) |
			(bool_of(req, "details") ? NETDEV_JSON_DETAILS : 0);

	if (json_object_object_get_ex(req, "dev", NULL)) {
		struct netdev *nd = dev_of(req, true, err);

		if (!nd)
			return -ENODEV;
		arr = json_object_new_array();
		json_object_array_add(arr, link_json(nd, what));
	} else {
		arr = json_object_new_array();
		for (struct netdev *nd = netdev__next(NULL); nd; nd = netdev__next(nd))
			json_object_array_add(arr, link_json(nd, what));
	}
	json_object_object_add(reply, "links", arr);
	return 0;
}

struct link_set {
	bool has_mac;
	uint8_t mac[ETH_ALEN];
	int mtu;	       /* -1: unchanged */
	int promisc, allmulti; /* -1: unchanged */
	int up;		       /* -1: unchanged */
	struct json_object *vfs;
};

/* Everything a request asks, checked; nothing changed. */
static int link_set_parse(struct json_object *req, struct netdev *nd, struct link_set *ls,
			  char *err, char *detail)
{
	struct json_object *v;

	*ls = (struct link_set){.mtu = -1, .up = -1};
	if (json_object_object_get_ex(req, "address", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    parse_mac(json_object_get_string(v), ls->mac) || (ls->mac[0] & 1)) {
			snprintf(err, ERR_MAX, "\"%s\" is invalid lladdr.",
				 json_object_is_type(v, json_type_string)
				     ? json_object_get_string(v)
				     : "?");
			return -EINVAL;
		}
		ls->has_mac = true;
	}
	if (json_object_object_get_ex(req, "mtu", &v)) {
		int64_t mtu = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || mtu < NETDEV_MIN_MTU ||
		    mtu > NETDEV_MAX_MTU) {
			snprintf(err, ERR_MAX, "Error: mtu %s out of range (%d..%d)",
				 json_object_get_string(v), NETDEV_MIN_MTU, NETDEV_MAX_MTU);
			return -EINVAL;
		}
		ls->mtu = (int)mtu;
	}
	ls->promisc = onoff_of(req, "promisc");
	ls->allmulti = onoff_of(req, "allmulticast");
	if (ls->promisc == -2 || ls->allmulti == -2) {
		snprintf(err, ERR_MAX, "Error: argument of \"%s\" must be \"on\" or \"off\"",
			 ls->promisc == -2 ? "promisc" : "allmulticast");
		return -EINVAL;
	}
	if (json_object_object_get_ex(req, "state", &v)) {
		const char *st = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp(st, "up") && strcmp(st, "down"))) {
			snprintf(err, ERR_MAX, "Error: state is \"up\" or \"down\"");
			return -EINVAL;
		}
		ls->up = !strcmp(st, "up");
	}
	if (json_object_object_get_ex(req, "vfs", &v)) {
		if (!json_object_is_type(v, json_type_array)) {
			snprintf(err, ERR_MAX, "Error: \"vfs\" is a list of \"vf N ...\" groups");
			return -EINVAL;
		}
		if (!nd->vf_ops || !nd->vf_ops->set) {
			snprintf(err, ERR_MAX, "RTNETLINK answers: %s", strerror(EOPNOTSUPP));
			snprintf(detail, ERR_MAX,
				 "%s has no VFs: only a PF's driver (dom0's pf0, "
				 "pf1) sets \"vf N\" policy",
				 nd->name);
			return -EOPNOTSUPP;
		}
		ls->vfs = v;
		return nd->vf_ops->set(nd, v, false, err, detail);
	}
	return 0;
}

static int link_set_apply(struct netdev *nd, const struct link_set *ls, char *err, char *detail)
{
	int rc = 0;

	if (ls->has_mac) {
		rc = nd->ops->set_mac ? nd->ops->set_mac(nd, ls->mac) : -EOPNOTSUPP;
		if (!rc)
			memcpy(nd->mac, ls->mac, ETH_ALEN);
	}
	if (!rc && ls->mtu >= 0) {
		rc = nd->ops->set_mtu ? nd->ops->set_mtu(nd, (unsigned)ls->mtu) : -EOPNOTSUPP;
		if (!rc)
			nd->mtu = (unsigned)ls->mtu;
	}
	if (!rc && (ls->promisc >= 0 || ls->allmulti >= 0)) {
		unsigned mode = nd->rx_mode;

		if (ls->promisc >= 0)
			mode = ls->promisc ? mode | NETDEV_PROMISC : mode & ~NETDEV_PROMISC;
		if (ls->allmulti >= 0)
			mode = ls->allmulti ? mode | NETDEV_ALLMULTI : mode & ~NETDEV_ALLMULTI;
		rc = nd->ops->set_rx_mode ? nd->ops->set_rx_mode(nd, mode, NULL, 0) : -EOPNOTSUPP;
		if (!rc)
			nd->rx_mode = mode;
	}
	if (!rc && ls->up >= 0)
		rc = ls->up ? netdev__open(nd) : netdev__close(nd);
	if (rc) {
		snprintf(err, ERR_MAX, "RTNETLINK answers: %s", strerror(-rc));
		return rc;
	}
	return ls->vfs ? nd->vf_ops->set(nd, ls->vfs, true, err, detail) : 0;
}

static int svc_link_set(void *opaque, void *req_, void *reply, char *err)
{
	struct json_object *req = req_;
	char detail[ERR_MAX] = "";
	struct link_set ls;
	struct netdev *nd = dev_of(req, false, err);
	int rc;

	if (!nd)
		return -ENODEV;
	rc = link_set_parse(req, nd, &ls, err, detail);
	if (!rc)
		rc = link_set_apply(nd, &ls, err, detail);
	if (rc) {
		if (detail[0])
			json_object_object_add(reply, "detail", json_object_new_string(detail));
		return rc;
	}
	json_object_object_add(reply, "link", link_json(nd, 0));
	return 0;
}

int link__init(void)
{
	int rc = os__service("link-show", svc_link_show, NULL);

	return rc ? rc : os__service("link-set", svc_link_set, NULL);
}
