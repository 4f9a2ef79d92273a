/* vfnet dmesg: a domain's kernel log. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

static void dmesg_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet dmesg [-j] DOM\n\n"
		"Print the log of the domain DOM (its name or its id; dom0 is Domain-0 or 0): its\n"
		"boot line, PCI scan, driver and app messages, each stamped with the host's "
		"monotonic clock in\n"
		"seconds. The log is a ring: the oldest lines go first when it is full.\n"
		"(`xl dmesg` shows the hypervisor's log; this is a domain's own, like `dmesg` run\n"
		"inside it.)\n\n"
		"options:\n"
		"  -j        JSON: {\"domain\": NAME, \"id\": ID, \"lines\": [{\"time\": SECONDS,\n"
		"            \"text\": LINE}, ...]}\n\n"
		"examples:\n"
		"  vfnet dmesg vm1\n"
		"  vfnet dmesg 0 | grep mdd\n"
		"  vfnet dmesg -j vm1\n");
}

/* The log as JSON: one object per line, its "[   12.345678] " stamp taken apart. */
static void print_json(struct json_object *reply, const char *log)
{
	struct json_object *out = json_object_new_object(), *lines = json_object_new_array();

	json_object_object_add(out, "domain", json_object_new_string(ctl__str(reply, "domain")));
	json_object_object_add(out, "id", json_object_new_int64((int64_t)ctl__u64(reply, "id")));
	json_object_object_add(out, "lines", lines);
	while (*log) {
		const char *nl = strchr(log, '\n'), *text = log;
		size_t n = nl ? (size_t)(nl - log) : strlen(log);
		struct json_object *o = json_object_new_object();
		double secs;
		int used = 0;

		if (n > 2 && log[0] == '[' && sscanf(log, "[%lf]%n", &secs, &used) == 1 && used &&
		    (size_t)used <= n) {
			json_object_object_add(o, "time", json_object_new_double(secs));
			text = log + used;
			if (*text == ' ')
				text++;
		}
		json_object_object_add(
		    o, "text", json_object_new_string_len(text, (int)(n - (size_t)(text - log))));
		json_object_array_add(lines, o);
		log += n + (nl ? 1 : 0);
	}
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
}

static int dmesg_run(int argc, char **argv)
{
	struct json_object *req, *reply;
	const char *log;
	bool json = false;
	int first, rc;

	if ((rc = ctl__args("dmesg", argc, argv, &json, 1, 1, "DOM: a domain's name or id",
			    &first)))
		return rc;
	req = ctl__req("dmesg", "domain", argv[first]);
	rc = client__call("dmesg", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	log = ctl__str(reply, "log");
	if (json) {
		print_json(reply, log);
		json_object_put(reply);
		return EXIT_OK;
	}
	fputs(log, stdout);
	if (*log && log[strlen(log) - 1] != '\n')
		putchar('\n');
	json_object_put(reply);
	return EXIT_OK;
}

const struct cmd cmd_dmesg = {
    .name = "dmesg",
    .summary = "a domain's log",
    .run = dmesg_run,
    .help = dmesg_help,
};
