/* vfnet network-detach: take a paravirtual NIC away from a guest, as `xl network-detach`. */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "vmm/vif.h"

static void network_detach_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet network-detach [-f] DOM DEVID|MAC\n\n"
		"Remove the guest DOM's (name or id) vif DEVID, or the one with address MAC, as\n"
		"`xl network-detach` does: the backend is told to go (online 0, state 5,\n"
		"Closing), the guest's netfront closes its end, netback answers Closed (6) and\n"
		"then both xenstore directories go; the command returns when they are gone. A\n"
		"side that does not close within %d s is not waited for. With -f the\n"
		"directories go at once, without asking. Nothing is printed on success.\n\n"
		"options:\n"
		"  -f, --force  remove at once, without the handshake\n\n"
		"examples:\n"
		"  vfnet network-detach vm1 0\n"
		"  vfnet network-detach vm1 00:16:3e:01:02:03\n"
		"  vfnet network-detach -f 2 1\n",
		VIF_REMOVE_TIMEOUT_MS / 1000);
}

/* @s, if it can be echoed in a one-line error. */
static const char *shown(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return "(unprintable)";
	return n <= 40 ? s : "(too long)";
}

static bool is_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The devid of @dom's vif with address @mac: 0, or a one-line error and EXIT_FAIL. */
static int devid_of_mac(const char *dom, const char *mac, int *devid)
{
	struct json_object *req = ctl__req("network-list", "domain", dom), *reply, *vifs;
	int rc = client__call("network-detach", req, &reply);

	json_object_put(req);
	if (rc)
		return rc;
	*devid = -1;
	if (json_object_object_get_ex(reply, "vifs", &vifs) &&
	    json_object_is_type(vifs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(vifs) && *devid < 0; i++) {
			struct json_object *v = json_object_array_get_idx(vifs, i);

			if (!strcasecmp(ctl__str(v, "mac"), mac))
				*devid = (int)ctl__u64(v, "devid");
		}
	json_object_put(reply);
	if (*devid < 0)
		return cmd__fail("network-detach",
				 "unknown device %s: %s has no vif with that address; `vfnet "
				 "network-list %s` lists them",
				 mac, dom, dom);
	return EXIT_OK;
}

static int network_detach_run(int argc, char **argv)
{
	static const struct option longs[] = {{"force", no_argument, NULL, 'f'}, {0}};
	struct json_object *req;
	const char *dev;
	bool force = false;
	int opt, rc, devid = -1;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+f", longs, NULL)) != -1) {
		if (opt != 'f')
			return cmd__usage("network-detach", "unknown option '%s'",
					  argv[optind - 1]);
		force = true;
	}
	if (argc - optind < 2)
		return cmd__usage("network-detach", "missing %s",
				  argc == optind ? "DOM and DEVID" : "DEVID (or MAC)");
	if (argc - optind > 2)
		return cmd__usage("network-detach", "unexpected argument '%s'", argv[optind + 2]);
	dev = argv[optind + 1];
	if (strchr(dev, ':')) {
		/* A MAC, as xl tells them apart. */
		if (!is_mac(dev))
			return cmd__fail("network-detach", "'%s' is not a MAC xx:xx:xx:xx:xx:xx",
					 shown(dev));
		if ((rc = devid_of_mac(argv[optind], dev, &devid)))
			return rc;
	} else {
		char *end;
		unsigned long v = strtoul(dev, &end, 10);

		if (*dev < '0' || *dev > '9' || *end || v >= VIF_MAX)
			return cmd__fail("network-detach",
					 "'%s' is not a DEVID (0..%d) nor a MAC address",
					 shown(dev), VIF_MAX - 1);
		devid = (int)v;
	}
	req = ctl__req("network-detach", "domain", argv[optind]);
	json_object_object_add(req, "devid", json_object_new_int(devid));
	if (force)
		json_object_object_add(req, "force", json_object_new_boolean(true));
	return ctl__call("network-detach", req);
}

const struct cmd cmd_network_detach = {
    .name = "network-detach",
    .summary = "take a vif away from a guest",
    .run = network_detach_run,
    .help = network_detach_help,
};
