/* `vfnet ip link show`'s text and JSON, in iproute2's formats (ip/ipaddress.c). */
#include "cli/ip_print.h"

#include <inttypes.h>
#include <string.h>

#include "lib/compiler.h"

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str(struct json_object *o, const char *key, const char *def)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_string(v) : def;
}

static uint64_t u64(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_uint64(v) : 0;
}

static bool has_flag(struct json_object *link, const char *flag)
{
	struct json_object *flags = get(link, "flags");

	for (size_t i = 0; flags && i < json_object_array_length(flags); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(flags, i)), flag))
			return true;
	return false;
}

/* print_link_flags: "<A,B,C> " */
static void print_flags(FILE *out, struct json_object *link)
{
	struct json_object *flags = get(link, "flags");

	fputc('<', out);
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++)
		fprintf(out, "%s%s", i ? "," : "",
			json_object_get_string(json_object_array_get_idx(flags, i)));
	fputs("> ", out);
}

/* print_num without -h: the value right-aligned in @width, then a space. */
static void num(FILE *out, unsigned width, uint64_t v)
{
	fprintf(out, "%*" PRIu64 " ", (int)width, v);
}

static unsigned digits(uint64_t v)
{
	unsigned n = 1;

	for (; v > 9; v /= 10)
		n++;
	return n;
}

/* print_stats64 at -s: two header lines whose columns widen to fit the values. */
static void print_stats(FILE *out, struct json_object *st)
{
	struct json_object *rx = get(st, "rx"), *tx = get(st, "tx");
	uint64_t r[6] = {u64(rx, "bytes"),   u64(rx, "packets"),       u64(rx, "errors"),
			 u64(rx, "dropped"), u64(rx, "missed_errors"), u64(rx, "multicast")};
	uint64_t t[6] = {u64(tx, "bytes"),   u64(tx, "packets"),	u64(tx, "errors"),
			 u64(tx, "dropped"), u64(tx, "carrier_errors"), u64(tx, "collisions")};
	/* strlen of "*X errors:", "packets", "errors", "dropped", "heartbt", "overrun",
	 * "compressed" */
	unsigned cols[7] = {10, 7, 6, 7, 7, 7, 10};

	for (unsigned i = 0; i < 6; i++) {
		cols[i] = MAX(cols[i], digits(r[i]));
		cols[i] = MAX(cols[i], digits(t[i]));
	}
	fprintf(out, "\n    RX: %*s %*s %*s %*s %*s %*s %*s\n    ", (int)cols[0] - 4, "bytes",
		(int)cols[1], "packets", (int)cols[2], "errors", (int)cols[3], "dropped",
		(int)cols[4], "missed", (int)cols[5], "mcast", (int)cols[6], "");
	for (unsigned i = 0; i < 6; i++)
		num(out, cols[i], r[i]);
	fprintf(out, "\n    TX: %*s %*s %*s %*s %*s %*s %*s\n    ", (int)cols[0] - 4, "bytes",
		(int)cols[1], "packets", (int)cols[2], "errors", (int)cols[3], "dropped",
		(int)cols[4], "carrier", (int)cols[5], "collsns", (int)cols[6], "");
	for (unsigned i = 0; i < 6; i++)
		num(out, cols[i], t[i]);
}

/* print_vf_stats64 */
static void print_vf_stats(FILE *out, struct json_object *st)
{
	struct json_object *rx = get(st, "rx"), *tx = get(st, "tx");

	fputs("\n    RX: bytes  packets  mcast   bcast ", out);
	if (get(rx, "dropped"))
		fputs("  dropped ", out);
	fputs("\n    ", out);
	num(out, 10, u64(rx, "bytes"));
	num(out, 8, u64(rx, "packets"));
	num(out, 7, u64(rx, "multicast"));
	num(out, 7, u64(rx, "broadcast"));
	if (get(rx, "dropped"))
		num(out, 8, u64(rx, "dropped"));
	fputs("\n    TX: bytes  packets ", out);
	if (get(tx, "dropped"))
		fputs("  dropped ", out);
	fputs("\n    ", out);
	num(out, 10, u64(tx, "tx_bytes"));
	num(out, 8, u64(tx, "tx_packets"));
	if (get(tx, "dropped"))
		num(out, 8, u64(tx, "dropped"));
}

