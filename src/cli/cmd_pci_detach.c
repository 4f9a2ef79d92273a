/* vfnet pci-detach: hot-unplug a device from a guest, as `xl pci-detach [-f]`. */
#include <getopt.h>
#include <stdbool.h>

#include "cli/cmd.h"
#include "cli/ctl.h"
#include "hw/pci/topology.h"

static void pci_detach_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet pci-detach [-f] DOM BDF\n\n"
		"Take the device at BDF (the host's address, as `vfnet pci-list DOM` shows it)\n"
		"away from the guest DOM (name or id), as `xl pci-detach` does: the guest is\n"
		"asked first and removes its driver while the device still works; then the\n"
		"function is reset and goes back to the pool of assignable devices. A guest that\n"
		"does not let go within 2 s loses it anyway. With -f the removal is a surprise,\n"
		"as `xl pci-detach -f`: the guest loses the device at once and is told after.\n\n"
		"options:\n"
		"  -f        force: take it without asking the guest\n\n"
		"examples:\n"
		"  vfnet pci-detach vm1 01:10.0\n"
		"  vfnet pci-detach -f vm1 01:10.0\n");
}

static int pci_detach_run(int argc, char **argv)
{
	struct json_object *req;
	char b[16];
	uint16_t rid;
	bool force = false;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "f")) != -1) {
		if (opt != 'f')
			return cmd__usage("pci-detach", "unknown option '-%c'", optopt);
		force = true;
	}
	if (argc - optind < 2)
		return cmd__usage("pci-detach", "missing %s",
				  argc == optind ? "DOM and BDF" : "BDF");
	if (argc - optind > 2)
		return cmd__usage("pci-detach", "unexpected argument '%s'", argv[optind + 2]);
	if ((rc = ctl__bdf("pci-detach", argv[optind + 1], &rid)))
		return rc;
	req = ctl__req("pci-detach", "domain", argv[optind]);
	json_object_object_add(req, "bdf", json_object_new_string(pci_rid__str(rid, b)));
	if (force)
		json_object_object_add(req, "force", json_object_new_boolean(true));
	return ctl__call("pci-detach", req);
}

const struct cmd cmd_pci_detach = {
    .name = "pci-detach",
    .summary = "hot-unplug a VF from a guest, back to the pool",
    .run = pci_detach_run,
    .help = pci_detach_help,
};
