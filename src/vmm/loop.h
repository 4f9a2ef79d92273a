/*
 * The machine's control thread: one epoll loop over the control socket, its clients, the
 * domains' hypercall sockets, child-exit notifications and timers. Handlers run on this thread
 * only, one at a time, so the hypervisor's state needs no locks against itself.
 */
#ifndef VFNET_VMM_LOOP_H
#define VFNET_VMM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct vloop;

/* @events are EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP as epoll reported them. */
typedef void (*vloop_fn)(void *opaque, uint32_t events);

int vloop__create(struct vloop **out);
void vloop__destroy(struct vloop *l);

/* Watch @fd for @events (EPOLLIN/EPOLLOUT). One registration per fd. 0 or -errno. */
int vloop__add(struct vloop *l, int fd, uint32_t events, vloop_fn fn, void *opaque);
int vloop__mod(struct vloop *l, int fd, uint32_t events);
/*
 * Stop watching @fd. Safe from inside any handler, including @fd's own: a handler of an fd
 * removed earlier in the same round is not called. Call it before closing the fd.
 */
void vloop__del(struct vloop *l, int fd);

/* A one-shot timer @ns from now (0 cancels); returns an id > 0 for vloop__cancel, or -errno. */
int vloop__timer(struct vloop *l, uint64_t ns, vloop_fn fn, void *opaque);
void vloop__cancel(struct vloop *l, int id);

/* Run handlers until vloop__stop. 0, or -errno when epoll fails. */
int vloop__run(struct vloop *l);
void vloop__stop(struct vloop *l);
bool vloop__stopped(const struct vloop *l);

#endif
