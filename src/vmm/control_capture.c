/*
 * Capture operations: what `vfnet capture` asks of the machine.
 *
 *   capture-start   target, path, [count]   tap a port's wire ("pf0", "pf1") or one of its VFs
 *                                           ("pf0vf3") into a new pcap file at path; id
 *   capture-status  id                      frames written, dropped (the ring was full), done
 *   capture-stop    id                      stop it and close the file; the same answer
 *   capture-list                            every capture running, and the last one of each
 *                                           port that ended (with why it ended)
 *
 * The machine creates the file, as the user it runs as and in its own mount namespace: path
 * must be absolute (the CLI resolves a relative one against its working directory). The file is
 * pcap (DLT_EN10MB, snap length CAP_SNAPLEN) written with libpcap, so tcpdump -r and tshark -r
 * read it, also while it grows.
 *
 * The NIC engine puts the frames into a ring (hw/nic/capture.h); this thread drains it into the
 * file every CAPTURE_TICK_NS from a vloop timer, and on every status and stop request. With a
 * count the capture ends by itself once count frames are written. One capture per port at a
 * time; a finished capture answers status until the next one on its port starts.
 *
 * A capture lives as long as the connection that started it, as tcpdump's capture lives as long
 * as tcpdump: when that client goes away, however it dies, the capture ends and its file is
 * closed. (One started without a connection, by control__handle alone, ends by count or stop.)
 * Any client may stop any capture, so one whose client hangs can be ended by hand. A failed
 * write (a full disk) ends the capture too, with the reason logged and answered.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/machine.h"
#include "hw/nic/capture.h"
#include "hw/pci/sriov.h"
#include "lib/compiler.h"
#include "lib/log.h"
#include "vmm/control_priv.h"
#include "vmm/loop.h"

#define fail control__fail

#define CAPTURE_TICK_NS	 10000000ull /* 10 ms: 2048 slots hold 200 kpps between two ticks */
#define CAPTURE_PATH_MAX 4096

struct capture {
	struct control *c;
	bool used; /* a capture ran on this port; status answers for its id */
	bool done;
	unsigned id, port;
	char target[16];
	char path[CAPTURE_PATH_MAX];
	char error[ERR_MAX]; /* why it ended early (a failed write), or "" */
	const char *ended;   /* once done: why ("count reached", "stopped", ...) */
	uint64_t owner;	     /* control__client of the connection that started it; 0: none */
	uint64_t count;	     /* frames to write before it ends by itself; 0: no limit */
	uint64_t written;
	uint64_t dropped; /* once done: the ring's drops when it stopped */
	struct cap_ring *ring;
	pcap_t *dead;
	pcap_dumper_t *dumper;
	int timer; /* > 0: a drain is due */
};

struct control_captures {
	unsigned next_id;
	struct capture port[E82576_PORTS];
};

/* A path is echoed in errors only when it is short and printable. */
static const char *shown_path(const char *p)
{
	size_t n = strlen(p);

	if (n > 200)
		return "the file";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return "the file";
	return p;
}

/* ---- the file ---- */

/* Write what the ring holds (up to count); false when writing failed. */
static bool drain(struct capture *cap)
{
	const struct cap_slot *s;
	struct pcap_pkthdr h;
	uint64_t before = cap->written;
	int werr;

	errno = 0;
	while ((!cap->count || cap->written < cap->count) && (s = cap_ring__peek(cap->ring))) {
		h.ts.tv_sec = (time_t)(s->ts_ns / 1000000000ull);
		h.ts.tv_usec = (suseconds_t)(s->ts_ns % 1000000000ull / 1000);
		h.caplen = s->caplen;
		h.len = s->len;
		pcap_dump((u_char *)cap->dumper, &h, s->data);
		cap_ring__pop(cap->ring);
		cap->written++;
	}
	/* pcap_dump reports nothing. A write that failed (disk full) shows in the flush, or only
	 * in the stream's error flag when stdio had already thrown the buffer away, with the
	 * reason left in errno by the write stdio made inside pcap_dump. */
	werr = errno;
	errno = 0;
	if (cap->written != before &&
	    (pcap_dump_flush(cap->dumper) || ferror(pcap_dump_file(cap->dumper)))) {
		if (!errno)
			errno = werr;
		snprintf(cap->error, sizeof(cap->error), "writing the file failed: %s",
			 errno ? strerror(errno) : "I/O error");
		return false;
	}
	return true;
}

