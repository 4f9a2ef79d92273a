/*
 * The NIC engine: one thread per port that owns all of the port's state. It applies the BAR
 * accesses arriving on request rings (in order, so PCIe ordering holds), runs the datapath,
 * fires EITR-moderated interrupts on time, and sleeps when there is nothing to do.
 *
 * Sleeping follows the request ring's protocol: after a short poll window without work the
 * engine clears each ring's "polling" flag, looks once more for work (a producer may have posted
 * just before it saw the flag), and only then waits in epoll on the doorbells, the wire, a
 * timerfd armed for the next deadline, and its command eventfd. Producers kick a doorbell only
 * while the flag is clear, so a busy engine is never interrupted.
 *
 * Other threads reach the port only through e82576__call, which runs a function on the engine
 * thread and waits for it: the port's state always has exactly one thread touching it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hw/nic/nic.h"
#include "lib/compiler.h"
#include "lib/log.h"
#include "lib/reqring.h"

#define ENGINE_MAX_RINGS  64
#define ENGINE_BUDGET     64          /* requests per ring and descriptors per queue per pass */
#define ENGINE_WINDOW_NS  50000ull    /* keep polling this long after the last work */

struct engine_ring {
	struct reqring_cons *ring;
	struct pci_func *fn;
	struct e82576 *nic;
	unsigned bars; /* BIT(n): the accessor may reach BAR n */
};

struct engine_call {
	void (*fn)(void *arg);
	void *arg;
	atomic_bool done;
};

struct nic_engine {
	struct nic_port *port;
	pthread_t thread;
	int epfd, cmdfd, timerfd;
	struct wire *wire;                 /* the wire whose fd is in epoll, or NULL */
	uint64_t window_ns;
	atomic_bool stop;
	/* Rings: changed only on the engine thread (through calls). */
	struct engine_ring rings[ENGINE_MAX_RINGS];
	unsigned nrings;
	/* Calls from other threads: a mutex only on this control path; the loop polls one flag. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct engine_call *queue[16];
	unsigned head, nqueue;             /* FIFO */
	bool stopped;                      /* no more calls are taken (under lock) */
	atomic_bool pending;
	struct e82576_engine_stats stats;
};

