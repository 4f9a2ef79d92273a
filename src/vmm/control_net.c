/*
 * The paravirtual network and xenstore operations of the control socket: network-attach,
 * network-detach, network-list (xl's), and xenstore-read, -write, -rm, -ls (Xen's tools).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"
#include "vmm/control_priv.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/vif.h"
#include "vmm/xenstore.h"

#define fail control__fail

static int need_hv(struct control *c, char *err)
{
	return c->hv ? 0 : fail(err, "this machine has no hypervisor");
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int control__vif_spec(struct json_object *o, struct vif_spec *s, char *err)
{
	struct json_object *v;

	memset(s, 0, sizeof(*s));
	s->devid = -1;
	if (!json_object_is_type(o, json_type_object))
		return fail(err, "a vif is an object {\"mac\", \"bridge\", \"devid\"}");
	json_object_object_foreach(o, key, val)
	{
		if (strcmp(key, "mac") && strcmp(key, "bridge") && strcmp(key, "devid") &&
		    strcmp(key, "domain") && strcmp(key, "op"))
			return fail(err, "unknown vif key \"%s\"",
				    control__shown(key, strlen(key)) ? key : "?");
		(void)val;
	}
	if (json_object_object_get_ex(o, "mac", &v)) {
		const char *m = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) || parse_mac(m, s->mac))
			return fail(err, "vif mac must be xx:xx:xx:xx:xx:xx");
	}
	if (json_object_object_get_ex(o, "bridge", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) >= VIF_BRIDGE_LEN)
			return fail(err, "vif bridge must be a name of 1..15 characters");
		snprintf(s->bridge, sizeof(s->bridge), "%s", json_object_get_string(v));
		if (!s->bridge[0])
			return fail(err, "vif bridge must be a name of 1..15 characters");
	}
	if (json_object_object_get_ex(o, "devid", &v)) {
		int64_t id = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || id < 0 || id >= VIF_MAX)
			return fail(err, "vif devid must be 0..%d", VIF_MAX - 1);
		s->devid = (int)id;
	}
	return vif__check(s, err) ? -EINVAL : 0;
}

/* A value as the reply carries it: "value" when it is UTF-8, else its bytes in "value_hex". */
static void add_value(struct json_object *o, const char *value, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *hex;

	if (utf8__valid(value, len)) {
		json_object_object_add(o, "value", json_object_new_string_len(value, (int)len));
		return;
	}
	if (!(hex = malloc(len * 2 + 1)))
		return;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[(unsigned char)value[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)value[i] & 15];
	}
	json_object_object_add(o, "value_hex", json_object_new_string_len(hex, (int)(len * 2)));
	free(hex);
}

/* A key of a vif's directories; one that is not UTF-8 (a guest's own keys) is left out. */
static void add_key(struct control *c, struct json_object *o, const char *json_key,
		    const char *dir, const char *node)
{
	char path[160], buf[256];
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	if ((n = xenstore__read(c->hv->xs, path, buf, sizeof(buf))) >= 0 &&
	    utf8__valid(buf, (size_t)n) && strlen(buf) == (size_t)n)
		control__add_str(o, json_key, buf);
}

static int op_network_attach(struct control *c, struct json_object *req,
			     struct json_object *reply, char *err)
{
	struct vif_spec s;
	struct domain *d;
	unsigned devid;
	char path[96], mac[24];
	int rc;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err))
		return -EINVAL;
	if (d->role == VFNET_ROLE_DOM0)
		return fail(err, "dom0 has no vifs: its netback serves them");
	if (control__vif_spec(req, &s, err))
		return -EINVAL;
	rc = vif__add(c->hv, d, &s, &devid);
	if (rc == -EEXIST)
		return fail(err, "'%s' has a vif %d already", d->name, s.devid);
	if (rc == -ENOSPC)
		return fail(err, "'%s' has %d vifs, the most it may have", d->name, VIF_MAX);
	if (rc)
		return fail(err, "cannot add a vif to '%s': %s", d->name, strerror(-rc));
	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%u/mac", d->id, devid);
	xenstore__read(c->hv->xs, path, mac, sizeof(mac));
	json_object_object_add(reply, "devid", json_object_new_int((int)devid));
	control__add_str(reply, "mac", mac);
	return 0;
}

