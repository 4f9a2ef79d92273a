/*
 * Requests of the `vfnet` tools to dom0 (os__service), for every MDD port:
 *
 *   {"op":"sriov", "pf":"pf0", "numvfs":N?}
 *       -> {"pf","slot","total","enabled","vfs":["01:10.0",...]}
 *   {"op":"ip-link-set", "pf":"pf0", "vf":N, "mac"?, "vlan"?, "qos"?, "proto"?, "rate"?,
 *    "max_tx_rate"?, "min_tx_rate"?, "spoofchk"?, "trust"?, "state"?}
 *       -> the VF's entry as ip-link-show gives it
 *   {"op":"ip-link-show", "pf":"pf0"?, "stats":bool?}
 *       -> {"links":[{PF fields, "vfinfo_list":[{VF fields, "line":"    vf 0 ..."}]}]}
 *          with stats, each VF's counters also say what containment refused it
 *          (filters_refused, mbx_deferred, mbx_dropped; docs/hypervisor.md)
 *
 * Numbers may come as JSON numbers or strings, on/off as booleans or "on"/"off": arguments are
 * checked as iproute2 checks them, with its messages, before anything is applied; driver errors
 * read "RTNETLINK answers: ...". Options apply in the kernel's order (mac, vlan, rate, spoofchk,
 * link state, trust) and stop at the first error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mdd.h"

#define ERR_LEN 160

static struct mdd_adapter *adapters;
static bool registered;

static struct mdd_adapter *find_pf(const char *name)
{
	for (struct mdd_adapter *a = adapters; a; a = a->next)
		if (!strcmp(a->netdev.name, name))
			return a;
	return NULL;
}

static const char *str_of(json_object *req, const char *key)
{
	json_object *o;

	if (!json_object_object_get_ex(req, key, &o) || json_object_is_type(o, json_type_null))
		return NULL;
	return json_object_get_string(o);
}

/* A non-negative integer from a number or a string; -1 if absent, -2 if malformed. */
static long long uint_of(json_object *req, const char *key, const char **text)
{
	json_object *o;
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
	if (!strcmp(*text, "on"))
		return 1;
	if (!strcmp(*text, "off"))
		return 0;
	return -2;
}

static bool parse_mac(const char *s, uint8_t *mac)
{
	unsigned b[ETH_ALEN];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return false;
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return false;
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

static void fmt_mac(char *buf, const uint8_t *m)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static struct mdd_adapter *pf_of(json_object *req, char *err, int *ret)
{
	const char *name = str_of(req, "pf");
	struct mdd_adapter *a;

	if (!name) {
		snprintf(err, ERR_LEN, "missing \"pf\"");
		*ret = -EINVAL;
		return NULL;
	}
	a = find_pf(name);
	if (!a) {
		snprintf(err, ERR_LEN, "Cannot find device \"%s\"", name);
		*ret = -ENODEV;
	}
	return a;
}

/* ---- sriov ---- */

static int svc_sriov(void *opaque, void *req_, void *reply_, char *err)
{
	json_object *req = req_, *reply = reply_, *vfs;
	const char *text;
	struct mdd_adapter *a;
	long long n;
	int ret = 0;

	a = pf_of(req, err, &ret);
	if (!a)
		return ret;
	n = uint_of(req, "numvfs", &text);
	if (n == -2) {
		snprintf(err, ERR_LEN, "invalid numvfs \"%s\"", text);
		return -EINVAL;
	}
	if (n >= 0) {
		char msg[ERR_LEN];

		if (n > 65535) {
			snprintf(err, ERR_LEN, "numvfs %lld: %s", n, strerror(ERANGE));
			return -ERANGE;
		}
		ret = mdd_sriov_set(a, (int)n, msg, sizeof(msg));
		if (ret < 0) {
			if (msg[0])
				os__log(MDD_TAG, "%s", msg);
			snprintf(err, ERR_LEN, "%s", msg[0] ? msg : strerror(-ret));
			return ret;
		}
	}
	json_object_object_add(reply, "pf", json_object_new_string(a->netdev.name));
	json_object_object_add(reply, "slot", json_object_new_string(a->pdev->slot));
	json_object_object_add(reply, "total", json_object_new_int((int)mdd_sriov_total(a)));
	json_object_object_add(reply, "enabled", json_object_new_int((int)a->num_vfs));
	vfs = json_object_new_array();
	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		struct pci_dev *d = pci__vf(a->pdev, vf);

		json_object_array_add(vfs, d ? json_object_new_string(d->slot) : NULL);
	}
	json_object_object_add(reply, "vfs", vfs);
	return 0;
}

/* ---- ip-link-show ---- */