/* Counters are read by other threads (e82576__engine_stats): one writer, relaxed atomics. */
static void stat_inc(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static int ring_handler(void *ctx, uint32_t off, unsigned width, bool is_write, uint64_t *val)
{
	struct engine_ring *r = ctx;
	unsigned bar = off >> E82576_RING_BAR_SHIFT;

	/* A BAR the accessor was not given (a guest's MSI-X table, which the hypervisor traps)
	 * is refused like an access outside the BAR: the request is counted, a read is ~0. */
	if (bar >= 32 || !(r->bars & (1u << bar)))
		return -EPERM;
	return e82576__mmio(r->nic, r->fn, off >> E82576_RING_BAR_SHIFT,
			    off & ((1u << E82576_RING_BAR_SHIFT) - 1), width, is_write, val);
}

static void run_calls(struct nic_engine *e)
{
	pthread_mutex_lock(&e->lock);
	while (e->nqueue) {
		struct engine_call *c = e->queue[e->head];

		e->head = (e->head + 1) % ARRAY_SIZE(e->queue);
		e->nqueue--;

		pthread_mutex_unlock(&e->lock);
		c->fn(c->arg);
		pthread_mutex_lock(&e->lock);
		atomic_store_explicit(&c->done, true, memory_order_release);
	}
	atomic_store_explicit(&e->pending, false, memory_order_relaxed);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

static unsigned poll_once(struct nic_engine *e)
{
	unsigned work = 0;

	for (unsigned i = 0; i < e->nrings; i++) {
		int n = reqring__process(e->rings[i].ring, ENGINE_BUDGET, ring_handler, &e->rings[i]);

		if (n > 0)
			work += (unsigned)n;
	}
	work += nic_dp__poll(e->port, ENGINE_BUDGET);
	return work;
}

static bool any_ring_work(struct nic_engine *e)
{
	for (unsigned i = 0; i < e->nrings; i++)
		if (reqring__has_work(e->rings[i].ring))
			return true;
	return false;
}

static void set_polling(struct nic_engine *e, bool on)
{
	for (unsigned i = 0; i < e->nrings; i++)
		reqring__set_polling(e->rings[i].ring, on);
}

static void arm_timer(struct nic_engine *e, uint64_t deadline)
{
	struct itimerspec its = {0};

	if (deadline != UINT64_MAX) {
		/* 0 would disarm the timer: a deadline in the past fires at once. */
		deadline = MAX(deadline, 1);
		its.it_value.tv_sec = (time_t)(deadline / 1000000000ull);
		its.it_value.tv_nsec = (long)(deadline % 1000000000ull);
	}
	timerfd_settime(e->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void sleep_until_work(struct nic_engine *e)
{
	struct epoll_event evs[16];
	uint64_t deadline;
	int n;

	set_polling(e, false);
	/* A producer that posted before it saw the flag clear did not kick: look again. */
	if (any_ring_work(e) || atomic_load(&e->pending)) {
		set_polling(e, true);
		return;
	}
	/* The datapath drops a wire that broke for good (its fd may poll as hung up forever); stop
	 * waiting on it. Its fd is still open: the wire is closed only after it is detached. */
	if (e->wire && e->wire != e->port->dp.wire) {
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, wire__fd(e->wire), NULL);
		e->wire = NULL;
	}
	deadline = MIN(nic_intr__next_deadline(e->port), nic_dp__next_deadline(e->port));
	arm_timer(e, deadline);
	stat_inc(&e->stats.sleeps, 1);
	n = epoll_wait(e->epfd, evs, ARRAY_SIZE(evs), -1);
	if (n > 0) {
		uint64_t v;

		/* Drain what woke us (the wire is drained by the datapath): the rings' doorbells
		 * through the ring, which counts the kicks, then the timer and the call eventfd. */
		for (unsigned i = 0; i < e->nrings; i++)
			reqring__doorbell_ack(e->rings[i].ring);
		if (read(e->timerfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			pr_debug("nic", "timerfd: %s", strerror(errno));
		if (read(e->cmdfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			pr_debug("nic", "call eventfd: %s", strerror(errno));
	}
	set_polling(e, true);
}

static void *engine_main(void *arg)
{
	struct nic_engine *e = arg;
	uint64_t idle_since = nic__now(e->port->nic);

	set_polling(e, true);
	while (!atomic_load_explicit(&e->stop, memory_order_relaxed)) {
		uint64_t now;
		unsigned work;

		if (atomic_load_explicit(&e->pending, memory_order_acquire))
			run_calls(e);
		work = poll_once(e);
		now = nic__now(e->port->nic);
		if (nic_intr__next_deadline(e->port) <= now)
			nic_intr__run_timers(e->port, now);
		stat_inc(&e->stats.loops, 1);
		if (work) {
			stat_inc(&e->stats.work, work);
			idle_since = now;
			continue;
		}
		if (now - idle_since < e->window_ns)
			continue;
		sleep_until_work(e);
		idle_since = nic__now(e->port->nic);
	}
	/* Take no more calls, then run those already queued: nobody is left waiting. */
	pthread_mutex_lock(&e->lock);
	e->stopped = true;
	pthread_mutex_unlock(&e->lock);
	run_calls(e);
	return NULL;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void engine_free(struct nic_engine *e)
{
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->cmdfd >= 0)
		close(e->cmdfd);
	if (e->timerfd >= 0)
		close(e->timerfd);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	free(e);
}

static int engine_start(struct e82576 *nic, unsigned port, uint64_t window_ns)
{
	struct nic_engine *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return -ENOMEM;
	e->port = &nic->port[port];
	e->window_ns = window_ns;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->cmdfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (e->epfd < 0 || e->cmdfd < 0 || e->timerfd < 0) {
		rc = -errno;
		goto err;
	}
	if ((rc = epoll_add(e->epfd, e->cmdfd)) || (rc = epoll_add(e->epfd, e->timerfd)))
		goto err;
	/* A wire attached before the engine started is waited on from the start. */
	if (e->port->dp.wire && wire__fd(e->port->dp.wire) >= 0 &&
	    epoll_add(e->epfd, wire__fd(e->port->dp.wire)) == 0)
		e->wire = e->port->dp.wire;
	if ((rc = -pthread_create(&e->thread, NULL, engine_main, e)))
		goto err;
	nic->engine[port] = e;
	return 0;
err:
	engine_free(e);
	return rc;
}

int e82576__start(struct e82576 *nic, uint64_t poll_window_ns)
{
	int rc;

	for (unsigned p = 0; p < E82576_PORTS; p++) {
		if (nic->engine[p])
			continue;
		rc = engine_start(nic, p, poll_window_ns ? poll_window_ns : ENGINE_WINDOW_NS);
		if (rc) {
			e82576__stop(nic);
			return rc;
		}
	}
	return 0;
}

void e82576__stop(struct e82576 *nic)
{
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		struct nic_engine *e = nic->engine[p];
		uint64_t one = 1;

		if (!e)
			continue;
		atomic_store(&e->stop, true);
		if (write(e->cmdfd, &one, sizeof(one)) < 0)
			pr_warn("nic", "cannot wake engine %u: %s", p, strerror(errno));
		pthread_join(e->thread, NULL);
		nic->engine[p] = NULL;
		engine_free(e);
	}
}

int e82576__call(struct e82576 *nic, unsigned port, void (*fn)(void *arg), void *arg)
{
	struct nic_engine *e;
	struct engine_call c = {.fn = fn, .arg = arg};
	uint64_t one = 1;

	if (port >= E82576_PORTS)
		return -EINVAL;
	e = nic->engine[port];
	if (!e || pthread_equal(pthread_self(), e->thread)) {
		fn(arg); /* no engine, or already on it */
		return 0;
	}
	pthread_mutex_lock(&e->lock);
	while (e->nqueue == ARRAY_SIZE(e->queue) && !e->stopped)
		pthread_cond_wait(&e->cond, &e->lock);
	if (e->stopped) {
		pthread_mutex_unlock(&e->lock);
		return -ESHUTDOWN;
	}
	e->queue[(e->head + e->nqueue++) % ARRAY_SIZE(e->queue)] = &c;
	atomic_store_explicit(&e->pending, true, memory_order_release);
	pthread_mutex_unlock(&e->lock);
	/* An eventfd write only fails on overflow, which a wake-up counter never reaches; the
	 * call is queued either way, so wait for it rather than leave it dangling. */
	if (write(e->cmdfd, &one, sizeof(one)) < 0)
		pr_warn("nic", "cannot wake engine %u: %s", port, strerror(errno));
	pthread_mutex_lock(&e->lock);
	while (!atomic_load_explicit(&c.done, memory_order_acquire))
		pthread_cond_wait(&e->cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

struct ring_op {
	struct e82576 *nic;
	struct nic_engine *e;
	struct engine_ring r;
	int rc;
};

static void do_ring_add(void *arg)
{
	struct ring_op *op = arg;
	struct nic_engine *e = op->e;

	if (e->nrings == ENGINE_MAX_RINGS) {
		op->rc = -ENOSPC;
		return;
	}
	if ((op->rc = epoll_add(e->epfd, reqring__doorbell_fd(op->r.ring))))
		return;
	e->rings[e->nrings++] = op->r;
	reqring__set_polling(op->r.ring, true);
}

static void do_ring_remove(void *arg)
{
	struct ring_op *op = arg;
	struct nic_engine *e = op->e;

	op->rc = -ENOENT;
	for (unsigned i = 0; i < e->nrings; i++) {
		if (e->rings[i].ring != op->r.ring)
			continue;
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, reqring__doorbell_fd(op->r.ring), NULL);
		e->rings[i] = e->rings[--e->nrings];
		op->rc = 0;
		return;
	}
}

static int port_of_fn(struct e82576 *nic, struct pci_func *fn)
{
	for (unsigned p = 0; p < E82576_PORTS; p++)
		if (fn == &nic->pci.pf[p] ||
		    (fn >= nic->pci.vf[p] && fn < nic->pci.vf[p] + E82576_MAX_VFS))
			return (int)p;
	return -1;
}

int e82576__ring_add(struct e82576 *nic, struct pci_func *fn, struct reqring_cons *ring,
		     unsigned bars)
{
	int port = port_of_fn(nic, fn);
	struct ring_op op = {.nic = nic, .r = {.ring = ring, .fn = fn, .nic = nic, .bars = bars}};

	if (port < 0 || !bars || (bars & ~0x3fu))
		return -EINVAL;
	if (!(op.e = nic->engine[port]))
		return -ESRCH;
	e82576__call(nic, (unsigned)port, do_ring_add, &op);
	return op.rc;
}

int e82576__ring_remove(struct e82576 *nic, struct reqring_cons *ring)
{
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		struct ring_op op = {.nic = nic, .e = nic->engine[p], .r = {.ring = ring}};

		if (!op.e)
			continue;
		e82576__call(nic, p, do_ring_remove, &op);
		if (op.rc == 0)
			return 0;
	}
	return -ENOENT;
}

void e82576__engine_stats(struct e82576 *nic, unsigned port, struct e82576_engine_stats *st)
{
	struct nic_engine *e = port < E82576_PORTS ? nic->engine[port] : NULL;
	clockid_t cid;
	struct timespec ts;

	memset(st, 0, sizeof(*st));
	if (!e)
		return;
	*st = e->stats;
	if (pthread_getcpuclockid(e->thread, &cid) == 0 && clock_gettime(cid, &ts) == 0)
		st->cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct wire_op {
	struct nic_port *p;
	struct wire *w;
};

static void do_set_wire(void *arg)
{
	struct wire_op *op = arg;
	struct nic_engine *e = op->p->nic->engine[op->p->index];

	/* Swap the epoll registration here, while the old wire's fd is still open: an fd number
	 * freed by closing it could otherwise come back as a doorbell and be taken out. */
	if (e && e->wire && wire__fd(e->wire) >= 0)
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, wire__fd(e->wire), NULL);
	if (e)
		e->wire = NULL;
	if (e && op->w && wire__fd(op->w) >= 0 && epoll_add(e->epfd, wire__fd(op->w)) == 0)
		e->wire = op->w;
	nic_dp__attach_wire(op->p, op->w);
}

int e82576__set_wire(struct e82576 *nic, unsigned port, struct wire *w)
{
	struct wire_op op;

	if (port >= E82576_PORTS)
		return -EINVAL;
	op = (struct wire_op){.p = &nic->port[port], .w = w};
	return e82576__call(nic, port, do_set_wire, &op);
}