/* Stop the tap (the engine lets go of the ring), write what is left, close the file; @why it
 * ended goes into the log, with the error of a failed write. */
static void finish(struct capture *cap, const char *why)
{
	struct machine *m = cap->c->m;
	struct e82576_capture_stats st;

	if (cap->done)
		return;
	e82576__capture_stop(m->nic, cap->port);
	if (!cap->error[0])
		drain(cap);
	e82576__capture_stats(m->nic, cap->port, &st);
	cap->dropped = st.dropped;
	if (cap->timer > 0 && cap->c->loop)
		vloop__cancel(cap->c->loop, cap->timer);
	cap->timer = 0;
	pcap_dump_close(cap->dumper);
	pcap_close(cap->dead);
	cap_ring__destroy(cap->ring);
	cap->dumper = NULL;
	cap->dead = NULL;
	cap->ring = NULL;
	cap->done = true;
	cap->ended = why;
	log__msg(cap->error[0] ? LOG_WARN : LOG_INFO, "capture",
		 "capture %u on %s ended, %s%s%s: %llu frames written to %s, %llu dropped", cap->id,
		 cap->target, why, cap->error[0] ? ": " : "", cap->error,
		 (unsigned long long)cap->written, shown_path(cap->path),
		 (unsigned long long)cap->dropped);
}

/* Drain; end the capture when its count is reached or the file cannot be written. */
static void pump(struct capture *cap)
{
	if (cap->done)
		return;
	if (!drain(cap))
		finish(cap, "the file could not be written");
	else if (cap->count && cap->written >= cap->count)
		finish(cap, "count reached");
}

static void tick(void *opaque, uint32_t events)
{
	struct capture *cap = opaque;
	int id;

	cap->timer = 0; /* one-shot: it has fired */
	pump(cap);
	if (cap->done)
		return;
	id = vloop__timer(cap->c->loop, CAPTURE_TICK_NS, tick, cap);
	if (id < 0) {
		snprintf(cap->error, sizeof(cap->error), "cannot arm the drain timer: %s",
			 strerror(-id));
		finish(cap, "the machine could not go on");
		return;
	}
	cap->timer = id;
}

/* ---- requests ---- */

static struct control_captures *captures(struct control *c)
{
	if (!c->captures)
		c->captures = calloc(1, sizeof(*c->captures));
	return c->captures;
}

/* "pf0", "pf1" (the wire), "pf0vf3" (a VF's pool): its port and filter. */
static int parse_target(struct control *c, struct json_object *req, unsigned *port,
			struct e82576_cap_filter *flt, char *name, char *err)
{
	struct json_object *v;
	const char *s, *shown;
	unsigned long vf;
	unsigned nvfs;
	char *end;

	if (!json_object_object_get_ex(req, "target", &v) ||
	    !json_object_is_type(v, json_type_string))
		return fail(err, "missing \"target\": pf0, pf1, or a VF such as pf0vf3");
	s = json_object_get_string(v);
	shown = control__shown(s, (size_t)json_object_get_string_len(v));
	if (strncmp(s, "pf", 2) || (s[2] != '0' && s[2] != '1') ||
	    (s[3] && (strncmp(s + 3, "vf", 2) || s[5] < '0' || s[5] > '9')))
		goto unknown;
	*port = (unsigned)(s[2] - '0');
	if (!s[3]) {
		*flt = (struct e82576_cap_filter){.source = E82576_CAP_WIRE};
		snprintf(name, 16, "pf%u", *port);
		return 0;
	}
	errno = 0;
	vf = strtoul(s + 5, &end, 10);
	if (*end || errno || (s[5] == '0' && s[6]))
		goto unknown;
	nvfs = machine__pf(c->m, *port)->sriov->enabled;
	if (!nvfs)
		return fail(err, "pf%u has no VFs: `vfnet sriov pf%u numvfs N` enables them",
			    *port, *port);
	if (vf >= nvfs)
		return fail(err, "pf%uvf%lu: pf%u has %u VF%s (pf%uvf0..pf%uvf%u)", *port, vf, *port,
			    nvfs, nvfs == 1 ? "" : "s", *port, *port, nvfs - 1);
	*flt = (struct e82576_cap_filter){.source = E82576_CAP_POOL, .pool = (unsigned)vf};
	snprintf(name, 16, "pf%uvf%u", *port, (unsigned)vf);
	return 0;
unknown:
	return shown ? fail(err, "unknown target '%s': pf0, pf1, or a VF such as pf0vf3", shown)
		     : fail(err, "unknown target: pf0, pf1, or a VF such as pf0vf3");
}

