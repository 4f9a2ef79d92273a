/*
 * xenstore through the hypercall, as domains speak it: read/write/mkdir/rm/directory, the
 * permission rules (a guest writes only its own subtree and what dom0 grants it), relative
 * paths, watches (the first firing, children, removal, relative event paths, @releaseDomain,
 * the event channel), transactions (commit, abort, EAGAIN on a conflicting change only),
 * quotas, and malformed messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "hc_util.h"
#include "hw/machine.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/xenstore.h"
#include "vmm/xs_tree.h"

struct env {
	struct machine *m;
	struct hv *hv;
	struct domain *dom0, *a, *b;
};

struct xs_reply {
	uint32_t type;
	char data[XENSTORE_PAYLOAD_MAX + 1];
	size_t len;
};

/* One request: @type, @tx, and the payload as strings joined by NULs (@n bytes). */
static struct xs_reply xs(struct env *e, struct domain *d, uint32_t type, uint32_t tx,
			  const char *payload, size_t n)
{
	uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = {.type = type, .req_id = 42, .tx_id = tx, .len = (uint32_t)n};
	struct xs_reply r = {0};
	struct xsd_sockmsg rh;
	struct hc_reply rep;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), payload, n);
	assert_int_equal(hc(e->hv, d, VFNET_HC_XENSTORE, msg, sizeof(h) + n, NULL, 0, &rep), 0);
	memcpy(&rh, rep.data, sizeof(rh));
	assert_int_equal(rh.req_id, 42);
	assert_int_equal(rep.hdr.len, sizeof(rh) + rh.len);
	r.type = rh.type;
	r.len = rh.len;
	memcpy(r.data, rep.data + sizeof(rh), rh.len);
	return r;
}

#define S(lit) lit, sizeof(lit) /* a payload of NUL-terminated strings */

static void ok(struct xs_reply r)
{
	if (r.type == XS_ERROR)
		fail_msg("xenstore error %s", r.data);
}

static void err_at(struct xs_reply r, const char *name, int line)
{
	if (r.type != XS_ERROR)
		fail_msg("line %d: expected %s, got reply %u '%s'", line, name, r.type, r.data);
	assert_string_equal(r.data, name);
}

#define err(r, name) err_at(r, name, __LINE__)

static struct xs_reply wr(struct env *e, struct domain *d, uint32_t tx, const char *path,
			  const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX + 16];
	size_t n = strlen(path) + 1;

	memcpy(buf, path, n);
	memcpy(buf + n, val, strlen(val));
	return xs(e, d, XS_WRITE, tx, buf, n + strlen(val));
}

