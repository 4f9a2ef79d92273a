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

#include "cli/client.h"
#include "cli/cmd.h"

#define CAPTURE_POLL_NS 100000000L /* the status is asked for ten times a second */

static volatile sig_atomic_t interrupted;

static void capture_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet capture TARGET -w FILE [-c COUNT]\n\n"
		"Capture what TARGET sends and receives into FILE, a pcap file (Ethernet, snap\n"
		"length 2048) that tcpdump -r and tshark -r read, also while it grows. Runs until\n"
		"interrupted (Ctrl-C, SIGTERM) or COUNT frames are written, then prints how many\n"
		"frames were captured and how many were dropped because the file writer fell behind.\n\n"
		"targets:\n"
		"  pf0, pf1   the port's wire: every frame it sends out and takes in\n"
		"  pfNvfM     VF M of port N: every frame it sends (with the VLAN tag the port\n"
		"             inserts; frames anti-spoofing drops too) and every frame the switch\n"
		"             delivers to it (before its tag is stripped)\n\n"
		"options:\n"
		"  -w FILE    the file to write (replaced if it exists); the machine creates it, so\n"
		"             it must be writable by the user `vfnet host` runs as. A relative path\n"
		"             is taken from the current directory\n"
		"  -c COUNT   stop after COUNT frames\n\n"
		"One capture per port at a time.\n\n"
		"examples:\n"
		"  vfnet capture pf0 -w wire.pcap\n"
		"  vfnet capture pf0vf3 -w /tmp/vf3.pcap -c 100 && tcpdump -r /tmp/vf3.pcap -nn -e\n"
		"  vfnet --socket /tmp/m1.sock capture pf1 -c 20 -w pf1.pcap\n");
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

static int request(const char *op, int64_t id, struct json_object **reply)
{
	struct json_object *req = json_object_new_object();
	int rc;

	json_object_object_add(req, "op", json_object_new_string(op));
	json_object_object_add(req, "id", json_object_new_int64(id));
	rc = client__call("capture", req, reply);
	json_object_put(req);
	return rc;
}

static int start(const char *target, const char *path, uint64_t count, int64_t *id)
{
	struct json_object *req = json_object_new_object(), *reply;
	int rc;

	json_object_object_add(req, "op", json_object_new_string("capture-start"));
	json_object_object_add(req, "target", json_object_new_string(target));
	json_object_object_add(req, "path", json_object_new_string(path));
	if (count)
		json_object_object_add(req, "count", json_object_new_int64((int64_t)count));
	rc = client__call("capture", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	*id = (int64_t)get_u64(reply, "id");
	json_object_put(reply);
	return EXIT_OK;
}

static int capture_run(int argc, char **argv)
{
	const char *target = NULL, *file = NULL;
	struct sigaction sa = {.sa_handler = on_signal};
	struct json_object *reply = NULL, *v;
	uint64_t count = 0;
	char *path, *end;
	int64_t id;
	bool done = false;
	int opt, rc;

	/* Options and TARGET in any order, as tcpdump takes them (getopt permutes). */
	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "w:c:")) != -1) {
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
		default:
			if (optopt == 'w' || optopt == 'c')
				return cmd__usage("capture", "-%c needs an argument", optopt);
			return cmd__usage("capture", "unknown option '-%c'", optopt);
		}
	}
	if (optind == argc)
		return cmd__usage("capture", "missing TARGET: pf0, pf1, or a VF such as pf0vf3");
	target = argv[optind++];
	if (optind < argc)
		return cmd__usage("capture", "unexpected argument '%s'", argv[optind]);
	if (!target_ok(target))
		return cmd__usage("capture", "unknown target '%s': pf0, pf1, or a VF such as pf0vf3",
				  target);
	if (!file)
		return cmd__usage("capture", "missing -w FILE: the pcap file to write");
	if (!(path = absolute(file)))
		return cmd__fail("capture", "cannot resolve %s: %s", file, strerror(errno));

	/* From here a signal ends the capture, even one that comes before it started. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((rc = start(target, path, count, &id))) {
		free(path);
		return rc;
	}
	fprintf(stderr, "capturing on %s, writing %s\n", target, path);
	free(path);
	while (!done) {
		struct timespec ts = {0, CAPTURE_POLL_NS};

		json_object_put(reply);
		reply = NULL;
		if (interrupted) {
			rc = request("capture-stop", id, &reply);
			break;
		}
		if ((rc = request("capture-status", id, &reply)))
			break;
		done = json_object_object_get_ex(reply, "done", &v) && json_object_get_boolean(v);
		if (!done)
			nanosleep(&ts, NULL); /* a signal cuts it short */
	}
	if (!rc) {
		if (interrupted)
			fputc('\n', stderr); /* after the ^C the terminal printed */
		fprintf(stderr, "%" PRIu64 " packets captured, %" PRIu64 " dropped\n",
			get_u64(reply, "written"), get_u64(reply, "dropped"));
		if (json_object_object_get_ex(reply, "error_text", &v))
			rc = cmd__fail("capture", "%s", json_object_get_string(v));
	}
	json_object_put(reply);
	return rc;
}

const struct cmd cmd_capture = {
	.name = "capture",
	.summary = "write what a port's wire or a VF sends and receives to a pcap file",
	.run = capture_run,
	.help = capture_help,
};
