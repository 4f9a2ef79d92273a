/* `vfnet ip`'s grammar: iproute2's option, object, command and keyword matching. */
#include "cli/ip_parse.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/compiler.h"

/* iproute2's matches(): @word is a non-empty prefix of @full. */
static bool matches(const char *word, const char *full)
{
	return *word && !strncmp(word, full, strlen(word));
}

struct parser {
	int argc, i;
	char **argv;
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int invarg(struct parser *p, const char *arg, const char *msg)
{
	return fail(p, "Error: argument \"%s\" is wrong: %s", arg, msg);
}

static const char *peek(struct parser *p)
{
	return p->i < p->argc ? p->argv[p->i] : NULL;
}

/* NEXT_ARG: the value after keyword @kw, or NULL with iproute2's message. */
static const char *next_arg(struct parser *p)
{
	if (p->i + 1 >= p->argc) {
		fail(p, "Command line is not complete. Try option \"help\"");
		return NULL;
	}
	return p->argv[++p->i];
}

/* get_unsigned / get_integer: base 0 (0x.. hex, 0.. octal), the whole word. */
static bool get_unsigned(const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	if (!*s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (*end || errno || v > UINT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool get_integer(const char *s, int *out)
{
	long v;
	char *end;

	if (!*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 0);
	if (*end || errno || v < INT_MIN || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

static bool valid_mac(const char *s)
{
	unsigned b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return false;
	return true;
}

static int on_off(struct parser *p, const char *kw, const char *val, bool *on)
{
	if (!strcmp(val, "on"))
		*on = true;
	else if (!strcmp(val, "off"))
		*on = false;
	else
		return fail(p, "Error: argument of \"%s\" must be \"on\" or \"off\", not \"%s\"",
			    kw, val);
	return 0;
}

static int dup_check(struct parser *p, struct json_object *o, const char *key, const char *val)
{
	if (json_object_object_get_ex(o, key, NULL))
		return fail(p, "Error: duplicate \"%s\": \"%s\" is the second value.", key, val);
	return 0;
}

/* ---- options ---- */

enum opt_kind {
	OPT_NO,
	OPT_NO_ARG,
	OPT_STATS,
	OPT_DETAILS,
	OPT_BRIEF,
	OPT_JSON,
	OPT_PRETTY,
	OPT_HELP
};

/* ip/ip.c's list, in its order: an abbreviation means the first option it begins. */
static const struct {
	const char *name;
	enum opt_kind kind;
} options[] = {
    {"-loops", OPT_NO_ARG},	 {"-family", OPT_NO_ARG},   {"-human", OPT_NO},
    {"-human-readable", OPT_NO}, {"-iec", OPT_NO},	    {"-stats", OPT_STATS},
    {"-statistics", OPT_STATS},	 {"-details", OPT_DETAILS}, {"-resolve", OPT_NO},
    {"-oneline", OPT_NO},	 {"-timestamp", OPT_NO},    {"-tshort", OPT_NO},
    {"-Version", OPT_NO},	 {"-force", OPT_NO},	    {"-batch", OPT_NO_ARG},
    {"-brief", OPT_BRIEF},	 {"-json", OPT_JSON},	    {"-pretty", OPT_PRETTY},
    {"-rcvbuf", OPT_NO_ARG},	 {"-color", OPT_NO},	    {"-help", OPT_HELP},
    {"-netns", OPT_NO_ARG},	 {"-Numeric", OPT_NO},	    {"-all", OPT_NO},
};

static int parse_options(struct parser *p, struct ip_cmd *c)
{
	for (; p->i < p->argc && p->argv[p->i][0] == '-'; p->i++) {
		const char *opt = p->argv[p->i];
		unsigned k;

		if (!strcmp(opt, "--")) {
			p->i++;
			break;
		}
		/* vfnet's own: the domain whose links these are (ip and lspci alike) */
		if (!strcmp(opt, "--domain") || !strncmp(opt, "--domain=", 9)) {
			c->domain = opt[8] ? opt + 9 : next_arg(p);
			if (!c->domain || !*c->domain)
				return fail(p, "--domain needs a domain (a name or an id)");
			continue;
		}
		if (!strcmp(opt, "-0"))
			continue; /* links are AF_PACKET's already */
		if (!strcmp(opt, "-4") || !strcmp(opt, "-6") || !strcmp(opt, "-M") ||
		    !strcmp(opt, "-B"))
			return fail(p,
				    "Option \"%s\" is not implemented by vfnet ip: links are "
				    "Ethernet's",
				    opt);
		if (opt[1] == '-')
			opt++;
		for (k = 0; k < ARRAY_SIZE(options); k++)
			if (matches(opt, options[k].name))
				break;
		if (k == ARRAY_SIZE(options))
			return fail(p, "Option \"%s\" is unknown, try \"ip -help\".", opt);
		switch (options[k].kind) {
		case OPT_STATS:
			c->stats++;
			break;
		case OPT_DETAILS:
			c->details = true;
			break;
		case OPT_BRIEF:
			c->brief = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_PRETTY:
			c->pretty = true;
			break;
		case OPT_HELP:
			c->verb = IP_HELP;
			return 1;
		default:
			return fail(p, "Option \"%s\" (%s) is not implemented by vfnet ip", opt,
				    options[k].name);
		}
	}
	return 0;
}

/* ---- ip link show ---- */

static int parse_show(struct parser *p, struct ip_cmd *c)
{
	static const char *const filters[] = {"type",  "master", "vrf",	  "group", "nomaster",
					      "label", "to",	 "scope", NULL};

	c->verb = IP_SHOW;
	for (const char *a; (a = peek(p)); p->i++) {
		if (!strcmp(a, "up")) {
			c->only_up = true;
			continue;
		}
		for (const char *const *f = filters; *f; f++)
			if (!strcmp(a, *f))
				return fail(
				    p, "Error: \"%s\" is not implemented by vfnet ip link show", a);
		if (!strcmp(a, "dev")) {
			if (!(a = next_arg(p)))
				return -EINVAL;
		} else if (matches(a, "help")) {
			c->verb = IP_HELP;
			return 0;
		}
		if (c->dev)
			return fail(
			    p, "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.", a);
		c->dev = a;
	}
	c->req = json_object_new_object();
	json_object_object_add(c->req, "op", json_object_new_string("link-show"));
	if (c->dev)
		json_object_object_add(c->req, "dev", json_object_new_string(c->dev));
	if (c->stats)
		json_object_object_add(c->req, "stats", json_object_new_boolean(true));
	if (c->details)
		json_object_object_add(c->req, "details", json_object_new_boolean(true));
	return 0;
}

/* ---- ip link set DEV ... vf N ... ---- */

static int parse_vlan(struct parser *p, struct json_object *g)
{
	const char *v = next_arg(p), *a;
	unsigned vid, qos;

	if (!v)
		return -EINVAL;
	if (!get_unsigned(v, &vid) || vid > 4095)
		return invarg(p, v, "Invalid \"vlan\" value");
	if (dup_check(p, g, "vlan", v))
		return -EINVAL;
	json_object_object_add(g, "vlan", json_object_new_int((int)vid));
	if ((a = p->i + 1 < p->argc ? p->argv[p->i + 1] : NULL) && matches(a, "qos")) {
		p->i++;
		if (!(v = next_arg(p)))
			return -EINVAL;
		if (!get_unsigned(v, &qos))
			return invarg(p, v, "Invalid \"qos\" value");
		json_object_object_add(g, "qos", json_object_new_int64(qos));
	}
	if ((a = p->i + 1 < p->argc ? p->argv[p->i + 1] : NULL) && matches(a, "proto")) {
		p->i++;
		if (!(v = next_arg(p)))
			return -EINVAL;
		if (strcasecmp(v, "802.1Q") && strcasecmp(v, "802.1ad")) {
			if (!strcasecmp(v, "ip") || !strcasecmp(v, "ipv6") || !strcasecmp(v, "arp"))
				return invarg(p, v,
					      "Invalid \"vlan protocol\" value - supported "
					      "802.1Q, 802.1ad");
			return invarg(p, v, "protocol is invalid");
		}
		json_object_object_add(
		    g, "proto",
		    json_object_new_string(strcasecmp(v, "802.1Q") ? "802.1ad" : "802.1Q"));
	}
	return 0;
}

static const char *const vf_words[] = {"mac",	      "vlan",	   "rate",	"max_tx_rate",
				       "min_tx_rate", "spoofchk",  "query_rss", "trust",
				       "state",	      "node_guid", "port_guid", NULL};

/* iplink_parse_vf: the options after `vf N`, until a word that is none of them. */
static int parse_vf(struct parser *p, struct json_object *vfs)
{
	struct json_object *g;
	const char *v = next_arg(p);
	unsigned count = 0;
	int vf;

	if (!v)
		return -EINVAL;
	if (!get_integer(v, &vf) || vf < 0)
		return invarg(p, v, "Invalid \"vf\" value");
	g = json_object_new_object();
	json_object_array_add(vfs, g);
	json_object_object_add(g, "vf", json_object_new_int(vf));
	while (p->i + 1 < p->argc) {
		const char *a = p->argv[p->i + 1], *kw = NULL;
		unsigned u;
		bool on = false;

		for (const char *const *w = vf_words; *w && !kw; w++)
			if (matches(a, *w))
				kw = *w;
		if (!kw)
			break; /* the next link keyword, or the next `vf` */
		p->i++;
		count++;
		if (!strcmp(kw, "vlan")) {
			if (parse_vlan(p, g))
				return -EINVAL;
			continue;
		}
		if (!(v = next_arg(p)) || dup_check(p, g, kw, v))
			return -EINVAL;
		if (!strcmp(kw, "mac")) {
			if (!valid_mac(v))
				return fail(p, "\"%s\" is invalid lladdr.", v);
			json_object_object_add(g, kw, json_object_new_string(v));
		} else if (!strcmp(kw, "rate") || !strcmp(kw, "max_tx_rate") ||
			   !strcmp(kw, "min_tx_rate")) {
			if (!get_unsigned(v, &u))
				return invarg(p, v,
					      !strcmp(kw, "rate") ? "Invalid \"rate\" value"
					      : !strcmp(kw, "max_tx_rate")
						  ? "Invalid \"max tx rate\" value"
						  : "Invalid \"min tx rate\" value");
			json_object_object_add(g, kw, json_object_new_int64(u));
		} else if (!strcmp(kw, "spoofchk") || !strcmp(kw, "query_rss") ||
			   !strcmp(kw, "trust")) {
			if (on_off(p, kw, v, &on))
				return -EINVAL;
			json_object_object_add(g, kw, json_object_new_boolean(on));
		} else if (!strcmp(kw, "state")) {
			const char *st = matches(v, "auto")	 ? "auto"
					 : matches(v, "enable")	 ? "enable"
					 : matches(v, "disable") ? "disable"
								 : NULL;

			if (!st)
				return invarg(p, v, "Invalid \"state\" value");
			json_object_object_add(g, kw, json_object_new_string(st));
		} else { /* node_guid, port_guid: the driver says whether it has them */
			json_object_object_add(g, kw, json_object_new_string(v));
		}
	}
	if (!count)
		return fail(p, "Command line is not complete. Try option \"help\"");
	return 0;
}

/* iplink_parse's keywords vfnet's netdevs have no use for, in its order and matching. */
static const struct {
	const char *word;
	bool prefix; /* matches() rather than strcmp() */
	bool arg;
} unsupported[] = {
    {"name", false, true},	   {"index", false, true},	  {"link", true, true},
    {"broadcast", true, true},	   {"brd", false, true},	  {"txqueuelen", true, true},
    {"qlen", false, true},	   {"txqlen", true, true},	  {"xdp", false, true},
    {"xdpgeneric", false, true},   {"xdpdrv", false, true},	  {"xdpoffload", false, true},
    {"netns", false, true},	   {"multicast", false, true},	  {"trailers", false, true},
    {"arp", false, true},	   {"carrier", false, true},	  {"master", true, true},
    {"vrf", false, true},	   {"nomaster", true, false},	  {"dynamic", true, true},
    {"type", true, true},	   {"alias", true, true},	  {"group", false, true},
    {"mode", false, true},	   {"state", false, true},	  {"numtxqueues", true, true},
    {"numrxqueues", true, true},   {"addrgenmode", true, true},	  {"link-netns", true, true},
    {"link-netnsid", true, true},  {"protodown", false, true},	  {"protodown_reason", false, true},
    {"gso_max_size", false, true}, {"gso_max_segs", false, true}, {"gro_max_size", false, true},
    {"parentdev", false, true},
};

static int parse_set(struct parser *p, struct ip_cmd *c)
{
	struct json_object *req = json_object_new_object(), *vfs = json_object_new_array();
	const char *dev = NULL;
	int mtu;
	bool on = false;

	c->verb = IP_SET;
	c->req = req;
	json_object_object_add(req, "op", json_object_new_string("link-set"));
	for (const char *a; (a = peek(p)); p->i++) {
		const char *v;

		if (!strcmp(a, "up") || !strcmp(a, "down")) {
			json_object_object_add(req, "state", json_object_new_string(a));
			continue;
		}
		if (!strcmp(a, "vf")) {
			if (!dev)
				goto err_nodev;
			if (parse_vf(p, vfs))
				goto err;
			continue;
		}
		if (!strcmp(a, "mtu")) {
			if (!(v = next_arg(p)) || dup_check(p, req, "mtu", v))
				goto err;
			if (!get_integer(v, &mtu)) {
				invarg(p, v, "Invalid \"mtu\" value");
				goto err;
			}
			json_object_object_add(req, "mtu", json_object_new_int(mtu));
			continue;
		}
		if (!strcmp(a, "promisc") || !strcmp(a, "allmulticast")) {
			if (!(v = next_arg(p)))
				goto err;
			if (strcmp(v, "on") && strcmp(v, "off")) {
				fail(p, "Error: argument of \"%s\" must be \"on\" or \"off\"", a);
				goto err;
			}
			on_off(p, a, v, &on);
			json_object_object_add(req, a, json_object_new_boolean(on));
			continue;
		}
		/* "address" is matched after "link" in iproute2's order: `ip link set l` is link */
		if (!matches(a, "link") && matches(a, "address")) {
			if (!(v = next_arg(p)))
				goto err;
			if (!valid_mac(v)) {
				fail(p, "\"%s\" is invalid lladdr.", v);
				goto err;
			}
			json_object_object_add(req, "address", json_object_new_string(v));
			continue;
		}
		for (unsigned k = 0; k < ARRAY_SIZE(unsupported); k++)
			if (unsupported[k].prefix ? matches(a, unsupported[k].word)
						  : !strcmp(a, unsupported[k].word)) {
				fail(p,
				     "Error: \"%s\" (%s) is not implemented by vfnet ip link set",
				     a, unsupported[k].word);
				goto err;
			}
		if (matches(a, "help")) {
			c->verb = IP_HELP;
			json_object_put(vfs);
			return 0;
		}
		if (!strcmp(a, "dev") && !(a = next_arg(p)))
			goto err;
		if (dev) {
			fail(p, "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.", a);
			goto err;
		}
		dev = a;
	}
	if (!dev) {
		fail(p, "Not enough information: \"dev\" argument is required.");
		goto err;
	}
	json_object_object_add(req, "dev", json_object_new_string(dev));
	if (json_object_array_length(vfs))
		json_object_object_add(req, "vfs", vfs);
	else
		json_object_put(vfs);
	c->dev = dev;
	return 0;

err_nodev:
	fail(p, "Error: argument \"dev\" is required");
err:
	json_object_put(vfs);
	json_object_put(req);
	c->req = NULL;
	return -EINVAL;
}

/* ---- objects and commands ---- */

static const char *const objects[] = {
    "address", "addrlabel", "maddress", "route", "rule",  "neighbor",	"neighbour",
    "ntable",  "ntbl",	    "link",	"l2tp",	 "fou",	  "ila",	"macsec",
    "tunnel",  "tunl",	    "tuntap",	"tap",	 "token", "tcpmetrics", "tcp_metrics",
    "monitor", "xfrm",	    "mroute",	"mrule", "netns", "netconf",	"vrf",
    "sr",      "nexthop",   "mptcp",	"ioam",	 "help",  "stats",
};

int ip_parse(int argc, char **argv, struct ip_cmd *c, char *err, size_t errlen)
{
	struct parser p = {.argc = argc, .argv = argv, .i = 1, .err = err, .errlen = errlen};
	const char *obj = NULL, *cmd;
	int rc;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	if ((rc = parse_options(&p, c)))
		return rc > 0 ? 0 : rc;
	if (!peek(&p)) {
		c->verb = IP_HELP;
		return fail(&p, "an object is needed: ip [OPTIONS] link { show | set } ...");
	}
	for (unsigned k = 0; k < ARRAY_SIZE(objects) && !obj; k++)
		if (matches(peek(&p), objects[k]))
			obj = objects[k];
	if (!obj)
		return fail(&p, "Object \"%s\" is unknown, try \"ip help\".", peek(&p));
	if (!strcmp(obj, "help")) {
		c->verb = IP_HELP;
		return 0;
	}
	if (strcmp(obj, "link"))
		return fail(&p,
			    "\"ip %s\" is not implemented: vfnet's domains have links only "
			    "(ip link show|set)",
			    obj);
	p.i++;
	cmd = peek(&p);
	if (!cmd)
		return parse_show(&p, c);
	p.i++;
	if (matches(cmd, "set") || matches(cmd, "change"))
		return parse_set(&p, c);
	if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list"))
		return parse_show(&p, c);
	if (matches(cmd, "help")) {
		c->verb = IP_HELP;
		return 0;
	}
	if (matches(cmd, "add") || matches(cmd, "replace") || matches(cmd, "delete") ||
	    matches(cmd, "xstats") || matches(cmd, "afstats") || matches(cmd, "property"))
		return fail(&p,
			    "\"ip link %s\" is not implemented: vfnet's netdevs come and go "
			    "with their drivers",
			    cmd);
	return fail(&p, "Command \"%s\" is unknown, try \"ip link help\".", cmd);
}
