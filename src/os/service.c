/*
 * Services of the domain for the vfnet tools. The machine hands over one connected socket per
 * tool connection (SCM_RIGHTS on the service socket); each speaks JSON lines:
 *   {"op": NAME, ...} -> {"ok": true, ...} or {"ok": false, "error": "..."}
 * Built in: "info", "stats", "link-show" and "link-set" (link.c); drivers add theirs with
 * os__service(). A failing handler may add a "detail" string to its reply: it is kept beside
 * the error, a second line for the user.
 */
#include <errno.h>
#include <stdbool.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "link.h"
#include "os_priv.h"
#include "vfnet/irq.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#define SVC_MAX	    32
#define SVC_CONNS   8
#define SVC_LINE    4096
#define SVC_ERR_MAX 160

struct svc {
	const char *name;
	os_service_fn fn;
	os_stream_fn stream; /* instead of fn: the connection becomes the handler's */
	void *opaque;
};

struct conn {
	int fd;
	size_t len;
	char buf[SVC_LINE + 1];
};

static struct svc svcs[SVC_MAX] OS_SAVED;
static unsigned nsvcs OS_SAVED;
static struct conn conns[SVC_CONNS] OS_SAVED;

unsigned apps__count(void);
struct app *apps__get(unsigned i, bool *running);

int os__service(const char *name, os_service_fn fn, void *opaque)
{
	if (nsvcs == SVC_MAX)
		return -ENOSPC;
	svcs[nsvcs++] = (struct svc){.name = name, .fn = fn, .opaque = opaque};
	return 0;
}

int os__service_stream(const char *name, os_stream_fn fn, void *opaque)
{
	if (nsvcs == SVC_MAX)
		return -ENOSPC;
	svcs[nsvcs++] = (struct svc){.name = name, .stream = fn, .opaque = opaque};
	return 0;
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static const char *mac_str(const struct netdev *nd, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", nd->mac[0], nd->mac[1], nd->mac[2],
		 nd->mac[3], nd->mac[4], nd->mac[5]);
	return buf;
}

/* The packet counters `stats` and `link-show` both report. */
static void add_counters(struct json_object *o, const struct netdev *nd)
{
	add_u64(o, "rx_packets", nd->stats.rx_packets);
	add_u64(o, "rx_bytes", nd->stats.rx_bytes);
	add_u64(o, "rx_dropped", nd->stats.rx_dropped);
	add_u64(o, "tx_packets", nd->stats.tx_packets);
	add_u64(o, "tx_bytes", nd->stats.tx_bytes);
	add_u64(o, "tx_dropped", nd->stats.tx_dropped);
}

static int svc_info(void *opaque, void *req, void *reply, char *err)
{
	json_object_object_add(reply, "domid", json_object_new_int((int)os.domid));
	json_object_object_add(reply, "name", json_object_new_string(os.name));
	json_object_object_add(reply, "role",
			       json_object_new_string(os.role == VFNET_ROLE_DOM0 ? "dom0" : "guest"));
	add_u64(reply, "hypercalls", os.hypercalls);
	return 0;
}

static int svc_stats(void *opaque, void *req, void *reply, char *err)
{
	struct json_object *apps = json_object_new_array(), *nds = json_object_new_array();
	struct json_object *irqs = json_object_new_object();

	for (unsigned i = 0; i < apps__count(); i++) {
		bool running;
		struct app *a = apps__get(i, &running);
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "app", json_object_new_string(a->type->name));
		json_object_object_add(o, "spec", json_object_new_string(a->spec));
		json_object_object_add(o, "running", json_object_new_boolean(running));
		if (a->nd)
			json_object_object_add(o, "dev", json_object_new_string(a->nd->name));
		if (running && a->type->stats)
			a->type->stats(a, o);
		json_object_array_add(apps, o);
	}
	for (struct netdev *nd = netdev__next(NULL); nd; nd = netdev__next(nd)) {
		struct json_object *o = json_object_new_object();
		char mac[18];

		json_object_object_add(o, "name", json_object_new_string(nd->name));
		json_object_object_add(o, "mac", json_object_new_string(mac_str(nd, mac)));
		json_object_object_add(o, "carrier", json_object_new_boolean(nd->carrier));
		add_counters(o, nd);
		add_u64(o, "tx_busy", nd->stats.tx_busy);
		add_u64(o, "interrupts", nd->stats.interrupts);
		add_u64(o, "polls", nd->stats.polls);
		add_u64(o, "resets", nd->stats.resets);
		json_object_array_add(nds, o);
	}
	for (int v = VFNET_VEC_FIRST; v < 256; v++) {
		char k[8];

		if (!irq__count(v))
			continue;
		snprintf(k, sizeof(k), "%d", v);
		add_u64(irqs, k, irq__count(v));
	}
	json_object_object_add(reply, "apps", apps);
	json_object_object_add(reply, "netdevs", nds);
	json_object_object_add(reply, "interrupts", irqs);
	add_u64(reply, "hypercalls", os.hypercalls);
	return 0;
}

