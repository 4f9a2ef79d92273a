/* xenstore's insides, shared by xenstore.c (requests), xs_watch.c and xs_tx.c. */
#ifndef VFNET_VMM_XS_PRIV_H
#define VFNET_VMM_XS_PRIV_H

#include "vmm/xenstore.h"
#include "vmm/xs_tree.h"

struct xs_watch {
	char *path;  /* absolute, or "@..." */
	char *token;
	bool relative;
	struct xs_watch *next;
};

struct xs_event {
	char *path; /* as the watcher will see it */
	char *token;
};

struct xs_acc {
	char *path;
	uint64_t gen; /* in the transaction's base; 0: the node did not exist */
};

enum xs_logop_type { XS_LOG_WRITE, XS_LOG_MKDIR, XS_LOG_RM, XS_LOG_PERMS };

struct xs_logop {
	enum xs_logop_type type;
	char *path;
	char *value;
	size_t len;
	struct xs_perm perms[XS_MAX_PERMS];
	unsigned nperms;
};

struct xs_tx {
	uint32_t id;
	struct xs_tree base, work; /* the store when it started; its changes */
	struct xs_acc *acc;
	unsigned nacc, acc_cap;
	struct xs_logop *log;
	unsigned nlog, log_cap;
	bool failed; /* out of memory: the commit fails */
	struct xs_tx *next;
};

struct xs_conn {
	bool active;
	struct xs_watch *watches;
	unsigned nwatches;
	struct xs_tx *txs;
	unsigned ntxs;
	struct xs_event q[XS_MAX_EVENTS];
	unsigned qhead, qcount;
	uint64_t lost;
};

struct xenstore {
	struct xs_tree tree;
	uint64_t gen;
	struct xs_conn conn[XS_CONNS];
	uint32_t next_tx;
	void (*notify)(void *opaque, unsigned dom);
	void *opaque;
	struct xenstore_stats st;
};

/* xs_watch.c */
int xs_watch__add(struct xenstore *xs, unsigned dom, const char *path, const char *token,
		  bool relative);
int xs_watch__del(struct xenstore *xs, unsigned dom, const char *path, const char *token);
void xs_watch__reset(struct xenstore *xs, unsigned dom);
/* A change at @path; @n is the node (before removal, for @removed) for the permission check,
 * NULL for special events. */
void xs_watch__fire(struct xenstore *xs, const char *path, const struct xs_node *n, bool removed);
/* The oldest queued event of @dom into @buf as "path\0token\0"; its length, or 0 when none. */
size_t xs_watch__pop(struct xenstore *xs, unsigned dom, char *buf, size_t size);

/* xs_tx.c */
int xs_tx__start(struct xenstore *xs, unsigned dom, uint32_t *id);
struct xs_tx *xs_tx__find(struct xenstore *xs, unsigned dom, uint32_t id);
/* Record that the transaction looked at @path (its state in the base counts at commit). */
void xs_tx__access(struct xs_tx *tx, const char *path);
void xs_tx__log(struct xs_tx *tx, enum xs_logop_type type, const char *path, const void *value,
		size_t len, const struct xs_perm *perms, unsigned nperms);
/* Commit (-EAGAIN on a conflict) or abort; either way the transaction is gone. */
int xs_tx__end(struct xenstore *xs, unsigned dom, uint32_t id, bool commit);
void xs_tx__reset(struct xenstore *xs, unsigned dom);

/* xenstore.c: a change to the live tree, with its watches. */
int xs__apply(struct xenstore *xs, unsigned dom, const struct xs_logop *op);

#endif
