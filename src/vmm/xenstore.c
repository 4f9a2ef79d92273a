#include "vmm/xenstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/xs_priv.h"

int xenstore__create(struct xenstore **out, void (*notify)(void *opaque, unsigned dom),
		     void *opaque)
{
	struct xenstore *xs = calloc(1, sizeof(*xs));
	int rc;

	if (!xs)
		return -ENOMEM;
	xs->notify = notify;
	xs->opaque = opaque;
	if ((rc = xs_tree__init(&xs->tree, &xs->gen))) {
		free(xs);
		return rc;
	}
	*out = xs;
	return 0;
}

void xenstore__destroy(struct xenstore *xs)
{
	if (!xs)
		return;
	for (unsigned d = 0; d < XS_CONNS; d++) {
		xs_watch__reset(xs, d);
		xs_tx__reset(xs, d);
	}
	xs_tree__fini(&xs->tree);
	free(xs);
}

/* ---- changes to the live store, with their watches ---- */

int xs__apply(struct xenstore *xs, unsigned dom, const struct xs_logop *op)
{
	struct xs_tree *t = &xs->tree;
	struct xs_node *n = xs_tree__find(t, op->path);
	int rc;

	switch (op->type) {
	case XS_LOG_WRITE:
		rc = xs_tree__write(t, dom, op->path, op->value, op->len);
		break;
	case XS_LOG_MKDIR:
		if (n)
			return xs_node__may(n, dom, XS_WRITE_ACCESS) ? 0 : -EACCES;
		rc = xs_tree__mkdir(t, dom, op->path);
		break;
	case XS_LOG_RM:
		if (!n)
			return xs_tree__rm(t, dom, op->path); /* 0 or -ENOENT */
		if (!n->parent)
			return -EINVAL;
		if (!xs_node__may(n, dom, XS_WRITE_ACCESS))
			return -EACCES;
		xs_watch__fire(xs, op->path, n, true);
		return xs_tree__rm(t, dom, op->path);
	default:
		rc = xs_tree__set_perms(t, dom, op->path, op->perms, op->nperms);
		break;
	}
	if (!rc)
		xs_watch__fire(xs, op->path, xs_tree__find(t, op->path), false);
	return rc;
}

/* The same change inside a transaction: on its copy, recorded, no watches yet. */
static int tx_apply(struct xs_tx *tx, unsigned dom, const struct xs_logop *op)
{
	struct xs_tree *t = &tx->work;
	struct xs_node *near = xs_tree__nearest(t, op->path);
	char path[XENSTORE_ABS_PATH_MAX + 1];
	int rc;

	xs_tx__access(tx, op->path);
	if (op->type == XS_LOG_RM && xs_tree__find(t, op->path) && near->parent)
		near = near->parent;
	xs_node__path(near, path, sizeof(path));
	xs_tx__access(tx, path);
	switch (op->type) {
	case XS_LOG_WRITE:
		rc = xs_tree__write(t, dom, op->path, op->value, op->len);
		break;
	case XS_LOG_MKDIR: {
		struct xs_node *n = xs_tree__find(t, op->path);

		rc = n ? (xs_node__may(n, dom, XS_WRITE_ACCESS) ? 0 : -EACCES)
		       : xs_tree__mkdir(t, dom, op->path);
		break;
	}
	case XS_LOG_RM:
		rc = xs_tree__rm(t, dom, op->path);
		break;
	default:
		rc = xs_tree__set_perms(t, dom, op->path, op->perms, op->nperms);
		break;
	}
	if (!rc)
		xs_tx__log(tx, op->type, op->path, op->value, op->len, op->nperms ? op->perms : NULL,
			   op->nperms);
	return rc;
}

/* ---- requests ---- */

struct req {
	struct xenstore *xs;
	int caller;	  /* a domain, or XS_TOOL */
	unsigned dom;	  /* whose rights: the domain, or 0 for a tool */
	struct xsd_sockmsg hdr;
	const char *body; /* hdr.len bytes */
	char *out;	  /* reply payload */
	size_t out_max, out_len;
	struct xs_tx *tx; /* the request's transaction, or NULL */
};

static const char *errname(int rc)
{
	switch (rc) {
	case -EINVAL: return "EINVAL";
	case -EACCES: return "EACCES";
	case -EEXIST: return "EEXIST";
	case -EISDIR: return "EISDIR";
	case -ENOENT: return "ENOENT";
	case -ENOMEM: return "ENOMEM";
	case -ENOSPC: return "ENOSPC";
	case -ENOTEMPTY: return "ENOTEMPTY";
	case -ENOSYS: return "ENOSYS";
	case -EROFS: return "EROFS";
	case -EBUSY: return "EBUSY";
	case -EAGAIN: return "EAGAIN";
	case -EISCONN: return "EISCONN";
	case -E2BIG: return "E2BIG";
	case -EPERM: return "EPERM";
	default: return "EIO";
	}
}

