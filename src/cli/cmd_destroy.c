/* vfnet destroy: kill a guest, as `xl destroy` does. */
#include "cli/cmd.h"
#include "cli/ctl.h"

static void destroy_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet destroy DOM\n\n"
	    "Kill the guest DOM (its name or its id, as `vfnet list` shows them) at once, as\n"
	    "`xl destroy` does: its process is killed, the VFs it had are reset and go back to\n"
	    "the pool of assignable devices (`vfnet pci-assignable-list`). dom0 is not\n"
	    "destroyed: `vfnet dom0 restart` restarts it.\n\n"
	    "examples:\n"
	    "  vfnet destroy vm1\n"
	    "  vfnet destroy 3\n");
}

static int destroy_run(int argc, char **argv)
{
	int first, rc;

	if ((rc = ctl__args("destroy", argc, argv, NULL, 1, 1, "DOM: a domain's name or id",
			    &first)))
		return rc;
	return ctl__call("destroy", ctl__req("destroy", "domain", argv[first]));
}

const struct cmd cmd_destroy = {
    .name = "destroy",
    .summary = "kill a guest; its VFs go back to the pool",
    .run = destroy_run,
    .help = destroy_help,
};
