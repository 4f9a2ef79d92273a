/* vfnet pci-attach: hot-plug a device from the pool into a running guest, as `xl pci-attach`. */
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xlcfg.h"
#include "hw/pci/topology.h"

static void pci_attach_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet pci-attach DOM BDF[@VSLOT][,seize=1]\n\n"
	    "Hot-plug the VF at BDF into the running guest DOM (name or id), as `xl pci-attach`\n"
	    "does. The VF must be assignable (`vfnet pci-assignable-add BDF`, or seize=1 to\n"
	    "do that first); its IOMMU context is pointed at the guest's memory and it\n"
	    "appears on the guest's virtual bus at 00:VSLOT.0 (VSLOT in hex, 01-1f; default\n"
	    "the first free slot from 04), where the guest's PCI core finds it.\n"
	    "The argument is xl's PCI_SPEC_STRING: `01:10.0@5`, `01:10.0,vslot=5` and\n"
	    "`bdf=01:10.0,vslot=5` are the same. permissive=1 and power_mgmt=1 are not\n"
	    "supported; msitranslate changes nothing (a VF always uses MSI-X).\n\n"
	    "examples:\n"
	    "  vfnet pci-attach vm1 01:10.0\n"
	    "  vfnet pci-attach vm1 01:10.2@06\n"
	    "  vfnet pci-attach 2 01:10.4,seize=1\n");
}

static int pci_attach_run(int argc, char **argv)
{
	struct json_object *req;
	struct xlcfg_pci pci;
	char msg[160], b[16];
	int first, rc;

	if ((rc = ctl__args("pci-attach", argc, argv, NULL, 2, 2, "DOM and BDF", &first)))
		return rc;
	if (xlcfg_pci__parse(&pci, argv[first + 1], msg, sizeof(msg)))
		return cmd__fail("pci-attach", "%s", msg);
	if (pci.driver[0])
		return cmd__fail("pci-attach",
				 "'%s': driver= is chosen when the guest is created (a pci entry "
				 "of its configuration), not at hot-plug",
				 argv[first + 1]);
	if ((rc = ctl__pci_supported("pci-attach", &pci, argv[first + 1])) ||
	    (pci.seize && (rc = ctl__seize("pci-attach", pci.bdf))))
		return rc;
	req = ctl__req("pci-attach", "domain", argv[first]);
	json_object_object_add(req, "bdf", json_object_new_string(pci_rid__str(pci.bdf, b)));
	if (pci.vslot > 0)
		json_object_object_add(req, "vslot", json_object_new_int(pci.vslot));
	return ctl__call("pci-attach", req);
}

const struct cmd cmd_pci_attach = {
    .name = "pci-attach",
    .summary = "hot-plug an assignable VF into a running guest",
    .run = pci_attach_run,
    .help = pci_attach_help,
};
