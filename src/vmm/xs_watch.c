/* xenstore watches: registration, matching a change against every watch, the event queues. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/xs_priv.h"

#define BASE_MAX 32 /* "/local/domain/65535/" */

static void base(unsigned dom, char *buf)
{
	snprintf(buf, BASE_MAX, "/local/domain/%u/", dom);
}

static void queue(struct xenstore *xs, unsigned dom, const struct xs_watch *w, const char *epath);

int xs_watch__add(struct xenstore *xs, unsigned dom, const char *path, const char *token,
		  bool relative)
{
	struct xs_conn *c = &xs->conn[dom];
	struct xs_watch *w;

	for (w = c->watches; w; w = w->next)
		if (!strcmp(w->path, path) && !strcmp(w->token, token))
			return -EEXIST;
	if (dom && c->nwatches >= XS_MAX_WATCHES)
		return -ENOSPC;
	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	w->path = strdup(path);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		free(w->path);
		free(w->token);
		free(w);
		return -ENOMEM;
	}
	w->relative = relative;
	w->next = c->watches;
	c->watches = w;
	c->nwatches++;
	/* A new watch fires once at once, with its own path. */
	queue(xs, dom, w, path);
	return 0;
}

static void watch_free(struct xs_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

static bool token_watched(const struct xs_conn *c, const char *token)
{
	for (const struct xs_watch *w = c->watches; w; w = w->next)
		if (!strcmp(w->token, token))
			return true;
	return false;
}

/* Events of a watch that goes are not delivered (a client matches them by token). */
static void drop_events(struct xs_conn *c, const struct xs_watch *w)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < c->qcount; i++) {
		struct xs_event *e = &c->q[(c->qhead + i) % XS_MAX_EVENTS];

		if (!strcmp(e->token, w->token) && !token_watched(c, w->token)) {
			free(e->path);
			free(e->token);
			continue;
		}
		c->q[(c->qhead + kept++) % XS_MAX_EVENTS] = *e;
	}
	c->qcount = kept;
}

int xs_watch__del(struct xenstore *xs, unsigned dom, const char *path, const char *token)
{
	struct xs_conn *c = &xs->conn[dom];

	for (struct xs_watch **p = &c->watches; *p; p = &(*p)->next) {
		struct xs_watch *w = *p;

		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			*p = w->next;
			c->nwatches--;
			drop_events(c, w);
			watch_free(w);
			return 0;
		}
	}
	return -ENOENT;
}

void xs_watch__reset(struct xenstore *xs, unsigned dom)
{
	struct xs_conn *c = &xs->conn[dom];

	while (c->watches) {
		struct xs_watch *w = c->watches;

		c->watches = w->next;
		watch_free(w);
	}
	c->nwatches = 0;
	while (c->qcount) {
		struct xs_event *e = &c->q[c->qhead];

		free(e->path);
		free(e->token);
		c->qhead = (c->qhead + 1) % XS_MAX_EVENTS;
		c->qcount--;
	}
	c->qhead = 0;
}

/* Is @path @parent or below it? */
static bool child_of(const char *path, const char *parent)
{
	size_t n = strlen(parent);

	if (!strcmp(parent, "/"))
		return path[0] == '/';
	return !strncmp(path, parent, n) && (path[n] == '\0' || path[n] == '/');
}

static void queue(struct xenstore *xs, unsigned dom, const struct xs_watch *w, const char *epath)
{
	struct xs_conn *c = &xs->conn[dom];
	char b[BASE_MAX];
	struct xs_event *e;

	if (w->relative) {
		base(dom, b);
		if (!strncmp(epath, b, strlen(b)))
			epath += strlen(b);
	}
	for (unsigned i = 0; i < c->qcount; i++) {
		e = &c->q[(c->qhead + i) % XS_MAX_EVENTS];
		if (!strcmp(e->path, epath) && !strcmp(e->token, w->token))
			return; /* the same event is already waiting to be read */
	}
	if (c->qcount == XS_MAX_EVENTS) {
		c->lost++;
		xs->st.events_lost++;
		return;
	}
	e = &c->q[(c->qhead + c->qcount) % XS_MAX_EVENTS];
	e->path = strdup(epath);
	e->token = strdup(w->token);
	if (!e->path || !e->token) {
		free(e->path);
		free(e->token);
		c->lost++;
		xs->st.events_lost++;
		return;
	}
	c->qcount++;
	xs->st.events++;
	if (xs->notify)
		xs->notify(xs->opaque, dom);
}

void xs_watch__fire(struct xenstore *xs, const char *path, const struct xs_node *n, bool removed)
{
	for (unsigned dom = 0; dom < XS_CONNS; dom++) {
		struct xs_conn *c = &xs->conn[dom];

		if (!c->active)
			continue;
		for (struct xs_watch *w = c->watches; w; w = w->next) {
			if (path[0] == '@' || w->path[0] == '@') {
				if (!strcmp(path, w->path))
					queue(xs, dom, w, path);
				continue;
			}
			if (n && !xs_node__may(n, dom, XS_READ_ACCESS))
				continue;
			if (child_of(path, w->path))
				queue(xs, dom, w, path);
			else if (removed && child_of(w->path, path))
				queue(xs, dom, w, w->path); /* a parent of the watched path went */
		}
	}
}

size_t xs_watch__pop(struct xenstore *xs, unsigned dom, char *buf, size_t size)
{
	struct xs_conn *c = &xs->conn[dom];
	struct xs_event *e;
	size_t pl, tl;

	if (!c->qcount)
		return 0;
	e = &c->q[c->qhead];
	pl = strlen(e->path) + 1;
	tl = strlen(e->token) + 1;
	if (pl + tl > size)
		pl = tl = 0; /* cannot happen with checked paths; drop rather than truncate */
	else {
		memcpy(buf, e->path, pl);
		memcpy(buf + pl, e->token, tl);
	}
	free(e->path);
	free(e->token);
	c->qhead = (c->qhead + 1) % XS_MAX_EVENTS;
	c->qcount--;
	return pl + tl;
}
