/*
 * The domain runtime (src/os/): what a driver or an app in a vfnet domain is written against,
 * the way a Linux driver is written against the kernel. A domain is one process with one vCPU
 * thread running an event loop; every callback below runs on that thread, one at a time, so
 * drivers and apps need no locks among themselves.
 *
 * Functions return 0 (or a count where stated) or a negative errno.
 */
#ifndef VFNET_OS_H
#define VFNET_OS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A guest moves to another domain process when it migrates, with its RAM: the runtime's heap is
 * in RAM (malloc is the runtime's), and a variable outside it (a static or global of the
 * runtime, a driver or an app that changes while the guest runs) is marked OS_SAVED, so that
 * the runtime saves it into RAM when the guest suspends and the new process gets it back.
 * Constants and per-call scratch need no mark.
 */
#define OS_SAVED __attribute__((section("vfnet_saved")))

/* ---- who we are ---- */

unsigned os__domid(void);
bool os__is_dom0(void);
const char *os__name(void);
/* The value of a configuration key handed over at boot (`ip`, ...), or NULL. */
const char *os__config(const char *key);
/* The n-th (0-based) value of a key given several times (`app`), or NULL. */
const char *os__config_nth(const char *key, unsigned n);

/* ---- the log (`vfnet dmesg DOM`) ---- */

void os__log(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void os__vlog(const char *tag, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* ---- time and timers ---- */

uint64_t os__now_ns(void); /* CLOCK_MONOTONIC */

struct os_timer;
typedef void (*os_timer_fn)(void *opaque);
/* A timer that calls @fn on the vCPU @ns after os__timer_arm; re-arm from @fn for periods. */
struct os_timer *os__timer_create(os_timer_fn fn, void *opaque);
void os__timer_arm(struct os_timer *t, uint64_t ns); /* 0 disarms */
void os__timer_destroy(struct os_timer *t);

/*
 * Delays for drivers written in the hardware style (Linux's udelay and msleep, the e1000 shared
 * code's usec_delay and msec_delay). Both hold the vCPU: no interrupt, work, timer or service
 * request of this domain runs meanwhile, so a poll that can wait long belongs on a timer
 * instead. os__udelay spins (for a few microseconds between register reads); os__msleep gives
 * the CPU away. dom0's drivers must never delay on a guest's behalf: a guest that keeps dom0's
 * only vCPU waiting stalls every other guest's requests.
 */
void os__udelay(unsigned us);
void os__msleep(unsigned ms);

/* ---- file descriptors (TAP devices, sockets of apps) ---- */

typedef void (*os_fd_fn)(void *opaque, uint32_t events); /* EPOLLIN/EPOLLOUT/EPOLLERR/... */
int os__watch_fd(int fd, uint32_t events, os_fd_fn fn, void *opaque);
int os__watch_mod(int fd, uint32_t events);
void os__unwatch_fd(int fd);

/* ---- deferred work: run @fn on the vCPU once the current callback returns ---- */

struct os_work {
	void (*fn)(struct os_work *w);
	struct os_work *next;
	bool queued;
};
void os__schedule(struct os_work *w);

/* ---- services: requests that `vfnet` tools send to this domain ---- */

/*
 * Register a handler for JSON requests {"op": NAME, ...}. @req and @reply are json-c objects
 * (struct json_object *); fill @reply, or return -errno and set @err (a one-line message,
 * at most 160 bytes) to fail the request.
 */
typedef int (*os_service_fn)(void *opaque, void *req, void *reply, char *err);
int os__service(const char *name, os_service_fn fn, void *opaque);
/*
 * The same for a request that turns its connection into a stream (a capture): on success the
 * reply line is sent and @fd is the handler's from then on (the service reads no more
 * requests from it and the handler closes it); on failure the connection stays a service one.
 */
typedef int (*os_stream_fn)(void *opaque, void *req, void *reply, int fd, char *err);
int os__service_stream(const char *name, os_stream_fn fn, void *opaque);

/* Stop the domain: the loop ends, drivers are removed, the process exits with @status. */
void os__shutdown(int status);

#endif
