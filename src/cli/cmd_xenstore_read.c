/* vfnet xenstore-read: print values of the machine's xenstore, as Xen's `xenstore-read`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xs_format.h"
#include "cli/xsctl.h"

static void xenstore_read_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet xenstore-read [-p] [-R] PATH...\n\n"
		"Print the value at each PATH of the machine's xenstore, one a line, as Xen's\n"
		"`xenstore-read` in dom0 does: bytes that are not printable are quoted (\\n, \\t,\n"
		"\\\\, \\001, \\x7f). A PATH without a leading '/' is below dom0's home,\n"
		"" XSCTL_HOME ". The first path that cannot be read ends the command, with\n"
		"exit status 1, after the values read before it.\n\n"
		"options:\n"
		"  -p, --prefix  print \"PATH: \" before each value\n"
		"  -R, --raw     the bytes as they are, with no newline after them\n\n"
		"examples:\n"
		"  vfnet xenstore-read /local/domain/0/name\n"
		"      Domain-0\n"
		"  vfnet xenstore-read -p /local/domain/1/name /local/domain/1/domid\n"
		"  vfnet xenstore-read /local/domain/1/device/vif/0/state\n");
}

static int xenstore_read_run(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"prefix", no_argument, NULL, 'p'}, {"raw", no_argument, NULL, 'R'}, {0}};
	bool prefix = false, raw = false;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+pR", longs, NULL)) != -1) {
		if (opt == 'p')
			prefix = true;
		else if (opt == 'R')
			raw = true;
		else
			return cmd__usage("xenstore-read", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind == argc)
		return cmd__usage("xenstore-read", "missing PATH");
	for (int i = optind; i < argc; i++) {
		struct json_object *req, *reply, *v;
		char *path = xsctl__path(argv[i]), *shown;
		int rc;

		if (!path)
			return cmd__fail("xenstore-read", "out of memory");
		req = ctl__req("xenstore-read", "path", path);
		free(path);
		rc = xsctl__call("xenstore-read", req, "couldn't read path ", argv[i], "", &reply);
		if (rc)
			return rc;
		if (!json_object_object_get_ex(reply, "value", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			json_object_put(reply);
			return cmd__fail("xenstore-read", "the host's reply has no value");
		}
		if (prefix)
			printf("%s: ", argv[i]);
		if (raw) {
			fwrite(json_object_get_string(v), 1, (size_t)json_object_get_string_len(v),
			       stdout);
		} else {
			shown = xs_format__escape(json_object_get_string(v),
						  (size_t)json_object_get_string_len(v));
			if (!shown) {
				json_object_put(reply);
				return cmd__fail("xenstore-read", "out of memory");
			}
			printf("%s\n", shown);
			free(shown);
		}
		json_object_put(reply);
	}
	return EXIT_OK;
}

const struct cmd cmd_xenstore_read = {
    .name = "xenstore-read",
    .summary = "print values of the machine's xenstore",
    .run = xenstore_read_run,
    .help = xenstore_read_help,
};
