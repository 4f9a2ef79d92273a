/*
 * tapbridge: joins the netdev to a Linux TAP device, so that the Linux network stack (ping, iperf,
 * ssh) runs over the VF. tap=NAME is created (IFF_TAP | IFF_NO_PI), given the netdev's MAC so that
 * Linux owns the VF's address, and set up; with netns=NAME all of that happens inside the named
 * network namespace (/run/netns/NAME, as `ip netns add` makes), which the vCPU thread enters only
 * around the set-up: a TAP fd stays bound to the namespace it was created in.
 *
 * Frames read from the TAP go out through netdev__xmit in batches; a drain stops after TB_BUDGET
 * frames and continues from deferred work, so a flooding stack cannot starve the vCPU (and nothing
 * depends on the fd watch being level- or edge-triggered). Frames received on the netdev are
 * written to the TAP, a VLAN tag the NIC stripped put back into the frame; a full TAP queue drops
 * the frame (counted). A full transmit ring is pushed back on the TAP instead: the frames not
 * taken are kept, nothing more is read until they are out (retried from a timer), and the TAP's
 * queue and then the Linux stack's qdisc hold the rest, as they would for a busy NIC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vfnet/app.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#include "apps.h"
#include "opts.h"
#include "proto.h"

#define TB_BATCH     32
#define TB_BUDGET    256 /* frames read from the TAP per callback */
#define TB_NETNS_MAX 64

struct tapbridge {
	struct netdev *nd;
	struct netdev_listener l;
	struct os_work work; /* continue a drain that hit TB_BUDGET */
	struct os_timer *retry; /* the ring was full: try the pending frames again */
	unsigned pend_off, pend_n; /* frames in pkts[] the ring has not taken yet */
	int fd;
	bool stopped; /* freed by the queued drain */
	char tap[IFNAMSIZ];
	char netns[TB_NETNS_MAX + 1];
	uint64_t to_tap, from_tap, drops;
	struct pkt pkts[TB_BATCH];
	uint8_t bufs[TB_BATCH][ETH_FRAME_MAX + 1]; /* one more: a longer frame shows as too long */
};

/* ---- set-up, possibly inside another network namespace ---- */

/* Give the TAP the netdev's MAC and set it up: through a socket of the current namespace. */
static int tb_configure(struct tapbridge *tb)
{
	struct ifreq ifr = {0};
	int s, r = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tb->tap);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, tb->nd->mac, ETH_ALEN);
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0) {
		r = -errno;
		goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		r = -errno;
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		r = -errno;
out:
	close(s);
	return r;
}

/* Create the TAP in the current namespace; @what says which step failed. */
static int tb_create(struct tapbridge *tb, const char **what)
{
	struct ifreq ifr = {0};
	int fd, r;

	*what = "open /dev/net/tun";
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*what = "create the TAP";
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tb->tap);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		goto err_close;
	}
	*what = "set its MAC and bring it up";
	r = tb_configure(tb);
	/* Without a namespace the TAP may be a persistent one made for this user, who set it up. */
	if (r == -EPERM && !tb->netns[0]) {
		os__log("tapbridge", "%s: cannot set its MAC or bring it up (%s); do it yourself",
			tb->tap, strerror(EPERM));
		r = 0;
	}
	if (r)
		goto err_close;
	tb->fd = fd;
	return 0;

err_close:
	close(fd);
	return r;
}

/* tb_create inside the namespace named @tb->netns, the vCPU thread coming back out after. */
static int tb_create_in_netns(struct tapbridge *tb, const char **what)
{
	char path[sizeof("/run/netns/") + TB_NETNS_MAX];
	int self, ns, r;

	*what = "open /proc/thread-self/ns/net";
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	*what = "open the namespace";
	snprintf(path, sizeof(path), "/run/netns/%s", tb->netns);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0) {
		r = -errno;
		goto out_self;
	}
	*what = "enter the namespace";
	if (setns(ns, CLONE_NEWNET) < 0) {
		r = -errno;
		goto out_ns;
	}
	r = tb_create(tb, what);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* The vCPU would go on in the wrong namespace: nothing sane is left to do. */
		os__log("tapbridge", "cannot return to the domain's network namespace: %s",
			strerror(errno));
		abort();
	}
