/*
 * The vCPU: one epoll loop over the interrupt line (the notification eventfd), the machine's
 * service socket, timers and the descriptors apps watch. Deferred work runs between events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "os_priv.h"
#include "vfnet/os.h"

struct watch {
	int fd;
	bool dead;
	uint32_t events;
	os_fd_fn fn;
	void *opaque;
	struct watch *next;
};

struct os_timer {
	int fd;
	os_timer_fn fn;
	void *opaque;
	uint64_t left_ns; /* when the guest suspended: time to its expiry, 0 when disarmed */
	struct os_timer *next;
};

static struct watch *watches OS_SAVED, *graveyard OS_SAVED;
static struct os_work *work_head OS_SAVED, **work_tail OS_SAVED = &work_head;
static struct os_timer *timers OS_SAVED;

uint64_t os__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void os__udelay(unsigned us)
{
	uint64_t until = os__now_ns() + (uint64_t)us * 1000;

	while (os__now_ns() < until)
		;
}

void os__msleep(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static struct watch *watch_find(int fd, struct watch ***link)
{
	for (struct watch **p = &watches; *p; p = &(*p)->next)
		if ((*p)->fd == fd) {
			if (link)
				*link = p;
			return *p;
		}
	return NULL;
}

int os__watch_fd(int fd, uint32_t events, os_fd_fn fn, void *opaque)
{
	struct epoll_event ev = {.events = events};
	struct watch *w;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (watch_find(fd, NULL))
		return -EEXIST;
	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	*w = (struct watch){.fd = fd, .events = events, .fn = fn, .opaque = opaque, .next = watches};
	ev.data.ptr = w;
	if (epoll_ctl(os.epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int rc = -errno;

		free(w);
		return rc;
	}
	watches = w;
	return 0;
}

int os__watch_mod(int fd, uint32_t events)
{
	struct watch *w = watch_find(fd, NULL);
	struct epoll_event ev = {.events = events};

	if (!w)
		return -ENOENT;
	ev.data.ptr = w;
	if (epoll_ctl(os.epfd, EPOLL_CTL_MOD, fd, &ev))
		return -errno;
	w->events = events;
	return 0;
}

void os__unwatch_fd(int fd)
{
	struct watch **link, *w = watch_find(fd, &link);

	if (!w)
		return;
	epoll_ctl(os.epfd, EPOLL_CTL_DEL, fd, NULL);
	*link = w->next;
	w->dead = true; /* may already be in this round's events */
	w->next = graveyard;
	graveyard = w;
}

static void timer_fire(void *opaque, uint32_t events)
{
	struct os_timer *t = opaque;
	uint64_t n;

	if (read(t->fd, &n, sizeof(n)) != sizeof(n))
		return; /* disarmed or re-armed meanwhile */
	t->fn(t->opaque);
}

struct os_timer *os__timer_create(os_timer_fn fn, void *opaque)
{
	struct os_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fn = fn;
	t->opaque = opaque;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0 || os__watch_fd(t->fd, EPOLLIN, timer_fire, t)) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return NULL;
	}
	t->next = timers;
	timers = t;
	return t;
}

void os__timer_arm(struct os_timer *t, uint64_t ns)
{
	struct itimerspec its = {
		.it_value = {.tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull)},
	};

	timerfd_settime(t->fd, 0, &its, NULL);
}

