#include "vmm/xs_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void owned_add(struct xs_tree *t, uint16_t id, int n)
{
	if (id < sizeof(t->owned) / sizeof(t->owned[0]))
		t->owned[id] = (uint32_t)((int)t->owned[id] + n);
}

static struct xs_node *node_new(const char *name, size_t nlen)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strndup(name, nlen);
	n->value = calloc(1, 1);
	if (!n->name || !n->value) {
		free(n->name);
		free(n->value);
		free(n);
		return NULL;
	}
	return n;
}

static void node_free(struct xs_tree *t, struct xs_node *n)
{
	while (n->child) {
		struct xs_node *c = n->child;

		n->child = c->next;
		node_free(t, c);
	}
	if (t)
		owned_add(t, n->perms[0].id, -1);
	free(n->name);
	free(n->value);
	free(n);
}

int xs_tree__init(struct xs_tree *t, uint64_t *gen)
{
	memset(t, 0, sizeof(*t));
	t->gen = gen;
	if (!(t->root = node_new("", 0)))
		return -ENOMEM;
	t->root->perms[0] = (struct xs_perm){.id = 0, .perm = 'n'};
	t->root->nperms = 1;
	t->root->gen = ++*t->gen;
	owned_add(t, 0, 1);
	return 0;
}

void xs_tree__fini(struct xs_tree *t)
{
	if (t->root)
		node_free(NULL, t->root);
	t->root = NULL;
}

static struct xs_node *clone_node(const struct xs_node *n, struct xs_node *parent)
{
	struct xs_node *c = calloc(1, sizeof(*c)), **tail;

	if (!c)
		return NULL;
	*c = *n;
	c->parent = parent;
	c->child = c->next = NULL;
	c->name = strdup(n->name);
	c->value = malloc(n->len + 1);
	if (!c->name || !c->value)
		goto err;
	memcpy(c->value, n->value, n->len + 1);
	tail = &c->child;
	for (const struct xs_node *k = n->child; k; k = k->next) {
		if (!(*tail = clone_node(k, c)))
			goto err;
		tail = &(*tail)->next;
	}
	return c;
err:
	node_free(NULL, c);
	return NULL;
}

int xs_tree__clone(const struct xs_tree *t, struct xs_tree *out)
{
	*out = *t;
	if (!(out->root = clone_node(t->root, NULL)))
		return -ENOMEM;
	return 0;
}

bool xs_path__ok(const char *path, size_t max)
{
	size_t n = strlen(path);

	if (!n || n > max || path[0] != '/')
		return false;
	if (n == 1)
		return true;
	if (path[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = path[i];

		if (c == '/' && path[i + 1] == '/')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '/' || c == '_' || c == '@'))
			return false;
	}
	return true;
}

static struct xs_node *child(const struct xs_node *n, const char *name, size_t len)
{
	for (struct xs_node *c = n->child; c; c = c->next)
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

/* Walks @path; *@rest (if not NULL) points at the first element that does not exist. */
static struct xs_node *walk(const struct xs_tree *t, const char *path, const char **rest)
{
	struct xs_node *n = t->root;
	const char *p = path + 1;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		struct xs_node *c = child(n, p, len);

		if (!c)
			break;
		n = c;
		p += len + (slash ? 1 : 0);
	}
	if (rest)
		*rest = p;
	return n;
}

struct xs_node *xs_tree__find(const struct xs_tree *t, const char *path)
{
	const char *rest;
	struct xs_node *n = walk(t, path, &rest);

	return *rest ? NULL : n;
}

struct xs_node *xs_tree__nearest(const struct xs_tree *t, const char *path)
{
	return walk(t, path, NULL);
}

bool xs_node__may(const struct xs_node *n, unsigned dom, enum xs_access access)
{
	char perm = n->perms[0].perm;

	if (dom == 0 || n->perms[0].id == dom)
		return true;
	for (unsigned i = 1; i < n->nperms; i++)
		if (n->perms[i].id == dom) {
			perm = n->perms[i].perm;
			break;
		}
	if (perm == 'b')
		return true;
	return access == XS_READ_ACCESS ? perm == 'r' : perm == 'w';
}

void xs_node__path(const struct xs_node *n, char *buf, size_t size)
{
	const struct xs_node *chain[512];
	unsigned depth = 0;
	size_t at = 0;

	if (!n->parent) {
		snprintf(buf, size, "/");
		return;
	}
	for (; n->parent && depth < 512; n = n->parent)
		chain[depth++] = n;
	buf[0] = '\0';
	while (depth-- && at < size)
		at += (size_t)snprintf(buf + at, size - at, "/%s", chain[depth]->name);
}

static void touch(struct xs_tree *t, struct xs_node *n)
{
	n->gen = ++*t->gen;
}

/* Creates what is missing of @path below the nearest node (already checked writable). */
static int create(struct xs_tree *t, unsigned dom, struct xs_node *n, const char *rest,
		  struct xs_node **out)
{
	unsigned count = 0;