/* print_vfinfo: "\n    vf N     link/ether MAC brd BRD, ..." */
static void print_vf(FILE *out, struct json_object *vf, bool stats)
{
	struct json_object *vlans = get(vf, "vlan_list"), *rate = get(vf, "rate"), *v;

	fprintf(out, "\n    vf %" PRIu64 "     link/%s %s", u64(vf, "vf"),
		str(vf, "link_type", "ether"), str(vf, "address", "?"));
	if ((v = get(vf, "broadcast")))
		fprintf(out, " brd %s", json_object_get_string(v));
	for (size_t i = 0; vlans && i < json_object_array_length(vlans); i++) {
		struct json_object *e = json_object_array_get_idx(vlans, i);

		if (u64(e, "vlan"))
			fprintf(out, ", vlan %" PRIu64, u64(e, "vlan"));
		if (u64(e, "qos"))
			fprintf(out, ", qos %" PRIu64, u64(e, "qos"));
		if (get(e, "protocol"))
			fprintf(out, ", vlan protocol %s", str(e, "protocol", ""));
	}
	if (u64(vf, "tx_rate"))
		fprintf(out, ", tx rate %" PRIu64 " (Mbps)", u64(vf, "tx_rate"));
	if (u64(rate, "max_tx"))
		fprintf(out, ", max_tx_rate %" PRIu64 "Mbps", u64(rate, "max_tx"));
	if (u64(rate, "min_tx"))
		fprintf(out, ", min_tx_rate %" PRIu64 "Mbps", u64(rate, "min_tx"));
	if ((v = get(vf, "spoofchk")))
		fprintf(out, ", spoof checking %s", json_object_get_boolean(v) ? "on" : "off");
	if ((v = get(vf, "link_state")))
		fprintf(out, ", link-state %s", json_object_get_string(v));
	if ((v = get(vf, "trust")))
		fprintf(out, ", trust %s", json_object_get_boolean(v) ? "on" : "off");
	if ((v = get(vf, "query_rss_en")))
		fprintf(out, ", query_rss %s", json_object_get_boolean(v) ? "on" : "off");
	if (stats && (v = get(vf, "stats")))
		print_vf_stats(out, v);
}

/* -d: print_linkinfo's details, on the link/ether line. */
static void print_details(FILE *out, struct json_object *l)
{
	struct json_object *v;

	if ((v = get(l, "promiscuity")))
		fprintf(out, " promiscuity %" PRIu64 " ", json_object_get_uint64(v));
	if ((v = get(l, "allmulti")))
		fprintf(out, " allmulti %" PRIu64 " ", json_object_get_uint64(v));
	if ((v = get(l, "min_mtu")))
		fprintf(out, "minmtu %" PRIu64 " ", json_object_get_uint64(v));
	if ((v = get(l, "max_mtu")))
		fprintf(out, "maxmtu %" PRIu64 " ", json_object_get_uint64(v));
	if ((v = get(l, "parentbus")))
		fprintf(out, "parentbus %s ", json_object_get_string(v));
	if ((v = get(l, "parentdev")))
		fprintf(out, "parentdev %s ", json_object_get_string(v));
}

static void print_link(FILE *out, struct json_object *l, const struct ip_cmd *c)
{
	struct json_object *vfs = get(l, "vfinfo_list"), *st;

	if (c->brief) {
		/* print_linkinfo_brief: name, operstate, address, flags */
		fprintf(out, "%-16s %-14s %s ", str(l, "ifname", "?"),
			str(l, "operstate", "UNKNOWN"), str(l, "address", "?"));
		print_flags(out, l);
		fputc('\n', out);
		return;
	}
	fprintf(out, "%" PRIu64 ": %s: ", u64(l, "ifindex"), str(l, "ifname", "?"));
	print_flags(out, l);
	fprintf(out, "mtu %" PRIu64 " state %s mode %s group %s ", u64(l, "mtu"),
		str(l, "operstate", "UNKNOWN"), str(l, "linkmode", "DEFAULT"),
		str(l, "group", "default"));
	fprintf(out, "\n    link/%s %s brd %s", str(l, "link_type", "ether"),
		str(l, "address", "?"), str(l, "broadcast", "ff:ff:ff:ff:ff:ff"));
	if (c->details)
		print_details(out, l);
	if (c->stats && (st = get(l, "stats64")))
		print_stats(out, st);
	for (size_t i = 0; vfs && i < json_object_array_length(vfs); i++)
		print_vf(out, json_object_array_get_idx(vfs, i), c->stats);
	fputc('\n', out);
}

void ip_print_links(FILE *out, struct json_object *links, const struct ip_cmd *c)
{
	size_t n = links ? json_object_array_length(links) : 0;

	if (c->json) {
		struct json_object *shown = json_object_new_array();

		for (size_t i = 0; i < n; i++) {
			struct json_object *l = json_object_array_get_idx(links, i);

			if (!c->only_up || has_flag(l, "UP"))
				json_object_array_add(shown, json_object_get(l));
		}
		fprintf(out, "%s\n",
			json_object_to_json_string_ext(
			    shown, (c->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
					      : JSON_C_TO_STRING_PLAIN) |
				       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(shown);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(links, i);

		if (!c->only_up || has_flag(l, "UP"))
			print_link(out, l, c);
	}
}
