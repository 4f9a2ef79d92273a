/*
 * The PF netdev's vf_ops: what `ip link set PF vf N ...` asks of each VF, and the VF lines of
 * `ip link show PF` in iproute2's JSON keys (print_vfinfo, print_vf_stats64).
 *
 * A command may hold several "vf N" groups. Unlike rtnetlink, which applies IFLA_VF_INFO
 * attributes in turn and stops at the first error (leaving the earlier ones applied), the whole
 * command is checked first: iproute2's own argument checks, with its messages, then each
 * setting against the driver's rules (admin.c's checks). Only then is anything applied, in the
 * kernel's order within a group (mac, vlan, rate, spoofchk, state, trust). A refusal names the
 * keyword (detail) and goes to dom0's log with its reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "mdd.h"

#define VF_GROUPS_MAX MDD_MAX_VFS

static const char *const link_state_names[] = {"auto", "enable", "disable"};

/* One "vf N ..." group; -1 (or false) where the command says nothing. */
struct vf_req {
	unsigned vf;
	bool has_mac;
	uint8_t mac[ETH_ALEN];
	const char *mac_text;
	long long vlan, qos;
	bool dot1ad;
	bool has_rate;
	unsigned min_rate, max_rate;
	char rate_kw[64]; /* the rate keywords as given, for messages */
	int spoof, trust, state, query_rss;
	bool guid;
};

long long mdd_json_uint(void *req_, const char *key, const char **text)
{
	json_object *req = req_, *o;
	const char *s;
	char *end;
	long long v;

	*text = NULL;
	if (!json_object_object_get_ex(req, key, &o) || json_object_is_type(o, json_type_null))
		return -1;
	s = json_object_get_string(o);
	*text = s;
	if (json_object_is_type(o, json_type_int)) {
		v = json_object_get_int64(o);
		return v < 0 || v > UINT32_MAX ? -2 : v;
	}
	if (!json_object_is_type(o, json_type_string) || !*s || *s == '-')
		return -2;
	errno = 0;
	v = strtoll(s, &end, 0);
	return errno || *end || v > UINT32_MAX ? -2 : v;
}

/* on/off: 1, 0, -1 absent, -2 malformed */
static int onoff_of(json_object *req, const char *key, const char **text)
{
	json_object *o;

	*text = NULL;
	if (!json_object_object_get_ex(req, key, &o) || json_object_is_type(o, json_type_null))
		return -1;
	*text = json_object_get_string(o);
	if (json_object_is_type(o, json_type_boolean))
		return json_object_get_boolean(o);
	if (!json_object_is_type(o, json_type_string))
		return -2;
	if (!strcmp(*text, "on"))
		return 1;
	if (!strcmp(*text, "off"))
		return 0;
	return -2;
}

static const char *str_of(json_object *req, const char *key)
{
	json_object *o;

	if (!json_object_object_get_ex(req, key, &o) || !json_object_is_type(o, json_type_string))
		return NULL;
	return json_object_get_string(o);
}