	for (const char *p = rest; *p; p++)
		count += *p == '/';
	count++;
	if (dom && dom < sizeof(t->owned) / sizeof(t->owned[0]) &&
	    t->owned[dom] + count > XS_MAX_DOMAIN_NODES)
		return -ENOSPC;
	while (*rest) {
		const char *slash = strchr(rest, '/');
		size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
		struct xs_node *c = node_new(rest, len), **tail;

		if (!c)
			return -ENOMEM;
		memcpy(c->perms, n->perms, sizeof(c->perms));
		c->nperms = n->nperms;
		if (dom)
			c->perms[0].id = (uint16_t)dom;
		owned_add(t, c->perms[0].id, 1);
		c->parent = n;
		for (tail = &n->child; *tail; tail = &(*tail)->next)
			;
		*tail = c;
		touch(t, n);
		touch(t, c);
		n = c;
		rest += len + (slash ? 1 : 0);
	}
	*out = n;
	return 0;
}

static int get_writable(struct xs_tree *t, unsigned dom, const char *path, struct xs_node **out)
{
	const char *rest;
	struct xs_node *n = walk(t, path, &rest);

	if (!xs_node__may(n, dom, XS_WRITE_ACCESS))
		return -EACCES;
	if (!*rest) {
		*out = n;
		return 0;
	}
	return create(t, dom, n, rest, out);
}

int xs_tree__write(struct xs_tree *t, unsigned dom, const char *path, const void *val, size_t len)
{
	struct xs_node *n;
	char *v;
	int rc;

	if (len > XS_MAX_VALUE)
		return -E2BIG;
	if (!(v = malloc(len + 1)))
		return -ENOMEM;
	memcpy(v, val, len);
	v[len] = '\0';
	if ((rc = get_writable(t, dom, path, &n))) {
		free(v);
		return rc;
	}
	free(n->value);
	n->value = v;
	n->len = len;
	touch(t, n);
	return 0;
}

int xs_tree__mkdir(struct xs_tree *t, unsigned dom, const char *path)
{
	struct xs_node *n;

	return get_writable(t, dom, path, &n);
}

int xs_tree__rm(struct xs_tree *t, unsigned dom, const char *path)
{
	const char *rest;
	struct xs_node *n = walk(t, path, &rest), **link;

	if (*rest) {
		/* Missing is fine, as long as its parent is there. */
		return strchr(rest, '/') ? -ENOENT : 0;
	}
	if (!n->parent)
		return -EINVAL;
	if (!xs_node__may(n, dom, XS_WRITE_ACCESS))
		return -EACCES;
	for (link = &n->parent->child; *link != n; link = &(*link)->next)
		;
	*link = n->next;
	touch(t, n->parent);
	node_free(t, n);
	return 0;
}

int xs_tree__set_perms(struct xs_tree *t, unsigned dom, const char *path,
		       const struct xs_perm *perms, unsigned nperms)
{
	struct xs_node *n = xs_tree__find(t, path);

	if (!n)
		return -ENOENT;
	if (!nperms || nperms > XS_MAX_PERMS)
		return -EINVAL;
	if (!xs_node__may(n, dom, XS_WRITE_ACCESS))
		return -EACCES;
	/* Only dom0 gives a node away. */
	if (dom && perms[0].id != dom)
		return -EPERM;
	if (perms[0].id != n->perms[0].id) {
		if (perms[0].id && perms[0].id < sizeof(t->owned) / sizeof(t->owned[0]) &&
		    t->owned[perms[0].id] >= XS_MAX_DOMAIN_NODES)
			return -ENOSPC;
		owned_add(t, n->perms[0].id, -1);
		owned_add(t, perms[0].id, 1);
	}
	memset(n->perms, 0, sizeof(n->perms));
	memcpy(n->perms, perms, nperms * sizeof(*perms));
	n->nperms = nperms;
	touch(t, n);
	return 0;
}

bool xs_perm__parse(const char *s, struct xs_perm *p)
{
	char *end;
	unsigned long id;

	if (!strchr("nrwb", s[0]) || !s[0] || s[1] < '0' || s[1] > '9')
		return false;
	id = strtoul(s + 1, &end, 10);
	if (*end || id > 0xffff)
		return false;
	*p = (struct xs_perm){.id = (uint16_t)id, .perm = s[0]};
	return true;
}

static void forget(struct xs_tree *t, struct xs_node *n, unsigned dom)
{
	if (n->perms[0].id == dom) {
		n->perms[0].id = 0;
		owned_add(t, (uint16_t)dom, -1);
		owned_add(t, 0, 1);
	}
	for (unsigned i = 1; i < n->nperms;) {
		if (n->perms[i].id == dom) {
			memmove(&n->perms[i], &n->perms[i + 1],
				(n->nperms - i - 1) * sizeof(n->perms[0]));
			n->nperms--;
		} else {
			i++;
		}
	}
	for (struct xs_node *c = n->child; c; c = c->next)
		forget(t, c, dom);
}

void xs_tree__forget_domain(struct xs_tree *t, unsigned dom)
{
	forget(t, t->root, dom);
}
