/*
 * netback for `vfnet` tools (dom0's services):
 *   {"op":"netback-vifs"} -> {"time_ns", "vifs":[{"ifname","domid","devid","mac","bridge",
 *      "state","tx_mode","connected","disabled","cpu_ns", counters...}]}
 * time_ns is CLOCK_MONOTONIC at the reading (the host's clock too), for rates over it.
 */
#include <json-c/json.h>
#include <time.h>

#include "netback.h"

static void add(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static int svc_vifs(void *opaque, void *req, void *reply, char *err)
{
	json_object *arr = json_object_new_array();
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	add(reply, "time_ns", (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);

	for (struct netback_vif *v = netback_vifs; v; v = v->next) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "ifname", json_object_new_string(v->nd.name));
		add(o, "domid", v->domid);
		add(o, "devid", v->handle);
		json_object_object_add(o, "mac", json_object_new_string(v->guest_mac));
		json_object_object_add(o, "bridge", json_object_new_string(v->bridge));
		json_object_object_add(o, "state",
				       json_object_new_string(xenbus__strstate(v->dev->state)));
		json_object_object_add(o, "tx_mode", json_object_new_string(
							     v->tx_mode == NETBACK_TX_MAP ? "map"
											  : "copy"));
		json_object_object_add(o, "connected", json_object_new_boolean(v->connected));
		json_object_object_add(o, "disabled", json_object_new_boolean(v->disabled));
		add(o, "cpu_ns", v->cpu_ns);
		add(o, "rx_packets", v->nd.stats.rx_packets); /* from the guest */
		add(o, "rx_bytes", v->nd.stats.rx_bytes);
		add(o, "tx_packets", v->nd.stats.tx_packets); /* to the guest */
		add(o, "tx_bytes", v->nd.stats.tx_bytes);
		add(o, "tx_dropped", v->nd.stats.tx_dropped);
		add(o, "tx_errors_frontend", v->tx_errors_frontend);
		add(o, "fatal", v->tx_fatal);
		add(o, "rx_queued", v->rx_no_buffer);
		add(o, "rx_queue_drops", v->rx_queue_drops);
		/* what never reached the other side, either way: for the tools' drops columns */
		add(o, "drops", v->nd.stats.tx_dropped + v->rx_queue_drops + v->tx_errors_frontend);
		add(o, "rx_drained", v->rx_drained);
		add(o, "tx_copy_ops", v->tx_copy_ops);
		add(o, "tx_map_ops", v->tx_map_ops);
		add(o, "rx_copy_ops", v->rx_copy_ops);
		add(o, "hypercalls", v->hypercalls);
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "vifs", arr);
	return 0;
}

void netback_service__init(void)
{
	os__service("netback-vifs", svc_vifs, NULL);
}
