/* vfnet dmesg: a domain's kernel log. */
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

static void dmesg_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet dmesg DOM\n\n"
		"Print the log of the domain DOM (its name or its id; dom0 is Domain-0 or 0): its\n"
		"boot line, PCI scan, driver and app messages, each stamped with the host's "
		"monotonic clock in\n"
		"seconds. The log is a ring: the oldest lines go first when it is full.\n"
		"(`xl dmesg` shows the hypervisor's log; this is a domain's own, like `dmesg` run\n"
		"inside it.)\n\n"
		"examples:\n"
		"  vfnet dmesg vm1\n"
		"  vfnet dmesg 0 | grep mdd\n");
}

static int dmesg_run(int argc, char **argv)
{
	struct json_object *req, *reply;
	const char *log;
	int first, rc;

	if ((rc = ctl__args("dmesg", argc, argv, NULL, 1, 1, "DOM: a domain's name or id", &first)))
		return rc;
	req = ctl__req("dmesg", "domain", argv[first]);
	rc = client__call("dmesg", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	log = ctl__str(reply, "log");
	fputs(log, stdout);
	if (*log && log[strlen(log) - 1] != '\n')
		putchar('\n');
	json_object_put(reply);
	return EXIT_OK;
}

const struct cmd cmd_dmesg = {
    .name = "dmesg",
    .summary = "a domain's log",
    .run = dmesg_run,
    .help = dmesg_help,
};
