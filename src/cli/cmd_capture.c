/* vfnet capture: what a port's wire or a VF sends and receives, into a pcap file, like tcpdump -w. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/capture_dev.h"
#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

#define CAPTURE_POLL_NS 100000000L /* the status is asked for ten times a second */

static volatile sig_atomic_t interrupted;

static void capture_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet capture TARGET -w FILE [-c COUNT]\n"
		"       vfnet capture --domain DOM IF -w FILE [-c COUNT]\n"
		"       vfnet capture --list [-j]\n"
		"       vfnet capture --stop ID\n\n"
		"Capture what TARGET sends and receives into FILE, a pcap file (Ethernet, snap\n"
		"length 2048) that tcpdump -r and tshark -r read, also while it grows. Runs until\n"
		"interrupted (Ctrl-C, SIGTERM) or COUNT frames are written, then prints how many\n"
		"frames were captured and how many were dropped because the file writer fell behind.\n"
		"The capture lives as long as this command: however it ends (even killed with\n"
		"SIGKILL), the machine stops writing and closes the file. A write that fails (a\n"
		"full disk) ends the capture with the reason.\n\n"
		"targets:\n"
		"  pf0, pf1   the port's wire: every frame it sends out and takes in\n"
		"  pfNvfM     VF M of port N: every frame it sends (with the VLAN tag the port\n"
		"             inserts; frames anti-spoofing drops too) and every frame the switch\n"
		"             delivers to it (before its tag is stripped)\n"
		"  vifD.N     dom0's end of guest D's vif N (netback's netdev): every frame the\n"
		"             guest sent and every frame dom0's bridge sends it, as tcpdump -i\n"
		"             vifD.N in dom0 sees them; xenbrN: dom0's bridge device\n"
		"  --domain DOM IF   any interface of domain DOM (name or id), as tcpdump -i IF in\n"
		"             that domain: a guest's eth0 (its VF or its netfront), dom0's pf0\n"
		"The interfaces of a domain are captured by the domain itself, at its CPU's cost,\n"
		"and written by this command (so FILE is this user's, relative to here); frames\n"
		"it could not send on in time are dropped and counted.\n\n"
		"options:\n"
		"  -w FILE    the file to write (replaced if it exists); the machine creates it, so\n"
		"             it must be writable by the user `vfnet host` runs as. A relative path\n"
		"             is taken from the current directory\n"
		"  -c COUNT   stop after COUNT frames\n"
		"  --list     the captures running, and the last one of each port that ended, with\n"
		"             why (-j: JSON)\n"
		"  --stop ID  stop capture ID (from --list), whoever started it\n\n"
		"One capture per port at a time, and one per interface.\n\n"
		"examples:\n"
		"  vfnet capture pf0 -w wire.pcap\n"
		"  vfnet capture pf0vf3 -w /tmp/vf3.pcap -c 100 && tcpdump -r /tmp/vf3.pcap -nn -e\n"
		"  vfnet capture vif1.0 -w vif.pcap -c 50\n"
		"  vfnet capture --domain vm1 eth0 -w vm1.pcap\n"
		"  vfnet --socket /tmp/m1.sock capture pf1 -c 20 -w pf1.pcap\n"
		"  vfnet capture --list\n"
		"  vfnet capture --stop 3\n");
}

static void on_signal(int sig)
{
	interrupted = 1;
}

