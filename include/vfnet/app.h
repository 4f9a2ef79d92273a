/*
 * Apps: workloads that run in a domain on a netdev (pktgen, sink, reflector, responder,
 * tapbridge). A domain's configuration lists them (`app = [ 'pktgen dst=... size=64' ]`); the
 * runtime starts each one when its netdev (option dev=NAME, default eth0) appears and stops it when
 * the netdev goes. Several apps may share one netdev.
 */
#ifndef VFNET_APP_H
#define VFNET_APP_H

#include <stdbool.h>

#include "vfnet/netdev.h"

#define APP_MAX_ARGS 16
#define APP_ERR_MAX  160

struct app;

struct app_type {
	const char *name;
	/*
	 * Parse @argv (argc "key=value" options, dev= already taken out), attach to a->nd and
	 * start. Return 0, or -errno with a one-line message in @err naming the bad option.
	 */
	int (*start)(struct app *a, int argc, char **argv, char *err);
	/*
	 * Check @argv as start would, with the same messages, without starting anything and
	 * without a netdev: what `vfnet create` asks before the domain starts. NULL: nothing
	 * to check beyond the app's name.
	 */
	int (*check)(int argc, char **argv, char *err);
	void (*stop)(struct app *a);
	/* Add the app's counters to @obj (a json-c object) for `vfnet stats`. */
	void (*stats)(struct app *a, void *obj);
};

struct app {
	const struct app_type *type;
	struct netdev *nd;
	void *priv;
	unsigned index; /* position in the domain's app list */
	char spec[256];
};

/* Parse an app spec ("pktgen dst=... dev=eth1") against @types without starting it (the name,
 * then the type's check): what `vfnet create` checks before a domain starts. 0, or -errno with
 * a message in @err, the app's own for its options. */
int app__check(const struct app_type *const *types, const char *spec, char *err);

#endif
