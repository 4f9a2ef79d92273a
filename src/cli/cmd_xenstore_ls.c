/* vfnet xenstore-ls: the machine's xenstore as a tree, as Xen's `xenstore-ls`. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xs_format.h"
#include "cli/xsctl.h"

static void xenstore_ls_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet xenstore-ls [-f] [-p] [-j] [PATH]\n\n"
	    "Everything below PATH (default /) in the machine's xenstore, as Xen's\n"
	    "`xenstore-ls` prints it: one node a line, `name = \"value\"`, one space of indent\n"
	    "per level, bytes that are not printable quoted as xenstore-read quotes them.\n"
	    "Lines are cut to the terminal's width less 2 (80 when not on a terminal), a cut\n"
	    "value ending in \\...; -f cuts nothing. A PATH without a leading '/' is below\n"
	    "dom0's home, " XSCTL_HOME ". The vifs' frontends are in\n"
	    "/local/domain/DOMID/device/vif/DEVID, their backends in\n"
	    "/local/domain/0/backend/vif/DOMID/DEVID.\n\n"
	    "options:\n"
	    "  -f, --flat    each node's whole path instead of its name and indent\n"
	    "  -p, --prefix  each node's permissions, `  (n0,r1)`: the owner first (it may do\n"
	    "                everything), then who else may r(ead), w(rite), b(oth), n(either)\n"
	    "  -j            JSON: {\"nodes\": [{path, value, depth, perms}]}, PATH itself first\n"
	    "                at depth 0, whole paths, nothing cut or quoted; a value that is\n"
	    "                not UTF-8 comes as its bytes in hex, value_hex\n\n"
	    "examples:\n"
	    "  vfnet xenstore-ls /local/domain/0\n"
	    "      name = \"Domain-0\"\n"
	    "      domid = \"0\"\n"
	    "      ...\n"
	    "  vfnet xenstore-ls -f -p /local/domain/1/device\n"
	    "  vfnet xenstore-ls -j /local/domain/0/backend/vif\n");
}

static int terminal_columns(void)
{
	struct winsize ws = {0};

	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws))
		return 0;
	return ws.ws_col;
}

/* The nodes of the reply below the listed one, as Xen's lines. */
static int print_tree(struct json_object *nodes, const char *arg, const char *abs, bool full,
		      bool perms)
{
	struct xs_ls_style st;
	size_t n = json_object_array_length(nodes), skip = strlen(abs);
	char *shown = NULL;
	int rc = 0;

	xs_format__ls_style(&st, full, perms, terminal_columns());
	for (size_t i = 0; i < n && !rc; i++) {
		struct json_object *o = json_object_array_get_idx(nodes, i);
		const char *path = ctl__str(o, "path"), *name = strrchr(path, '/');
		uint64_t depth = ctl__u64(o, "depth");
		size_t len;
		char *val;

		if (!depth || !name || strlen(path) <= skip)
			continue;
		if ((rc = xsctl__value(o, &val, &len)) == -ENOENT) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		/* Whole paths as the user wrote the listed one, as Xen composes them. */
		free(shown);
		if (asprintf(&shown, "%s%s", arg, path + skip) < 0) {
			shown = NULL;
			free(val);
			rc = -1;
			break;
		}
		rc = xs_format__ls_line(stdout, &st, name + 1, shown, (unsigned)depth - 1, val, len,
					ctl__str(o, "perms"));
		free(val);
	}
	free(shown);
	return rc ? cmd__fail("xenstore-ls", "out of memory") : EXIT_OK;
}

static int xenstore_ls_run(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"flat", no_argument, NULL, 'f'}, {"prefix", no_argument, NULL, 'p'}, {0}};
	struct json_object *req, *reply, *nodes;
	bool full = false, perms = false, json = false;
	const char *arg = "/";
	char *abs;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+fpj", longs, NULL)) != -1) {
		if (opt == 'f')
			full = true;
		else if (opt == 'p')
			perms = true;
		else if (opt == 'j')
			json = true;
		else
			return cmd__usage("xenstore-ls", "unknown option '%s'", argv[optind - 1]);
	}
	if (argc - optind > 1)
		return cmd__usage("xenstore-ls", "unexpected argument '%s': one PATH at most",
				  argv[optind + 1]);
	if (optind < argc)
		arg = argv[optind];
	if (!(abs = xsctl__path(arg)))
		return cmd__fail("xenstore-ls", "out of memory");
	req = ctl__req("xenstore-ls", "path", abs);
	rc = xsctl__call("xenstore-ls", req, "xs_directory (", arg, ")", &reply);
	if (rc) {
		free(abs);
		return rc;
	}
	if (json)
		ctl__print_json(reply);
	else if (json_object_object_get_ex(reply, "nodes", &nodes) &&
		 json_object_is_type(nodes, json_type_array))
		rc = print_tree(nodes, arg, abs, full, perms);
	else
		rc = cmd__fail("xenstore-ls", "the host's reply has no nodes");
	json_object_put(reply);
	free(abs);
	return rc;
}

const struct cmd cmd_xenstore_ls = {
    .name = "xenstore-ls",
    .summary = "the machine's xenstore as a tree",
    .run = xenstore_ls_run,
    .help = xenstore_ls_help,
};