static const char *const link_state_names[] = { "auto", "enable", "disable" };

static json_object *vf_json(struct mdd_adapter *a, unsigned vf, bool stats)
{
	json_object *o = json_object_new_object();
	struct mdd_vf_info ivi;
	char mac[18], line[256], who[64] = "";
	int n;

	mdd_get_vf_config(a, vf, &ivi);
	fmt_mac(mac, ivi.mac);
	json_object_object_add(o, "vf", json_object_new_int((int)vf));
	json_object_object_add(o, "link_type", json_object_new_string("ether"));
	json_object_object_add(o, "address", json_object_new_string(mac));
	json_object_object_add(o, "broadcast", json_object_new_string("ff:ff:ff:ff:ff:ff"));
	json_object_object_add(o, "vlan", json_object_new_int((int)ivi.vlan));
	json_object_object_add(o, "qos", json_object_new_int((int)ivi.qos));
	json_object_object_add(o, "tx_rate", json_object_new_int((int)ivi.max_tx_rate));
	json_object_object_add(o, "max_tx_rate", json_object_new_int((int)ivi.max_tx_rate));
	json_object_object_add(o, "min_tx_rate", json_object_new_int((int)ivi.min_tx_rate));
	json_object_object_add(o, "spoofchk", json_object_new_boolean(ivi.spoofchk));
	json_object_object_add(o, "link_state",
			       json_object_new_string(link_state_names[ivi.link_state]));
	json_object_object_add(o, "trust", json_object_new_boolean(ivi.trusted));
	if (pci__vf(a->pdev, vf))
		json_object_object_add(o, "slot", json_object_new_string(pci__vf(a->pdev, vf)->slot));
	if (pci__vf_assigned(a->pdev, vf, who, sizeof(who)))
		json_object_object_add(o, "assigned", json_object_new_string(who));

	/* the line `ip link show` prints (iproute2-vf.md section 3) */
	n = snprintf(line, sizeof(line), "    vf %u     link/ether %s brd ff:ff:ff:ff:ff:ff", vf,
		     mac);
	if (ivi.vlan)
		n += snprintf(line + n, sizeof(line) - n, ", vlan %u", ivi.vlan);
	if (ivi.qos)
		n += snprintf(line + n, sizeof(line) - n, ", qos %u", ivi.qos);
	if (ivi.max_tx_rate)
		n += snprintf(line + n, sizeof(line) - n, ", tx rate %u (Mbps), max_tx_rate %uMbps",
			      ivi.max_tx_rate, ivi.max_tx_rate);
	snprintf(line + n, sizeof(line) - n, ", spoof checking %s, link-state %s, trust %s",
		 ivi.spoofchk ? "on" : "off", link_state_names[ivi.link_state],
		 ivi.trusted ? "on" : "off");
	json_object_object_add(o, "line", json_object_new_string(line));

	if (stats) {
		const struct mdd_vf_stats *s = &a->vf[vf].stats;
		json_object *st = json_object_new_object();

		mdd_vf_update_stats(a, vf);
		json_object_object_add(st, "rx_bytes", json_object_new_int64((int64_t)s->rx_bytes));
		json_object_object_add(st, "rx_packets",
				       json_object_new_int64((int64_t)s->rx_packets));
		json_object_object_add(st, "multicast",
				       json_object_new_int64((int64_t)s->rx_multicast));
		json_object_object_add(st, "broadcast", json_object_new_int64(0));
		json_object_object_add(st, "rx_dropped",
				       json_object_new_int64((int64_t)rd32(a, E1000_RQDPC(vf))));
		json_object_object_add(st, "tx_bytes", json_object_new_int64((int64_t)s->tx_bytes));
		json_object_object_add(st, "tx_packets",
				       json_object_new_int64((int64_t)s->tx_packets));
		json_object_object_add(st, "tx_dropped", json_object_new_int64(0));
		json_object_object_add(st, "spoof_events",
				       json_object_new_int64((int64_t)a->vf[vf].spoof_events));
		json_object_object_add(st, "mbx_nacks", json_object_new_int64((int64_t)a->vf[vf].nacks));
		/* containment (docs/hypervisor.md): requests beyond its table shares, and the
		 * times it held its mailbox when dom0 wanted it (deferred, then dropped) */
		json_object_object_add(st, "filters_refused",
				       json_object_new_int64((int64_t)a->vf[vf].refused));
		json_object_object_add(st, "mbx_deferred",
				       json_object_new_int64((int64_t)a->vf[vf].mbx_deferred));
		json_object_object_add(st, "mbx_dropped",
				       json_object_new_int64((int64_t)a->vf[vf].mbx_dropped));
		json_object_object_add(o, "stats", st);
	}
	return o;
}

