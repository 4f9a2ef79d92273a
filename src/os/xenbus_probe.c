/*
 * The xenbus device model: frontend devices appear under our device/<type>/<id>, backend devices
 * (dom0) under backend/<type>/<frontend-id>/<id>. One watch per side rescans on every change:
 * a new directory whose other end is named is probed, a directory that went is removed. The
 * other end's state is watched for each device and handed to its driver.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"
#include "vfnet/os.h"
#include "vfnet/xenbus.h"

static struct xenbus_driver *drivers OS_SAVED;
static struct xenbus_device *devices OS_SAVED;
static struct xenbus_watch front_watch OS_SAVED, back_watch OS_SAVED;
static bool started OS_SAVED;

static const char *const state_names[] = {
	"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
	"Closing", "Closed", "Reconfiguring", "Reconfigured",
};

const char *xenbus__strstate(enum xenbus_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

/*
 * As Linux's __xenbus_switch_state: in a transaction, and only while our state node is there: a
 * directory the toolstack removed must not come back because we wrote into it.
 */
int xenbus__switch_state(struct xenbus_device *dev, enum xenbus_state state)
{
	xenbus_transaction_t t;
	unsigned long cur;
	int rc;

	if (dev->state == state)
		return 0;
	do {
		if ((rc = xenbus__transaction_start(&t)))
			return rc;
		if ((rc = xenbus__read_ulong(t, dev->nodename, "state", &cur)) < 0) {
			xenbus__transaction_end(t, true);
			return rc == -ENOENT ? 0 : rc; /* the device is going away */
		}
		if ((rc = xenbus__printf(t, dev->nodename, "state", "%d", state))) {
			xenbus__transaction_end(t, true);
			return rc;
		}
		rc = xenbus__transaction_end(t, false);
	} while (rc == -EAGAIN);
	if (!rc)
		dev->state = state;
	return rc;
}

static void otherend_state(struct xenbus_watch *w, const char *path)
{
	struct xenbus_device *dev = w->opaque;
	unsigned long st;

	if (xenbus__read_ulong(XBT_NIL, dev->otherend, "state", &st) < 0)
		st = XenbusStateClosed; /* the other end's directory went */
	if (st == dev->otherend_state)
		return;
	dev->otherend_state = (enum xenbus_state)st;
	if (dev->driver->otherend_changed)
		dev->driver->otherend_changed(dev, (enum xenbus_state)st);
}

static struct xenbus_device *find(const char *nodename)
{
	for (struct xenbus_device *d = devices; d; d = d->next)
		if (!strcmp(d->nodename, nodename))
			return d;
	return NULL;
}