static void conn_io(void *opaque, uint32_t events);

/* One request line of @c; *@taken when a stream handler took its connection. */
static char *handle(const char *line, size_t len, struct conn *c, bool *taken)
{
	struct json_object *req, *reply = json_object_new_object(), *op;
	char err[SVC_ERR_MAX] = "";
	const char *name;
	char *out;
	int rc = -EINVAL;

	req = json_tokener_parse(line);
	(void)len;
	if (!req || !json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "op", &op) || !json_object_is_type(op, json_type_string)) {
		snprintf(err, sizeof(err), "a request is a JSON object with an \"op\" string");
		goto out;
	}
	name = json_object_get_string(op);
	snprintf(err, sizeof(err), "unknown op");
	for (unsigned i = 0; i < nsvcs; i++) {
		if (strcmp(svcs[i].name, name))
			continue;
		err[0] = '\0';
		if (svcs[i].stream) {
			/* The handler may watch the connection itself: the service lets go first. */
			os__unwatch_fd(c->fd);
			rc = svcs[i].stream(svcs[i].opaque, req, reply, c->fd, err);
			*taken = !rc;
			if (rc && os__watch_fd(c->fd, EPOLLIN, conn_io, c))
				rc = -EIO; /* cannot serve it any more: conn_io closes it */
		} else {
			rc = svcs[i].fn(svcs[i].opaque, req, reply, err);
		}
		break;
	}
out:
	if (rc) {
		struct json_object *detail = NULL, *fail = json_object_new_object();

		if (json_object_object_get_ex(reply, "detail", &detail) &&
		    json_object_is_type(detail, json_type_string) && json_object_get_string_len(detail))
			json_object_object_add(fail, "detail", json_object_get(detail));
		json_object_put(reply);
		reply = fail;
		json_object_object_add(reply, "ok", json_object_new_boolean(false));
		json_object_object_add(reply, "error",
				       json_object_new_string(err[0] ? err : strerror(-rc)));
	} else {
		json_object_object_add(reply, "ok", json_object_new_boolean(true));
	}
	if (asprintf(&out, "%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN)) < 0)
		out = NULL;
	json_object_put(reply);
	json_object_put(req);
	return out;
}

static void conn_close(struct conn *c)
{
	os__unwatch_fd(c->fd);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void conn_io(void *opaque, uint32_t events)
{
	struct conn *c = opaque;
	ssize_t n = recv(c->fd, c->buf + c->len, SVC_LINE - c->len, MSG_DONTWAIT);
	char *nl;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	c->len += (size_t)n;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		bool taken = false;
		char *reply;
		int fd = c->fd;

		*nl = '\0';
		reply = handle(c->buf, (size_t)(nl - c->buf), c, &taken);
		if (taken) {
			/* The handler's now: the reply goes first, then its stream. */
			c->fd = -1;
			c->len = 0;
			if (reply)
				send(fd, reply, strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL);
			free(reply);
			return;
		}
		if (!reply || send(c->fd, reply, strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			free(reply);
			conn_close(c);
			return;
		}
		free(reply);
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
	}
	if (c->len == SVC_LINE)
		conn_close(c); /* a line too long to be a request */
}

void service__accept(void)
{
	char byte;
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(os.ev_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
		return;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	for (unsigned i = 0; i < SVC_CONNS; i++) {
		if (conns[i].fd < 0) {
			conns[i].fd = fd;
			conns[i].len = 0;
			if (os__watch_fd(fd, EPOLLIN, conn_io, &conns[i]) == 0)
				return;
			conns[i].fd = -1;
			break;
		}
	}
	close(fd);
}

void service__drop_all(void)
{
	/* A tool's connection is to this process: it sees the end and asks again. */
	for (unsigned i = 0; i < SVC_CONNS; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
}

int service__init(void)
{
	for (unsigned i = 0; i < SVC_CONNS; i++)
		conns[i].fd = -1;
	os__service("info", svc_info, NULL);
	os__service("stats", svc_stats, NULL);
	capture__init();
	return link__init();
}
