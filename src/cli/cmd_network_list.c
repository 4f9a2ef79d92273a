/* vfnet network-list: a guest's paravirtual NICs, as `xl network-list`. */
#include <getopt.h>
#include <stdbool.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/vif_format.h"

static void network_list_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet network-list [-j] DOM...\n\n"
	    "The vifs of each guest DOM (name or id), in xl network-list's table:\n"
	    "  Idx      the device's number (DEVID), also under handle\n"
	    "  BE       the backend's domain: always 0, dom0\n"
	    "  Mac Addr. the guest's address\n"
	    "  state    the frontend's XenbusState: 1 Initialising, 2 InitWait,\n"
	    "           3 Initialised, 4 Connected, 5 Closing, 6 Closed\n"
	    "  evt-ch   the frontend's event channel; -1 when it uses split channels\n"
	    "           (event-channel-tx/-rx, in -j) or has none yet\n"
	    "  tx-/rx-ring-ref  the grant references of its rings, -1 until it has them\n"
	    "  BE-path  the backend's xenstore directory\n"
	    "The header is printed once, whatever the number of vifs.\n\n"
	    "options:\n"
	    "  -j        JSON: {\"domains\": [{\"domain\", \"vifs\": [...]}]}, each vif with its\n"
	    "            backend's state, split event channels, bridge, hotplug status,\n"
	    "            vifname and both paths\n\n"
	    "examples:\n"
	    "  vfnet network-list vm1\n"
	    "      Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path\n"
	    "      0   0  00:16:3e:2a:5b:01      0     4     -1   768/769         "
	    "/local/domain/0/backend/vif/1/0\n"
	    "  vfnet network-list -j vm1 vm2\n");
}

/* @key of @o as libxl reads a number: -1 when absent. */
static int num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return vif_format__num(json_object_object_get_ex(o, key, &v) ? json_object_get_string(v)
								     : NULL);
}

static void print_vifs(struct json_object *vifs)
{
	for (size_t i = 0; i < json_object_array_length(vifs); i++) {
		struct json_object *o = json_object_array_get_idx(vifs, i);
		struct vif_row r = {
		    .devid = (int)ctl__u64(o, "devid"),
		    .backend_id = (int)ctl__u64(o, "backend_id"),
		    .mac = ctl__str(o, "mac"),
		    .state = num(o, "state"),
		    .evtch = num(o, "evtch"),
		    .tx_ring_ref = num(o, "tx_ring_ref"),
		    .rx_ring_ref = num(o, "rx_ring_ref"),
		    .be_path = ctl__str(o, "be_path"),
		};

		vif_format__row(stdout, &r);
	}
}

static int network_list_run(int argc, char **argv)
{
	struct json_object *all = NULL, *req, *reply, *vifs;
	bool json = false;
	int first, rc;

	if ((rc = ctl__args("network-list", argc, argv, &json, 1, argc,
			    "DOM: a domain's name or id", &first)))
		return rc;
	if (json)
		all = json_object_new_array();
	for (int i = first; i < argc; i++) {
		req = ctl__req("network-list", "domain", argv[i]);
		rc = client__call("network-list", req, &reply);
		json_object_put(req);
		if (rc)
			break;
		if (!json_object_object_get_ex(reply, "vifs", &vifs) ||
		    !json_object_is_type(vifs, json_type_array)) {
			json_object_put(reply);
			rc = cmd__fail("network-list", "the host's reply has no vifs");
			break;
		}
		if (json) {
			struct json_object *d = json_object_new_object();

			json_object_object_add(d, "domain", json_object_new_string(argv[i]));
			json_object_object_add(d, "vifs", json_object_get(vifs));
			json_object_array_add(all, d);
		} else {
			/* Once, after the host answered: no table for a host that is not there. */
			if (i == first)
				vif_format__header(stdout);
			print_vifs(vifs);
		}
		json_object_put(reply);
	}
	if (json && !rc) {
		struct json_object *out = json_object_new_object();

		json_object_object_add(out, "domains", json_object_get(all));
		ctl__print_json(out);
		json_object_put(out);
	}
	json_object_put(all);
	return rc;
}

const struct cmd cmd_network_list = {
    .name = "network-list",
    .summary = "the vifs of guests, as xl network-list",
    .run = network_list_run,
    .help = network_list_help,
};
