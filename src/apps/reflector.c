/*
 * reflector: sends every received frame back where it came from, source and destination MAC
 * swapped, a batch received making one batch sent. The received frames belong to the driver and
 * to the listeners after this one, so they are copied into the reflector's own buffers first.
 * Frames the ring does not take are dropped (counted): the next batch is already coming.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>

#include "vfnet/app.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#include "apps.h"
#include "opts.h"
#include "proto.h"

#define RF_BATCH 32

struct reflector {
	struct netdev *nd;
	struct netdev_listener l;
	uint64_t received, reflected, dropped, errors;
	struct pkt pkts[RF_BATCH];
	uint8_t bufs[RF_BATCH][ETH_FRAME_MAX];
};

static void rf_flush(struct reflector *rf, unsigned n)
{
	int r = netdev__xmit(rf->nd, rf->pkts, n);

	if (r < 0) {
		rf->errors++;
		r = 0;
	}
	rf->reflected += (unsigned)r;
	rf->dropped += n - (unsigned)r;
}

static void rf_rx(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct reflector *rf = opaque;
	unsigned out = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct eth_hdr *in = pkts[i].data;
		struct eth_hdr *eth = (void *)rf->bufs[out];
		uint16_t len = pkts[i].len;

		rf->received++;
		if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
			rf->dropped++;
			continue;
		}
		memcpy(eth->dst, in->src, ETH_ALEN);
		memcpy(eth->src, in->dst, ETH_ALEN);
		memcpy(&eth->type, &in->type, len - 2 * ETH_ALEN);
		rf->pkts[out] = (struct pkt){
		    .data = eth,
		    .len = len,
		    .vlan = pkts[i].vlan,
		    .flags = pkts[i].flags & PKT_VLAN,
		};
		if (++out == RF_BATCH) {
			rf_flush(rf, out);
			out = 0;
		}
	}
	if (out)
		rf_flush(rf, out);
}

static int rf_check(int argc, char **argv, char *err)
{
	const struct opt table[] = {{.key = NULL}};

	return opts__parse("reflector", table, argc, argv, err);
}

static int rf_start(struct app *a, int argc, char **argv, char *err)
{
	struct reflector *rf;
	int r;

	r = rf_check(argc, argv, err);
	if (r)
		return r;
	rf = calloc(1, sizeof(*rf));
	if (!rf) {
		snprintf(err, APP_ERR_MAX, "reflector: out of memory");
		return -ENOMEM;
	}
	rf->nd = a->nd;
	r = apps__open(a, err);
	if (r)
		goto err_free;
	rf->l = (struct netdev_listener){.rx = rf_rx, .opaque = rf};
	r = netdev__listen(a->nd, &rf->l);
	if (r) {
		snprintf(err, APP_ERR_MAX, "reflector: cannot listen on %s: %s", a->nd->name,
			 strerror(-r));
		goto err_free;
	}
	a->priv = rf;
	return 0;

err_free:
	free(rf);
	return r;
}

static void rf_stop(struct app *a)
{
	struct reflector *rf = a->priv;

	netdev__unlisten(a->nd, &rf->l);
	free(rf);
	a->priv = NULL;
}

static void rf_stats(struct app *a, void *obj)
{
	struct reflector *rf = a->priv;

	json_object_object_add(obj, "received", json_object_new_uint64(rf->received));
	json_object_object_add(obj, "reflected", json_object_new_uint64(rf->reflected));
	json_object_object_add(obj, "dropped", json_object_new_uint64(rf->dropped));
	json_object_object_add(obj, "errors", json_object_new_uint64(rf->errors));
}

const struct app_type app_reflector = {
    .name = "reflector",
    .start = rf_start,
    .check = rf_check,
    .stop = rf_stop,
    .stats = rf_stats,
};