void os__timer_destroy(struct os_timer *t)
{
	if (!t)
		return;
	for (struct os_timer **p = &timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	os__unwatch_fd(t->fd);
	close(t->fd);
	free(t);
}

void os__schedule(struct os_work *w)
{
	if (w->queued)
		return;
	w->queued = true;
	w->next = NULL;
	*work_tail = w;
	work_tail = &w->next;
}

static void run_work(void)
{
	/* Work queued by work runs in a later round, after pending events. */
	struct os_work *w = work_head;

	work_head = NULL;
	work_tail = &work_head;
	while (w) {
		struct os_work *next = w->next;

		w->queued = false;
		w->fn(w);
		w = next;
	}
}

void os__shutdown(int status)
{
	os.stop = true;
	os.exit_status = status;
}

int loop__init(void)
{
	os.epfd = epoll_create1(EPOLL_CLOEXEC);
	return os.epfd < 0 ? -errno : 0;
}

void loop__run(void)
{
	struct epoll_event ev[32];

	while (!os.stop) {
		int n;

		/* A migration stops the guest here, between events: nothing is half done. */
		if (os.mig_suspend)
			migrate__suspend();
		n = epoll_wait(os.epfd, ev, 32, work_head ? 0 : -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n && !os.stop; i++) {
			struct watch *w = ev[i].data.ptr;

			if (!w->dead)
				w->fn(w->opaque, ev[i].events);
		}
		while (graveyard) {
			struct watch *w = graveyard;

			graveyard = w->next;
			free(w);
		}
		run_work();
	}
}

void loop__fini(void)
{
	while (watches)
		os__unwatch_fd(watches->fd);
	while (graveyard) {
		struct watch *w = graveyard;

		graveyard = w->next;
		free(w);
	}
	if (os.epfd >= 0)
		close(os.epfd);
}

/* ---- migration: what the loop holds outside RAM ---- */

static bool is_timer_fd(int fd)
{
	for (struct os_timer *t = timers; t; t = t->next)
		if (t->fd == fd)
			return true;
	return false;
}

int loop__suspend(char *why, size_t len)
{
	for (struct watch *w = watches; w; w = w->next) {
		if (w->fd == os.notify_fd || w->fd == os.ev_fd || is_timer_fd(w->fd))
			continue;
		/* An app's TAP device or socket belongs to this process and this host. */
		snprintf(why, len, "descriptor %d (an app's device or socket) cannot move", w->fd);
		return -EOPNOTSUPP;
	}
	for (struct os_timer *t = timers; t; t = t->next) {
		struct itimerspec its = {0};

		timerfd_gettime(t->fd, &its);
		t->left_ns = (uint64_t)its.it_value.tv_sec * 1000000000ull +
			     (uint64_t)its.it_value.tv_nsec;
	}
	return 0;
}

/* @fd (a new descriptor) at number @target; -errno. */
static int place(int fd, int target)
{
	if (fd < 0)
		return -errno;
	if (fd == target)
		return 0;
	if (dup3(fd, target, O_CLOEXEC) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	close(fd);
	return 0;
}

int loop__resume(void)
{
	struct os_timer *t;
	int rc, ep;

	/* Every descriptor is made above the numbers the saved state names, then put at its
	 * number, so that a new one never lands where a later one must go. */
	ep = epoll_create1(EPOLL_CLOEXEC);
	if ((rc = place(ep < 0 ? -1 : os__fd_high(ep), os.epfd)))
		return rc;
	for (t = timers; t; t = t->next) {
		int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

		if ((rc = place(fd < 0 ? -1 : os__fd_high(fd), t->fd)))
			return rc;
		if (t->left_ns)
			os__timer_arm(t, t->left_ns);
	}
	for (struct watch *w = watches; w; w = w->next) {
		struct epoll_event ev = {.events = w->events, .data.ptr = w};

		if (epoll_ctl(os.epfd, EPOLL_CTL_ADD, w->fd, &ev))
			return -errno;
	}
	return 0;
}

int os__fd_high(int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, OS_FD_HIGH);

	close(fd);
	return n;
}

void os__vlog(const char *tag, const char *fmt, va_list ap)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "[%9.3f] %s: ",
			 (double)os__now_ns() / 1e9, tag);

	if (n < 0)
		return;
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (hc__call(VFNET_HC_CONSOLE, line, (size_t)n, NULL, 0, NULL, NULL, 0, NULL) == -EIO)
		fwrite(line, 1, (size_t)n, stderr); /* no machine: the log goes to stderr */
}

void os__log(const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	os__vlog(tag, fmt, ap);
	va_end(ap);
}
