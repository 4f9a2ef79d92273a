/*
 * "tap:NAME": the port is a Linux TAP device. What the port sends, the host receives on NAME; what
 * the host sends out of NAME, the port receives. The device is created if missing and, unless made
 * persistent beforehand, disappears with the wire. Link follows NAME's IFF_UP and IFF_RUNNING.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hw/nic/wire.h"
#include "lib/compiler.h"
#include "lib/log.h"

struct tap_wire {
	struct wire wire;
	int ctl; /* any socket will do for the interface flag ioctls */
	bool warned;
	char name[IFNAMSIZ];
	/*
	 * A frame that overflows the caller's buffer spills here, so the read returns more than the
	 * buffer holds whether the kernel reports the frame's length or only what it copied.
	 */
	uint8_t spill[64];
};

static struct tap_wire *to_tap(struct wire *w)
{
	return container_of(w, struct tap_wire, wire);
}

static const char *tunsetiff_hint(int err)
{
	switch (err) {
	case EPERM:
		return " (creating or attaching a TAP device needs CAP_NET_ADMIN)";
	case EINVAL:
		return " (is it a TUN device, or a multi-queue one?)";
	case EBUSY:
		return " (another process has it open)";
	default:
		return "";
	}
}

static int tap_open(struct wire **out, const char *name, struct wire_cable *cable, unsigned port)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	struct tap_wire *t;
	int rc;

	if (!wire__ifname_ok(name)) {
		pr_err("wire",
		       "tap:%s: not a valid interface name (1 to %d characters, no '/', ':' "
		       "or spaces)",
		       name, IFNAMSIZ - 1);
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->wire.fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->wire.fd < 0) {
		rc = -errno;
		pr_err("wire", "tap:%s: cannot open /dev/net/tun: %s", name, strerror(errno));
		goto err_free;
	}
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(t->wire.fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		pr_err("wire", "tap:%s: TUNSETIFF failed: %s%s", name, strerror(errno),
		       tunsetiff_hint(errno));
		goto err_close;
	}
	memcpy(t->name, ifr.ifr_name, sizeof(t->name));
	t->name[IFNAMSIZ - 1] = 0;
	t->ctl = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (t->ctl < 0) {
		rc = -errno;
		pr_err("wire", "tap:%s: cannot make a control socket: %s", name, strerror(errno));
		goto err_close;
	}
	pr_info("wire", "tap:%s: attached to %s", name, t->name);
	*out = &t->wire;
	return 0;

err_close:
	close(t->wire.fd);
err_free:
	free(t);
	return rc;
}

static void tap_warn(struct tap_wire *t, const char *what, int err)
{
	if (t->warned)
		return;
	t->warned = true;
	pr_warn("wire", "%s: %s: %s (further errors are only counted)", t->wire.spec, what,
		strerror(err));
}

static int tap_send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	struct tap_wire *t = to_tap(w);
	uint64_t bytes = 0;
	int sent = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = wire__tx_len(w, &frames[i]);
		ssize_t r;

		if (!len)
			continue;
		/* The TAP device takes one frame per write: writev is the whole batching we get. */
		r = writev(w->fd, frames[i].iov, (int)frames[i].iovcnt);
		if (r == (ssize_t)len) {
			bytes += len;
			sent++;
			continue;
		}
		if (r >= 0)
			errno = EIO;
		switch (errno) {
		case EAGAIN:
		case ENOBUFS:
		case ENOMEM:
			wire__tx_drop(w, WIRE_DROP_AGAIN, 1);
			break;
		case EIO: /* the interface is not up */
			wire__tx_drop(w, WIRE_DROP_LINK_DOWN, 1);
			break;
		case EBADFD: /* the interface was deleted under us */
			wire__tx_drop(w, WIRE_DROP_LINK_DOWN, n - i);
			wire__tx_count(w, (uint64_t)sent, bytes);
			tap_warn(t, "device gone", EBADFD);
			return -EBADFD;
		default:
			tap_warn(t, "write", errno);
			wire__tx_drop(w, WIRE_DROP_ERROR, 1);
		}
	}
	wire__tx_count(w, (uint64_t)sent, bytes);
	return sent;
}

static int tap_recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	struct tap_wire *t = to_tap(w);
	uint64_t bytes = 0;
	unsigned got = 0;
	int rc = 0;

	while (got < n) {
		struct wire_buf *b = &bufs[got];
		struct iovec iov[2] = {
		    {b->data, b->cap},
		    {t->spill, sizeof(t->spill)},
		};
		ssize_t r = readv(w->fd, iov, 2);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				rc = -errno;
				tap_warn(t, "read", -rc);
			}
			break;
		}
		if (r > b->cap) {
			wire__rx_drop(w, WIRE_DROP_TOO_LONG, 1);
		} else if (r < WIRE_FRAME_MIN) {
			wire__rx_drop(w, WIRE_DROP_TOO_SHORT, 1);
		} else {
			b->len = (uint32_t)r;
			bytes += (uint64_t)r;
			got++;
		}
	}
	if (got)
		wire__rx_count(w, got, bytes);
	return got ? (int)got : rc;
}

static bool tap_link_up(struct wire *w)
{
	struct tap_wire *t = to_tap(w);
	struct ifreq ifr = {0};

	memcpy(ifr.ifr_name, t->name, sizeof(ifr.ifr_name));
	if (ioctl(t->ctl, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

static void tap_close(struct wire *w)
{
	struct tap_wire *t = to_tap(w);

	close(t->ctl);
	close(w->fd);
	free(t);
}

const struct wire_ops wire_tap_ops = {
    .kind = "tap",
    .usage = "tap:NAME",
    .has_arg = true,
    .open = tap_open,
    .send = tap_send,
    .recv = tap_recv,
    .link_up = tap_link_up,
    .close = tap_close,
};
