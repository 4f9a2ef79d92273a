/* vfnet xenstore-rm: remove nodes of the machine's xenstore, as Xen's `xenstore-rm`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xsctl.h"

static void xenstore_rm_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet xenstore-rm [-t] PATH...\n\n"
		"Remove each PATH of the machine's xenstore with everything below it, as Xen's\n"
		"`xenstore-rm` in dom0 does. Removing a node that is not there succeeds when its\n"
		"parent is there, as in Xen. A PATH without a leading '/' is below dom0's home,\n"
		"" XSCTL_HOME ". The first path that cannot be removed ends the command with\n"
		"exit status 1; the paths before it stay removed.\n\n"
		"options:\n"
		"  -t, --tidy  then remove each parent that is left with no value and no\n"
		"              children, upwards\n\n"
		"examples:\n"
		"  vfnet xenstore-rm /local/domain/1/data/greeting\n"
		"  vfnet xenstore-rm -t data/a/b/c\n");
}

static int rm_one(const char *arg)
{
	char *path = xsctl__path(arg);
	struct json_object *reply;
	int rc;

	if (!path)
		return cmd__fail("xenstore-rm", "out of memory");
	rc = xsctl__call("xenstore-rm", ctl__req("xenstore-rm", "path", path),
			 "could not remove path ", arg, "", &reply);
	free(path);
	if (!rc)
		json_object_put(reply);
	return rc;
}

/* Whether @arg names a node with an empty value and no children (Xen's test for -t). */
static bool bare(const char *arg)
{
	struct json_object *req, *reply, *nodes, *self, *v;
	char *path = xsctl__path(arg);
	char why[256];
	bool empty = false;

	if (!path || !*arg)
		goto out;
	req = ctl__req("xenstore-ls", "path", path);
	if (client__call_why("xenstore-rm", req, &reply, why, sizeof(why)) == EXIT_OK) {
		/* The listing starts with the node itself. */
		if (json_object_object_get_ex(reply, "nodes", &nodes) &&
		    json_object_is_type(nodes, json_type_array) &&
		    json_object_array_length(nodes) == 1 &&
		    (self = json_object_array_get_idx(nodes, 0)) &&
		    json_object_object_get_ex(self, "value", &v))
			empty = json_object_get_string_len(v) == 0;
		json_object_put(reply);
	}
	json_object_put(req);
out:
	free(path);
	return empty;
}

static int tidy(const char *arg)
{
	char *p = strdup(arg), *slash;
	int rc;

	if (!p)
		return cmd__fail("xenstore-rm", "out of memory");
	while (!(rc = rm_one(p)) && (slash = strrchr(p, '/'))) {
		*slash = '\0';
		if (!bare(p))
			break;
	}
	free(p);
	return rc;
}

static int xenstore_rm_run(int argc, char **argv)
{
	static const struct option longs[] = {{"tidy", no_argument, NULL, 't'}, {0}};
	bool tidy_up = false;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+t", longs, NULL)) != -1) {
		if (opt != 't')
			return cmd__usage("xenstore-rm", "unknown option '%s'", argv[optind - 1]);
		tidy_up = true;
	}
	if (optind == argc)
		return cmd__usage("xenstore-rm", "missing PATH");
	for (int i = optind; i < argc; i++)
		if ((rc = tidy_up ? tidy(argv[i]) : rm_one(argv[i])))
			return rc;
	return EXIT_OK;
}

const struct cmd cmd_xenstore_rm = {
    .name = "xenstore-rm",
    .summary = "remove nodes of the machine's xenstore",
    .run = xenstore_rm_run,
    .help = xenstore_rm_help,
};
