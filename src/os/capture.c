/*
 * tcpdump -i inside a domain: the "capture" service puts a tap on one of the domain's netdevs
 * and streams what it sends and receives to the tool's connection as vfnet_cap_rec records
 * (abi.h). The data path only copies into a buffer allocated when the capture starts; the buffer
 * goes out on the connection without blocking, and a frame that finds it full is dropped and
 * counted, as a kernel's packet socket drops when tcpdump falls behind. The capture ends when the
 * tool hangs up or the device goes.
 *
 *   {"op":"capture", "dev":NAME, "snaplen"?:N} -> {"snaplen":N}, then the records
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "os_priv.h"
#include "vfnet/abi.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#define CAP_MAX	  4	     /* at once, per domain */
#define CAP_BUF	  (1u << 20) /* bytes waiting for the tool */
#define VLAN_HLEN 4

struct dev_cap {
	struct netdev *nd; /* NULL: free */
	int fd;
	struct netdev_tap tap;
	uint8_t *buf;
	size_t head, len; /* waiting: buf[head .. head + len) */
	uint32_t snaplen;
	uint64_t drops;
	bool want_out; /* watching for room on the connection */
};

static struct dev_cap caps[CAP_MAX] OS_SAVED;

static void cap_end(struct dev_cap *c, const char *why)
{
	os__log("capture", "%s: capture ended: %s", c->nd->name, why);
	netdev__untap(c->nd, &c->tap);
	os__unwatch_fd(c->fd);
	close(c->fd);
	free(c->buf);
	c->buf = NULL;
	c->nd = NULL;
}

static void cap_io(void *opaque, uint32_t events);

/* Send what waits without blocking; false when the connection is gone (the capture ended). */
static bool cap_flush(struct dev_cap *c)
{
	while (c->len) {
		ssize_t n = send(c->fd, c->buf + c->head, c->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			cap_end(c, "the tool went away");
			return false;
		}
		c->head += (size_t)n;
		c->len -= (size_t)n;
	}
	if (!c->len)
		c->head = 0;
	if (c->want_out != (c->len != 0)) {
		c->want_out = c->len != 0;
		os__unwatch_fd(c->fd);
		if (os__watch_fd(c->fd, EPOLLIN | (c->want_out ? EPOLLOUT : 0), cap_io, c)) {
			cap_end(c, "cannot watch the connection");
			return false;
		}
	}
	return true;
}

static void cap_io(void *opaque, uint32_t events)
{
	struct dev_cap *c = opaque;
	char b[64];

	if (events & EPOLLIN) {
		ssize_t n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			cap_end(c, "the tool hung up");
			return;
		}
	}
	if (events & (EPOLLHUP | EPOLLERR)) {
		cap_end(c, "the tool hung up");
		return;
	}
	if (events & EPOLLOUT)
		cap_flush(c);
}

static void cap_frames(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n,
		       bool out)
{
	struct dev_cap *c = opaque;
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (unsigned i = 0; i < n; i++) {
		const struct pkt *p = &pkts[i];
		bool tag = (p->flags & PKT_VLAN) && p->len >= 12;
		uint32_t len = p->len + (tag ? VLAN_HLEN : 0);
		uint32_t caplen = len < c->snaplen ? len : c->snaplen;
		struct vfnet_cap_rec r = {.ts_ns = now, .len = len, .caplen = caplen, .out = out};
		size_t need = sizeof(r) + caplen;
		uint8_t *at;

		if (c->head + c->len + need > CAP_BUF && c->head) {
			memmove(c->buf, c->buf + c->head, c->len);
			c->head = 0;
		}
		if (c->len + need > CAP_BUF) {
			c->drops++;
			continue;
		}
		r.drops = c->drops;
		at = c->buf + c->head + c->len;
		memcpy(at, &r, sizeof(r));
		at += sizeof(r);
		if (tag) {
			/* as on the wire: the addresses, 802.1Q and the TCI, then the rest */
			uint8_t vh[VLAN_HLEN] = {0x81, 0x00, (uint8_t)(p->vlan >> 8),
						 (uint8_t)p->vlan};
			uint8_t frame_head[12 + VLAN_HLEN];
			uint32_t left = caplen;

			memcpy(frame_head, p->data, 12);
			memcpy(frame_head + 12, vh, VLAN_HLEN);
			memcpy(at, frame_head,
			       left < sizeof(frame_head) ? left : sizeof(frame_head));
			if (left > sizeof(frame_head))
				memcpy(at + sizeof(frame_head), (const uint8_t *)p->data + 12,
				       left - sizeof(frame_head));
		} else {
			memcpy(at, p->data, caplen);
		}
		c->len += need;
	}
	(void)nd;
	cap_flush(c);
}

/* The core has taken the tap off already: cap_end's untap finds nothing to do. */
static void cap_gone(void *opaque, struct netdev *nd)
{
	(void)nd;
	cap_end(opaque, "the device went away");
}

static int svc_capture(void *opaque, void *req_, void *reply_, int fd, char *err)
{
	json_object *req = req_, *reply = reply_, *v;
	struct dev_cap *c = NULL;
	struct netdev *nd;
	int64_t snaplen = VFNET_CAP_SNAPLEN;

	(void)opaque;
	json_object_object_foreach(req, key, val)
	{
		(void)val;
		if (strcmp(key, "op") && strcmp(key, "dev") && strcmp(key, "snaplen")) {
			snprintf(err, 160, "capture takes \"dev\" and \"snaplen\", not \"%.32s\"",
				 key);
			return -EINVAL;
		}
	}
	if (!json_object_object_get_ex(req, "dev", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, 160, "capture: missing \"dev\", the interface's name");
		return -EINVAL;
	}
	if (!(nd = netdev__get(json_object_get_string(v)))) {
		snprintf(err, 160, "%.32s: no such device", json_object_get_string(v));
		return -ENODEV;
	}
	if (json_object_object_get_ex(req, "snaplen", &v)) {
		snaplen = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || snaplen < 64 ||
		    snaplen > VFNET_CAP_SNAPLEN) {
			snprintf(err, 160, "capture: \"snaplen\" is 64..%d", VFNET_CAP_SNAPLEN);
			return -EINVAL;
		}
	}
	if (nd->tap) {
		snprintf(err, 160, "%s: a capture of it is running", nd->name);
		return -EBUSY;
	}
	for (unsigned i = 0; i < CAP_MAX && !c; i++)
		if (!caps[i].nd)
			c = &caps[i];
	if (!c) {
		snprintf(err, 160, "%d captures are running in this domain, the most it runs",
			 CAP_MAX);
		return -EBUSY;
	}
	if (!(c->buf = malloc(CAP_BUF)))
		return -ENOMEM;
	c->fd = fd;
	c->head = c->len = 0;
	c->drops = 0;
	c->want_out = false;
	c->snaplen = (uint32_t)snaplen;
	c->tap = (struct netdev_tap){.frames = cap_frames, .gone = cap_gone, .opaque = c};
	if (os__watch_fd(fd, EPOLLIN, cap_io, c)) {
		free(c->buf);
		c->buf = NULL;
		return -EIO;
	}
	c->nd = nd;
	netdev__tap(nd, &c->tap);
	json_object_object_add(reply, "snaplen", json_object_new_int((int)snaplen));
	os__log("capture", "%s: capture started", nd->name);
	return 0;
}

int capture__init(void)
{
	return os__service_stream("capture", svc_capture, NULL);
}
