/* vfnet pci-list: the devices passed through to a guest, as `xl pci-list`. */
#include <stdbool.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

static void pci_list_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet pci-list [-j] DOM\n\n"
		"List the devices passed through to the guest DOM (name or id), as `xl pci-list`\n"
		"does: Vdev, the slot and function the guest sees the device at on its virtual\n"
		"bus 00, and Device, the host's address of the function. Nothing is printed for a\n"
		"guest without devices.\n\n"
		"options:\n"
		"  -j        JSON, with each device's port and VF number\n\n"
		"examples:\n"
		"  vfnet pci-list vm1\n"
		"      Vdev Device\n"
		"      04.0 0000:01:10.0\n"
		"  vfnet pci-list -j 2\n");
}

static int pci_list_run(int argc, char **argv)
{
	struct json_object *req, *reply, *devs;
	bool json = false;
	int first, rc;
	size_t n;

	if ((rc = ctl__args("pci-list", argc, argv, &json, 1, 1, "DOM: a domain's name or id",
			    &first)))
		return rc;
	req = ctl__req("pci-list", "domain", argv[first]);
	rc = client__call("pci-list", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (json) {
		ctl__print_json(reply);
	} else if (json_object_object_get_ex(reply, "devices", &devs) &&
		   json_object_is_type(devs, json_type_array) &&
		   (n = json_object_array_length(devs))) {
		printf("Vdev Device\n");
		for (size_t i = 0; i < n; i++) {
			struct json_object *d = json_object_array_get_idx(devs, i);

			const char *vslot = ctl__str(d, "vslot");

			/* xl's Vdev is DD.F: the guest's bus is always 00. */
			if (!strncmp(vslot, "00:", 3))
				vslot += 3;
			printf("%s 0000:%s\n", vslot, ctl__str(d, "bdf"));
		}
	}
	json_object_put(reply);
	return EXIT_OK;
}

const struct cmd cmd_pci_list = {
    .name = "pci-list",
    .summary = "the devices a guest has, with their virtual slots",
    .run = pci_list_run,
    .help = pci_list_help,
};
