/*
 * The domain's apps, from its configuration (`app=SPEC` lines): each starts when its netdev
 * (dev=NAME, default eth0) is registered, and stops when the netdev goes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"
#include "vfnet/app.h"
#include "vfnet/os.h"

#define OS_MAX_APPS 16

struct app_slot {
	struct app app;
	char dev[NETDEV_NAME_LEN];
	bool running;
	struct netdev_listener watch; /* to learn when the netdev goes */
};

static const struct app_type *const *types OS_SAVED;
static struct app_slot slots[OS_MAX_APPS] OS_SAVED;
static unsigned nslots OS_SAVED;

static const struct app_type *find_type(const struct app_type *const *t, const char *name)
{
	for (; t && *t; t++)
		if (!strcmp((*t)->name, name))
			return *t;
	return NULL;
}

/* Split @spec into words in @buf; dev= is taken out into @dev. Returns argc (type first). */
static int split(const char *spec, char *buf, size_t len, char **argv, char *dev)
{
	int argc = 0;
	char *save, *w;

	snprintf(buf, len, "%s", spec);
	snprintf(dev, NETDEV_NAME_LEN, "eth0");
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(w, "dev=", 4)) {
			snprintf(dev, NETDEV_NAME_LEN, "%s", w + 4);
			continue;
		}
		if (argc == APP_MAX_ARGS + 1)
			return -E2BIG;
		argv[argc++] = w;
	}
	return argc;
}

int app__check(const struct app_type *const *t, const char *spec, char *err)
{
	char buf[256], dev[NETDEV_NAME_LEN], *argv[APP_MAX_ARGS + 1];
	int argc = split(spec, buf, sizeof(buf), argv, dev);

	if (argc == -E2BIG) {
		snprintf(err, APP_ERR_MAX, "too many options in '%s'", spec);
		return -E2BIG;
	}
	const struct app_type *type;

	if (argc < 1 || !(type = find_type(t, argv[0]))) {
		snprintf(err, APP_ERR_MAX, "unknown app '%s'", argc < 1 ? "" : argv[0]);
		return -EINVAL;
	}
	return type->check ? type->check(argc - 1, argv + 1, err) : 0;
}

static void app_gone(void *opaque, struct netdev *nd)
{
	struct app_slot *s = opaque;

	if (s->running) {
		s->app.type->stop(&s->app);
		s->running = false;
		s->app.nd = NULL;
		os__log("app", "%s stopped: %s went away", s->app.type->name, nd->name);
	}
}

static void app_rx_none(void *opaque, struct netdev *nd, const struct pkt *p, unsigned n)
{
}

static void start(struct app_slot *s, struct netdev *nd)
{
	char buf[256], dev[NETDEV_NAME_LEN], err[APP_ERR_MAX] = "", *argv[APP_MAX_ARGS + 1];
	int argc = split(s->app.spec, buf, sizeof(buf), argv, dev);
	int rc;

	if (s->running || argc < 1)
		return;
	if (!nd) { /* dev=none: an app of the domain's memory or CPU, no netdev */
		if ((rc = s->app.type->start(&s->app, argc - 1, argv + 1, err)))
			os__log("app", "%s: %s", argv[0], err[0] ? err : strerror(-rc));
		else
			os__log("app", "%s started", s->app.spec);
		s->running = !rc;
		return;
	}
	if ((rc = netdev__open(nd))) {
		os__log("app", "%s: cannot open %s: %s", argv[0], nd->name, strerror(-rc));
		return;
	}
	s->app.nd = nd;
	rc = s->app.type->start(&s->app, argc - 1, argv + 1, err);
	if (rc) {
		os__log("app", "%s on %s: %s", argv[0], nd->name, err[0] ? err : strerror(-rc));
		s->app.nd = NULL;
		return;
	}
	s->running = true;
	s->watch = (struct netdev_listener){.rx = app_rx_none, .gone = app_gone, .opaque = s};
	netdev__listen(nd, &s->watch);
	os__log("app", "%s started on %s", s->app.spec, nd->name);
}

static void added(void *opaque, struct netdev *nd)
{
	for (unsigned i = 0; i < nslots; i++)
		if (!slots[i].running && !strcmp(slots[i].dev, nd->name))
			start(&slots[i], nd);
}

static struct netdev_notifier notifier OS_SAVED = {.added = added};

void apps__init(const struct app_type *const *t)
{
	const char *spec;

	types = t;
	for (unsigned n = 0; (spec = os__config_nth("app", n)) && nslots < OS_MAX_APPS; n++) {
		char buf[256], err[APP_ERR_MAX], *argv[APP_MAX_ARGS + 1];
		struct app_slot *s = &slots[nslots];
		int argc;

		if (app__check(types, spec, err)) {
			os__log("app", "%s", err);
			continue;
		}
		snprintf(s->app.spec, sizeof(s->app.spec), "%s", spec);
		argc = split(spec, buf, sizeof(buf), argv, s->dev);
		s->app.type = find_type(types, argv[0]);
		s->app.index = nslots++;
		(void)argc;
	}
	netdev__notify(&notifier);
	for (unsigned i = 0; i < nslots; i++)
		if (!strcmp(slots[i].dev, "none"))
			start(&slots[i], NULL);
}

void apps__fini(void)
{
	for (unsigned i = 0; i < nslots; i++) {
		if (slots[i].running) {
			if (slots[i].app.nd)
				netdev__unlisten(slots[i].app.nd, &slots[i].watch);
			slots[i].app.type->stop(&slots[i].app);
			slots[i].running = false;
		}
	}
}

/* For the stats service. */
unsigned apps__count(void);
struct app *apps__get(unsigned i, bool *running);

unsigned apps__count(void)
{
	return nslots;
}

struct app *apps__get(unsigned i, bool *running)
{
	if (i >= nslots)
		return NULL;
	*running = slots[i].running;
	return &slots[i].app;
}