static int put(struct req *r, const void *p, size_t n)
{
	if (r->out_len + n > r->out_max || r->out_len + n > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	memcpy(r->out + r->out_len, p, n);
	r->out_len += n;
	return 0;
}

static int put_str(struct req *r, const char *s)
{
	return put(r, s, strlen(s) + 1);
}

/* The request's NUL-terminated strings: up to @max of them into @argv; how many. */
static unsigned split(const struct req *r, const char **argv, unsigned max)
{
	unsigned n = 0;
	size_t at = 0;

	while (at < r->hdr.len && n < max) {
		const char *s = r->body + at;
		const char *nul = memchr(s, '\0', r->hdr.len - at);

		if (!nul)
			break;
		argv[n++] = s;
		at += (size_t)(nul - s) + 1;
	}
	return n;
}

/* A caller's path made absolute and checked: 0 or -EINVAL. */
static int path_of(const struct req *r, const char *in, char *abs, bool watch)
{
	if (watch && in[0] == '@') {
		if (strlen(in) > XENSTORE_ABS_PATH_MAX || strchr(in, '/'))
			return -EINVAL;
		strcpy(abs, in);
		return 0;
	}
	if (in[0] == '/') {
		if (!xs_path__ok(in, XENSTORE_ABS_PATH_MAX))
			return -EINVAL;
		strcpy(abs, in);
		return 0;
	}
	if (r->caller == XS_TOOL || !in[0] || strlen(in) > XENSTORE_REL_PATH_MAX)
		return -EINVAL;
	snprintf(abs, XENSTORE_ABS_PATH_MAX + 1, "/local/domain/%u/%s", r->dom, in);
	return xs_path__ok(abs, XENSTORE_ABS_PATH_MAX) ? 0 : -EINVAL;
}

static struct xs_tree *view(struct req *r, const char *path)
{
	if (!r->tx)
		return &r->xs->tree;
	xs_tx__access(r->tx, path);
	return &r->tx->work;
}

static int change(struct req *r, const struct xs_logop *op)
{
	int rc = r->tx ? tx_apply(r->tx, r->dom, op) : xs__apply(r->xs, r->dom, op);

	return rc ? rc : put_str(r, "OK");
}

static int one_path(struct req *r, char *path)
{
	const char *argv[2];

	if (split(r, argv, 2) != 1 || argv[0] + strlen(argv[0]) + 1 != r->body + r->hdr.len)
		return -EINVAL;
	return path_of(r, argv[0], path, false);
}

static int readable(struct req *r, const char *path, const struct xs_node **out)
{
	const struct xs_node *n = xs_tree__find(view(r, path), path);

	if (!n)
		return -ENOENT;
	if (!xs_node__may(n, r->dom, XS_READ_ACCESS))
		return -EACCES;
	*out = n;
	return 0;
}

static int do_read(struct req *r, char *path)
{
	const struct xs_node *n;
	int rc;

	if ((rc = one_path(r, path)) || (rc = readable(r, path, &n)))
		return rc;
	return put(r, n->value, n->len);
}

static int do_write(struct req *r, char *path)
{
	const char *nul = memchr(r->body, '\0', r->hdr.len);
	struct xs_logop op = {.type = XS_LOG_WRITE, .path = path};
	int rc;

	if (!nul)
		return -EINVAL;
	if ((rc = path_of(r, r->body, path, false)))
		return rc;
	op.value = (char *)nul + 1;
	op.len = r->hdr.len - (size_t)(nul + 1 - r->body);
	return change(r, &op);
}

static int do_simple_change(struct req *r, char *path, enum xs_logop_type type)
{
	struct xs_logop op = {.type = type, .path = path};
	int rc;

	if ((rc = one_path(r, path)))
		return rc;
	if (type == XS_LOG_RM && !strcmp(path, "/"))
		return -EINVAL;
	return change(r, &op);
}

static int do_directory(struct req *r, char *path)
{
	const struct xs_node *n;
	int rc;

	if ((rc = one_path(r, path)) || (rc = readable(r, path, &n)))
		return rc;
	for (const struct xs_node *c = n->child; c; c = c->next)
		if ((rc = put_str(r, c->name)))
			return rc;
	return 0;
}

static int do_directory_part(struct req *r, char *path)
{
	const char *argv[3];
	const struct xs_node *n;
	char gen[24], *end;
	unsigned long off;
	size_t at = 0;
	int rc;

	if (split(r, argv, 3) != 2 || (rc = path_of(r, argv[0], path, false)))
		return -EINVAL;
	off = strtoul(argv[1], &end, 10);
	if (!argv[1][0] || *end)
		return -EINVAL;
	if ((rc = readable(r, path, &n)))
		return rc;
	snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->gen);
	if ((rc = put_str(r, gen)))
		return rc;
	for (const struct xs_node *c = n->child; c; c = c->next) {
		size_t len = strlen(c->name) + 1;

		if (at >= off && put_str(r, c->name))
			return 0; /* the caller asks again from where this part ends */
		at += len;
	}
	put_str(r, ""); /* the end of the list */
	return 0;
}

