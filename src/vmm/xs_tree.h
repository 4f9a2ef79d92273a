/*
 * The xenstore tree: nodes with a value, an ordered list of children, permissions and a
 * generation count, addressed by absolute paths. Permission rules (Xen's): dom0 may do anything;
 * a node's first permission names its owner, who may do anything, and the access of every domain
 * not listed after it; the later entries give listed domains their own access ('n' none, 'r'
 * read, 'w' write, 'b' both). A new node inherits its parent's permissions, and a domain other
 * than dom0 owns what it creates. Nodes count against their owner's quota.
 *
 * Paths are checked by xs_path__ok; the tree functions take only checked absolute paths.
 */
#ifndef VFNET_VMM_XS_TREE_H
#define VFNET_VMM_XS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_MAX_PERMS	   5	/* entries per node */
#define XS_MAX_VALUE	   2048 /* bytes of a value */
#define XS_MAX_DOMAIN_NODES 1000 /* nodes a domain other than dom0 may own */
#define XS_QUOTA_DOMAINS   65536

struct xs_perm {
	uint16_t id;
	char perm; /* 'n', 'r', 'w', 'b' */
};

struct xs_node {
	char *name; /* the last path element ("" for the root) */
	char *value;
	size_t len;
	struct xs_perm perms[XS_MAX_PERMS];
	unsigned nperms;
	uint64_t gen; /* changed when the value, permissions or the list of children change */
	struct xs_node *parent, *child, *next;
};

struct xs_tree {
	struct xs_node *root;
	uint64_t *gen; /* the store's generation counter (shared with transactions' copies) */
	uint32_t owned[64]; /* nodes owned per domain id (ids 0..63) */
};

enum xs_access { XS_READ_ACCESS = 1, XS_WRITE_ACCESS = 2 };

/* The root "/" owned by dom0, readable by nobody else. */
int xs_tree__init(struct xs_tree *t, uint64_t *gen);
void xs_tree__fini(struct xs_tree *t);
/* A deep copy (for a transaction). */
int xs_tree__clone(const struct xs_tree *t, struct xs_tree *out);

/* Syntax: absolute, [A-Za-z0-9-/_@], no empty element, no trailing '/', at most @max bytes. */
bool xs_path__ok(const char *path, size_t max);

struct xs_node *xs_tree__find(const struct xs_tree *t, const char *path);
/* The node, or the nearest existing ancestor (never NULL: the root exists). */
struct xs_node *xs_tree__nearest(const struct xs_tree *t, const char *path);
/* Has @dom @access to @n? */
bool xs_node__may(const struct xs_node *n, unsigned dom, enum xs_access access);
/* Full path of @n into @buf. */
void xs_node__path(const struct xs_node *n, char *buf, size_t size);

/*
 * Changes, each checked against @dom's permissions (0 or -EACCES, -ENOENT, -EINVAL, -ENOSPC for
 * a quota, -E2BIG for a value). @created (if not NULL) learns whether the node is new.
 */
int xs_tree__write(struct xs_tree *t, unsigned dom, const char *path, const void *val, size_t len);
int xs_tree__mkdir(struct xs_tree *t, unsigned dom, const char *path);
int xs_tree__rm(struct xs_tree *t, unsigned dom, const char *path);
int xs_tree__set_perms(struct xs_tree *t, unsigned dom, const char *path,
		       const struct xs_perm *perms, unsigned nperms);

/* Parse "r3" into @p; false when malformed. */
bool xs_perm__parse(const char *s, struct xs_perm *p);

/* The domain is gone: nodes it owned go to dom0, entries naming it are dropped. */
void xs_tree__forget_domain(struct xs_tree *t, unsigned dom);

#endif