/* pf0, pf1, pfNvfM with N 0 or 1: anything else is refused before the host is asked. */
static bool target_ok(const char *t)
{
	if (strncmp(t, "pf", 2) || (t[2] != '0' && t[2] != '1'))
		return false;
	if (!t[3])
		return true;
	if (strncmp(t + 3, "vf", 2) || !t[5])
		return false;
	for (const char *p = t + 5; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return strlen(t + 5) <= 3;
}

/* The machine creates the file: a relative path is made absolute here. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *out;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

static int request(int fd, const char *op, int64_t id, struct json_object **reply)
{
	struct json_object *req = json_object_new_object();
	int rc;

	json_object_object_add(req, "op", json_object_new_string(op));
	if (id >= 0)
		json_object_object_add(req, "id", json_object_new_int64(id));
	rc = client__call_on("capture", fd, req, reply);
	json_object_put(req);
	return rc;
}

static int start(int fd, const char *target, const char *path, uint64_t count, int64_t *id)
{
	struct json_object *req = json_object_new_object(), *reply;
	int rc;

	json_object_object_add(req, "op", json_object_new_string("capture-start"));
	json_object_object_add(req, "target", json_object_new_string(target));
	json_object_object_add(req, "path", json_object_new_string(path));
	if (count)
		json_object_object_add(req, "count", json_object_new_int64((int64_t)count));
	rc = client__call_on("capture", fd, req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	*id = (int64_t)get_u64(reply, "id");
	json_object_put(reply);
	return EXIT_OK;
}

static void summary(struct json_object *reply)
{
	fprintf(stderr, "%" PRIu64 " packets captured, %" PRIu64 " dropped\n",
		get_u64(reply, "written"), get_u64(reply, "dropped"));
}

/* --list: one line per capture, as a table. */
static int list(bool json)
{
	struct json_object *reply, *arr, *v;
	size_t n = 0;
	int fd, rc;

	if ((fd = client__open("capture")) < 0)
		return EXIT_FAIL;
	rc = request(fd, "capture-list", -1, &reply);
	close(fd);
	if (rc)
		return rc;
	if (json) {
		ctl__print_json(reply);
		json_object_put(reply);
		return EXIT_OK;
	}
	if (json_object_object_get_ex(reply, "captures", &arr) &&
	    json_object_is_type(arr, json_type_array))
		n = json_object_array_length(arr);
	if (n)
		printf("%-4s %-8s %10s %10s  %-34s %s\n", "ID", "TARGET", "FRAMES", "DROPPED",
		       "STATE", "FILE");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		bool done = json_object_object_get_ex(o, "done", &v) && json_object_get_boolean(v);
		char state[64];

		snprintf(state, sizeof(state), "%s%s", done ? "ended: " : "running",
			 done ? ctl__str(o, "ended") : "");
		printf("%-4" PRIu64 " %-8s %10" PRIu64 " %10" PRIu64 "  %-34s %s\n",
		       get_u64(o, "id"), ctl__str(o, "target"), get_u64(o, "written"),
		       get_u64(o, "dropped"), state, ctl__str(o, "path"));
	}
	json_object_put(reply);
	return EXIT_OK;
}

/* --stop ID */
static int stop_one(const char *arg)
{
	struct json_object *reply, *v;
	char *end;
	long long id;
	int fd, rc;

	errno = 0;
	id = strtoll(arg, &end, 10);
	if (!*arg || *end || errno || id < 1)
		return cmd__usage("capture", "--stop wants a capture's id (`vfnet capture --list`)");
	if ((fd = client__open("capture")) < 0)
		return EXIT_FAIL;
	rc = request(fd, "capture-stop", id, &reply);
	close(fd);
	if (rc)
		return rc;
	summary(reply);
	if (json_object_object_get_ex(reply, "error_text", &v))
		rc = cmd__fail("capture", "%s", json_object_get_string(v));
	json_object_put(reply);
	return rc;
}

