/* vfnet xenstore-write: set values in the machine's xenstore, as Xen's `xenstore-write`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xs_format.h"
#include "cli/xsctl.h"

static void xenstore_write_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet xenstore-write [-R] PATH VALUE [PATH VALUE...]\n\n"
	    "Write each VALUE at its PATH of the machine's xenstore, as Xen's `xenstore-write`\n"
	    "in dom0 does, with dom0's rights: missing parent directories are made, with the\n"
	    "permissions of their own parent. A PATH without a leading '/' is below dom0's\n"
	    "home, " XSCTL_HOME ". VALUE may quote bytes as xenstore-read prints them\n"
	    "(\\n, \\t, \\\\, \\x41, \\101); a value holds at most 2048 bytes, none of them\n"
	    "NUL. Pairs are written in turn: the first that fails ends the command with exit\n"
	    "status 1 and the pairs before it stay written (Xen's tool writes them in one\n"
	    "transaction).\n"
	    "Options come before the first PATH, so a VALUE may start with '-'.\n\n"
	    "options:\n"
	    "  -R, --raw  VALUE as it is, backslashes included\n\n"
	    "examples:\n"
	    "  vfnet xenstore-write /local/domain/1/data/greeting hello\n"
	    "  vfnet xenstore-write data/a 1 data/b 'two\\nlines'\n");
}

static int xenstore_write_run(int argc, char **argv)
{
	static const struct option longs[] = {{"raw", no_argument, NULL, 'R'}, {0}};
	bool raw = false;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+R", longs, NULL)) != -1) {
		if (opt != 'R')
			return cmd__usage("xenstore-write", "unknown option '%s'",
					  argv[optind - 1]);
		raw = true;
	}
	if (optind == argc)
		return cmd__usage("xenstore-write", "missing PATH and VALUE");
	if ((argc - optind) % 2)
		return cmd__usage("xenstore-write", "missing VALUE after PATH '%s'",
				  argv[argc - 1]);
	for (int i = optind; i < argc; i += 2) {
		struct json_object *req, *reply;
		char *path = xsctl__path(argv[i]), *val = malloc(strlen(argv[i + 1]) + 1);
		size_t len;
		int rc;

		if (!path || !val) {
			free(path);
			free(val);
			return cmd__fail("xenstore-write", "out of memory");
		}
		if (raw) {
			strcpy(val, argv[i + 1]);
			len = strlen(val);
		} else {
			len = xs_format__unescape(argv[i + 1], val);
		}
		req = ctl__req("xenstore-write", "path", path);
		xsctl__add_value(req, val, len);
		free(path);
		free(val);
		rc = xsctl__call("xenstore-write", req, "could not write path ", argv[i], "",
				 &reply);
		if (rc)
			return rc;
		json_object_put(reply);
	}
	return EXIT_OK;
}

const struct cmd cmd_xenstore_write = {
    .name = "xenstore-write",
    .summary = "set values in the machine's xenstore",
    .run = xenstore_write_run,
    .help = xenstore_write_help,
};
