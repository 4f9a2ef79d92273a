/* vfnet bridge fdb show: dom0's bridges' forwarding tables, as iproute2's `bridge fdb show`. */
#include <stdbool.h>
#include <string.h>

#include "cli/br_format.h"
#include "cli/brctl.h"
#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

static void bridge_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet bridge [-j] fdb [show] [br BRIDGE]\n\n"
		"The addresses dom0's bridges have learnt (every bridge's, or BRIDGE's), as\n"
		"iproute2's `bridge fdb show` prints a Linux bridge's, one a line:\n"
		"  MAC dev IFNAME master BRIDGE\n"
		"IFNAME being the port the address was last seen on (a guest's vifDOMID.DEVID, or\n"
		"the uplink PF for stations behind the NIC). Entries are learnt from the frames'\n"
		"source addresses and forgotten after 300 s without one; all are dynamic, so the\n"
		"state iproute2 prints last (permanent, static, stale) is empty and the line ends\n"
		"in a space, as iproute2's does.\n\n"
		"options:\n"
		"  -j  JSON as iproute2's: [{\"mac\", \"ifname\", \"flags\": [], \"master\"}]\n\n"
		"examples:\n"
		"  vfnet bridge fdb show\n"
		"      00:16:3e:00:00:a1 dev vif1.0 master xenbr0 \n"
		"  vfnet bridge -j fdb show br xenbr0\n");
}

static void print(struct json_object *fdb, bool json)
{
	struct json_object *arr = json ? json_object_new_array() : NULL;

	for (size_t i = 0; i < json_object_array_length(fdb); i++) {
		struct json_object *e = json_object_array_get_idx(fdb, i), *o;
		const char *state = ctl__str(e, "state");

		if (!json) {
			br_format__fdb_line(stdout, ctl__str(e, "mac"), ctl__str(e, "ifname"),
					    ctl__str(e, "master"), state);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "mac", json_object_new_string(ctl__str(e, "mac")));
		json_object_object_add(o, "ifname", json_object_new_string(ctl__str(e, "ifname")));
		json_object_object_add(o, "flags", json_object_new_array());
		json_object_object_add(o, "master", json_object_new_string(ctl__str(e, "master")));
		/* iproute2 names a state only when there is one. */
		if (*state)
			json_object_object_add(o, "state", json_object_new_string(state));
		json_object_array_add(arr, o);
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
		json_object_put(arr);
	}
}

static int bridge_run(int argc, char **argv)
{
	struct json_object *req, *reply, *bridges, *fdb;
	const char *br = NULL;
	bool json = false;
	int first, rc, i;

	if ((rc = ctl__args("bridge", argc, argv, &json, 1, argc, "object: fdb", &first)))
		return rc;
	if (strcmp(argv[first], "fdb"))
		return cmd__usage("bridge", "unknown object '%s': fdb", brctl__shown(argv[first]));
	i = first + 1;
	if (i < argc &&
	    (!strcmp(argv[i], "show") || !strcmp(argv[i], "list") || !strcmp(argv[i], "lst")))
		i++;
	for (; i < argc; i += 2) {
		if (strcmp(argv[i], "br"))
			return cmd__usage("bridge",
					  "unexpected argument '%s': fdb show [br BRIDGE]",
					  brctl__shown(argv[i]));
		if (i + 1 == argc)
			return cmd__usage("bridge", "missing BRIDGE after br");
		br = argv[i + 1];
	}
	if (br) {
		/* As iproute2, which looks the name up before it asks for the table. */
		if ((rc = brctl__bridges("bridge", &reply, &bridges)))
			return rc;
		rc =
		    brctl__find(bridges, br)
			? EXIT_OK
			: cmd__fail("bridge", "Cannot find bridge device \"%s\"", brctl__shown(br));
		json_object_put(reply);
		if (rc)
			return rc;
	}
	req = ctl__req("bridge-fdb-show", br ? "br" : NULL, br);
	rc = client__domain_call("bridge", "0", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(reply, "fdb", &fdb) ||
	    !json_object_is_type(fdb, json_type_array))
		rc = cmd__fail("bridge", "dom0's reply has no fdb");
	else
		print(fdb, json);
	json_object_put(reply);
	return rc;
}

const struct cmd cmd_bridge = {
    .name = "bridge",
    .summary = "`bridge fdb show`: the addresses dom0's bridges have learnt",
    .run = bridge_run,
    .help = bridge_help,
};