static int open_file(struct capture *cap, char *err)
{
	FILE *f;

	cap->dead = pcap_open_dead(DLT_EN10MB, CAP_SNAPLEN);
	if (!cap->dead)
		return fail(err, "out of memory");
	/* fopen ourselves: pcap_dump_open does not promise to leave errno telling why. */
	f = fopen(cap->path, "wbe");
	if (!f) {
		fail(err, "cannot create %s: %s", shown_path(cap->path), strerror(errno));
		goto err_dead;
	}
	cap->dumper = pcap_dump_fopen(cap->dead, f);
	if (!cap->dumper) {
		fclose(f);
		fail(err, "%s: %s", shown_path(cap->path), pcap_geterr(cap->dead));
		goto err_dead;
	}
	if (pcap_dump_flush(cap->dumper)) {
		fail(err, "cannot write %s: %s", shown_path(cap->path), strerror(errno));
		pcap_dump_close(cap->dumper);
		cap->dumper = NULL;
		goto err_dead;
	}
	return 0;
err_dead:
	pcap_close(cap->dead);
	cap->dead = NULL;
	return -EINVAL;
}

static void add_status(struct json_object *reply, const struct capture *cap)
{
	struct e82576_capture_stats st;
	uint64_t dropped = cap->dropped;

	if (!cap->done) {
		e82576__capture_stats(cap->c->m->nic, cap->port, &st);
		dropped = st.dropped;
	}
	control__add_u64(reply, "id", cap->id);
	control__add_str(reply, "target", cap->target);
	control__add_str(reply, "path", cap->path);
	control__add_u64(reply, "written", cap->written);
	control__add_u64(reply, "dropped", dropped);
	if (cap->count)
		control__add_u64(reply, "count", cap->count);
	json_object_object_add(reply, "done", json_object_new_boolean(cap->done));
	if (cap->done)
		control__add_str(reply, "ended", cap->ended);
	if (cap->error[0])
		control__add_str(reply, "error_text", cap->error);
}

static int op_start(struct control *c, struct json_object *req, struct json_object *reply,
		    char *err)
{
	struct control_captures *cs = captures(c);
	struct e82576_cap_filter flt;
	struct json_object *v;
	struct capture *cap;
	char name[16];
	const char *path;
	uint64_t count = 0;
	unsigned port = 0;
	int rc;

	if (!cs)
		return fail(err, "out of memory");
	if ((rc = parse_target(c, req, &port, &flt, name, err)))
		return rc;
	if (!json_object_object_get_ex(req, "path", &v) || !json_object_is_type(v, json_type_string))
		return fail(err, "missing \"path\": the pcap file to write, an absolute path");
	path = json_object_get_string(v);
	if (path[0] != '/' || (size_t)json_object_get_string_len(v) != strlen(path))
		return fail(err, "\"path\" must be an absolute path (vfnet capture resolves a "
				 "relative one)");
	if (strlen(path) >= CAPTURE_PATH_MAX)
		return fail(err, "\"path\" is longer than %d bytes", CAPTURE_PATH_MAX - 1);
	if (json_object_object_get_ex(req, "count", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1)
			return fail(err, "\"count\" must be a number of frames, at least 1");
		count = (uint64_t)json_object_get_int64(v);
	}
	cap = &cs->port[port];
	if (cap->used && !cap->done) {
		fail(err, "pf%u is already being captured (capture %u, %s): stop it first", port,
		     cap->id, cap->target);
		return -EBUSY;
	}
	memset(cap, 0, sizeof(*cap));
	cap->c = c;
	cap->port = port;
	cap->count = count;
	snprintf(cap->target, sizeof(cap->target), "%s", name);
	snprintf(cap->path, sizeof(cap->path), "%s", path);
	if ((rc = open_file(cap, err)))
		return rc;
	if ((rc = cap_ring__create(&cap->ring, CAP_RING_DEFAULT))) {
		fail(err, "cannot allocate the capture ring: %s", strerror(-rc));
		goto err_file;
	}
	if ((rc = e82576__capture_start(c->m->nic, port, &flt, cap->ring))) {
		fail(err, "cannot start the tap on pf%u: %s", port, strerror(-rc));
		goto err_ring;
	}
	if (c->loop) {
		rc = vloop__timer(c->loop, CAPTURE_TICK_NS, tick, cap);
		if (rc < 0) {
			fail(err, "cannot arm the drain timer: %s", strerror(-rc));
			e82576__capture_stop(c->m->nic, port);
			goto err_ring;
		}
		cap->timer = rc;
	}
	cap->id = ++cs->next_id;
	cap->used = true;
	cap->owner = control__client(c);
	add_status(reply, cap);
	pr_info("capture", "capture %u on %s into %s%s", cap->id, cap->target,
		shown_path(cap->path), count ? " (with a count)" : "");
	return 0;

err_ring:
	cap_ring__destroy(cap->ring);
	cap->ring = NULL;
err_file:
	pcap_dump_close(cap->dumper);
	pcap_close(cap->dead);
	cap->dumper = NULL;
	cap->dead = NULL;
	return -EINVAL;
}