out_ns:
	close(ns);
out_self:
	close(self);
	return r;
}

/* ---- data path ---- */

static void tb_rx(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct tapbridge *tb = opaque;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *f = pkts[i].data;
		struct vlan_hdr tag;
		struct iovec iov[3];
		unsigned niov = 0;
		ssize_t w;

		if (pkts[i].len < ETH_HLEN) {
			tb->drops++;
			continue;
		}
		if (pkts[i].flags & PKT_VLAN) {
			/* Laid out as TPID then TCI; the frame's own EtherType follows. */
			tag = (struct vlan_hdr){htons(PROTO_ETH_P_8021Q), htons(pkts[i].vlan)};
			iov[niov++] = (struct iovec){(void *)f, 2 * ETH_ALEN};
			iov[niov++] = (struct iovec){&tag, sizeof(tag)};
			iov[niov++] =
			    (struct iovec){(void *)(f + 2 * ETH_ALEN), pkts[i].len - 2u * ETH_ALEN};
		} else {
			iov[niov++] = (struct iovec){(void *)f, pkts[i].len};
		}
		w = writev(tb->fd, iov, (int)niov);
		if (w < 0)
			tb->drops++;
		else
			tb->to_tap++;
	}
}

#define TB_RETRY_NS 20000 /* a ring of 256 at a few Mpps drains in tens of microseconds */

/* Push the frames the ring did not take; false while some are still pending. */
static bool tb_flush(struct tapbridge *tb)
{
	int r;

	if (!tb->pend_n)
		return true;
	r = netdev__xmit(tb->nd, tb->pkts + tb->pend_off, tb->pend_n);
	if (r < 0) {
		/* The device is down: these frames have nowhere to go. */
		tb->drops += tb->pend_n;
		tb->pend_n = 0;
		return true;
	}
	tb->from_tap += (unsigned)r;
	tb->pend_off += (unsigned)r;
	tb->pend_n -= (unsigned)r;
	if (tb->pend_n) {
		os__timer_arm(tb->retry, TB_RETRY_NS);
		return false;
	}
	return true;
}

static void tb_drain(struct tapbridge *tb)
{
	unsigned budget = TB_BUDGET;

	if (!tb_flush(tb))
		return;
	while (budget) {
		unsigned n = 0;
		bool empty = false;
		int r;

		while (n < TB_BATCH && budget) {
			ssize_t len = read(tb->fd, tb->bufs[n], sizeof(tb->bufs[n]));

			if (len < 0 && errno == EINTR)
				continue;
			if (len < 0) {
				empty = true; /* EAGAIN; other errors: wait for the next event */
				break;
			}
			budget--;
			if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
				tb->drops++;
				continue;
			}
			tb->pkts[n] = (struct pkt){.data = tb->bufs[n], .len = (uint16_t)len};
			n++;
		}
		if (n) {
			tb->pend_off = 0;
			tb->pend_n = n;
			if (!tb_flush(tb))
				return; /* reading resumes when the ring has taken them */
		}
		(void)r;
		if (empty)
			return;
	}
	os__schedule(&tb->work);
}

static void tb_fd(void *opaque, uint32_t events)
{
	tb_drain(opaque);
}

static void tb_retry(void *opaque)
{
	tb_drain(opaque);
}

static void tb_work(struct os_work *w)
{
	struct tapbridge *tb = (void *)((char *)w - offsetof(struct tapbridge, work));

	if (tb->stopped)
		free(tb);
	else
		tb_drain(tb);
}

/* ---- the app ---- */

/* The options into @tb->tap and @tb->netns, names without '/'. */
static int tb_parse(struct tapbridge *tb, int argc, char **argv, char *err)
{
	const struct opt table[] = {
	    {.key = "tap", .type = OPT_STR, .val = tb->tap, .max = IFNAMSIZ - 1, .required = true},
	    {.key = "netns", .type = OPT_STR, .val = tb->netns, .max = TB_NETNS_MAX},
	    {.key = NULL},
	};
	int r = opts__parse("tapbridge", table, argc, argv, err);

	if (r)
		return r;
	if (strchr(tb->tap, '/') || strchr(tb->netns, '/') || !strcmp(tb->netns, ".") ||
	    !strcmp(tb->netns, "..")) {
		snprintf(err, APP_ERR_MAX,
			 "tapbridge: bad value '%.40s' for %s (a name without '/')",
			 strchr(tb->tap, '/') ? tb->tap : tb->netns,
			 strchr(tb->tap, '/') ? "tap" : "netns");
		return -EINVAL;
	}
	return 0;
}

