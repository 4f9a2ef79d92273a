/*
 * `vfnet ip`'s grammar, as iproute2's ip(8) parses it (ip/ip.c, ip/iplink.c): options and
 * keywords may be abbreviated to any prefix, the first match in iproute2's own order winning
 * (`ip l s` is `ip link set`, `-d` is -details, `-br` -brief), `dev` may name the device or be
 * left out, and `ip link set` takes several `vf N ...` groups. The result is the request for the
 * domain's link-show or link-set service (src/os/link.c).
 */
#ifndef VFNET_CLI_IP_PARSE_H
#define VFNET_CLI_IP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

enum ip_verb { IP_HELP, IP_SHOW, IP_SET };

struct ip_cmd {
	unsigned stats; /* -s, repeatable */
	bool details, json, pretty, brief;
	const char *domain; /* --domain DOM: NULL for dom0 */
	enum ip_verb verb;
	const char *dev;	 /* show: NULL for every device */
	bool only_up;		 /* show ... up */
	struct json_object *req; /* the request (the caller puts it) */
};

/* argv[0] is "ip". 0 and @c filled, or -EINVAL with iproute2's message in @err. */
int ip_parse(int argc, char **argv, struct ip_cmd *c, char *err, size_t errlen);

#endif