static int capture_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"list", no_argument, NULL, 'L'},
		{"stop", required_argument, NULL, 'S'},
		{"domain", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	const char *target = NULL, *file = NULL, *stop_id = NULL, *domain = NULL;
	struct sigaction sa = {.sa_handler = on_signal};
	struct json_object *reply = NULL, *v;
	uint64_t count = 0;
	char *path, *end;
	int64_t id;
	bool done = false, do_list = false, json = false;
	int opt, rc, fd;

	/* Options and TARGET in any order, as tcpdump takes them (getopt permutes). */
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":w:c:j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			file = optarg;
			break;
		case 'c':
			errno = 0;
			count = strtoull(optarg, &end, 10);
			if (errno || *end || !count || optarg[0] == '-')
				return cmd__usage("capture", "-c wants a number of frames, at least 1");
			break;
		case 'j':
			json = true;
			break;
		case 'L':
			do_list = true;
			break;
		case 'S':
			stop_id = optarg;
			break;
		case 'D':
			domain = optarg;
			break;
		case ':':
			if (optopt == 'S')
				return cmd__usage("capture", "--stop needs a capture's id");
			if (optopt == 'D')
				return cmd__usage("capture", "--domain needs a domain's name or id");
			return cmd__usage("capture", "-%c needs an argument", optopt);
		default:
			if (optopt)
				return cmd__usage("capture", "unknown option '-%c'", optopt);
			return cmd__usage("capture", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (do_list || stop_id) {
		if (domain)
			return cmd__usage("capture", "--domain goes with an interface, not --%s",
					  do_list ? "list" : "stop");
		if (do_list && stop_id)
			return cmd__usage("capture", "--list and --stop do not go together");
		if (file || count || optind < argc || (json && stop_id))
			return cmd__usage("capture", "--%s takes no target and no -w, -c%s",
					  do_list ? "list" : "stop", do_list ? "" : ", -j");
		return do_list ? list(json) : stop_one(stop_id);
	}
	if (json)
		return cmd__usage("capture", "-j goes with --list");
	if (optind == argc)
		return cmd__usage("capture", "missing TARGET: pf0, pf1, or a VF such as pf0vf3");
	target = argv[optind++];
	if (optind < argc)
		return cmd__usage("capture", "unexpected argument '%s'", argv[optind]);
	if (!domain && capture_dev__is_dom0_dev(target))
		domain = "0";
	if (!domain && !target_ok(target))
		return cmd__usage("capture",
				  "unknown target '%s': pf0, pf1, a VF such as pf0vf3, a vif such "
				  "as vif1.0, or --domain DOM IF",
				  target);
	if (!file)
		return cmd__usage("capture", "missing -w FILE: the pcap file to write");
	if (domain) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		return capture_dev__run(domain, target, file, count, &interrupted);
	}
	if (!(path = absolute(file)))
		return cmd__fail("capture", "cannot resolve %s: %s", file, strerror(errno));

	/* From here a signal ends the capture, even one that comes before it started. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* One connection for the whole capture: the machine ends it when the connection goes. */
	if ((fd = client__open("capture")) < 0) {
		free(path);
		return EXIT_FAIL;
	}
	if ((rc = start(fd, target, path, count, &id))) {
		free(path);
		close(fd);
		return rc;
	}
	fprintf(stderr, "capturing on %s, writing %s\n", target, path);
	free(path);
	while (!done) {
		struct timespec ts = {0, CAPTURE_POLL_NS};

		json_object_put(reply);
		reply = NULL;
		if (interrupted) {
			rc = request(fd, "capture-stop", id, &reply);
			break;
		}
		if ((rc = request(fd, "capture-status", id, &reply)))
			break;
		done = json_object_object_get_ex(reply, "done", &v) && json_object_get_boolean(v);
		if (!done)
			nanosleep(&ts, NULL); /* a signal cuts it short */
	}
	close(fd);
	if (!rc) {
		if (interrupted)
			fputc('\n', stderr); /* after the ^C the terminal printed */
		summary(reply);
		if (json_object_object_get_ex(reply, "error_text", &v))
			rc = cmd__fail("capture", "%s", json_object_get_string(v));
		else if (done && !strcmp(ctl__str(reply, "ended"), "stopped by another client"))
			fprintf(stderr, "(stopped by another client: `vfnet capture --stop`)\n");
	}
	json_object_put(reply);
	return rc;
}

const struct cmd cmd_capture = {
	.name = "capture",
	.summary = "write what a port's wire, a VF or a domain's interface sends and receives to a "
		   "pcap file",
	.run = capture_run,
	.help = capture_help,
};
