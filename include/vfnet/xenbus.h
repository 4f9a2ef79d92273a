/*
 * xenstore and the xenbus device model in a domain, shaped like Linux's xenbus: drivers for a
 * device type ("vif") as frontends (a guest: device/<type>/<id> under its own directory) or
 * backends (dom0: backend/<type>/<frontend-id>/<id>), probed when their directory appears and
 * removed when it goes, told when the other end's state changes, and reading and writing their
 * keys, in transactions where the protocol needs them.
 *
 * Paths: absolute, or relative to this domain's /local/domain/<id>. Functions return 0 (or a
 * length) or -errno, with xenstore's error names mapped to errno values.
 */
#ifndef VFNET_XENBUS_H
#define VFNET_XENBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/xen/xs_wire.h"

#define XENBUS_PATH_MAX 256

typedef uint32_t xenbus_transaction_t;
#define XBT_NIL 0u

/* @dir/@node (or @dir alone when @node is NULL or empty) into @buf, NUL-terminated: length. */
int xenbus__read(xenbus_transaction_t t, const char *dir, const char *node, char *buf,
		 size_t size);
int xenbus__read_ulong(xenbus_transaction_t t, const char *dir, const char *node,
		       unsigned long *val);
int xenbus__write(xenbus_transaction_t t, const char *dir, const char *node, const char *value);
int xenbus__printf(xenbus_transaction_t t, const char *dir, const char *node, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
int xenbus__mkdir(xenbus_transaction_t t, const char *dir, const char *node);
int xenbus__rm(xenbus_transaction_t t, const char *dir, const char *node);
/* The children of @dir as NUL-separated names in @buf: how many. */
int xenbus__directory(xenbus_transaction_t t, const char *dir, char *buf, size_t size);
bool xenbus__exists(xenbus_transaction_t t, const char *dir, const char *node);

int xenbus__transaction_start(xenbus_transaction_t *t);
/* Commit (or abort): -EAGAIN when a conflicting change came first; then start again. */
int xenbus__transaction_end(xenbus_transaction_t t, bool abort);

struct xenbus_watch {
	char path[XENBUS_PATH_MAX];
	void (*fn)(struct xenbus_watch *w, const char *path);
	void *opaque;
	/* the core's */
	unsigned id;
	struct xenbus_watch *next;
};

/* Watch @path (it fires once at once, then for every change at or below it). */
int xenbus__watch(struct xenbus_watch *w, const char *path,
		  void (*fn)(struct xenbus_watch *w, const char *path), void *opaque);
void xenbus__unwatch(struct xenbus_watch *w);

/* ---- the device model ---- */

struct xenbus_driver;

struct xenbus_device {
	char nodename[XENBUS_PATH_MAX]; /* our directory (absolute) */
	char otherend[XENBUS_PATH_MAX]; /* the other end's */
	unsigned otherend_id;
	unsigned devid;			/* the device's number (<id> of its directory) */
	const char *devicetype;
	enum xenbus_state state;	/* ours, as last written */
	enum xenbus_state otherend_state;
	struct xenbus_driver *driver;
	void *drvdata;
	/* the core's */
	struct xenbus_watch otherend_watch;
	bool seen;
	struct xenbus_device *next;
};

struct xenbus_driver {
	const char *name;
	const char *devicetype; /* "vif" */
	bool backend;		/* runs in dom0 on backend/<type>/... */
	int (*probe)(struct xenbus_device *dev);
	/* The other end wrote a new state. */
	void (*otherend_changed)(struct xenbus_device *dev, enum xenbus_state state);
	/* The device's directory went (or the domain shuts down). */
	void (*remove)(struct xenbus_device *dev);
	struct xenbus_driver *next; /* the core's */
};

/* Drivers register before the runtime probes (the runtime's driver list). */
int xenbus__register_driver(struct xenbus_driver *drv);
/* Write our state; a no-op when it is already that. */
int xenbus__switch_state(struct xenbus_device *dev, enum xenbus_state state);
const char *xenbus__strstate(enum xenbus_state state);

#endif
