/* vfnet xenstore-read: print values of the machine's xenstore, as Xen's `xenstore-read`. */
#include <errno.h>
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
		struct json_object *req, *reply;
		char *path = xsctl__path(argv[i]), *shown, *val;
		size_t len;
		int rc;

		if (!path)
			return cmd__fail("xenstore-read", "out of memory");
		req = ctl__req("xenstore-read", "path", path);
		free(path);
		rc = xsctl__call("xenstore-read", req, "couldn't read path ", argv[i], "", &reply);
		if (rc)
			return rc;
		rc = xsctl__value(reply, &val, &len);
		json_object_put(reply);
		if (rc)
			return cmd__fail("xenstore-read", rc == -ENOMEM
							      ? "out of memory"
							      : "the host's reply has no value");
		if (prefix)
			printf("%s: ", argv[i]);
		if (raw) {
			fwrite(val, 1, len, stdout);
		} else {
			shown = xs_format__escape(val, len);
			if (!shown) {
				free(val);
				return cmd__fail("xenstore-read", "out of memory");
			}
			printf("%s\n", shown);
			free(shown);
		}
		free(val);
	}
	return EXIT_OK;
}

const struct cmd cmd_xenstore_read = {
    .name = "xenstore-read",
    .summary = "print values of the machine's xenstore",
    .run = xenstore_read_run,
    .help = xenstore_read_help,
};