static bool parse_mac(const char *s, uint8_t *mac)
{
	unsigned b[ETH_ALEN];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return false;
	for (unsigned i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

/* iproute2's matches(): @word is a non-empty prefix of @full. */
static bool matches(const char *word, const char *full)
{
	return *word && !strncmp(word, full, strlen(word));
}

#define INVARG(val, what)                                                                          \
	do {                                                                                       \
		snprintf(err, NETDEV_ERR_MAX, "Error: argument \"%s\" is wrong: %s",               \
			 (val) ? (val) : "", (what));                                              \
		return -EINVAL;                                                                    \
	} while (0)

static const char *const vf_keys[] = {"vf",    "mac",	      "vlan",	     "qos",	  "proto",
				      "rate",  "max_tx_rate", "min_tx_rate", "spoofchk",  "trust",
				      "state", "query_rss",   "node_guid",   "port_guid", NULL};

/* iproute2's checks of one group (iplink_parse_vf), with its messages. */
static int parse_group(struct mdd_adapter *a, json_object *g, struct vf_req *r, char *err)
{
	const char *t, *proto, *state;
	long long vf, rate, max_rate, min_rate;
	bool any = false;
	int n = 0;

	if (!json_object_is_type(g, json_type_object)) {
		snprintf(err, NETDEV_ERR_MAX, "Error: a \"vf\" group is an object");
		return -EINVAL;
	}
	json_object_object_foreach(g, key, val)
	{
		bool known = false;

		(void)val;
		for (const char *const *k = vf_keys; *k; k++)
			known |= !strcmp(*k, key);
		if (!known)
			INVARG(key, "unknown vf option");
		any |= strcmp(key, "vf") != 0;
	}
	memset(r, 0, sizeof(*r));
	vf = mdd_json_uint(g, "vf", &t);
	if (vf == -1) {
		snprintf(err, NETDEV_ERR_MAX, "Error: argument \"vf\" is required");
		return -EINVAL;
	}
	if (vf < 0 || vf >= 0x7fffffff)
		INVARG(t, "Invalid \"vf\" value");
	if (!any) {
		snprintf(err, NETDEV_ERR_MAX, "Command line is not complete. Try option \"help\"");
		return -EINVAL;
	}
	r->vf = (unsigned)vf;
	r->mac_text = str_of(g, "mac");
	if (json_object_object_get_ex(g, "mac", NULL)) {
		if (!r->mac_text || !parse_mac(r->mac_text, r->mac)) {
			snprintf(err, NETDEV_ERR_MAX, "\"%s\" is invalid lladdr.",
				 r->mac_text ? r->mac_text : "?");
			return -EINVAL;
		}
		r->has_mac = true;
	}
	r->vlan = mdd_json_uint(g, "vlan", &t);
	if (r->vlan == -2 || r->vlan > 4095)
		INVARG(t, "Invalid \"vlan\" value");
	r->qos = mdd_json_uint(g, "qos", &t);
	if (r->qos == -2)
		INVARG(t, "Invalid \"qos\" value");
	proto = str_of(g, "proto");
	if ((r->qos >= 0 || json_object_object_get_ex(g, "proto", NULL)) && r->vlan < 0) {
		snprintf(err, NETDEV_ERR_MAX, "Error: \"%s\" requires \"vlan\"",
			 r->qos >= 0 ? "qos" : "proto");
		return -EINVAL;
	}
	if (json_object_object_get_ex(g, "proto", NULL)) {
		if (proto && !strcasecmp(proto, "802.1ad"))
			r->dot1ad = true;
		else if (!proto || strcasecmp(proto, "802.1q"))
			INVARG(proto,
			       "Invalid \"vlan protocol\" value - supported 802.1Q, 802.1ad");
	}
	rate = mdd_json_uint(g, "rate", &t);
	if (rate == -2)
		INVARG(t, "Invalid \"rate\" value");
	max_rate = mdd_json_uint(g, "max_tx_rate", &t);
	if (max_rate == -2)
		INVARG(t, "Invalid \"max tx rate\" value");
	min_rate = mdd_json_uint(g, "min_tx_rate", &t);
	if (min_rate == -2)
		INVARG(t, "Invalid \"min tx rate\" value");
	if (rate >= 0 || max_rate >= 0 || min_rate >= 0) {
		/* iproute2 and rtnetlink: the legacy rate is the maximum unless max_tx_rate is
		 * given; a half not given keeps the VF's current value. */
		unsigned cur_max = r->vf < a->num_vfs ? a->vf[r->vf].max_tx_rate : 0;

		r->has_rate = true;
		r->max_rate = max_rate >= 0 ? (unsigned)max_rate
			      : rate >= 0   ? (unsigned)rate
					    : cur_max;
		r->min_rate = min_rate >= 0 ? (unsigned)min_rate : 0;
		if (r->max_rate && r->min_rate > r->max_rate) {
			snprintf(err, NETDEV_ERR_MAX,
				 "Invalid min_tx_rate %u - must be <= max_tx_rate %u", r->min_rate,
				 r->max_rate);
			return -EINVAL;
		}
		if (max_rate >= 0)
			n += snprintf(r->rate_kw + n, sizeof(r->rate_kw) - n, "max_tx_rate %lld ",
				      max_rate);
		else if (rate >= 0)
			n += snprintf(r->rate_kw + n, sizeof(r->rate_kw) - n, "rate %lld ", rate);
		if (min_rate >= 0)
			n += snprintf(r->rate_kw + n, sizeof(r->rate_kw) - n, "min_tx_rate %lld ",
				      min_rate);
		if (n)
			r->rate_kw[n - 1] = '\0';
	}
	r->spoof = onoff_of(g, "spoofchk", &t);
	if (r->spoof == -2) {
		snprintf(err, NETDEV_ERR_MAX,
			 "Error: argument of \"spoofchk\" must be \"on\" or \"off\", not \"%s\"",
			 t ? t : "");
		return -EINVAL;
	}
	r->trust = onoff_of(g, "trust", &t);
	if (r->trust == -2) {
		snprintf(err, NETDEV_ERR_MAX,
			 "Error: argument of \"trust\" must be \"on\" or \"off\", not \"%s\"",
			 t ? t : "");
		return -EINVAL;
	}
	r->query_rss = onoff_of(g, "query_rss", &t);
	if (r->query_rss == -2) {
		snprintf(err, NETDEV_ERR_MAX,
			 "Error: argument of \"query_rss\" must be \"on\" or \"off\", not \"%s\"",
			 t ? t : "");
		return -EINVAL;
	}
	r->state = -1;
	state = str_of(g, "state");
	if (json_object_object_get_ex(g, "state", NULL)) {
		for (int i = 0; i < 3 && state; i++)
			if (matches(state, link_state_names[i])) {
				r->state = i;
				break;
			}
		if (r->state < 0)
			INVARG(state, "Invalid \"state\" value");
	}
	r->guid = json_object_object_get_ex(g, "node_guid", NULL) ||
		  json_object_object_get_ex(g, "port_guid", NULL);
	return 0;
}

/* A refusal by the driver: RTNETLINK's answer, the keyword in @detail, the reason in the log. */
static int refused(struct mdd_adapter *a, const struct vf_req *r, int ret, const char *kw,
		   const char *why, char *err, char *detail)
{
	snprintf(err, NETDEV_ERR_MAX, "RTNETLINK answers: %s", strerror(-ret));
	snprintf(
	    detail, NETDEV_ERR_MAX,
	    "vf %u%s%.48s refused by %s's driver; nothing was changed (the reason: vfnet dmesg 0)",
	    r->vf, kw[0] ? " " : "", kw, a->netdev.name);
	os__log(MDD_TAG, "%s: vf %u %s refused: %s", a->netdev.name, r->vf, kw, why);
	return ret;
}

/* admin.c's checks of one group, in the order the group would be applied. */
static int check_group(struct mdd_adapter *a, const struct vf_req *r, unsigned taken, char *err,
		       char *detail)
{
	char why[MDD_WHY_LEN] = "", kw[96];
	int ret;

	if ((ret = mdd_check_vf(a, r->vf, why)))
		return refused(a, r, ret, "", why, err, detail);
	if (r->has_mac && (ret = mdd_check_vf_mac(a, r->vf, r->mac, why))) {
		snprintf(kw, sizeof(kw), "mac %s", r->mac_text);
		return refused(a, r, ret, kw, why, err, detail);
	}
	if (r->vlan >= 0 &&
	    (ret = mdd_check_vf_vlan(a, r->vf, (unsigned)r->vlan, r->qos > 0 ? (unsigned)r->qos : 0,
				     r->dot1ad, taken, why))) {
		int n = snprintf(kw, sizeof(kw), "vlan %lld", r->vlan);

		if (r->qos >= 0)
			n += snprintf(kw + n, sizeof(kw) - n, " qos %lld", r->qos);
		if (r->dot1ad)
			snprintf(kw + n, sizeof(kw) - n, " proto 802.1ad");
		return refused(a, r, ret, kw, why, err, detail);
	}
	if (r->has_rate && (ret = mdd_check_vf_rate(a, r->vf, r->min_rate, r->max_rate, why))) {
		/* name the half that was refused */
		const char *min = strstr(r->rate_kw, "min_tx_rate");

		if (r->min_rate && min)
			snprintf(kw, sizeof(kw), "%s", min);
		else
			snprintf(kw, sizeof(kw), "%.*s",
				 min && min > r->rate_kw ? (int)(min - r->rate_kw - 1) : 64,
				 r->rate_kw);
		return refused(a, r, ret, kw, why, err, detail);
	}
	if (r->spoof >= 0 && (ret = mdd_check_vf_spoofchk(a, r->vf, why))) {
		snprintf(kw, sizeof(kw), "spoofchk %s", r->spoof ? "on" : "off");
		return refused(a, r, ret, kw, why, err, detail);
	}
	if (r->state >= 0 &&
	    (ret = mdd_check_vf_link_state(a, r->vf, (enum mdd_link_state)r->state, why))) {
		snprintf(kw, sizeof(kw), "state %s", link_state_names[r->state]);
		return refused(a, r, ret, kw, why, err, detail);
	}
	if (r->query_rss >= 0) {
		snprintf(kw, sizeof(kw), "query_rss %s", r->query_rss ? "on" : "off");
		return refused(a, r, -EOPNOTSUPP, kw,
			       "igb has no ndo_set_vf_rss_query_en: the 82576 VF reads no RSS key",
			       err, detail);
	}
	if (r->guid)
		return refused(a, r, -EOPNOTSUPP, "node_guid/port_guid",
			       "GUIDs are InfiniBand's, not Ethernet's", err, detail);
	return 0;
}

static int apply_group(struct mdd_adapter *a, const struct vf_req *r)
{
	int ret = 0;

	if (r->has_mac)
		ret = mdd_set_vf_mac(a, r->vf, r->mac);
	if (!ret && r->vlan >= 0)
		ret = mdd_set_vf_vlan(a, r->vf, (unsigned)r->vlan,
				      r->qos > 0 ? (unsigned)r->qos : 0, r->dot1ad);
	if (!ret && r->has_rate)
		ret = mdd_set_vf_rate(a, r->vf, r->min_rate, r->max_rate);
	if (!ret && r->spoof >= 0)
		ret = mdd_set_vf_spoofchk(a, r->vf, r->spoof);
	if (!ret && r->state >= 0)
		ret = mdd_set_vf_link_state(a, r->vf, (enum mdd_link_state)r->state);
	if (!ret && r->trust >= 0)
		ret = mdd_set_vf_trust(a, r->vf, r->trust);
	return ret;
}

static int vf_set(struct netdev *nd, void *vfs_, bool apply, char *err, char *detail)
{
	struct mdd_adapter *a = nd->priv;
	json_object *vfs = vfs_;
	struct vf_req req[VF_GROUPS_MAX];
	uint16_t new_vids[VF_GROUPS_MAX];
	unsigned n, nnew = 0;
	int ret;

	if (!json_object_is_type(vfs, json_type_array) || !json_object_array_length(vfs)) {
		snprintf(err, NETDEV_ERR_MAX, "Error: no \"vf N\" group");
		return -EINVAL;
	}
	n = (unsigned)json_object_array_length(vfs);
	if (n > VF_GROUPS_MAX) {
		snprintf(err, NETDEV_ERR_MAX, "Error: %u \"vf\" groups: %s has at most %u VFs", n,
			 nd->name, MDD_MAX_VFS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		if ((ret = parse_group(a, json_object_array_get_idx(vfs, i), &req[i], err)))
			return ret;
		for (unsigned j = 0; j < i; j++)
			if (req[j].vf == req[i].vf) {
				snprintf(err, NETDEV_ERR_MAX,
					 "Error: duplicate \"vf\": \"%u\" is the second value.",
					 req[i].vf);
				return -EINVAL;
			}
	}
	if (!apply) {
		for (unsigned i = 0; i < n; i++) {
			unsigned taken = 0;

			/* VLANs the earlier groups need a new VLVF entry for */
			for (unsigned j = 0; j < nnew; j++)
				taken += new_vids[j] != req[i].vlan;
			if ((ret = check_group(a, &req[i], taken, err, detail)))
				return ret;
			if (req[i].vlan > 0 && !mdd_vlvf_has(a, (uint16_t)req[i].vlan) &&
			    taken == nnew)
				new_vids[nnew++] = (uint16_t)req[i].vlan;
		}
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		if ((ret = apply_group(a, &req[i]))) {
			/* a check missed a rule: say so rather than hide the partial change */
			snprintf(err, NETDEV_ERR_MAX, "RTNETLINK answers: %s", strerror(-ret));
			snprintf(detail, NETDEV_ERR_MAX,
				 "vf %u refused while applying: the groups before it were applied",
				 req[i].vf);
			os__log(MDD_TAG, "%s: vf %u: refused after its check passed (%s)", nd->name,
				req[i].vf, strerror(-ret));
			return ret;
		}
	return 0;
}

/* ---- show ---- */

static json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *vf_json(struct mdd_adapter *a, unsigned vf, unsigned what)
{
	json_object *o = json_object_new_object(), *vlans = json_object_new_array(),
		    *vlan = json_object_new_object(), *rate = json_object_new_object();
	struct mdd_vf_info ivi;
	char mac[18];

	mdd_get_vf_config(a, vf, &ivi);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ivi.mac[0], ivi.mac[1],
		 ivi.mac[2], ivi.mac[3], ivi.mac[4], ivi.mac[5]);
	json_object_object_add(o, "vf", json_object_new_int((int)vf));
	json_object_object_add(o, "link_type", json_object_new_string("ether"));
	json_object_object_add(o, "address", json_object_new_string(mac));
	json_object_object_add(o, "broadcast", json_object_new_string("ff:ff:ff:ff:ff:ff"));
	/* rtnetlink sends one IFLA_VF_VLAN_INFO; iproute2 prints its non-zero fields */
	if (ivi.vlan)
		json_object_object_add(vlan, "vlan", json_object_new_int((int)ivi.vlan));
	if (ivi.qos)
		json_object_object_add(vlan, "qos", json_object_new_int((int)ivi.qos));
	json_object_array_add(vlans, vlan);
	json_object_object_add(o, "vlan_list", vlans);
	/* the kernel fills the legacy rate with the maximum */
	if (ivi.max_tx_rate)
		json_object_object_add(o, "tx_rate", u64(ivi.max_tx_rate));
	json_object_object_add(rate, "max_tx", u64(ivi.max_tx_rate));
	json_object_object_add(rate, "min_tx", u64(ivi.min_tx_rate));
	json_object_object_add(o, "rate", rate);
	json_object_object_add(o, "spoofchk", json_object_new_boolean(ivi.spoofchk));
	json_object_object_add(o, "link_state",
			       json_object_new_string(link_state_names[ivi.link_state]));
	json_object_object_add(o, "trust", json_object_new_boolean(ivi.trusted));
	if (what & NETDEV_JSON_STATS) {
		const struct mdd_vf_stats *s = &a->vf[vf].stats;
		json_object *st = json_object_new_object(), *rx = json_object_new_object(),
			    *tx = json_object_new_object();

		mdd_vf_update_stats(a, vf);
		json_object_object_add(rx, "bytes", u64(s->rx_bytes));
		json_object_object_add(rx, "packets", u64(s->rx_packets));
		json_object_object_add(rx, "multicast", u64(s->rx_multicast));
		/* The 82576 counts no broadcasts and no Tx drops per VF (its VF mirrors are
		 * GPRC, GPTC, GORC, GOTC, MPRC): 0, as Linux reports a field igb leaves unset. */
		json_object_object_add(rx, "broadcast", u64(0));
		json_object_object_add(rx, "dropped", u64(rd32(a, E1000_RQDPC(vf))));
		json_object_object_add(tx, "tx_bytes", u64(s->tx_bytes));
		json_object_object_add(tx, "tx_packets", u64(s->tx_packets));
		json_object_object_add(tx, "dropped", u64(0));
		json_object_object_add(st, "rx", rx);
		json_object_object_add(st, "tx", tx);
		/* vfnet's own, beside iproute2's: what the PF driver refused the VF (spoofed
		 * frames, NACKed requests) and what containment cost it (docs/hypervisor.md):
		 * filter requests beyond its table shares, and the times it held its mailbox
		 * when dom0 wanted it (deferred, then dropped) */
		json_object_object_add(st, "spoof_events", u64(a->vf[vf].spoof_events));
		json_object_object_add(st, "mbx_nacks", u64(a->vf[vf].nacks));
		json_object_object_add(st, "filters_refused", u64(a->vf[vf].refused));
		json_object_object_add(st, "mbx_deferred", u64(a->vf[vf].mbx_deferred));
		json_object_object_add(st, "mbx_dropped", u64(a->vf[vf].mbx_dropped));
		json_object_object_add(o, "stats", st);
	}
	return o;
}

static void vf_show(struct netdev *nd, void *link, unsigned what)
{
	struct mdd_adapter *a = nd->priv;
	json_object *list;

	if (!a->num_vfs)
		return; /* as rtnetlink: no IFLA_VFINFO_LIST without VFs */
	list = json_object_new_array();
	for (unsigned vf = 0; vf < a->num_vfs; vf++)
		json_object_array_add(list, vf_json(a, vf, what));
	json_object_object_add(link, "vfinfo_list", list);
}

const struct netdev_vf_ops mdd_vf_ops = {
    .set = vf_set,
    .show = vf_show,
};
