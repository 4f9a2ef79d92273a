/* vfnet migrate: live migration of a guest, as `xl migrate` does it. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

static void migrate_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet migrate [--live] [--max-rounds N] [--bandwidth BYTES] [-j] DOM TARGET\n\n"
	    "Move the running guest DOM to a new domain, as `xl migrate` does: its RAM is sent\n"
	    "while it runs, then in rounds the pages it wrote meanwhile (its writes are logged\n"
	    "with userfaultfd write-protect), until few are left or --max-rounds (default 5)\n"
	    "have gone; then the guest stops, the rest of its RAM and its runtime's state\n"
	    "follow, and it resumes in the new domain, which takes its name. The stream is\n"
	    "versioned and checked (an end record with a checksum of the guest's RAM); a\n"
	    "destination that refuses it, dies or does not resume leaves the guest running\n"
	    "where it was. Migration is always live (--live is accepted, as xl's).\n\n"
	    "TARGET: localhost (this machine). Not built yet: other hosts, and guests with a\n"
	    "PCI function (a VF) or a vif.\n\n"
	    "  --max-rounds N     pre-copy rounds before stop-and-copy (1..64, default 5)\n"
	    "  --bandwidth BYTES  limit the stream (K/M/G suffixes: powers of 1024) per second\n"
	    "  -j                 the result as JSON\n\n"
	    "Prints one line per round (pages sent, time, pages written meanwhile and that\n"
	    "rate) and a summary: total time, downtime (the time the guest did not run),\n"
	    "rounds, bytes sent.\n\n"
	    "examples:\n"
	    "  vfnet migrate vm1 localhost\n"
	    "  vfnet migrate --max-rounds 3 --bandwidth 64M vm1 localhost\n");
}

static int parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'G':
		v <<= 10; /* fallthrough */
	case 'M':
		v <<= 10; /* fallthrough */
	case 'K':
		v <<= 10;
		end++;
		break;
	default:
		break;
	}
	if (*end || !v)
		return -EINVAL;
	*out = v;
	return 0;
}

static void print_result(struct json_object *r)
{
	struct json_object *rounds, *v;
	size_t n = 0;

	if (json_object_object_get_ex(r, "rounds", &rounds))
		n = json_object_array_length(rounds);
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(rounds, i);

		printf("round %llu: %llu pages in %llu ms, %llu written meanwhile (%llu pages/s)\n",
		       (unsigned long long)ctl__u64(x, "round"),
		       (unsigned long long)ctl__u64(x, "pages"),
		       (unsigned long long)ctl__u64(x, "ms"),
		       (unsigned long long)ctl__u64(x, "dirty"),
		       (unsigned long long)ctl__u64(x, "dirty_rate"));
	}
	printf("migrated %s to domain %llu: %llu ms in all, downtime %.3f ms, %zu rounds, "
	       "%llu pages, %llu bytes sent%s%s\n",
	       ctl__str(r, "domain"), (unsigned long long)ctl__u64(r, "domid"),
	       (unsigned long long)ctl__u64(r, "total_ms"),
	       (double)ctl__u64(r, "downtime_us") / 1e3, n,
	       (unsigned long long)ctl__u64(r, "pages"), (unsigned long long)ctl__u64(r, "bytes"),
	       json_object_object_get_ex(r, "converged", &v) && json_object_get_boolean(v)
		   ? ""
		   : " (did not converge: stopped after the last round)",
	       json_object_object_get_ex(r, "dirty_logged", &v) && json_object_get_boolean(v)
		   ? ""
		   : " (the guest's writes were not logged: every page every round)");
}

static int migrate_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"live", no_argument, NULL, 'l'},
	    {"max-rounds", required_argument, NULL, 'r'},
	    {"bandwidth", required_argument, NULL, 'b'},
	    {NULL, 0, NULL, 0},
	};
	struct json_object *req, *reply = NULL;
	uint64_t rounds = 0, bw = 0;
	bool json = false;
	char *end;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			break;
		case 'r':
			errno = 0;
			rounds = strtoull(optarg, &end, 10);
			if (errno || *end || !rounds || rounds > 64 || optarg[0] == '-')
				return cmd__usage("migrate", "--max-rounds wants a number 1..64");
			break;
		case 'b':
			if (parse_bytes(optarg, &bw))
				return cmd__usage("migrate",
						  "--bandwidth wants bytes per second (e.g. 64M)");
			break;
		case 'j':
			json = true;
			break;
		case ':':
			return cmd__usage("migrate", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd__usage("migrate", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return cmd__usage("migrate", "missing %s",
				  argc == optind ? "DOM and TARGET" : "TARGET");
	if (argc - optind > 2)
		return cmd__usage("migrate", "unexpected argument '%s'", argv[optind + 2]);
	req = ctl__req("migrate", "domain", argv[optind]);
	json_object_object_add(req, "target", json_object_new_string(argv[optind + 1]));
	if (rounds)
		json_object_object_add(req, "max_rounds", json_object_new_int64((int64_t)rounds));
	if (bw)
		json_object_object_add(req, "bandwidth", json_object_new_int64((int64_t)bw));
	if ((rc = client__call("migrate", req, &reply)))
		return rc;
	if (json)
		ctl__print_json(reply);
	else
		print_result(reply);
	json_object_put(reply);
	return EXIT_OK;
}

const struct cmd cmd_migrate = {
    .name = "migrate",
    .summary = "move a running guest to a new domain (live migration)",
    .run = migrate_run,
    .help = migrate_help,
};
