/* vfnet pci-detach: hot-unplug a device from a guest, as `xl pci-detach -f`. */
#include <getopt.h>

#include "cli/cmd.h"
#include "cli/ctl.h"
#include "hw/pci/topology.h"

static void pci_detach_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet pci-detach [-f] DOM BDF\n\n"
		"Take the device at BDF (the host's address, as `vfnet pci-list DOM` shows it)\n"
		"away from the guest DOM (name or id). The removal is a surprise removal, as\n"
		"`xl pci-detach -f`: the guest loses the device at once and is told afterwards,\n"
		"so -f is accepted and changes nothing. The function is reset and goes back to\n"
		"the pool of assignable devices.\n\n"
		"examples:\n"
		"  vfnet pci-detach vm1 01:10.0\n");
}

static int pci_detach_run(int argc, char **argv)
{
	struct json_object *req;
	char b[16];
	uint16_t rid;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+f")) != -1)
		if (opt != 'f')
			return cmd__usage("pci-detach", "unknown option '-%c'", optopt);
	if (argc - optind < 2)
		return cmd__usage("pci-detach", "missing %s",
				  argc == optind ? "DOM and BDF" : "BDF");
	if (argc - optind > 2)
		return cmd__usage("pci-detach", "unexpected argument '%s'", argv[optind + 2]);
	if ((rc = ctl__bdf("pci-detach", argv[optind + 1], &rid)))
		return rc;
	req = ctl__req("pci-detach", "domain", argv[optind]);
	json_object_object_add(req, "bdf", json_object_new_string(pci_rid__str(rid, b)));
	return ctl__call("pci-detach", req);
}

const struct cmd cmd_pci_detach = {
    .name = "pci-detach",
    .summary = "hot-unplug a VF from a guest, back to the pool",
    .run = pci_detach_run,
    .help = pci_detach_help,
};
