/*
 * The bridges for `vfnet` tools (dom0's services):
 *   {"op":"brctl-show"} -> {"bridges":[{"name","id","stp","interfaces":[...]}]}
 *   {"op":"bridge-fdb-show", "br"?} -> {"fdb":[{"mac","ifname","master","state","age"}]}
 *   {"op":"bridge-stats"} -> {"bridges":[{"name","forwarded","flooded","filtered","local_rx",
 *                             "fdb_entries","fdb_full","ports":[{"ifname","no","rx","tx","tx_dropped"}]}]}
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vfnet/os.h"

#include "bridge.h"

static void mac_str(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int svc_show(void *opaque, void *req, void *reply, char *err)
{
	json_object *arr = json_object_new_array();

	for (struct bridge *br = bridge__next(NULL); br; br = bridge__next(br)) {
		json_object *o = json_object_new_object(), *ifs = json_object_new_array();
		const uint8_t *m = br->nd.mac;
		char id[32];

		/* brctl's bridge id: priority 8000, then the address. */
		snprintf(id, sizeof(id), "8000.%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2], m[3], m[4],
			 m[5]);
		json_object_object_add(o, "name", json_object_new_string(br->nd.name));
		json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "stp", json_object_new_string("no"));
		for (unsigned q = 0; q < BRIDGE_MAX_PORTS; q++)
			if (br->ports[q])
				json_object_array_add(ifs,
						      json_object_new_string(br->ports[q]->nd->name));
		json_object_object_add(o, "interfaces", ifs);
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "bridges", arr);
	return 0;
}

static int svc_fdb(void *opaque, void *req, void *reply, char *err)
{
	json_object *arr = json_object_new_array(), *v;
	const char *only = NULL;
	uint64_t now = os__now_ns();

	if (json_object_object_get_ex(req, "br", &v))
		only = json_object_get_string(v);
	if (only && !bridge__get(only)) {
		snprintf(err, 160, "Cannot find bridge device \"%.*s\"", NETDEV_NAME_LEN, only);
		return -ENODEV;
	}
	for (struct bridge *br = bridge__next(NULL); br; br = bridge__next(br)) {
		if (only && strcmp(only, br->nd.name))
			continue;
		for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++) {
			const struct fdb_entry *e = &br->fdb[i];
			json_object *o;
			char mac[18];

			if (!e->used || fdb__lookup(br, e->mac, now) < 0 || !br->ports[e->port])
				continue;
			o = json_object_new_object();
			mac_str(e->mac, mac);
			json_object_object_add(o, "mac", json_object_new_string(mac));
			json_object_object_add(o, "ifname",
					       json_object_new_string(br->ports[e->port]->nd->name));
			json_object_object_add(o, "master", json_object_new_string(br->nd.name));
			json_object_object_add(o, "state", json_object_new_string(""));
			json_object_object_add(o, "age",
					       json_object_new_int64((int64_t)((now - e->seen_ns) /
									       1000000000ull)));
			json_object_array_add(arr, o);
		}
	}
	json_object_object_add(reply, "fdb", arr);
	return 0;
}

static int svc_stats(void *opaque, void *req, void *reply, char *err)
{
	json_object *arr = json_object_new_array();

	for (struct bridge *br = bridge__next(NULL); br; br = bridge__next(br)) {
		json_object *o = json_object_new_object(), *ports = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(br->nd.name));
		json_object_object_add(o, "forwarded", json_object_new_int64((int64_t)br->forwarded));
		json_object_object_add(o, "flooded", json_object_new_int64((int64_t)br->flooded));
		json_object_object_add(o, "filtered", json_object_new_int64((int64_t)br->filtered));
		json_object_object_add(o, "local_rx", json_object_new_int64((int64_t)br->local_rx));
		json_object_object_add(o, "fdb_entries", json_object_new_int64((int64_t)br->nfdb));
		json_object_object_add(o, "fdb_full", json_object_new_int64((int64_t)br->fdb_full));
		for (unsigned q = 0; q < BRIDGE_MAX_PORTS; q++) {
			const struct bridge_port *bp = br->ports[q];
			json_object *p;

			if (!bp)
				continue;
			p = json_object_new_object();
			json_object_object_add(p, "ifname", json_object_new_string(bp->nd->name));
			json_object_object_add(p, "no", json_object_new_int((int)bp->no));
			json_object_object_add(p, "rx", json_object_new_int64((int64_t)bp->rx_frames));
			json_object_object_add(p, "tx", json_object_new_int64((int64_t)bp->tx_frames));
			json_object_object_add(p, "tx_dropped",
					       json_object_new_int64((int64_t)bp->tx_dropped));
			json_object_array_add(ports, p);
		}
		json_object_object_add(o, "ports", ports);
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "bridges", arr);
	return 0;
}

void bridge_service__init(void)
{
	os__service("brctl-show", svc_show, NULL);
	os__service("bridge-fdb-show", svc_fdb, NULL);
	os__service("bridge-stats", svc_stats, NULL);
}