static json_object *pf_json(struct mdd_adapter *a, bool stats)
{
	json_object *o = json_object_new_object(), *list = json_object_new_array();
	const struct netdev *nd = &a->netdev;
	char mac[18];

	fmt_mac(mac, nd->mac);
	json_object_object_add(o, "ifname", json_object_new_string(nd->name));
	json_object_object_add(o, "slot", json_object_new_string(a->pdev->slot));
	json_object_object_add(o, "address", json_object_new_string(mac));
	json_object_object_add(o, "broadcast", json_object_new_string("ff:ff:ff:ff:ff:ff"));
	json_object_object_add(o, "mtu", json_object_new_int((int)nd->mtu));
	json_object_object_add(o, "up", json_object_new_boolean(nd->up));
	json_object_object_add(o, "carrier", json_object_new_boolean(nd->carrier));
	json_object_object_add(o, "speed", json_object_new_int((int)a->link_speed));
	json_object_object_add(o, "num_vf", json_object_new_int((int)a->num_vfs));
	json_object_object_add(o, "total_vfs", json_object_new_int((int)mdd_sriov_total(a)));
	if (stats) {
		json_object *st = json_object_new_object();

		json_object_object_add(st, "rx_bytes", json_object_new_int64((int64_t)nd->stats.rx_bytes));
		json_object_object_add(st, "rx_packets",
				       json_object_new_int64((int64_t)nd->stats.rx_packets));
		json_object_object_add(st, "rx_errors",
				       json_object_new_int64((int64_t)nd->stats.rx_errors));
		json_object_object_add(st, "rx_dropped",
				       json_object_new_int64((int64_t)nd->stats.rx_dropped));
		json_object_object_add(st, "tx_bytes", json_object_new_int64((int64_t)nd->stats.tx_bytes));
		json_object_object_add(st, "tx_packets",
				       json_object_new_int64((int64_t)nd->stats.tx_packets));
		json_object_object_add(st, "tx_errors",
				       json_object_new_int64((int64_t)nd->stats.tx_errors));
		json_object_object_add(st, "tx_dropped",
				       json_object_new_int64((int64_t)nd->stats.tx_dropped));
		json_object_object_add(o, "stats", st);
	}
	for (unsigned vf = 0; vf < a->num_vfs; vf++)
		json_object_array_add(list, vf_json(a, vf, stats));
	json_object_object_add(o, "vfinfo_list", list);
	return o;
}

static int svc_ip_link_show(void *opaque, void *req_, void *reply_, char *err)
{
	json_object *req = req_, *reply = reply_, *links = json_object_new_array();
	const char *text;
	struct mdd_adapter *a = NULL;
	bool stats = onoff_of(req, "stats", &text) == 1;
	int ret = 0;

	if (str_of(req, "pf")) {
		a = pf_of(req, err, &ret);
		if (!a) {
			json_object_put(links);
			return ret;
		}
		json_object_array_add(links, pf_json(a, stats));
	} else {
		for (a = adapters; a; a = a->next)
			json_object_array_add(links, pf_json(a, stats));
	}
	json_object_object_add(reply, "links", links);
	return 0;
}

/* ---- ip-link-set ---- */

#define INVARG(val, what)                                                                  \
	do {                                                                               \
		snprintf(err, ERR_LEN, "Error: argument \"%s\" is wrong: %s", (val), (what)); \
		return -EINVAL;                                                            \
	} while (0)