static int op_network_detach(struct control *c, struct json_object *req,
			     struct json_object *reply, char *err)
{
	struct json_object *v;
	struct domain *d;
	bool force = false;
	int64_t devid;
	uint64_t token;
	int rc;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err))
		return -EINVAL;
	if (!json_object_object_get_ex(req, "devid", &v) || !json_object_is_type(v, json_type_int) ||
	    (devid = json_object_get_int64(v)) < 0 || devid >= VIF_MAX)
		return fail(err, "\"devid\" must be 0..%d", VIF_MAX - 1);
	if (json_object_object_get_ex(req, "force", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(err, "\"force\" is true or false");
		force = json_object_get_boolean(v);
	}
	/* Politely, as xl network-detach: the reply waits until both ends closed. */
	token = force ? 0 : control__defer(c);
	rc = vif__remove(c->hv, d, (unsigned)devid, !token, token ? control__complete : NULL, c,
			 token);
	if (rc) {
		c->deferred = false;
		if (rc == -EBUSY)
			return fail(err, "vif %lld of '%s' is already being removed",
				    (long long)devid, d->name);
		return fail(err, "'%s' has no vif %lld", d->name, (long long)devid);
	}
	return 0;
}

static int op_network_list(struct control *c, struct json_object *req,
			   struct json_object *reply, char *err)
{
	struct json_object *arr;
	struct domain *d;
	unsigned ids[VIF_MAX], n;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err))
		return -EINVAL;
	arr = json_object_new_array();
	n = vif__list(c->hv, d, ids);
	for (unsigned i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		char fe[96], be[96];

		snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", d->id, ids[i]);
		snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", d->id, ids[i]);
		json_object_object_add(o, "devid", json_object_new_int((int)ids[i]));
		json_object_object_add(o, "backend_id", json_object_new_int(0));
		add_key(c, o, "mac", be, "mac");
		add_key(c, o, "bridge", be, "bridge");
		add_key(c, o, "handle", fe, "handle");
		add_key(c, o, "state", fe, "state");
		add_key(c, o, "backend_state", be, "state");
		add_key(c, o, "evtch", fe, "event-channel");
		add_key(c, o, "evtch_tx", fe, "event-channel-tx");
		add_key(c, o, "evtch_rx", fe, "event-channel-rx");
		add_key(c, o, "tx_ring_ref", fe, "tx-ring-ref");
		add_key(c, o, "rx_ring_ref", fe, "rx-ring-ref");
		add_key(c, o, "hotplug_status", be, "hotplug-status");
		add_key(c, o, "vifname", be, "vifname");
		control__add_str(o, "be_path", be);
		control__add_str(o, "fe_path", fe);
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "vifs", arr);
	return 0;
}

static int get_path(struct json_object *req, const char **path, char *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, "path", &v) || !json_object_is_type(v, json_type_string))
		return fail(err, "missing \"path\"");
	*path = json_object_get_string(v);
	return 0;
}

static int xs_fail(int rc, const char *path, char *err)
{
	const char *shown = control__shown(path, strlen(path));

	if (rc == -ENOENT)
		return fail(err, "%s: no such node", shown ? shown : "(path)");
	if (rc == -EINVAL)
		return fail(err, "%s: not a valid xenstore path", shown ? shown : "(path)");
	return fail(err, "%s: %s", shown ? shown : "(path)", strerror(-rc));
}

