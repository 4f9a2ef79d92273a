/* vfnet sriov: SR-IOV of a PF, through dom0's PF driver (sysfs sriov_numvfs semantics). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"

static void sriov_help(FILE *out)
{
	fprintf(out, "usage: vfnet sriov PF [numvfs N] [-j]\n\n"
		     "Show or set the number of enabled VFs of PF (pf0 or pf1), as writing\n"
		     "/sys/class/net/PF/device/sriov_numvfs does: the PF driver in dom0 enables N\n"
		     "VFs (at most TotalVFs, 7), and the VFs appear on the bus, unbound and ready\n"
		     "for `vfnet pci-assignable-add`. Changing a non-zero count needs 0 first\n"
		     "(EBUSY); disabling while a VF is in a guest is refused with the guest named.\n\n"
		     "examples:\n"
		     "  vfnet sriov pf0\n"
		     "  vfnet sriov pf0 numvfs 7\n"
		     "  vfnet sriov pf0 numvfs 0\n");
}

static int sriov_run(int argc, char **argv)
{
	struct json_object *req = json_object_new_object(), *reply = NULL, *v;
	bool json = false;
	const char *pf = NULL;
	int rc, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "numvfs")) {
			char *end;
			long n;

			if (++i == argc)
				return json_object_put(req), cmd__usage("sriov", "numvfs needs a count");
			errno = 0;
			n = strtol(argv[i], &end, 10);
			if (errno || *end || n < 0 || n > 65535)
				return json_object_put(req),
				       cmd__usage("sriov", "'%s' is not a VF count", argv[i]);
			json_object_object_add(req, "numvfs", json_object_new_int((int)n));
		} else if (!pf && argv[i][0] != '-') {
			pf = argv[i];
		} else {
			return json_object_put(req),
			       cmd__usage("sriov", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!pf)
		return json_object_put(req), cmd__usage("sriov", "which PF? pf0 or pf1");
	json_object_object_add(req, "op", json_object_new_string("sriov"));
	json_object_object_add(req, "pf", json_object_new_string(pf));
	rc = client__domain_call("sriov", "0", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (json) {
		json_object_object_del(reply, "ok");
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
	} else {
		printf("%s:", pf);
		if (json_object_object_get_ex(reply, "slot", &v))
			printf(" %s", json_object_get_string(v));
		if (json_object_object_get_ex(reply, "total", &v))
			printf(" sriov_totalvfs %d", json_object_get_int(v));
		if (json_object_object_get_ex(reply, "enabled", &v))
			printf(" sriov_numvfs %d", json_object_get_int(v));
		printf("\n");
		if (json_object_object_get_ex(reply, "vfs", &v)) {
			for (size_t k = 0; k < json_object_array_length(v); k++) {
				struct json_object *s = json_object_array_get_idx(v, k);

				if (s)
					printf("  virtfn%zu %s\n", k, json_object_get_string(s));
			}
		}
	}
	json_object_put(reply);
	return EXIT_OK;
}

const struct cmd cmd_sriov = {
	.name = "sriov",
	.summary = "show or set the number of VFs of a PF (sriov_numvfs)",
	.run = sriov_run,
	.help = sriov_help,
};
