/* vfnet dom0 restart: the driver domain, started afresh while the guests run on. */
#include <string.h>

#include "cli/cmd.h"
#include "cli/ctl.h"

static void dom0_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet dom0 restart\n\n"
	    "Kill dom0 (Domain-0, the driver domain with the PF driver) and start a new one\n"
	    "with the same memory, as after a crash of the driver domain. Guests keep\n"
	    "running, and their VFs keep moving packets VF to VF while dom0 is away (the PF\n"
	    "driver is needed only for the mailbox and for policy); the new dom0 finds the PFs\n"
	    "and the VFs that are not assignable again. It gets a new process (`vfnet list\n"
	    "-j` shows its pid); its domain id stays 0. The administrator's VF policy (`vfnet\n"
	    "ip link set`: MAC, VLAN, spoof check, trust, link state, rate) is kept by the\n"
	    "machine and programmed again by the new PF driver before it answers any VF.\n\n"
	    "examples:\n"
	    "  vfnet dom0 restart\n"
	    "  vfnet dmesg 0\n");
}

static int dom0_run(int argc, char **argv)
{
	int first, rc;

	if ((rc = ctl__args("dom0", argc, argv, NULL, 1, 1, "subcommand: restart", &first)))
		return rc;
	if (strcmp(argv[first], "restart"))
		return cmd__usage("dom0", "unknown subcommand '%s': restart", argv[first]);
	return ctl__call("dom0", ctl__req("dom0-restart", NULL, NULL));
}

const struct cmd cmd_dom0 = {
    .name = "dom0",
    .summary = "`dom0 restart`: a new dom0 while the guests keep running",
    .run = dom0_run,
    .help = dom0_help,
};