static int do_get_perms(struct req *r, char *path)
{
	const struct xs_node *n;
	int rc;

	if ((rc = one_path(r, path)) || (rc = readable(r, path, &n)))
		return rc;
	for (unsigned i = 0; i < n->nperms; i++) {
		char p[8];

		snprintf(p, sizeof(p), "%c%u", n->perms[i].perm, n->perms[i].id);
		if ((rc = put_str(r, p)))
			return rc;
	}
	return 0;
}

static int do_set_perms(struct req *r, char *path)
{
	const char *argv[XS_MAX_PERMS + 2];
	struct xs_logop op = {.type = XS_LOG_PERMS, .path = path};
	unsigned n = split(r, argv, XS_MAX_PERMS + 2);
	int rc;

	if (n < 2 || n > XS_MAX_PERMS + 1 || (rc = path_of(r, argv[0], path, false)))
		return -EINVAL;
	for (unsigned i = 1; i < n; i++)
		if (!xs_perm__parse(argv[i], &op.perms[i - 1]))
			return -EINVAL;
	op.nperms = n - 1;
	return change(r, &op);
}

static int do_watch(struct req *r, char *path, bool add)
{
	const char *argv[3];
	int rc;

	if (r->caller == XS_TOOL)
		return -ENOSYS;
	if (split(r, argv, 3) < 2 || (rc = path_of(r, argv[0], path, true)))
		return -EINVAL;
	if (strlen(argv[1]) > XENSTORE_REL_PATH_MAX)
		return -EINVAL;
	rc = add ? xs_watch__add(r->xs, r->dom, path, argv[1], argv[0][0] != '/' && argv[0][0] != '@')
		 : xs_watch__del(r->xs, r->dom, path, argv[1]);
	return rc ? rc : put_str(r, "OK");
}

static int do_tx_start(struct req *r)
{
	char id[16];
	uint32_t tid;
	int rc;

	if (r->caller == XS_TOOL)
		return -ENOSYS;
	if (r->hdr.tx_id)
		return -EINVAL;
	if ((rc = xs_tx__start(r->xs, r->dom, &tid)))
		return rc;
	snprintf(id, sizeof(id), "%u", tid);
	return put_str(r, id);
}

static int do_tx_end(struct req *r)
{
	const char *argv[2];
	int rc;

	if (!r->tx || split(r, argv, 2) != 1 || (strcmp(argv[0], "T") && strcmp(argv[0], "F")))
		return -EINVAL;
	rc = xs_tx__end(r->xs, r->dom, r->hdr.tx_id, argv[0][0] == 'T');
	r->tx = NULL;
	return rc ? rc : put_str(r, "OK");
}

static int domid_arg(const struct req *r, unsigned *dom)
{
	const char *argv[2];
	char *end;
	unsigned long v;

	if (split(r, argv, 2) != 1 || !argv[0][0])
		return -EINVAL;
	v = strtoul(argv[0], &end, 10);
	if (*end || v > 0xffff)
		return -EINVAL;
	*dom = (unsigned)v;
	return 0;
}

static int do_domain_path(struct req *r)
{
	char p[32];
	unsigned dom;

	if (domid_arg(r, &dom))
		return -EINVAL;
	snprintf(p, sizeof(p), "/local/domain/%u", dom);
	return put_str(r, p);
}

static int do_is_introduced(struct req *r)
{
	unsigned dom;

	if (domid_arg(r, &dom))
		return -EINVAL;
	return put_str(r, dom < XS_CONNS && r->xs->conn[dom].active ? "T" : "F");
}

