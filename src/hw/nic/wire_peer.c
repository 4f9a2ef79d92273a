/*
 * "peer:LOCAL,REMOTE": a cable to a port of another vfnet machine, as unix datagrams (one frame
 * each). Each side binds its LOCAL and connects to the other's; a connected pair is also what lifts
 * the kernel's max_dgram_qlen limit (10 datagrams) on a receiver that is connected to its sender.
 * Either side may start first or restart: link_up reconnects, and a dead peer turns the link down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hw/nic/wire.h"
#include "hw/nic/wire_sock.h"
#include "lib/compiler.h"
#include "lib/log.h"

struct peer_wire {
	struct wire wire;
	struct wire_sock sock;
	struct sockaddr_un local, remote;
	bool connected;
};

static struct peer_wire *to_peer(struct wire *w)
{
	return container_of(w, struct peer_wire, wire);
}

static int peer_addr(struct sockaddr_un *sun, const char *path, size_t len, const char *arg)
{
	if (!len || len >= sizeof(sun->sun_path)) {
		pr_err("wire", "peer:%s: a socket path must have 1 to %zu bytes", arg,
		       sizeof(sun->sun_path) - 1);
		return -EINVAL;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len);
	sun->sun_path[len] = 0;
	return 0;
}

static int peer_parse(struct peer_wire *p, const char *arg)
{
	const char *comma = strchr(arg, ',');
	int rc;

	if (!comma) {
		pr_err("wire", "peer:%s: expected peer:LOCAL,REMOTE", arg);
		return -EINVAL;
	}
	rc = peer_addr(&p->local, arg, (size_t)(comma - arg), arg);
	if (!rc)
		rc = peer_addr(&p->remote, comma + 1, strlen(comma + 1), arg);
	if (!rc && !strcmp(p->local.sun_path, p->remote.sun_path)) {
		pr_err("wire", "peer:%s: LOCAL and REMOTE are the same socket (use loop)", arg);
		rc = -EINVAL;
	}
	return rc;
}

/* Whether a socket file is left over from a process that is gone: nothing answers on it. */
static bool peer_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	bool stale;
	int fd;

	if (lstat(sun->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	stale = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) && errno == ECONNREFUSED;
	close(fd);
	return stale;
}

static int peer_bind(struct peer_wire *p, const char *arg)
{
	const struct sockaddr *sa = (const struct sockaddr *)&p->local;
	int err;

	if (!bind(p->wire.fd, sa, sizeof(p->local)))
		return 0;
	err = errno;
	if (err == EADDRINUSE && peer_stale(&p->local)) {
		if (!unlink(p->local.sun_path) && !bind(p->wire.fd, sa, sizeof(p->local)))
			return 0;
		err = errno;
	}
	pr_err("wire", "peer:%s: cannot bind %s: %s%s", arg, p->local.sun_path, strerror(err),
	       err == EADDRINUSE ? " (a live socket or another file is there)" : "");
	return -err;
}

/* Connect (again) to REMOTE; a failure leaves us unconnected, so that stray senders are refused. */
static bool peer_connect(struct peer_wire *p)
{
	static const struct sockaddr unspec = {.sa_family = AF_UNSPEC};

	if (!connect(p->wire.fd, (const struct sockaddr *)&p->remote, sizeof(p->remote))) {
		p->connected = true;
		return true;
	}
	if (p->connected && connect(p->wire.fd, &unspec, sizeof(unspec)))
		pr_debug("wire", "%s: disconnect: %s", p->wire.spec, strerror(errno));
	p->connected = false;
	return false;
}

static int peer_open(struct wire **out, const char *arg, struct wire_cable *cable, unsigned port)
{
	struct peer_wire *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	rc = peer_parse(p, arg);
	if (rc)
		goto err_free;
	p->wire.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->wire.fd < 0) {
		rc = -errno;
		pr_err("wire", "peer:%s: socket: %s", arg, strerror(errno));
		goto err_free;
	}
	/* Best effort: more frames in flight before the sender sees EAGAIN. */
	setsockopt(p->wire.fd, SOL_SOCKET, SO_SNDBUF, &(int){4 << 20}, sizeof(int));
	rc = peer_bind(p, arg);
	if (rc)
		goto err_close;
	peer_connect(p);
	*out = &p->wire;
	return 0;

err_close:
	close(p->wire.fd);
err_free:
	free(p);
	return rc;
}

static enum wire_drop peer_why(struct wire *w, int err)
{
	switch (err) {
	case ECONNREFUSED: /* the peer closed; the kernel has disconnected us */
	case ECONNRESET:
	case ENOTCONN:
	case EPIPE:
		to_peer(w)->connected = false;
		return WIRE_DROP_LINK_DOWN;
	case EMSGSIZE:
		return WIRE_DROP_TOO_LONG;
	case ENOBUFS:
	case ENOMEM:
		return WIRE_DROP_AGAIN;
	default:
		return WIRE_DROP_ERROR;
	}
}

static int peer_send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	struct peer_wire *p = to_peer(w);

	if (!p->connected) {
		wire__tx_drop(w, WIRE_DROP_LINK_DOWN, n);
		return 0;
	}
	return wire_sock__send(w, &p->sock, frames, n, peer_why);
}

static int peer_recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	return wire_sock__recv(w, &to_peer(w)->sock, bufs, n, NULL);
}

static bool peer_link_up(struct wire *w)
{
	return peer_connect(to_peer(w));
}

static void peer_close(struct wire *w)
{
	struct peer_wire *p = to_peer(w);

	close(w->fd);
	unlink(p->local.sun_path);
	free(p);
}

const struct wire_ops wire_peer_ops = {
    .kind = "peer",
    .usage = "peer:LOCAL,REMOTE",
    .has_arg = true,
    .open = peer_open,
    .send = peer_send,
    .recv = peer_recv,
    .link_up = peer_link_up,
    .close = peer_close,
};
