/*
 * The apps vfnet domains can run (include/vfnet/app.h): workloads on a netdev, written against the
 * public runtime API only.
 */
#ifndef VFNET_APPS_APPS_H
#define VFNET_APPS_APPS_H

#include <stdio.h>
#include <string.h>

#include "vfnet/app.h"
#include "vfnet/netdev.h"

extern const struct app_type app_pktgen;    /* UDP test frames, paced, sequenced, timestamped */
extern const struct app_type app_sink;	    /* counts pktgen frames: loss, order, latency */
extern const struct app_type app_reflector; /* sends every frame back with the MACs swapped */
extern const struct app_type app_responder; /* answers ARP, ICMP echo and UDP echo for an IP */
extern const struct app_type app_tapbridge; /* joins the netdev to a Linux TAP device */
extern const struct app_type app_memtouch;  /* writes and checks RAM (dev=none) */

/* Every app, NULL-terminated. */
extern const struct app_type *const vfnet_apps[];

/* Open the app's netdev if nobody has yet: 0, or -errno with a message in @err. */
static inline int apps__open(struct app *a, char *err)
{
	int r;

	if (a->nd->up)
		return 0;
	r = netdev__open(a->nd);
	if (r < 0)
		snprintf(err, APP_ERR_MAX, "%s: cannot open %s: %s", a->type->name, a->nd->name,
			 strerror(-r));
	return r;
}

#endif