/* The options, and that the namespace exists: start would fail on it in the guest's log. */
static int tb_check(int argc, char **argv, char *err)
{
	char path[sizeof("/run/netns/") + TB_NETNS_MAX];
	struct tapbridge *tb = calloc(1, sizeof(*tb));
	int r;

	if (!tb) {
		snprintf(err, APP_ERR_MAX, "tapbridge: out of memory");
		return -ENOMEM;
	}
	r = tb_parse(tb, argc, argv, err);
	if (!r && tb->netns[0]) {
		snprintf(path, sizeof(path), "/run/netns/%s", tb->netns);
		if (access(path, F_OK)) {
			r = -errno;
			snprintf(err, APP_ERR_MAX,
				 "tapbridge: no network namespace '%.40s' (%s; `ip netns add` "
				 "makes one)",
				 tb->netns, strerror(-r));
		}
	}
	free(tb);
	return r;
}

static int tb_start(struct app *a, int argc, char **argv, char *err)
{
	struct tapbridge *tb = calloc(1, sizeof(*tb));
	const char *what;
	int r;

	if (!tb) {
		snprintf(err, APP_ERR_MAX, "tapbridge: out of memory");
		return -ENOMEM;
	}
	tb->nd = a->nd;
	tb->fd = -1;
	tb->work.fn = tb_work;
	tb->retry = os__timer_create(tb_retry, tb);
	if (!tb->retry) {
		free(tb);
		snprintf(err, APP_ERR_MAX, "tapbridge: out of memory");
		return -ENOMEM;
	}
	r = tb_parse(tb, argc, argv, err);
	if (r)
		goto err_free;
	r = tb->netns[0] ? tb_create_in_netns(tb, &what) : tb_create(tb, &what);
	if (r) {
		snprintf(err, APP_ERR_MAX, "tapbridge: %s%s%s: cannot %s: %s", tb->tap,
			 tb->netns[0] ? " in netns " : "", tb->netns, what, strerror(-r));
		goto err_free;
	}
	r = apps__open(a, err);
	if (r)
		goto err_close;
	r = os__watch_fd(tb->fd, EPOLLIN, tb_fd, tb);
	if (r) {
		snprintf(err, APP_ERR_MAX, "tapbridge: cannot watch %s: %s", tb->tap, strerror(-r));
		goto err_close;
	}
	tb->l = (struct netdev_listener){.rx = tb_rx, .opaque = tb};
	r = netdev__listen(a->nd, &tb->l);
	if (r) {
		snprintf(err, APP_ERR_MAX, "tapbridge: cannot listen on %s: %s", a->nd->name,
			 strerror(-r));
		goto err_unwatch;
	}
	a->priv = tb;
	return 0;

err_unwatch:
	os__unwatch_fd(tb->fd);
err_close:
	close(tb->fd);
err_free:
	os__timer_destroy(tb->retry);
	free(tb);
	return r;
}

static void tb_stop(struct app *a)
{
	struct tapbridge *tb = a->priv;

	netdev__unlisten(a->nd, &tb->l);
	os__unwatch_fd(tb->fd);
	close(tb->fd);
	os__timer_destroy(tb->retry);
	a->priv = NULL;
	/* A queued drain still points at tb: let it free tb when it runs. */
	if (tb->work.queued)
		tb->stopped = true;
	else
		free(tb);
}

static void tb_stats(struct app *a, void *obj)
{
	struct tapbridge *tb = a->priv;

	json_object_object_add(obj, "to_tap", json_object_new_uint64(tb->to_tap));
	json_object_object_add(obj, "from_tap", json_object_new_uint64(tb->from_tap));
	json_object_object_add(obj, "drops", json_object_new_uint64(tb->drops));
}

const struct app_type app_tapbridge = {
    .name = "tapbridge",
    .start = tb_start,
    .check = tb_check,
    .stop = tb_stop,
    .stats = tb_stats,
};