static int get_capture(struct control *c, struct json_object *req, struct capture **out,
		       char *err)
{
	struct json_object *v;
	int64_t id;

	if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_int))
		return fail(err, "missing \"id\": the number capture-start returned");
	id = json_object_get_int64(v);
	for (unsigned p = 0; c->captures && p < E82576_PORTS; p++) {
		struct capture *cap = &c->captures->port[p];

		if (cap->used && (int64_t)cap->id == id) {
			*out = cap;
			return 0;
		}
	}
	return fail(err, "no capture %lld (a finished one is kept until the next on its port)",
		    (long long)id);
}

static int op_status(struct control *c, struct json_object *req, struct json_object *reply,
		     char *err)
{
	struct capture *cap;
	int rc;

	if ((rc = get_capture(c, req, &cap, err)))
		return rc;
	pump(cap);
	add_status(reply, cap);
	return 0;
}

static int op_stop(struct control *c, struct json_object *req, struct json_object *reply,
		   char *err)
{
	struct capture *cap;
	int rc;

	if ((rc = get_capture(c, req, &cap, err)))
		return rc;
	finish(cap, cap->owner && cap->owner != control__client(c) ? "stopped by another client"
								    : "stopped");
	add_status(reply, cap);
	return 0;
}

static int op_list(struct control *c, struct json_object *req, struct json_object *reply,
		   char *err)
{
	struct json_object *arr = json_object_new_array();

	json_object_object_add(reply, "captures", arr);
	for (unsigned p = 0; c->captures && p < E82576_PORTS; p++) {
		struct capture *cap = &c->captures->port[p];
		struct json_object *o;

		if (!cap->used)
			continue;
		pump(cap);
		o = json_object_new_object();
		add_status(o, cap);
		json_object_array_add(arr, o);
	}
	return 0;
}

void control_capture__client_gone(struct control *c, uint64_t token)
{
	for (unsigned p = 0; token && c->captures && p < E82576_PORTS; p++) {
		struct capture *cap = &c->captures->port[p];

		if (cap->used && !cap->done && cap->owner == token)
			finish(cap, "its client closed the connection");
	}
}

void control_capture__fini(struct control *c)
{
	if (!c->captures)
		return;
	for (unsigned p = 0; p < E82576_PORTS; p++)
		if (c->captures->port[p].used)
			finish(&c->captures->port[p], "the machine stopped");
	free(c->captures);
	c->captures = NULL;
}

static const char *const start_keys[] = {"target", "path", "count", NULL};
static const char *const id_keys[] = {"id", NULL};
static const char *const no_keys[] = {NULL};

const struct control_op control_capture_ops[] = {
	{"capture-start", start_keys, op_start},
	{"capture-status", id_keys, op_status},
	{"capture-stop", id_keys, op_stop},
	{"capture-list", no_keys, op_list},
	{NULL, NULL, NULL},
};