static int do_watch_event(struct req *r)
{
	size_t n;

	if (r->caller == XS_TOOL || r->hdr.len)
		return -EINVAL;
	n = xs_watch__pop(r->xs, r->dom, r->out, r->out_max);
	if (!n)
		return -ENOENT;
	r->out_len = n;
	return 0;
}

static int dispatch(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];

	switch (r->hdr.type) {
	case XS_READ:
		return do_read(r, path);
	case XS_WRITE:
		return do_write(r, path);
	case XS_MKDIR:
		return do_simple_change(r, path, XS_LOG_MKDIR);
	case XS_RM:
		return do_simple_change(r, path, XS_LOG_RM);
	case XS_DIRECTORY:
		return do_directory(r, path);
	case XS_DIRECTORY_PART:
		return do_directory_part(r, path);
	case XS_GET_PERMS:
		return do_get_perms(r, path);
	case XS_SET_PERMS:
		return do_set_perms(r, path);
	case XS_WATCH:
		return do_watch(r, path, true);
	case XS_UNWATCH:
		return do_watch(r, path, false);
	case XS_TRANSACTION_START:
		return do_tx_start(r);
	case XS_TRANSACTION_END:
		return do_tx_end(r);
	case XS_GET_DOMAIN_PATH:
		return do_domain_path(r);
	case XS_IS_DOMAIN_INTRODUCED:
		return do_is_introduced(r);
	case XS_RESET_WATCHES:
		if (r->caller == XS_TOOL)
			return -ENOSYS;
		xs_watch__reset(r->xs, r->dom);
		xs_tx__reset(r->xs, r->dom);
		return put_str(r, "OK");
	case XS_WATCH_EVENT:
		return do_watch_event(r);
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_RESUME:
	case XS_SET_TARGET:
	case XS_CONTROL:
		/* The machine introduces and releases domains itself. */
		return r->dom ? -EACCES : -ENOSYS;
	default:
		return -EINVAL;
	}
}

size_t xenstore__request(struct xenstore *xs, int dom, const void *msg, size_t len, void *reply,
			 size_t rmax)
{
	struct xsd_sockmsg out = {0};
	struct req r = {.xs = xs, .caller = dom};
	int rc;

	if (rmax < sizeof(out) + 8)
		return 0;
	r.out = (char *)reply + sizeof(out);
	r.out_max = rmax - sizeof(out);
	xs->st.requests++;
	if (len < sizeof(r.hdr)) {
		rc = -EINVAL;
		goto done;
	}
	memcpy(&r.hdr, msg, sizeof(r.hdr));
	out.req_id = r.hdr.req_id;
	out.tx_id = r.hdr.tx_id;
	if (r.hdr.len > XENSTORE_PAYLOAD_MAX || len != sizeof(r.hdr) + r.hdr.len ||
	    (dom != XS_TOOL && (dom < 0 || dom >= XS_CONNS || !xs->conn[dom].active))) {
		rc = -EINVAL;
		goto done;
	}
	r.dom = dom == XS_TOOL ? 0 : (unsigned)dom;
	r.body = (const char *)msg + sizeof(r.hdr);
	if (r.hdr.tx_id && r.hdr.type != XS_WATCH && r.hdr.type != XS_UNWATCH) {
		if (dom == XS_TOOL || !(r.tx = xs_tx__find(xs, r.dom, r.hdr.tx_id))) {
			rc = -ENOENT;
			goto done;
		}
	}
	rc = dispatch(&r);
done:
	if (rc) {
		const char *e = errname(rc);

		xs->st.errors++;
		out.type = XS_ERROR;
		r.out_len = strlen(e) + 1;
		memcpy(r.out, e, r.out_len);
	} else {
		out.type = r.hdr.type;
	}
	out.len = (uint32_t)r.out_len;
	memcpy(reply, &out, sizeof(out));
	return sizeof(out) + r.out_len;
}

/* ---- the machine's side ---- */

void xenstore__introduce(struct xenstore *xs, unsigned dom)
{
	if (dom >= XS_CONNS)
		return;
	xs->conn[dom].active = true;
	xs_watch__fire(xs, "@introduceDomain", NULL, false);
}

void xenstore__release(struct xenstore *xs, unsigned dom)
{
	if (dom >= XS_CONNS || !xs->conn[dom].active)
		return;
	xs_watch__reset(xs, dom);
	xs_tx__reset(xs, dom);
	xs->conn[dom].active = false;
	xs->conn[dom].lost = 0;
	if (dom)
		xs_tree__forget_domain(&xs->tree, dom);
	xs_watch__fire(xs, "@releaseDomain", NULL, false);
}