static void remove_dev(struct xenbus_device *dev)
{
	for (struct xenbus_device **p = &devices; *p; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	xenbus__unwatch(&dev->otherend_watch);
	os__log("xenbus", "%s: removed", dev->nodename);
	if (dev->driver->remove)
		dev->driver->remove(dev);
	free(dev);
}

/* A directory that is there: probe it unless we know it. */
static void add(struct xenbus_driver *drv, const char *nodename, unsigned devid)
{
	struct xenbus_device *dev = find(nodename);
	char other[XENBUS_PATH_MAX];
	unsigned long oid;
	char watch[XENBUS_PATH_MAX + 8];
	int rc;

	if (dev) {
		dev->seen = true;
		return;
	}
	/* The toolstack writes the other end's path and id before the directory is complete. */
	if (xenbus__read(XBT_NIL, nodename, drv->backend ? "frontend" : "backend", other,
			 sizeof(other)) < 0 ||
	    xenbus__read_ulong(XBT_NIL, nodename, drv->backend ? "frontend-id" : "backend-id",
			       &oid) < 0)
		return;
	if (!(dev = calloc(1, sizeof(*dev))))
		return;
	snprintf(dev->nodename, sizeof(dev->nodename), "%s", nodename);
	snprintf(dev->otherend, sizeof(dev->otherend), "%s", other);
	dev->otherend_id = (unsigned)oid;
	dev->devid = devid;
	dev->devicetype = drv->devicetype;
	dev->driver = drv;
	dev->seen = true;
	dev->state = XenbusStateUnknown;
	dev->otherend_state = XenbusStateUnknown;
	dev->next = devices;
	devices = dev;
	os__log("xenbus", "%s: %s, other end %s (domain %u)", nodename, drv->name, other,
		dev->otherend_id);
	if ((rc = drv->probe(dev))) {
		os__log("xenbus", "%s: probe failed: %s", nodename, strerror(-rc));
		devices = dev->next;
		free(dev);
		return;
	}
	snprintf(watch, sizeof(watch), "%s/state", dev->otherend);
	if (xenbus__watch(&dev->otherend_watch, watch, otherend_state, dev))
		os__log("xenbus", "%s: cannot watch %s", nodename, watch);
}

/* Calls @fn for each child name of @dir. */
static void each_child(const char *dir, void (*fn)(const char *dir, const char *name, void *),
		       void *opaque)
{
	char buf[2048];
	int n = xenbus__directory(XBT_NIL, dir, buf, sizeof(buf));

	for (char *p = buf; n-- > 0; p += strlen(p) + 1)
		fn(dir, p, opaque);
}

static bool number(const char *s, unsigned long *v)
{
	char *end;

	*v = strtoul(s, &end, 10);
	return s[0] && !*end;
}

static void front_id(const char *dir, const char *name, void *opaque)
{
	char path[XENBUS_PATH_MAX];
	unsigned long id;

	if (number(name, &id) && snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path))
		add(opaque, path, (unsigned)id);
}

static void back_dom(const char *dir, const char *name, void *opaque)
{
	char path[XENBUS_PATH_MAX];
	unsigned long id;

	if (number(name, &id) && snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path))
		each_child(path, front_id, opaque);
}

static void scan(bool backend)
{
	char dir[XENBUS_PATH_MAX];

	for (struct xenbus_device *d = devices; d; d = d->next)
		if (d->driver->backend == backend)
			d->seen = false;
	for (struct xenbus_driver *drv = drivers; drv; drv = drv->next) {
		if (drv->backend != backend)
			continue;
		snprintf(dir, sizeof(dir), "/local/domain/%u/%s/%s", os.domid,
			 backend ? "backend" : "device", drv->devicetype);
		each_child(dir, backend ? back_dom : front_id, drv);
	}
	for (struct xenbus_device *d = devices, *next; d; d = next) {
		next = d->next;
		if (d->driver->backend == backend && !d->seen)
			remove_dev(d);
	}
}

static void front_changed(struct xenbus_watch *w, const char *path)
{
	scan(false);
}

static void back_changed(struct xenbus_watch *w, const char *path)
{
	scan(true);
}

int xenbus__register_driver(struct xenbus_driver *drv)
{
	if (!drv->probe || !drv->devicetype)
		return -EINVAL;
	drv->next = drivers;
	drivers = drv;
	return 0;
}

void xenbus__probe_all(void)
{
	bool front = false, back = false;

	for (struct xenbus_driver *d = drivers; d; d = d->next) {
		front |= !d->backend;
		back |= d->backend;
	}
	/* The watches fire once at once: that is the first scan. */
	if (front && xenbus__watch(&front_watch, "device", front_changed, NULL))
		os__log("xenbus", "cannot watch device/");
	if (back && os__is_dom0() && xenbus__watch(&back_watch, "backend", back_changed, NULL))
		os__log("xenbus", "cannot watch backend/");
	started = true;
}

void xenbus__fini(void)
{
	while (devices)
		remove_dev(devices);
	if (started) {
		xenbus__unwatch(&front_watch);
		xenbus__unwatch(&back_watch);
	}
}
