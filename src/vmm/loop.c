#include "vmm/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define VLOOP_BATCH 32

struct vloop_reg {
	int fd;
	bool dead;
	bool timer; /* a one-shot timerfd the loop owns */
	vloop_fn fn;
	void *opaque;
	struct vloop_reg *next;
};

struct vloop {
	int epfd;
	bool stop;
	struct vloop_reg *regs;	   /* live registrations */
	struct vloop_reg *garbage; /* removed during a round; freed after it */
};

int vloop__create(struct vloop **out)
{
	struct vloop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int rc = -errno;

		free(l);
		return rc;
	}
	*out = l;
	return 0;
}

static void reg_free_list(struct vloop_reg *r)
{
	while (r) {
		struct vloop_reg *next = r->next;

		if (r->timer)
			close(r->fd);
		free(r);
		r = next;
	}
}

void vloop__destroy(struct vloop *l)
{
	if (!l)
		return;
	reg_free_list(l->regs);
	reg_free_list(l->garbage);
	close(l->epfd);
	free(l);
}

static struct vloop_reg *reg_find(struct vloop *l, int fd, struct vloop_reg ***link)
{
	for (struct vloop_reg **p = &l->regs; *p; p = &(*p)->next) {
		if ((*p)->fd == fd) {
			if (link)
				*link = p;
			return *p;
		}
	}
	return NULL;
}

static int reg_add(struct vloop *l, int fd, uint32_t events, vloop_fn fn, void *opaque,
		   bool timer)
{
	struct vloop_reg *r;
	struct epoll_event ev = {.events = events};

	if (fd < 0 || !fn)
		return -EINVAL;
	if (reg_find(l, fd, NULL))
		return -EEXIST;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct vloop_reg){.fd = fd, .fn = fn, .opaque = opaque, .timer = timer};
	ev.data.ptr = r;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int rc = -errno;

		free(r);
		return rc;
	}
	r->next = l->regs;
	l->regs = r;
	return 0;
}

int vloop__add(struct vloop *l, int fd, uint32_t events, vloop_fn fn, void *opaque)
{
	return reg_add(l, fd, events, fn, opaque, false);
}

int vloop__mod(struct vloop *l, int fd, uint32_t events)
{
	struct vloop_reg *r = reg_find(l, fd, NULL);
	struct epoll_event ev = {.events = events};

	if (!r)
		return -ENOENT;
	ev.data.ptr = r;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void vloop__del(struct vloop *l, int fd)
{
	struct vloop_reg **link, *r = reg_find(l, fd, &link);

	if (!r)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	*link = r->next;
	/* epoll may already have handed out this registration in the current round. */
	r->dead = true;
	r->next = l->garbage;
	l->garbage = r;
}

int vloop__timer(struct vloop *l, uint64_t ns, vloop_fn fn, void *opaque)
{
	struct itimerspec its = {
		.it_value = {.tv_sec = (time_t)(ns / 1000000000ull),
			     .tv_nsec = (long)(ns % 1000000000ull)},
	};
	int fd, rc;

	if (!ns)
		return -EINVAL;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = reg_add(l, fd, EPOLLIN, fn, opaque, true);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

void vloop__cancel(struct vloop *l, int id)
{
	struct vloop_reg *r = id > 0 ? reg_find(l, id, NULL) : NULL;

	if (r && r->timer)
		vloop__del(l, id); /* closed with the garbage */
}

int vloop__run(struct vloop *l)
{
	struct epoll_event ev[VLOOP_BATCH];

	while (!l->stop) {
		int n = epoll_wait(l->epfd, ev, VLOOP_BATCH, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (int i = 0; i < n && !l->stop; i++) {
			struct vloop_reg *r = ev[i].data.ptr;

			if (r->dead)
				continue;
			if (r->timer) {
				/* One shot: gone before its handler runs, which may re-arm. */
				vloop_fn fn = r->fn;
				void *opaque = r->opaque;

				vloop__del(l, r->fd);
				fn(opaque, ev[i].events);
				continue;
			}
			r->fn(r->opaque, ev[i].events);
		}
		reg_free_list(l->garbage);
		l->garbage = NULL;
	}
	return 0;
}

void vloop__stop(struct vloop *l)
{
	l->stop = true;
}

bool vloop__stopped(const struct vloop *l)
{
	return l->stop;
}