static int op_xs_read(struct control *c, struct json_object *req, struct json_object *reply,
		      char *err)
{
	const char *path;
	char *buf;
	int rc;

	if (need_hv(c, err) || get_path(req, &path, err))
		return -EINVAL;
	if (!(buf = malloc(XENSTORE_PAYLOAD_MAX + 1)))
		return fail(err, "out of memory");
	rc = xenstore__read(c->hv->xs, path, buf, XENSTORE_PAYLOAD_MAX + 1);
	if (rc >= 0)
		add_value(reply, buf, (size_t)rc);
	free(buf);
	return rc < 0 ? xs_fail(rc, path, err) : 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

static int op_xs_write(struct control *c, struct json_object *req, struct json_object *reply,
		       char *err)
{
	struct json_object *v, *hex;
	const char *path;
	char *bytes = NULL;
	int rc;

	if (need_hv(c, err) || get_path(req, &path, err))
		return -EINVAL;
	if (!json_object_object_get_ex(req, "value", &v))
		v = NULL;
	if (!json_object_object_get_ex(req, "value_hex", &hex))
		hex = NULL;
	if (!v == !hex)
		return fail(err, "one of \"value\" and \"value_hex\" is needed");
	if (hex) {
		/* Any bytes but NUL, as two hex digits each: a JSON string carries only UTF-8. */
		const char *h = json_object_get_string(hex);
		size_t n = (size_t)json_object_get_string_len(hex);

		if (!json_object_is_type(hex, json_type_string) || n % 2 ||
		    n / 2 > XENSTORE_PAYLOAD_MAX)
			return fail(err, "\"value_hex\" must be an even number of hex digits");
		if (!(bytes = malloc(n / 2 + 1)))
			return fail(err, "out of memory");
		for (size_t i = 0; i < n / 2; i++) {
			int hi = hex_digit(h[2 * i]), lo = hex_digit(h[2 * i + 1]);

			if (hi < 0 || lo < 0 || !(hi | lo)) {
				free(bytes);
				return fail(err, hi < 0 || lo < 0 ? "\"value_hex\" holds a character "
								    "that is not a hex digit"
								  : "a value with a NUL byte");
			}
			bytes[i] = (char)(hi << 4 | lo);
		}
		bytes[n / 2] = '\0';
	} else {
		if (!json_object_is_type(v, json_type_string))
			return fail(err, "\"value\" must be a string");
		if ((size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v)))
			return fail(err, "a value with a NUL byte");
	}
	rc = xenstore__write(c->hv->xs, path, bytes ? bytes : json_object_get_string(v), NULL);
	free(bytes);
	return rc ? xs_fail(rc, path, err) : 0;
}

static int op_xs_rm(struct control *c, struct json_object *req, struct json_object *reply,
		    char *err)
{
	const char *path;
	int rc;

	if (need_hv(c, err) || get_path(req, &path, err))
		return -EINVAL;
	rc = xenstore__rm(c->hv->xs, path);
	return rc ? xs_fail(rc, path, err) : 0;
}

static void ls_node(void *opaque, const char *path, const char *value, size_t len,
		    unsigned depth, const char *perms)
{
	struct json_object *o = json_object_new_object();

	control__add_str(o, "path", path);
	add_value(o, value, len);
	json_object_object_add(o, "depth", json_object_new_int((int)depth));
	control__add_str(o, "perms", perms);
	json_object_array_add(opaque, o);
}

static int op_xs_ls(struct control *c, struct json_object *req, struct json_object *reply,
		    char *err)
{
	struct json_object *arr;
	const char *path = "/";
	int rc;

	if (need_hv(c, err))
		return -EINVAL;
	if (json_object_object_get_ex(req, "path", NULL) && get_path(req, &path, err))
		return -EINVAL;
	arr = json_object_new_array();
	if ((rc = xenstore__walk(c->hv->xs, path, ls_node, arr))) {
		json_object_put(arr);
		return xs_fail(rc, path, err);
	}
	json_object_object_add(reply, "nodes", arr);
	return 0;
}

static const char *const attach_keys[] = {"domain", "mac", "bridge", "devid", NULL};
static const char *const detach_keys[] = {"domain", "devid", "force", NULL};
static const char *const dom_keys[] = {"domain", NULL};
static const char *const path_keys[] = {"path", NULL};
static const char *const write_keys[] = {"path", "value", "value_hex", NULL};

const struct control_op control_net_ops[] = {
	{"network-attach", attach_keys, op_network_attach},
	{"network-detach", detach_keys, op_network_detach},
	{"network-list", dom_keys, op_network_list},
	{"xenstore-read", path_keys, op_xs_read},
	{"xenstore-write", write_keys, op_xs_write},
	{"xenstore-rm", path_keys, op_xs_rm},
	{"xenstore-ls", path_keys, op_xs_ls},
	{NULL, NULL, NULL},
};
