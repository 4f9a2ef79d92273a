/*
 * Requests of the `vfnet` tools to dom0 (os__service), for every MDD port:
 *
 *   {"op":"sriov", "pf":"pf0", "numvfs":N?}
 *       -> {"pf","slot","total","enabled","vfs":["01:10.0",...]}
 *   {"op":"ip-link-set", "pf":"pf0", "vf":N, "mac"?, "vlan"?, ...}  (one group, flat), or
 *   {"op":"ip-link-set", "pf":"pf0", "vfs":[{"vf":N, ...}, ...]}
 *       -> {"link": the PF as link-show gives it}
 *
 * `vfnet ip link` itself goes through the runtime's link-show and link-set (src/os/link.c),
 * which reach the VFs through the netdev's vf_ops (vflink.c); ip-link-set is the same for
 * callers that name a PF and VF groups only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mdd.h"

#define ERR_LEN 160

static struct mdd_adapter *adapters OS_SAVED;
static bool registered OS_SAVED;

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
	n = mdd_json_uint(req, "numvfs", &text);
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

/* ---- ip-link-set: the old flat form, {"pf", "vf", "mac", ...}, or {"pf", "vfs": [...]} ---- */

static int svc_ip_link_set(void *opaque, void *req_, void *reply_, char *err)
{
	json_object *req = req_, *reply = reply_, *vfs, *link;
	char detail[NETDEV_ERR_MAX] = "";
	struct mdd_adapter *a;
	int ret = 0;

	a = pf_of(req, err, &ret);
	if (!a)
		return ret;
	if (json_object_object_get_ex(req, "vfs", &vfs)) {
		json_object_get(vfs);
	} else {
		json_object *group = json_object_new_object();

		json_object_object_foreach(req, key, val)
			if (strcmp(key, "op") && strcmp(key, "pf"))
				json_object_object_add(group, key, json_object_get(val));
		vfs = json_object_new_array();
		json_object_array_add(vfs, group);
	}
	ret = mdd_vf_ops.set(&a->netdev, vfs, false, err, detail);
	if (!ret)
		ret = mdd_vf_ops.set(&a->netdev, vfs, true, err, detail);
	json_object_put(vfs);
	if (ret) {
		if (detail[0])
			json_object_object_add(reply, "detail", json_object_new_string(detail));
		return ret;
	}
	link = json_object_new_object();
	netdev__json(&a->netdev, link, 0);
	mdd_vf_ops.show(&a->netdev, link, 0);
	json_object_object_add(reply, "link", link);
	return 0;
}

void mdd_service_add(struct mdd_adapter *a)
{
	a->next = adapters;
	adapters = a;
	a->netdev.vf_ops = &mdd_vf_ops;
	if (registered)
		return;
	/* one handler per op for every port: requests name their PF */
	if (os__service("sriov", svc_sriov, NULL) ||
	    os__service("ip-link-set", svc_ip_link_set, NULL))
		os__log(MDD_TAG, "cannot register the sriov/ip-link-set services");
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
