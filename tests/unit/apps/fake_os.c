/* The runtime test double for app unit tests: see fake_os.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_os.h"

#define FAKE_TIMERS  16
#define FAKE_FDS     8
#define FAKE_CONFIGS 8

uint64_t fake_now_ns;
char fake_log_last[256];

struct os_timer {
	bool used;
	os_timer_fn fn;
	void *opaque;
	uint64_t deadline; /* 0: disarmed */
};

static struct os_timer timers[FAKE_TIMERS];
static struct {
	int fd;
	uint32_t events;
	os_fd_fn fn;
	void *opaque;
} fds[FAKE_FDS];
static struct os_work *work_head;
static struct {
	char key[32], value[64];
} configs[FAKE_CONFIGS];

void fake_os_reset(uint64_t now)
{
	fake_now_ns = now;
	fake_log_last[0] = 0;
	memset(timers, 0, sizeof(timers));
	memset(fds, 0, sizeof(fds));
	for (unsigned i = 0; i < FAKE_FDS; i++)
		fds[i].fd = -1;
	work_head = NULL;
	memset(configs, 0, sizeof(configs));
}

void fake_config_set(const char *key, const char *value)
{
	for (unsigned i = 0; i < FAKE_CONFIGS; i++)
		if (!strcmp(configs[i].key, key))
			configs[i].key[0] = 0;
	if (!value)
		return;
	for (unsigned i = 0; i < FAKE_CONFIGS; i++) {
		if (!configs[i].key[0]) {
			snprintf(configs[i].key, sizeof(configs[i].key), "%s", key);
			snprintf(configs[i].value, sizeof(configs[i].value), "%s", value);
			return;
		}
	}
	abort();
}

/* ---- os.h ---- */

unsigned os__domid(void)
{
	return 1;
}

bool os__is_dom0(void)
{
	return false;
}

const char *os__name(void)
{
	return "test";
}

const char *os__config(const char *key)
{
	for (unsigned i = 0; i < FAKE_CONFIGS; i++)
		if (configs[i].key[0] && !strcmp(configs[i].key, key))
			return configs[i].value;
	return NULL;
}

const char *os__config_nth(const char *key, unsigned n)
{
	return n ? NULL : os__config(key);
}

void os__vlog(const char *tag, const char *fmt, va_list ap)
{
	int n = snprintf(fake_log_last, sizeof(fake_log_last), "%s: ", tag);

	vsnprintf(fake_log_last + n, sizeof(fake_log_last) - (size_t)n, fmt, ap);
}

void os__log(const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	os__vlog(tag, fmt, ap);
	va_end(ap);
}

uint64_t os__now_ns(void)
{
	return fake_now_ns;
}

struct os_timer *os__timer_create(os_timer_fn fn, void *opaque)
{
	for (unsigned i = 0; i < FAKE_TIMERS; i++) {
		if (!timers[i].used) {
			timers[i] = (struct os_timer){.used = true, .fn = fn, .opaque = opaque};
			return &timers[i];
		}
	}
	return NULL;
}

void os__timer_arm(struct os_timer *t, uint64_t ns)
{
	t->deadline = ns ? fake_now_ns + ns : 0;
}

void os__timer_destroy(struct os_timer *t)
{
	memset(t, 0, sizeof(*t));
}

static struct os_timer *fake_timer_first(void)
{
	struct os_timer *first = NULL;

	for (unsigned i = 0; i < FAKE_TIMERS; i++)
		if (timers[i].used && timers[i].deadline &&
		    (!first || timers[i].deadline < first->deadline))
			first = &timers[i];
	return first;
}

uint64_t fake_timer_next(void)
{
	struct os_timer *t = fake_timer_first();

	if (!t)
		return UINT64_MAX;
	return t->deadline > fake_now_ns ? t->deadline - fake_now_ns : 0;
}

unsigned fake_timers_run(uint64_t until, unsigned max)
{
	unsigned fired = 0;
	struct os_timer *t;

	while (fired < max && (t = fake_timer_first()) && t->deadline <= until) {
		if (t->deadline > fake_now_ns)
			fake_now_ns = t->deadline;
		t->deadline = 0;
		t->fn(t->opaque);
		fired++;
	}
	if (fired < max && until > fake_now_ns)
		fake_now_ns = until;
	return fired;
}

int os__watch_fd(int fd, uint32_t events, os_fd_fn fn, void *opaque)
{
	for (unsigned i = 0; i < FAKE_FDS; i++) {
		if (fds[i].fd < 0) {
			fds[i].fd = fd;
			fds[i].events = events;
			fds[i].fn = fn;
			fds[i].opaque = opaque;
			return 0;
		}
	}
	return -ENOSPC;
}

