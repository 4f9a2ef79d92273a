/* vfnet pci-assignable-list: the pool of assignable devices, as `xl pci-assignable-list`. */
#include <stdbool.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

static void pci_assignable_list_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet pci-assignable-list [-j]\n\n"
	    "List the devices in the pool that are free to give to a guest, one\n"
	    "DDDD:BB:DD.F a line, as `xl pci-assignable-list` does. Devices of the pool that a\n"
	    "guest has are not listed (`vfnet pci-list DOM` shows them), as with xl.\n\n"
	    "options:\n"
	    "  -j        JSON: every device of the pool, with its port and VF number, and\n"
	    "            for one in use the guest (domain, domid) and its slot there (vslot)\n\n"
	    "examples:\n"
	    "  vfnet pci-assignable-list\n"
	    "  vfnet pci-assignable-list -j\n");
}

static int pci_assignable_list_run(int argc, char **argv)
{
	struct json_object *req, *reply, *devs;
	bool json = false;
	int first, rc;

	if ((rc = ctl__args("pci-assignable-list", argc, argv, &json, 0, 0, "", &first)))
		return rc;
	req = ctl__req("pci-assignable-list", NULL, NULL);
	rc = client__call("pci-assignable-list", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (json) {
		ctl__print_json(reply);
	} else if (json_object_object_get_ex(reply, "devices", &devs) &&
		   json_object_is_type(devs, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(devs); i++) {
			struct json_object *d = json_object_array_get_idx(devs, i), *v;

			if (!json_object_object_get_ex(d, "domain", &v))
				printf("0000:%s\n", ctl__str(d, "bdf"));
		}
	}
	json_object_put(reply);
	return EXIT_OK;
}

const struct cmd cmd_pci_assignable_list = {
    .name = "pci-assignable-list",
    .summary = "the assignable devices that no guest has",
    .run = pci_assignable_list_run,
    .help = pci_assignable_list_help,
};
