/* vfnet pci-assignable-remove: as `xl pci-assignable-remove`. */
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "hw/pci/topology.h"

static void pci_assignable_remove_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet pci-assignable-remove BDF\n\n"
	    "Give the VF at BDF back to dom0, as `xl pci-assignable-remove -r` does: it leaves\n"
	    "the pool of assignable devices and dom0 sees it hot-added again, so its VF driver\n"
	    "can bind it. A VF that is not in the pool is fine; one that a guest uses is\n"
	    "refused (`vfnet pci-detach` it first).\n\n"
	    "examples:\n"
	    "  vfnet pci-assignable-remove 01:10.0\n");
}

static int pci_assignable_remove_run(int argc, char **argv)
{
	char b[16];
	uint16_t rid;
	int first, rc;

	if ((rc = ctl__args("pci-assignable-remove", argc, argv, NULL, 1, 1,
			    "BDF: a PCI address such as 01:10.0", &first)) ||
	    (rc = ctl__bdf("pci-assignable-remove", argv[first], &rid)))
		return rc;
	return ctl__call("pci-assignable-remove",
			 ctl__req("pci-assignable-remove", "bdf", pci_rid__str(rid, b)));
}

const struct cmd cmd_pci_assignable_remove = {
    .name = "pci-assignable-remove",
    .summary = "give a VF in the pool back to dom0",
    .run = pci_assignable_remove_run,
    .help = pci_assignable_remove_help,
};
