/* vfnet list: the running domains, in `xl list`'s format. */
#include <stdbool.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/dom0_vifs.h"

static void list_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet list [-j] [DOM...]\n\n"
		"List the running domains (all, or the ones named by name or id) as `xl list`\n"
		"does: Name, ID, Mem (MiB), VCPUs, State and Time(s), the CPU time the domain's\n"
		"process has used, in seconds. State is xl's: `r-----` while the domain's vCPU\n"
		"runs, `-b----` while it waits for an event; a domain whose process died is\n"
		"removed from the list by the host.\n\n"
		"options:\n"
		"  -j        JSON, with more per domain: role, pid, uptime, hypercalls and\n"
		"            their errors, time spent in the hypervisor, interrupts, and the\n"
		"            trapped accesses (traps, trap_cost) a guest made and how many of\n"
		"            them waited for its budget (traps_delayed, trap_wait_ns); a\n"
		"            guest with paravirtual interfaces has \"vifs\" as dom0's netback\n"
		"            counts them: vif, devid, mac, bridge, state, tx_mode, packets and\n"
		"            bytes each way (rx: to the guest), drops, and dom0_cpu_ns, the CPU\n"
		"            dom0 spent on that vif's rings\n\n"
		"examples:\n"
		"  vfnet list\n"
		"  vfnet list vm1\n"
		"  vfnet list -j | jq '.domains[] | {name, pid}'\n");
}

static bool wanted(struct json_object *d, int n, char **doms)
{
	if (!n)
		return true;
	for (int i = 0; i < n; i++)
		if (!strcmp(doms[i], ctl__str(d, "name")) || !strcmp(doms[i], ctl__str(d, "id")))
			return true;
	return false;
}

static void print_list(struct json_object *doms)
{
	size_t n = json_object_array_length(doms);

	/* xl's header, tabs included, and its row format. */
	printf("Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(doms, i);

		const char *st = ctl__str(d, "state");
		/* xl's six columns: running, blocked, paused, shutdown, crashed, dying */
		const char *state = *st == 'r' ? "r-----" : *st == 'c' ? "----c-" : "-b----";

		printf("%-40s %5llu %5llu %5llu     %s  %8.1f\n", ctl__str(d, "name"),
		       (unsigned long long)ctl__u64(d, "id"),
		       (unsigned long long)ctl__u64(d, "memory_mib"),
		       (unsigned long long)ctl__u64(d, "vcpus"), state,
		       (double)ctl__u64(d, "cpu_ns") / 1e9);
	}
}

/* Each guest's vifs, from dom0, under its entry (list -j). */
static void add_vifs(struct json_object *sel)
{
	struct json_object *rep = dom0_vifs__read("list"), *vifs;

	if (!rep || !json_object_object_get_ex(rep, "vifs", &vifs) ||
	    !json_object_is_type(vifs, json_type_array)) {
		json_object_put(rep);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(sel); i++) {
		struct json_object *d = json_object_array_get_idx(sel, i), *mine = NULL, *id;

		if (!json_object_object_get_ex(d, "id", &id) || !json_object_get_int(id))
			continue; /* dom0 has no vifs of its own: it is their backend */
		for (size_t j = 0; j < json_object_array_length(vifs); j++) {
			struct json_object *v = json_object_array_get_idx(vifs, j), *o, *x;
			static const char *const as_is[][2] = {
			    {"ifname", "vif"},
			    {"devid", "devid"},
			    {"mac", "mac"},
			    {"bridge", "bridge"},
			    {"state", "state"},
			    {"tx_mode", "tx_mode"},
			    {"tx_packets", "rx_packets"},
			    {"tx_bytes", "rx_bytes"},
			    {"rx_packets", "tx_packets"},
			    {"rx_bytes", "tx_bytes"},
			    {"cpu_ns", "dom0_cpu_ns"},
			    {"drops", "drops"},
			};

			if (!json_object_object_get_ex(v, "domid", &x) ||
			    json_object_get_int(x) != json_object_get_int(id))
				continue;
			o = json_object_new_object();
			for (size_t k = 0; k < sizeof(as_is) / sizeof(as_is[0]); k++)
				if (json_object_object_get_ex(v, as_is[k][0], &x))
					json_object_object_add(o, as_is[k][1], json_object_get(x));
			if (!mine)
				mine = json_object_new_array();
			json_object_array_add(mine, o);
		}
		if (mine)
			json_object_object_add(d, "vifs", mine);
	}
	json_object_put(rep);
}

static int list_run(int argc, char **argv)
{
	struct json_object *req, *reply, *doms, *sel;
	bool json = false;
	int first, rc;

	if ((rc = ctl__args("list", argc, argv, &json, 0, 64, "", &first)))
		return rc;
	req = ctl__req("list", NULL, NULL);
	rc = client__call("list", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(reply, "domains", &doms) ||
	    !json_object_is_type(doms, json_type_array)) {
		json_object_put(reply);
		return cmd__fail("list", "the host's reply has no list of domains");
	}
	sel = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(doms); i++) {
		struct json_object *d = json_object_array_get_idx(doms, i);

		if (wanted(d, argc - first, argv + first))
			json_object_array_add(sel, json_object_get(d));
	}
	/* Like xl: a domain asked for by name that does not run is an error. */
	for (int i = first; i < argc; i++) {
		bool found = false;

		for (size_t j = 0; j < json_object_array_length(sel); j++)
			found |= wanted(json_object_array_get_idx(sel, j), 1, &argv[i]);
		if (!found) {
			rc = cmd__fail("list", "no domain '%s': `vfnet list` shows them", argv[i]);
			goto out;
		}
	}
	if (json) {
		add_vifs(sel);
		json_object_object_add(reply, "domains", json_object_get(sel));
		ctl__print_json(reply);
	} else {
		print_list(sel);
	}
out:
	json_object_put(sel);
	json_object_put(reply);
	return rc;
}

const struct cmd cmd_list = {
    .name = "list",
    .summary = "the running domains, as `xl list`",
    .run = list_run,
    .help = list_help,
};