static int svc_ip_link_set(void *opaque, void *req_, void *reply_, char *err)
{
	json_object *req = req_, *reply = reply_, *entry;
	const char *t, *mac_s, *proto_s, *state_s;
	long long vf, vlan, qos, rate, max_rate, min_rate;
	int spoof, trust, state = -1, ret = 0;
	uint8_t mac[ETH_ALEN];
	bool dot1ad = false;
	struct mdd_adapter *a;

	a = pf_of(req, err, &ret);
	if (!a)
		return ret;
	vf = uint_of(req, "vf", &t);
	if (vf == -1) {
		snprintf(err, ERR_LEN, "Error: missing \"vf\"");
		return -EINVAL;
	}
	if (vf < 0 || vf >= 0x7fffffff)
		INVARG(t, "Invalid \"vf\" value");
	mac_s = str_of(req, "mac");
	if (mac_s && !parse_mac(mac_s, mac)) {
		snprintf(err, ERR_LEN, "\"%s\" is invalid lladdr.", mac_s);
		return -EINVAL;
	}
	vlan = uint_of(req, "vlan", &t);
	if (vlan == -2 || vlan > 4095)
		INVARG(t, "Invalid \"vlan\" value");
	qos = uint_of(req, "qos", &t);
	if (qos == -2)
		INVARG(t, "Invalid \"qos\" value");
	proto_s = str_of(req, "proto");
	if ((qos >= 0 || proto_s) && vlan < 0) {
		snprintf(err, ERR_LEN, "Error: \"%s\" requires \"vlan\"", qos >= 0 ? "qos" : "proto");
		return -EINVAL;
	}
	if (proto_s) {
		if (!strcasecmp(proto_s, "802.1ad"))
			dot1ad = true;
		else if (strcasecmp(proto_s, "802.1q"))
			INVARG(proto_s, "protocol is invalid");
	}
	rate = uint_of(req, "rate", &t);
	if (rate == -2)
		INVARG(t, "Invalid \"rate\" value");
	max_rate = uint_of(req, "max_tx_rate", &t);
	if (max_rate == -2)
		INVARG(t, "Invalid \"max tx rate\" value");
	min_rate = uint_of(req, "min_tx_rate", &t);
	if (min_rate == -2)
		INVARG(t, "Invalid \"min tx rate\" value");
	if (max_rate < 0 && min_rate >= 0 && rate >= 0)
		max_rate = rate; /* rate is the max when it comes with min_tx_rate */
	if (max_rate > 0 && min_rate > max_rate) {
		snprintf(err, ERR_LEN, "Invalid min_tx_rate %lld - must be <= max_tx_rate %lld",
			 min_rate, max_rate);
		return -EINVAL;
	}
	spoof = onoff_of(req, "spoofchk", &t);
	if (spoof == -2) {
		snprintf(err, ERR_LEN, "Error: argument of \"spoofchk\" must be \"on\" or \"off\", not \"%s\"", t);
		return -EINVAL;
	}
	trust = onoff_of(req, "trust", &t);
	if (trust == -2) {
		snprintf(err, ERR_LEN, "Error: argument of \"trust\" must be \"on\" or \"off\", not \"%s\"", t);
		return -EINVAL;
	}
	state_s = str_of(req, "state");
	if (state_s) {
		for (int i = 0; i < 3; i++)
			if (!strcmp(state_s, link_state_names[i]))
				state = i;
		if (state < 0)
			INVARG(state_s, "Invalid \"state\" value");
	}

	/* the kernel's order (do_setvfinfo), stopping at the first error */
	if (mac_s)
		ret = mdd_set_vf_mac(a, (unsigned)vf, mac);
	if (!ret && vlan >= 0)
		ret = mdd_set_vf_vlan(a, (unsigned)vf, (unsigned)vlan, qos > 0 ? (unsigned)qos : 0,
				      dot1ad);
	if (!ret && (rate >= 0 || max_rate >= 0 || min_rate >= 0)) {
		unsigned cur_max = (unsigned)vf < a->num_vfs ? a->vf[vf].max_tx_rate : 0;

		ret = mdd_set_vf_rate(a, (unsigned)vf, min_rate >= 0 ? (unsigned)min_rate : 0,
				      max_rate >= 0 ? (unsigned)max_rate
				      : rate >= 0   ? (unsigned)rate
						    : cur_max);
	}
	if (!ret && spoof >= 0)
		ret = mdd_set_vf_spoofchk(a, (unsigned)vf, spoof);
	if (!ret && state >= 0)
		ret = mdd_set_vf_link_state(a, (unsigned)vf, (enum mdd_link_state)state);
	if (!ret && trust >= 0)
		ret = mdd_set_vf_trust(a, (unsigned)vf, trust);
	if (!ret && (unsigned long long)vf >= a->num_vfs)
		ret = -EINVAL;
	if (ret) {
		snprintf(err, ERR_LEN, "RTNETLINK answers: %s", strerror(-ret));
		return ret;
	}
	entry = vf_json(a, (unsigned)vf, false);
	json_object_object_foreach(entry, key, val)
		json_object_object_add(reply, key, json_object_get(val));
	json_object_put(entry);
	return 0;
}

void mdd_service_add(struct mdd_adapter *a)
{
	a->next = adapters;
	adapters = a;
	if (registered)
		return;
	/* one handler per op for every port: requests name their PF */
	if (os__service("sriov", svc_sriov, NULL) ||
	    os__service("ip-link-set", svc_ip_link_set, NULL) ||
	    os__service("ip-link-show", svc_ip_link_show, NULL))
		os__log(MDD_TAG, "cannot register the sriov/ip-link services");
	registered = true;
}

void mdd_service_del(struct mdd_adapter *a)
{
	for (struct mdd_adapter **p = &adapters; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
}