static struct xs_reply rd(struct env *e, struct domain *d, uint32_t tx, const char *path)
{
	return xs(e, d, XS_READ, tx, path, strlen(path) + 1);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct machine_config mc = {.wire = {"null", "null"}};
	struct domain_config d0 = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 4};
	struct domain_config ga = {.name = "a", .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	struct domain_config gb = {.name = "b", .role = VFNET_ROLE_GUEST, .mem_mib = 4};

	assert_int_equal(machine__create(&e->m, &mc), 0);
	assert_int_equal(machine__start(e->m), 0);
	assert_int_equal(hv__create(&e->hv, e->m, NULL, NULL), 0);
	assert_int_equal(domain__create(e->hv, &d0, &e->dom0), 0);
	assert_int_equal(domain__create(e->hv, &ga, &e->a), 0);
	assert_int_equal(domain__create(e->hv, &gb, &e->b), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	hv__destroy(e->hv);
	machine__destroy(e->m);
	free(e);
	return 0;
}

static void test_domain_paths(void **state)
{
	struct env *e = *state;
	struct xs_reply r;
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/name", e->a->id);
	r = rd(e, e->a, 0, path);
	ok(r);
	assert_int_equal(r.len, 1);
	assert_memory_equal(r.data, "a", 1);
	/* Relative to /local/domain/<id>. */
	r = rd(e, e->a, 0, "name");
	ok(r);
	assert_memory_equal(r.data, "a", 1);
	r = xs(e, e->a, XS_GET_DOMAIN_PATH, 0, S("3"));
	assert_string_equal(r.data, "/local/domain/3");
	/* A guest cannot read another guest's subtree; dom0 can. */
	snprintf(path, sizeof(path), "/local/domain/%u/name", e->b->id);
	err(rd(e, e->a, 0, path), "EACCES");
	ok(rd(e, e->dom0, 0, path));
	err(rd(e, e->a, 0, "/nonexistent"), "ENOENT");
}

static void test_write_perms(void **state)
{
	struct env *e = *state;
	struct xs_reply r;
	char path[96], perms[64];
	size_t n;

	/* Its own subtree: yes, with new intermediate nodes it owns. */
	ok(wr(e, e->a, 0, "data/x/y", "1"));
	r = xs(e, e->a, XS_GET_PERMS, 0, S("data/x/y"));
	ok(r);
	snprintf(perms, sizeof(perms), "n%u", e->a->id);
	assert_string_equal(r.data, perms);
	/* The root, dom0's subtree, another guest's: no. */
	err(wr(e, e->a, 0, "/evil", "1"), "EACCES");
	err(wr(e, e->a, 0, "/local/domain/0/backend/x", "1"), "EACCES");
	snprintf(path, sizeof(path), "/local/domain/%u/data/z", e->b->id);
	err(wr(e, e->a, 0, path, "1"), "EACCES");
	/* b lets a read one node: a reads it, still cannot write it. */
	ok(wr(e, e->b, 0, "data/shared", "hello"));
	snprintf(perms, sizeof(perms), "data/shared%cn%u%cr%u", 0, e->b->id, 0, e->a->id);
	n = strlen("data/shared") + 1 + strlen(perms + 12) + 1;
	n += strlen(perms + n) + 1;
	ok(xs(e, e->b, XS_SET_PERMS, 0, perms, n));
	snprintf(path, sizeof(path), "/local/domain/%u/data/shared", e->b->id);
	r = rd(e, e->a, 0, path);
	ok(r);
	assert_memory_equal(r.data, "hello", 5);
	err(wr(e, e->a, 0, path, "x"), "EACCES");
	/* A guest cannot give a node away. */
	snprintf(perms, sizeof(perms), "data/shared%cn%u", 0, e->a->id);
	n = strlen("data/shared") + 1 + strlen(perms + 12) + 1;
	err(xs(e, e->b, XS_SET_PERMS, 0, perms, n), "EPERM");
	/* rm: its own yes, root no, missing fine unless its parent is missing too. */
	ok(xs(e, e->a, XS_RM, 0, S("data/x")));
	err(rd(e, e->a, 0, "data/x/y"), "ENOENT");
	ok(xs(e, e->a, XS_RM, 0, S("data/nothing")));
	err(xs(e, e->a, XS_RM, 0, S("data/no/thing")), "ENOENT");
	err(xs(e, e->dom0, XS_RM, 0, S("/")), "EINVAL");
	/* Directory listing in creation order. */
	ok(wr(e, e->a, 0, "data/l/one", ""));
	ok(wr(e, e->a, 0, "data/l/two", ""));
	ok(xs(e, e->a, XS_MKDIR, 0, S("data/l/three")));
	r = xs(e, e->a, XS_DIRECTORY, 0, S("data/l"));
	ok(r);
	assert_int_equal(r.len, sizeof("one\0two\0three"));
	assert_memory_equal(r.data, "one\0two\0three", r.len);
}

static void test_bad_requests(void **state)
{
	struct env *e = *state;
	struct hc_reply rep;
	struct xsd_sockmsg h = {.type = XS_READ, .len = 10};

	err(rd(e, e->a, 0, "data//x"), "EINVAL");
	err(rd(e, e->a, 0, "data/x/"), "EINVAL");
	err(rd(e, e->a, 0, "data/x y"), "EINVAL");
	err(xs(e, e->a, XS_READ, 0, "data", 4), "EINVAL");    /* no NUL */
	err(xs(e, e->a, XS_READ, 0, S("data\0more")), "EINVAL"); /* two strings */
	err(xs(e, e->a, 99, 0, S("x")), "EINVAL");
	err(xs(e, e->a, XS_INTRODUCE, 0, S("5")), "EACCES");
	err(rd(e, e->a, 12345, "name"), "ENOENT"); /* no such transaction */
	/* A header that lies about the payload. */
	assert_int_equal(hc(e->hv, e->a, VFNET_HC_XENSTORE, &h, sizeof(h), NULL, 0, &rep), 0);
	assert_int_equal(((struct xsd_sockmsg *)rep.data)->type, XS_ERROR);
	/* Values over the quota's size. */
	{
		static char big[XS_MAX_VALUE + 2];

		memset(big, 'v', sizeof(big) - 1);
		err(wr(e, e->a, 0, "data/big", big), "E2BIG");
	}
}

static struct xs_reply pop(struct env *e, struct domain *d)
{
	return xs(e, d, XS_WATCH_EVENT, 0, "", 0);
}

static void expect_event(struct env *e, struct domain *d, const char *path, const char *token)
{
	struct xs_reply r = pop(e, d);

	ok(r);
	assert_string_equal(r.data, path);
	assert_string_equal(r.data + strlen(path) + 1, token);
}

static void test_watches(void **state)
{
	struct env *e = *state;
	unsigned port = (unsigned)e->a->store_port;
	char path[96];

	/* A relative watch: fires at once with its own path, then for changes below it. */
	ok(xs(e, e->a, XS_WATCH, 0, S("data\0tok1")));
	assert_true(e->a->shared->evtchn_pending[port / 64] & (1ull << (port % 64)));
	expect_event(e, e->a, "data", "tok1");
	err(pop(e, e->a), "ENOENT");
	ok(wr(e, e->a, 0, "data/k", "v"));
	expect_event(e, e->a, "data/k", "tok1");
	/* The same change twice before it is read is one event. */
	ok(wr(e, e->a, 0, "data/k", "v2"));
	ok(wr(e, e->a, 0, "data/k", "v3"));
	expect_event(e, e->a, "data/k", "tok1");
	err(pop(e, e->a), "ENOENT");
	/* dom0 watches an absolute path in a's subtree and sees its removal. */
	memset(path, 0, sizeof(path));
	snprintf(path, sizeof(path), "/local/domain/%u/data/k", e->a->id);
	ok(xs(e, e->dom0, XS_WATCH, 0, path, strlen(path) + 1 + 3));
	(void)pop(e, e->dom0);
	ok(xs(e, e->a, XS_RM, 0, S("data")));
	expect_event(e, e->a, "data", "tok1");
	expect_event(e, e->dom0, path, ""); /* a parent of the watched path went */
	/* b cannot see a's nodes, so it gets no events for them. */
	snprintf(path, sizeof(path), "/local/domain/%u", e->a->id);
	{
		char w[96];
		size_t n = (size_t)snprintf(w, sizeof(w), "%s%cb", path, 0) + 1;

		ok(xs(e, e->b, XS_WATCH, 0, w, n));
	}
	expect_event(e, e->b, path, "b");
	ok(wr(e, e->a, 0, "data/q", "1"));
	err(pop(e, e->b), "ENOENT");
	/* Unwatch. */
	ok(xs(e, e->a, XS_UNWATCH, 0, S("data\0tok1")));
	err(xs(e, e->a, XS_UNWATCH, 0, S("data\0tok1")), "ENOENT");
	ok(wr(e, e->a, 0, "data/r", "1"));
	err(pop(e, e->a), "ENOENT");
}

static void test_release_domain(void **state)
{
	struct env *e = *state;
	char path[64];

	ok(xs(e, e->dom0, XS_WATCH, 0, S("@releaseDomain\0rel")));
	expect_event(e, e->dom0, "@releaseDomain", "rel");
	snprintf(path, sizeof(path), "/local/domain/%u", e->a->id);
	domain__destroy(e->a);
	e->a = NULL;
	expect_event(e, e->dom0, "@releaseDomain", "rel");
	err(rd(e, e->dom0, 0, path), "ENOENT");
	{
		struct xs_reply r = xs(e, e->dom0, XS_IS_DOMAIN_INTRODUCED, 0, S("1"));

		ok(r);
		assert_string_equal(r.data, "F");
		r = xs(e, e->dom0, XS_IS_DOMAIN_INTRODUCED, 0, S("2"));
		assert_string_equal(r.data, "T");
	}
}

static uint32_t tx_start(struct env *e, struct domain *d)
{
	struct xs_reply r = xs(e, d, XS_TRANSACTION_START, 0, S(""));

	ok(r);
	return (uint32_t)strtoul(r.data, NULL, 10);
}

static void test_transactions(void **state)
{
	struct env *e = *state;
	struct xs_reply r;
	uint32_t t1, t2;

	ok(wr(e, e->a, 0, "data/ring", "0"));
	ok(xs(e, e->a, XS_WATCH, 0, S("data\0w")));
	expect_event(e, e->a, "data", "w");
	/* Inside: changes seen inside only, no watch until the commit. */
	t1 = tx_start(e, e->a);
	ok(wr(e, e->a, t1, "data/ring", "8"));
	ok(wr(e, e->a, t1, "data/evtchn", "9"));
	r = rd(e, e->a, t1, "data/ring");
	assert_memory_equal(r.data, "8", 1);
	r = rd(e, e->a, 0, "data/ring");
	assert_memory_equal(r.data, "0", 1);
	err(pop(e, e->a), "ENOENT");
	ok(xs(e, e->a, XS_TRANSACTION_END, t1, S("T")));
	r = rd(e, e->a, 0, "data/evtchn");
	assert_memory_equal(r.data, "9", 1);
	expect_event(e, e->a, "data/ring", "w");
	expect_event(e, e->a, "data/evtchn", "w");
	/* Abort: nothing happened. */
	t1 = tx_start(e, e->a);
	ok(wr(e, e->a, t1, "data/gone", "1"));
	ok(xs(e, e->a, XS_TRANSACTION_END, t1, S("F")));
	err(rd(e, e->a, 0, "data/gone"), "ENOENT");
	/* A conflict: t1 read a node that changed meanwhile -> EAGAIN, nothing applied. */
	t1 = tx_start(e, e->a);
	ok(rd(e, e->a, t1, "data/ring"));
	ok(wr(e, e->a, t1, "data/other", "x"));
	ok(wr(e, e->a, 0, "data/ring", "changed"));
	err(xs(e, e->a, XS_TRANSACTION_END, t1, S("T")), "EAGAIN");
	err(rd(e, e->a, 0, "data/other"), "ENOENT");
	/* No conflict when the change was elsewhere. */
	t2 = tx_start(e, e->a);
	ok(wr(e, e->a, t2, "data/mine", "1"));
	ok(wr(e, e->b, 0, "data/elsewhere", "1"));
	ok(xs(e, e->a, XS_TRANSACTION_END, t2, S("T")));
	/* The transaction is gone after its end; a domain's open transactions are bounded. */
	err(xs(e, e->a, XS_TRANSACTION_END, t2, S("T")), "ENOENT");
	for (unsigned i = 0; i < XS_MAX_TRANSACTIONS; i++)
		tx_start(e, e->a);
	err(xs(e, e->a, XS_TRANSACTION_START, 0, S("")), "ENOSPC");
	ok(xs(e, e->a, XS_RESET_WATCHES, 0, S("")));
	tx_start(e, e->a);
}

static void test_quotas(void **state)
{
	struct env *e = *state;
	char path[64], tok[16];
	unsigned i;
	struct xs_reply r;

	for (i = 0; i < XS_MAX_DOMAIN_NODES + 10; i++) {
		snprintf(path, sizeof(path), "data/n%u", i);
		r = wr(e, e->a, 0, path, "");
		if (r.type == XS_ERROR)
			break;
	}
	assert_true(i < XS_MAX_DOMAIN_NODES);
	assert_string_equal(r.data, "ENOSPC");
	/* b is not limited by a's nodes. */
	ok(wr(e, e->b, 0, "data/fine", "1"));
	for (i = 0; i < XS_MAX_WATCHES; i++) {
		char w[48];
		size_t n;

		snprintf(tok, sizeof(tok), "t%u", i);
		n = (size_t)snprintf(w, sizeof(w), "data%c%s", 0, tok) + 1;
		ok(xs(e, e->b, XS_WATCH, 0, w, n));
	}
	err(xs(e, e->b, XS_WATCH, 0, S("data\0one-more")), "ENOSPC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domain_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_perms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
