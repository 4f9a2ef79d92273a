/*
 * Options of apps: "key=value" words, checked against a table. Every error is one line that names
 * the app, the option and what it accepts ("pktgen: bad value 'x' for size (60..9234)"), at most
 * APP_ERR_MAX bytes, ready to be returned from app_type.start.
 */
#ifndef VFNET_APPS_OPTS_H
#define VFNET_APPS_OPTS_H

#include <stdbool.h>
#include <stdint.h>

enum opt_type {
	OPT_UINT,  /* uint64_t, plain decimal */
	OPT_SIZE,  /* uint64_t, bytes; K/M/G suffixes are powers of 1024 */
	OPT_COUNT, /* uint64_t; k/M/G suffixes are powers of 1000 */
	OPT_RATE,  /* uint64_t packets per second; like OPT_COUNT, "pps" may follow ("500kpps") */
	OPT_VLAN,  /* uint64_t, a VLAN id 0..4094 (min/max ignored) */
	OPT_MAC,   /* uint8_t[6], "02:00:00:00:00:01" (or '-' separated) */
	OPT_IPV4,  /* uint32_t in network byte order, dotted quad; "/prefix" is not accepted */
	OPT_STR,   /* char[max + 1]; 1..max characters (min ignored) */
};

struct opt {
	const char *key;
	enum opt_type type;
	void *val;	   /* where the value goes; left untouched when the option is absent */
	uint64_t min, max; /* numbers: inclusive range; OPT_STR: max length */
	bool required;
	bool *given; /* may be NULL: set to whether the option was present */
};

/*
 * Parse @argv (@argc "key=value" words) for @app against @table (terminated by a NULL key).
 * Unknown keys, repeated keys, missing values and missing required options are errors.
 * 0, or -EINVAL with the message in @err (APP_ERR_MAX bytes).
 */
int opts__parse(const char *app, const struct opt *table, int argc, char **argv, char *err);

/* The value parsers behind it: 0 or -EINVAL. */
int opts__mac(const char *s, uint8_t mac[6]);
int opts__ipv4(const char *s, uint32_t *addr_be);
/* @type is OPT_UINT, OPT_SIZE, OPT_COUNT or OPT_RATE; -ERANGE when the value overflows. */
int opts__number(const char *s, enum opt_type type, uint64_t *v);

/* The address of the domain's configuration key @key ("ip = 10.0.0.2/24"; the prefix is
 * ignored): 0, -ENOENT when the key is absent, -EINVAL when it is not an address. */
int opts__config_ipv4(const char *key, uint32_t *addr_be);

#endif
