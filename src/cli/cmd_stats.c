/*
 * vfnet stats DOM: a domain's own counters (apps, netdevs, interrupts), asked of the domain
 * itself through a socket the host passes (the connect op).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

#define STATS_TIMEOUT_S 5 /* a domain answers from its event loop, at once unless wedged */

static void stats_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet stats [-j] DOM\n\n"
		"Ask the domain DOM (name or id; dom0 is 0) for its counters, through a socket\n"
		"the host hands over to the domain's own service: its apps (type, netdev,\n"
		"whether running, and each app's own counters), its netdevs (MAC, carrier, Rx and\n"
		"Tx packets, bytes and drops, Tx busy, interrupts, NAPI polls, resets) and the\n"
		"interrupts it took per vector. The host's view of a domain (CPU time,\n"
		"hypercalls, time in the hypervisor) is in `vfnet list -j`.\n\n"
		"options:\n"
		"  -j        the domain's reply as JSON: {\"info\": {...}, \"stats\": {...}}\n\n"
		"examples:\n"
		"  vfnet stats vm1\n"
		"  vfnet stats -j 0\n");
}

static bool app_key(const char *k)
{
	return !strcmp(k, "app") || !strcmp(k, "spec") || !strcmp(k, "running") ||
	       !strcmp(k, "dev");
}

static void print_apps(struct json_object *apps)
{
	size_t n = apps ? json_object_array_length(apps) : 0;

	printf("\napps:%s\n", n ? "" : " none");
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(apps, i), *v;
		bool running =
		    json_object_object_get_ex(a, "running", &v) && json_object_get_boolean(v);
		bool any = false;

		printf("  %s on %s, %s: %s\n", ctl__str(a, "app"),
		       *ctl__str(a, "dev") ? ctl__str(a, "dev") : "(no netdev)",
		       running ? "running" : "waiting", ctl__str(a, "spec"));
		json_object_object_foreach(a, key, val)
		{
			if (app_key(key))
				continue;
			printf("%s%s %s", any ? "  " : "    ", key, json_object_get_string(val));
			any = true;
		}
		if (any)
			putchar('\n');
	}
}

static void print_netdevs(struct json_object *nds)
{
	size_t n = nds ? json_object_array_length(nds) : 0;

	printf("\nnetdevs:%s\n", n ? "" : " none");
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(nds, i), *v;
		bool carrier =
		    json_object_object_get_ex(d, "carrier", &v) && json_object_get_boolean(v);

		printf("  %s  %s  carrier %s\n", ctl__str(d, "name"), ctl__str(d, "mac"),
		       carrier ? "on" : "off");
		printf("    RX: %12s %14s %10s\n", "packets", "bytes", "dropped");
		printf("        %12llu %14llu %10llu\n",
		       (unsigned long long)ctl__u64(d, "rx_packets"),
		       (unsigned long long)ctl__u64(d, "rx_bytes"),
		       (unsigned long long)ctl__u64(d, "rx_dropped"));
		printf("    TX: %12s %14s %10s %10s\n", "packets", "bytes", "dropped", "busy");
		printf("        %12llu %14llu %10llu %10llu\n",
		       (unsigned long long)ctl__u64(d, "tx_packets"),
		       (unsigned long long)ctl__u64(d, "tx_bytes"),
		       (unsigned long long)ctl__u64(d, "tx_dropped"),
		       (unsigned long long)ctl__u64(d, "tx_busy"));
		printf("    interrupts %llu  polls %llu  resets %llu\n",
		       (unsigned long long)ctl__u64(d, "interrupts"),
		       (unsigned long long)ctl__u64(d, "polls"),
		       (unsigned long long)ctl__u64(d, "resets"));
	}
}

static void print_irqs(struct json_object *irqs)
{
	bool any = false;

	if (irqs) {
		json_object_object_foreach(irqs, vec, count)
		{
			if (!any)
				printf("\ninterrupts:\n  %6s %12s\n", "VECTOR", "COUNT");
			printf("  %6s %12s\n", vec, json_object_get_string(count));
			any = true;
		}
	}
	if (!any)
		printf("\ninterrupts: none\n");
}

static void print_stats(struct json_object *info, struct json_object *st)
{
	struct json_object *apps = NULL, *nds = NULL, *irqs = NULL;

	printf("domain %s (id %s, %s): %llu hypercalls\n", ctl__str(info, "name"),
	       ctl__str(info, "domid"), ctl__str(info, "role"),
	       (unsigned long long)ctl__u64(st, "hypercalls"));
	if (!json_object_object_get_ex(st, "apps", &apps) ||
	    !json_object_is_type(apps, json_type_array))
		apps = NULL;
	if (!json_object_object_get_ex(st, "netdevs", &nds) ||
	    !json_object_is_type(nds, json_type_array))
		nds = NULL;
	if (!json_object_object_get_ex(st, "interrupts", &irqs) ||
	    !json_object_is_type(irqs, json_type_object))
		irqs = NULL;
	print_apps(apps);
	print_netdevs(nds);
	print_irqs(irqs);
}

/* One request to the domain: EXIT_OK and *@reply, or a one-line error. */
static int ask(int fd, const char *dom, const char *op, struct json_object **reply)
{
	struct json_object *req = ctl__req(op, NULL, NULL), *v;
	int rc = client__request(fd, req, reply);

	json_object_put(req);
	if (rc)
		return cmd__fail("stats", "domain '%s' did not answer: %s", dom,
				 rc == -EPROTO ? "not a JSON object" : strerror(-rc));
	if (!json_object_object_get_ex(*reply, "ok", &v) || !json_object_get_boolean(v)) {
		rc = cmd__fail("stats", "domain '%s' refused \"%s\": %s", dom, op,
			       ctl__str(*reply, "error"));
		json_object_put(*reply);
		*reply = NULL;
		return rc;
	}
	json_object_object_del(*reply, "ok");
	return EXIT_OK;
}

static int stats_run(int argc, char **argv)
{
	struct timeval tv = {.tv_sec = STATS_TIMEOUT_S};
	struct json_object *req, *reply, *info = NULL, *st = NULL;
	const char *dom;
	bool json = false;
	int first, fd, rc;

	if ((rc =
		 ctl__args("stats", argc, argv, &json, 1, 1, "DOM: a domain's name or id", &first)))
		return rc;
	dom = argv[first];
	req = ctl__req("connect", "domain", dom);
	rc = client__call_fd("stats", req, &reply, &fd);
	json_object_put(req);
	if (rc)
		return rc;
	json_object_put(reply);
	if (fd < 0)
		return cmd__fail("stats", "the host passed no socket to domain '%s'", dom);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((rc = ask(fd, dom, "info", &info)) || (rc = ask(fd, dom, "stats", &st)))
		goto out;
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "info", json_object_get(info));
		json_object_object_add(o, "stats", json_object_get(st));
		ctl__print_json(o);
		json_object_put(o);
	} else {
		print_stats(info, st);
	}
out:
	json_object_put(st);
	json_object_put(info);
	close(fd);
	return rc;
}

const struct cmd cmd_stats = {
    .name = "stats",
    .summary = "a domain's counters: apps, netdevs, interrupts",
    .run = stats_run,
    .help = stats_help,
};
