/* vfnet pci-assignable-add: as `xl pci-assignable-add`. */
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "hw/pci/topology.h"

static void pci_assignable_add_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet pci-assignable-add BDF\n\n"
	    "Make the VF at BDF assignable, as `xl pci-assignable-add` does: dom0's VF driver\n"
	    "lets go of it (dom0 sees it hot-removed), the function is reset and goes to the\n"
	    "pool from which `vfnet create` (pci = [...]) and `vfnet pci-attach` take devices.\n"
	    "A VF already in the pool is fine. A physical function (01:00.0, 01:00.1) is\n"
	    "refused: its driver, the PF driver, stays in dom0 because it answers the VFs'\n"
	    "mailbox. VFs exist once SR-IOV is enabled on a PF (`vfnet lspci` lists them).\n\n"
	    "examples:\n"
	    "  vfnet pci-assignable-add 01:10.0\n"
	    "  vfnet pci-assignable-add 0000:01:10.2\n");
}

static int pci_assignable_add_run(int argc, char **argv)
{
	char b[16];
	uint16_t rid;
	int first, rc;

	if ((rc = ctl__args("pci-assignable-add", argc, argv, NULL, 1, 1,
			    "BDF: a PCI address such as 01:10.0", &first)) ||
	    (rc = ctl__bdf("pci-assignable-add", argv[first], &rid)))
		return rc;
	return ctl__call("pci-assignable-add",
			 ctl__req("pci-assignable-add", "bdf", pci_rid__str(rid, b)));
}

const struct cmd cmd_pci_assignable_add = {
    .name = "pci-assignable-add",
    .summary = "take a VF from dom0 into the pool of assignable devices",
    .run = pci_assignable_add_run,
    .help = pci_assignable_add_help,
};
