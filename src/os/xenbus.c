/*
 * xenstore from a domain: one request per hypercall, Xen's error names turned into errno values,
 * and the watches, whose events the hypervisor announces on the domain's xenstore port.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"
#include "vfnet/evtchn.h"
#include "vfnet/os.h"
#include "vfnet/xenbus.h"

static struct xenbus_watch *watches OS_SAVED;
static unsigned next_watch_id OS_SAVED = 1;
static struct os_work event_work OS_SAVED;

static int errno_of(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} map[] = {{"EINVAL", EINVAL}, {"EACCES", EACCES}, {"EEXIST", EEXIST}, {"EISDIR", EISDIR},
		   {"ENOENT", ENOENT}, {"ENOMEM", ENOMEM}, {"ENOSPC", ENOSPC}, {"EIO", EIO},
		   {"ENOTEMPTY", ENOTEMPTY}, {"ENOSYS", ENOSYS}, {"EROFS", EROFS}, {"EBUSY", EBUSY},
		   {"EAGAIN", EAGAIN}, {"EISCONN", EISCONN}, {"E2BIG", E2BIG}, {"EPERM", EPERM}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			return -map[i].err;
	return -EIO;
}

/* One request; the reply's payload into @out (NUL-terminated, at most @size - 1 bytes). */
static int request(uint32_t type, xenbus_transaction_t t, const void *payload, size_t len,
		   char *out, size_t size, size_t *got)
{
	uint8_t buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = {.type = type, .req_id = 1, .tx_id = t, .len = (uint32_t)len};
	size_t n = 0;
	int rc;

	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	rc = hc__call(VFNET_HC_XENSTORE, buf, sizeof(h) + len, buf, sizeof(buf), &n, NULL, 0, NULL);
	if (rc)
		return rc;
	if (n < sizeof(h))
		return -EIO;
	memcpy(&h, buf, sizeof(h));
	if (h.len > n - sizeof(h))
		return -EIO;
	buf[sizeof(h) + h.len < sizeof(buf) ? sizeof(h) + h.len : sizeof(buf) - 1] = '\0';
	if (h.type == XS_ERROR)
		return errno_of((char *)buf + sizeof(h));
	if (out) {
		if (h.len >= size)
			return -E2BIG;
		memcpy(out, buf + sizeof(h), h.len);
		out[h.len] = '\0';
	}
	if (got)
		*got = h.len;
	return 0;
}