int os__watch_mod(int fd, uint32_t events)
{
	for (unsigned i = 0; i < FAKE_FDS; i++) {
		if (fds[i].fd == fd) {
			fds[i].events = events;
			return 0;
		}
	}
	return -ENOENT;
}

void os__unwatch_fd(int fd)
{
	for (unsigned i = 0; i < FAKE_FDS; i++)
		if (fds[i].fd == fd)
			fds[i].fd = -1;
}

bool fake_fd_watched(int fd)
{
	for (unsigned i = 0; i < FAKE_FDS; i++)
		if (fds[i].fd == fd)
			return true;
	return false;
}

bool fake_fd_fire(int fd, uint32_t events)
{
	for (unsigned i = 0; i < FAKE_FDS; i++) {
		if (fds[i].fd == fd) {
			fds[i].fn(fds[i].opaque, events);
			return true;
		}
	}
	return false;
}

void os__schedule(struct os_work *w)
{
	struct os_work **p = &work_head;

	if (w->queued)
		return;
	while (*p)
		p = &(*p)->next;
	w->next = NULL;
	w->queued = true;
	*p = w;
}

unsigned fake_work_run(void)
{
	unsigned n = 0;

	while (work_head) {
		struct os_work *w = work_head;

		work_head = w->next;
		w->queued = false;
		w->fn(w);
		n++;
	}
	return n;
}

int os__service(const char *name, os_service_fn fn, void *opaque)
{
	return 0;
}

void os__shutdown(int status)
{
	abort();
}

/* ---- netdev.h ---- */

static int fake_xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct fake_netdev *f = nd->priv;
	unsigned take = n < f->accept ? n : f->accept;

	f->xmit_calls++;
	if (f->xmit_err)
		return f->xmit_err;
	for (unsigned i = 0; i < take; i++, f->ntx++) {
		struct fake_frame *fr;

		if (f->ntx >= FAKE_TX_MAX)
			continue;
		fr = &f->tx[f->ntx];
		memcpy(fr->data, pkts[i].data, pkts[i].len);
		fr->len = pkts[i].len;
		fr->vlan = pkts[i].vlan;
		fr->flags = pkts[i].flags;
	}
	return (int)take;
}

static int fake_open(struct netdev *nd)
{
	return 0;
}

static const struct netdev_ops fake_ops = {
    .open = fake_open,
    .xmit = fake_xmit,
};

void fake_netdev_init(struct fake_netdev *f, const char *name, const uint8_t mac[ETH_ALEN])
{
	memset(f, 0, sizeof(*f));
	snprintf(f->nd.name, sizeof(f->nd.name), "%s", name);
	memcpy(f->nd.mac, mac, ETH_ALEN);
	f->nd.mtu = ETH_DATA_LEN;
	f->nd.up = true;
	f->nd.carrier = true;
	f->nd.ops = &fake_ops;
	f->nd.priv = f;
	f->accept = UINT_MAX;
}

void fake_netdev_rx(struct fake_netdev *f, const struct pkt *pkts, unsigned n)
{
	netdev__rx(&f->nd, pkts, n);
}

int netdev__register(struct netdev *nd)
{
	return 0;
}

void netdev__unregister(struct netdev *nd)
{
}

void netdev__rx(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	for (struct netdev_listener *l = nd->listeners; l; l = l->next)
		l->rx(l->opaque, nd, pkts, n);
}

void netdev__carrier(struct netdev *nd, bool up)
{
	nd->carrier = up;
	for (struct netdev_listener *l = nd->listeners; l; l = l->next)
		if (l->link)
			l->link(l->opaque, nd, up);
}

struct netdev *netdev__get(const char *name)
{
	return NULL;
}

struct netdev *netdev__next(struct netdev *prev)
{
	return NULL;
}

int netdev__listen(struct netdev *nd, struct netdev_listener *l)
{
	struct netdev_listener **p = &nd->listeners;

	while (*p)
		p = &(*p)->next;
	l->next = NULL;
	*p = l;
	return 0;
}

void netdev__unlisten(struct netdev *nd, struct netdev_listener *l)
{
	for (struct netdev_listener **p = &nd->listeners; *p; p = &(*p)->next) {
		if (*p == l) {
			*p = l->next;
			return;
		}
	}
}

int netdev__open(struct netdev *nd)
{
	int r = nd->ops->open ? nd->ops->open(nd) : 0;

	if (!r)
		nd->up = true;
	return r;
}

int netdev__xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	return nd->ops->xmit(nd, pkts, n);
}

void netdev__notify(struct netdev_notifier *n)
{
}
