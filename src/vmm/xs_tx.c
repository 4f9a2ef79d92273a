/*
 * xenstore transactions. A transaction works on a copy of the store taken when it started (as
 * Xen's xenstored does) and records which paths it looked at and what it changed. Its commit
 * fails with EAGAIN only when one of the paths it looked at changed in the live store since it
 * started (the refinement docs/misc/xenstore.txt plans: only conflicting writes), else its changes
 * are applied to the live store in order and their watches fire.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/xs_priv.h"

int xs_tx__start(struct xenstore *xs, unsigned dom, uint32_t *id)
{
	struct xs_conn *c = &xs->conn[dom];
	struct xs_tx *tx;

	if (dom && c->ntxs >= XS_MAX_TRANSACTIONS)
		return -ENOSPC;
	if (!(tx = calloc(1, sizeof(*tx))))
		return -ENOMEM;
	if (xs_tree__clone(&xs->tree, &tx->base)) {
		free(tx);
		return -ENOMEM;
	}
	if (xs_tree__clone(&xs->tree, &tx->work)) {
		xs_tree__fini(&tx->base);
		free(tx);
		return -ENOMEM;
	}
	do
		tx->id = ++xs->next_tx;
	while (!tx->id || xs_tx__find(xs, dom, tx->id));
	tx->next = c->txs;
	c->txs = tx;
	c->ntxs++;
	*id = tx->id;
	return 0;
}

struct xs_tx *xs_tx__find(struct xenstore *xs, unsigned dom, uint32_t id)
{
	for (struct xs_tx *tx = xs->conn[dom].txs; tx; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

void xs_tx__access(struct xs_tx *tx, const char *path)
{
	const struct xs_node *n;

	for (unsigned i = 0; i < tx->nacc; i++)
		if (!strcmp(tx->acc[i].path, path))
			return;
	if (tx->nacc == tx->acc_cap) {
		unsigned cap = tx->acc_cap ? tx->acc_cap * 2 : 16;
		struct xs_acc *a = realloc(tx->acc, cap * sizeof(*a));

		if (!a) {
			tx->failed = true;
			return;
		}
		tx->acc = a;
		tx->acc_cap = cap;
	}
	n = xs_tree__find(&tx->base, path);
	tx->acc[tx->nacc].path = strdup(path);
	tx->acc[tx->nacc].gen = n ? n->gen : 0;
	if (!tx->acc[tx->nacc].path)
		tx->failed = true;
	else
		tx->nacc++;
}

void xs_tx__log(struct xs_tx *tx, enum xs_logop_type type, const char *path, const void *value,
		size_t len, const struct xs_perm *perms, unsigned nperms)
{
	struct xs_logop *op;

	if (tx->nlog == tx->log_cap) {
		unsigned cap = tx->log_cap ? tx->log_cap * 2 : 8;
		struct xs_logop *l = realloc(tx->log, cap * sizeof(*l));

		if (!l) {
			tx->failed = true;
			return;
		}
		tx->log = l;
		tx->log_cap = cap;
	}
	op = &tx->log[tx->nlog];
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->path = strdup(path);
	op->len = len;
	if (value) {
		op->value = malloc(len + 1);
		if (op->value) {
			memcpy(op->value, value, len);
			op->value[len] = '\0';
		}
	}
	if (perms) {
		memcpy(op->perms, perms, nperms * sizeof(*perms));
		op->nperms = nperms;
	}
	if (!op->path || (value && !op->value)) {
		free(op->path);
		free(op->value);
		tx->failed = true;
		return;
	}
	tx->nlog++;
}

static void tx_free(struct xs_tx *tx)
{
	for (unsigned i = 0; i < tx->nacc; i++)
		free(tx->acc[i].path);
	for (unsigned i = 0; i < tx->nlog; i++) {
		free(tx->log[i].path);
		free(tx->log[i].value);
	}
	free(tx->acc);
	free(tx->log);
	xs_tree__fini(&tx->base);
	xs_tree__fini(&tx->work);
	free(tx);
}

static bool conflicts(struct xenstore *xs, const struct xs_tx *tx)
{
	for (unsigned i = 0; i < tx->nacc; i++) {
		const struct xs_node *n = xs_tree__find(&xs->tree, tx->acc[i].path);

		if ((n ? n->gen : 0) != tx->acc[i].gen)
			return true;
	}
	return false;
}

int xs_tx__end(struct xenstore *xs, unsigned dom, uint32_t id, bool commit)
{
	struct xs_conn *c = &xs->conn[dom];
	struct xs_tx *tx = NULL;
	int rc = 0;

	for (struct xs_tx **p = &c->txs; *p; p = &(*p)->next)
		if ((*p)->id == id) {
			tx = *p;
			*p = tx->next;
			c->ntxs--;
			break;
		}
	if (!tx)
		return -ENOENT;
	if (commit) {
		if (tx->failed) {
			rc = -ENOMEM;
		} else if (conflicts(xs, tx)) {
			rc = -EAGAIN;
			xs->st.tx_conflicts++;
		} else {
			for (unsigned i = 0; i < tx->nlog; i++)
				xs__apply(xs, dom, &tx->log[i]);
			xs->st.tx_commits++;
		}
	}
	tx_free(tx);
	return rc;
}

void xs_tx__reset(struct xenstore *xs, unsigned dom)
{
	struct xs_conn *c = &xs->conn[dom];

	while (c->txs) {
		struct xs_tx *tx = c->txs;

		c->txs = tx->next;
		tx_free(tx);
	}
	c->ntxs = 0;
}