static int join(char *buf, size_t size, const char *dir, const char *node)
{
	int n = node && node[0] ? snprintf(buf, size, "%s/%s", dir, node)
				: snprintf(buf, size, "%s", dir);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

int xenbus__read(xenbus_transaction_t t, const char *dir, const char *node, char *buf,
		 size_t size)
{
	char path[XENBUS_PATH_MAX];
	size_t got = 0;
	int n = join(path, sizeof(path), dir, node), rc;

	if (n < 0)
		return n;
	rc = request(XS_READ, t, path, (size_t)n + 1, buf, size, &got);
	return rc ? rc : (int)got;
}

int xenbus__read_ulong(xenbus_transaction_t t, const char *dir, const char *node,
		       unsigned long *val)
{
	char buf[32], *end;
	int rc = xenbus__read(t, dir, node, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	*val = strtoul(buf, &end, 10);
	return !buf[0] || *end ? -EINVAL : 0;
}

int xenbus__write(xenbus_transaction_t t, const char *dir, const char *node, const char *value)
{
	char buf[XENBUS_PATH_MAX + 1024];
	int n = join(buf, XENBUS_PATH_MAX, dir, node);
	size_t vlen = strlen(value);

	if (n < 0)
		return n;
	if (vlen > 1024)
		return -E2BIG;
	memcpy(buf + n + 1, value, vlen);
	return request(XS_WRITE, t, buf, (size_t)n + 1 + vlen, NULL, 0, NULL);
}

int xenbus__printf(xenbus_transaction_t t, const char *dir, const char *node, const char *fmt,
		   ...)
{
	char val[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val))
		return -E2BIG;
	return xenbus__write(t, dir, node, val);
}

static int path_op(uint32_t type, xenbus_transaction_t t, const char *dir, const char *node)
{
	char path[XENBUS_PATH_MAX];
	int n = join(path, sizeof(path), dir, node);

	return n < 0 ? n : request(type, t, path, (size_t)n + 1, NULL, 0, NULL);
}

int xenbus__mkdir(xenbus_transaction_t t, const char *dir, const char *node)
{
	return path_op(XS_MKDIR, t, dir, node);
}

int xenbus__rm(xenbus_transaction_t t, const char *dir, const char *node)
{
	return path_op(XS_RM, t, dir, node);
}

int xenbus__directory(xenbus_transaction_t t, const char *dir, char *buf, size_t size)
{
	size_t got = 0;
	int rc = request(XS_DIRECTORY, t, dir, strlen(dir) + 1, buf, size, &got), count = 0;

	if (rc)
		return rc;
	for (size_t i = 0; i < got; i++)
		count += buf[i] == '\0';
	return count;
}

bool xenbus__exists(xenbus_transaction_t t, const char *dir, const char *node)
{
	char buf[8];
	int rc = xenbus__read(t, dir, node, buf, sizeof(buf));

	return rc >= 0 || rc == -E2BIG;
}

int xenbus__transaction_start(xenbus_transaction_t *t)
{
	char id[16];
	int rc = request(XS_TRANSACTION_START, XBT_NIL, "", 1, id, sizeof(id), NULL);

	if (!rc)
		*t = (xenbus_transaction_t)strtoul(id, NULL, 10);
	return rc;
}

int xenbus__transaction_end(xenbus_transaction_t t, bool abort)
{
	return request(XS_TRANSACTION_END, t, abort ? "F" : "T", 2, NULL, 0, NULL);
}

/* ---- watches ---- */

static int watch_req(uint32_t type, struct xenbus_watch *w)
{
	char buf[XENBUS_PATH_MAX + 16];
	size_t n = strlen(w->path) + 1;
	int k = snprintf(buf + n, sizeof(buf) - n, "%u", w->id);

	memcpy(buf, w->path, n);
	return request(type, XBT_NIL, buf, n + (size_t)k + 1, NULL, 0, NULL);
}

int xenbus__watch(struct xenbus_watch *w, const char *path,
		  void (*fn)(struct xenbus_watch *w, const char *path), void *opaque)
{
	int rc;

	if (strlen(path) >= sizeof(w->path))
		return -ENAMETOOLONG;
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->fn = fn;
	w->opaque = opaque;
	w->id = next_watch_id++;
	w->next = watches;
	watches = w;
	if ((rc = watch_req(XS_WATCH, w))) {
		watches = w->next;
		return rc;
	}
	return 0;
}

void xenbus__unwatch(struct xenbus_watch *w)
{
	for (struct xenbus_watch **p = &watches; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			watch_req(XS_UNWATCH, w);
			return;
		}
}

/* Fetch and run every queued event; a callback may add or remove watches. */
static void run_events(struct os_work *work)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	size_t got;

	while (!request(XS_WATCH_EVENT, XBT_NIL, NULL, 0, buf, sizeof(buf), &got)) {
		size_t plen = strnlen(buf, got);
		unsigned id;

		if (plen + 1 >= got)
			continue;
		id = (unsigned)strtoul(buf + plen + 1, NULL, 10);
		for (struct xenbus_watch *w = watches; w; w = w->next)
			if (w->id == id) {
				w->fn(w, buf);
				break;
			}
	}
}

static void store_event(evtchn_port_t port, void *opaque)
{
	os__schedule(&event_work);
}

int xenbus__resume(uint32_t old_port)
{
	int rc;

	/* A new domain: another store port, and the store knows none of our watches. */
	evtchn__unbind(old_port);
	if ((rc = evtchn__bind(os.store_port, store_event, NULL)))
		return rc;
	for (struct xenbus_watch *w = watches; w; w = w->next)
		if ((rc = watch_req(XS_WATCH, w)))
			return rc;
	return 0;
}

int xenbus__init(void)
{
	event_work.fn = run_events;
	return evtchn__bind(os.store_port, store_event, NULL);
}