static int perms_parse(const char *s, struct xs_perm *p, unsigned *n)
{
	char buf[64], *save, *w;

	*n = 0;
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (*n == XS_MAX_PERMS || !xs_perm__parse(w, &p[*n]))
			return -EINVAL;
		(*n)++;
	}
	return *n ? 0 : -EINVAL;
}

static int with_perms(struct xenstore *xs, const char *path, const char *perms)
{
	struct xs_logop op = {.type = XS_LOG_PERMS, .path = (char *)path};

	if (!perms)
		return 0;
	if (perms_parse(perms, op.perms, &op.nperms))
		return -EINVAL;
	return xs__apply(xs, 0, &op);
}

int xenstore__write(struct xenstore *xs, const char *path, const char *value, const char *perms)
{
	struct xs_logop op = {.type = XS_LOG_WRITE, .path = (char *)path, .value = (char *)value,
			      .len = strlen(value)};
	int rc;

	if (!xs_path__ok(path, XENSTORE_ABS_PATH_MAX))
		return -EINVAL;
	if ((rc = xs__apply(xs, 0, &op)))
		return rc;
	return with_perms(xs, path, perms);
}

int xenstore__mkdir(struct xenstore *xs, const char *path, const char *perms)
{
	struct xs_logop op = {.type = XS_LOG_MKDIR, .path = (char *)path};
	int rc;

	if (!xs_path__ok(path, XENSTORE_ABS_PATH_MAX))
		return -EINVAL;
	if ((rc = xs__apply(xs, 0, &op)))
		return rc;
	return with_perms(xs, path, perms);
}

int xenstore__rm(struct xenstore *xs, const char *path)
{
	struct xs_logop op = {.type = XS_LOG_RM, .path = (char *)path};

	if (!xs_path__ok(path, XENSTORE_ABS_PATH_MAX) || !strcmp(path, "/"))
		return -EINVAL;
	return xs__apply(xs, 0, &op);
}

int xenstore__read(struct xenstore *xs, const char *path, char *buf, size_t size)
{
	const struct xs_node *n;

	if (!xs_path__ok(path, XENSTORE_ABS_PATH_MAX))
		return -EINVAL;
	if (!(n = xs_tree__find(&xs->tree, path)))
		return -ENOENT;
	if (n->len >= size)
		return -E2BIG;
	memcpy(buf, n->value, n->len + 1);
	return (int)n->len;
}

static unsigned count(const struct xs_node *n)
{
	unsigned k = 1;

	for (const struct xs_node *c = n->child; c; c = c->next)
		k += count(c);
	return k;
}

void xenstore__stats(const struct xenstore *xs, struct xenstore_stats *st)
{
	*st = xs->st;
	st->nodes = count(xs->tree.root);
}

static void walk(const struct xs_node *n, char *path, size_t at, unsigned depth,
		 void (*fn)(void *, const char *, const char *, size_t, unsigned, const char *),
		 void *opaque)
{
	char perms[XS_MAX_PERMS * 8] = "";
	size_t pl = 0;

	for (unsigned i = 0; i < n->nperms; i++)
		pl += (size_t)snprintf(perms + pl, sizeof(perms) - pl, "%s%c%u", i ? "," : "",
				       n->perms[i].perm, n->perms[i].id);
	fn(opaque, path, n->value, n->len, depth, perms);
	for (const struct xs_node *c = n->child; c; c = c->next) {
		size_t len = strlen(c->name);

		if (at + len + 2 > XENSTORE_ABS_PATH_MAX + 1)
			continue;
		snprintf(path + at, XENSTORE_ABS_PATH_MAX + 1 - at, "%s%s", at == 1 ? "" : "/",
			 c->name);
		walk(c, path, at + len + (at == 1 ? 0 : 1), depth + 1, fn, opaque);
		path[at] = '\0';
	}
}

int xenstore__walk(struct xenstore *xs, const char *path,
		   void (*fn)(void *opaque, const char *path, const char *value, size_t len,
			      unsigned depth, const char *perms),
		   void *opaque)
{
	char buf[XENSTORE_ABS_PATH_MAX + 1];
	const struct xs_node *n;

	if (!xs_path__ok(path, XENSTORE_ABS_PATH_MAX) || !(n = xs_tree__find(&xs->tree, path)))
		return -ENOENT;
	strcpy(buf, path);
	walk(n, buf, strlen(buf), 0, fn, opaque);
	return 0;
}
