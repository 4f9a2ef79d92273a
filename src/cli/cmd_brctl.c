/* vfnet brctl show: dom0's bridges and their ports, as bridge-utils' `brctl show`. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/br_format.h"
#include "cli/brctl.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

static void brctl_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet brctl [-j] show [BRIDGE...]\n\n"
	    "dom0's bridges (every one, or each BRIDGE), as bridge-utils' `brctl show`\n"
	    "prints them: one header, then per bridge its name, its bridge id (priority 8000,\n"
	    "then its address), whether STP is on (never: dom0's bridges run without it, as\n"
	    "Xen's scripts make them) and its ports, the first beside it and each other on a\n"
	    "line of its own. The ports are the uplink (a PF, e.g. pf0) and the vifs dom0's\n"
	    "netback made for the guests' paravirtual NICs (vifDOMID.DEVID). A BRIDGE that is\n"
	    "not there is named on stderr and makes the exit status 1; the others are shown.\n\n"
	    "options:\n"
	    "  -j  JSON: {\"bridges\": [{\"name\", \"id\", \"stp\", \"interfaces\": [...]}]}\n\n"
	    "examples:\n"
	    "  vfnet brctl show\n"
	    "      bridge name\tbridge id\t\tSTP enabled\tinterfaces\n"
	    "      xenbr0\t\t8000.0200b2000000\tno\t\tpf0\n"
	    "      \t\t\t\t\t\t\tvif1.0\n"
	    "  vfnet brctl show xenbr0\n");
}

static void show(struct json_object *b, bool *header)
{
	struct json_object *ifs;
	const char **ports = NULL;
	size_t n = 0;

	if (json_object_object_get_ex(b, "interfaces", &ifs) &&
	    json_object_is_type(ifs, json_type_array) && (n = json_object_array_length(ifs)) &&
	    !(ports = calloc(n, sizeof(*ports))))
		n = 0;
	for (size_t i = 0; i < n; i++)
		ports[i] = json_object_get_string(json_object_array_get_idx(ifs, i));
	/* As bridge-utils: the header before the first bridge found. */
	if (!*header)
		br_format__show_header(stdout);
	*header = true;
	br_format__show_bridge(stdout, ctl__str(b, "name"), ctl__str(b, "id"), ctl__str(b, "stp"),
			       ports, n);
	free(ports);
}

static int brctl_run(int argc, char **argv)
{
	struct json_object *reply, *bridges, *b, *out;
	bool json = false, header = false;
	int first, rc, errs = 0;

	if ((rc = ctl__args("brctl", argc, argv, &json, 1, argc, "subcommand: show", &first)))
		return rc;
	if (strcmp(argv[first], "show"))
		return cmd__usage("brctl", "unknown subcommand '%s': show",
				  brctl__shown(argv[first]));
	if ((rc = brctl__bridges("brctl", &reply, &bridges)))
		return rc;
	out = json_object_new_array();
	for (size_t i = 0; first + 1 == argc && i < json_object_array_length(bridges); i++)
		json_object_array_add(out, json_object_get(json_object_array_get_idx(bridges, i)));
	for (int i = first + 1; i < argc; i++) {
		if ((b = brctl__find(bridges, argv[i]))) {
			json_object_array_add(out, json_object_get(b));
			continue;
		}
		/* bridge-utils' words; the exit status says a bridge was missing. */
		fprintf(stderr, "vfnet brctl: bridge %s does not exist!\n", brctl__shown(argv[i]));
		errs++;
	}
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "bridges", json_object_get(out));
		ctl__print_json(o);
		json_object_put(o);
	} else {
		for (size_t i = 0; i < json_object_array_length(out); i++)
			show(json_object_array_get_idx(out, i), &header);
	}
	json_object_put(out);
	json_object_put(reply);
	return errs ? EXIT_FAIL : EXIT_OK;
}

const struct cmd cmd_brctl = {
    .name = "brctl",
    .summary = "`brctl show`: dom0's bridges and their ports",
    .run = brctl_run,
    .help = brctl_help,
};
