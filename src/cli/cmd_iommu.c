/* vfnet iommu: the running machine's IOMMU, as the hypervisor sees it. */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"

static void iommu_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet iommu faults [-j]\n\n"
		"Read and clear the running machine's IOMMU fault log (VT-d fault recording\n"
		"registers): for each fault the requester as a BDF, DMA or interrupt request, read\n"
		"or write, the page address (DMA) or interrupt-remapping index, and the reason.\n"
		"Records are taken out of the log as they are shown, as the hypervisor's fault\n"
		"handler does; a note says when the log overflowed and faults were lost.\n\n"
		"options:\n"
		"  -j        the records as JSON\n\n"
		"examples:\n"
		"  vfnet iommu faults\n"
		"  vfnet --socket /tmp/m1.sock iommu faults -j\n");
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "?";
}

static void print_faults(struct json_object *reply)
{
	struct json_object *faults, *ovf;
	size_t n = 0;

	if (json_object_object_get_ex(reply, "faults", &faults) &&
	    json_object_is_type(faults, json_type_array))
		n = json_object_array_length(faults);
	if (n)
		printf("%-8s %-9s %-6s %-18s %s\n", "BDF", "KIND", "ACCESS", "ADDRESS", "REASON");
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(faults, i), *v;
		char where[32];

		if (json_object_object_get_ex(f, "irte_index", &v))
			snprintf(where, sizeof(where), "irte %s", json_object_get_string(v));
		else
			snprintf(where, sizeof(where), "%s", field(f, "address"));
		printf("%-8s %-9s %-6s %-18s %s (0x%02x)\n", field(f, "bdf"), field(f, "kind"),
		       field(f, "access"), where, field(f, "reason_text"),
		       json_object_object_get_ex(f, "reason", &v) ? json_object_get_int(v) : 0);
	}
	if (!n)
		printf("no IOMMU faults recorded\n");
	if (json_object_object_get_ex(reply, "overflow", &ovf) && json_object_get_boolean(ovf))
		printf("the fault log overflowed: some faults were not recorded\n");
}

static int iommu_run(int argc, char **argv)
{
	struct json_object *req, *reply;
	bool json = false;
	int opt, rc;

	if (argc < 2)
		return cmd__usage("iommu", "missing subcommand: faults");
	if (strcmp(argv[1], "faults"))
		return cmd__usage("iommu", "unknown subcommand '%s': faults", argv[1]);
	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc - 1, argv + 1, "j")) != -1) {
		if (opt != 'j')
			return cmd__usage("iommu", "unknown option '-%c'", optopt);
		json = true;
	}
	if (optind < argc - 1)
		return cmd__usage("iommu", "unexpected argument '%s'", argv[optind + 1]);

	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("iommu-faults"));
	rc = client__call("iommu", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (json) {
		json_object_object_del(reply, "ok");
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		print_faults(reply);
	}
	json_object_put(reply);
	return EXIT_OK;
}

const struct cmd cmd_iommu = {
	.name = "iommu",
	.summary = "the running machine's IOMMU: `iommu faults` reads the fault log",
	.run = iommu_run,
	.help = iommu_help,
};
