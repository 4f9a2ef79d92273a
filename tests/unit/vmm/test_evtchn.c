/*
 * Event channels through the hypercall and the shared page, with domain records and no
 * processes: alloc_unbound / bind_interdomain / send / close / status / unmask, the 2-level
 * delivery rules (edges coalesce, masked ports stay pending, one upcall per selector edge), the
 * posted send path through the send bitmap and kick eventfd, and a domain's death.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "hc_util.h"
#include "hw/machine.h"
#include "vmm/domain.h"
#include "vmm/evtchn.h"
#include "vmm/hv.h"

#define VEC 40

struct env {
	struct machine *m;
	struct hv *hv;
	struct domain *dom0, *a, *b;
};

static int evop(struct env *e, struct domain *d, uint32_t cmd, void *arg, size_t len)
{
	uint8_t buf[64];
	struct vfnet_hc_evtchn h = {.cmd = cmd};
	struct hc_reply rep;
	int rc;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), arg, len);
	rc = hc(e->hv, d, VFNET_HC_EVENT_CHANNEL_OP, buf, sizeof(h) + len, NULL, 0, &rep);
	if (!rc)
		memcpy(arg, rep.data + sizeof(h), len);
	return rc;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct machine_config mc = {.wire = {"null", "null"}};
	struct domain_config d0 = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 4};
	struct domain_config ga = {.name = "a", .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	struct domain_config gb = {.name = "b", .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	struct vfnet_evtchn_upcall u = {.vector = VEC};

	assert_int_equal(machine__create(&e->m, &mc), 0);
	assert_int_equal(machine__start(e->m), 0);
	assert_int_equal(hv__create(&e->hv, e->m, NULL, NULL), 0);
	assert_int_equal(domain__create(e->hv, &d0, &e->dom0), 0);
	assert_int_equal(domain__create(e->hv, &ga, &e->a), 0);
	assert_int_equal(domain__create(e->hv, &gb, &e->b), 0);
	assert_int_equal(evop(e, e->a, VFNET_EVTCHNOP_set_upcall_vector, &u, sizeof(u)), 0);
	assert_int_equal(evop(e, e->b, VFNET_EVTCHNOP_set_upcall_vector, &u, sizeof(u)), 0);
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

static bool pending(struct domain *d, unsigned port)
{
	return d->shared->evtchn_pending[port / 64] & (1ull << (port % 64));
}

static bool vector_posted(struct domain *d)
{
	bool on = d->shared->pir[VEC / 64] & (1ull << (VEC % 64));

	d->shared->pir[VEC / 64] = 0;
	d->shared->control = 0;
	return on;
}

/* What a domain's upcall handler does first. */
static void take_upcall(struct domain *d)
{
	d->shared->evtchn_upcall_pending = 0;
	d->shared->evtchn_pending_sel = 0;
}

static void connect(struct env *e, unsigned *pa, unsigned *pb)
{
	struct evtchn_alloc_unbound al = {.dom = DOMID_SELF, .remote_dom = (domid_t)e->b->id};
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)e->a->id};

	assert_int_equal(evop(e, e->a, EVTCHNOP_alloc_unbound, &al, sizeof(al)), 0);
	assert_true(al.port > 0);
	bi.remote_port = al.port;
	assert_int_equal(evop(e, e->b, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), 0);
	*pa = al.port;
	*pb = bi.local_port;
	/* Binding marks the new port pending once. */
	assert_true(pending(e->b, *pb));
	assert_true(vector_posted(e->b));
	take_upcall(e->b);
	e->b->shared->evtchn_pending[*pb / 64] = 0;
}

static void test_connect_send(void **state)
{
	struct env *e = *state;
	struct evtchn_status st = {.dom = DOMID_SELF};
	struct evtchn_send s;
	unsigned pa, pb;

	connect(e, &pa, &pb);
	st.port = pa;
	assert_int_equal(evop(e, e->a, EVTCHNOP_status, &st, sizeof(st)), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, e->b->id);
	assert_int_equal(st.u.interdomain.port, pb);
	s.port = pa;
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), 0);
	assert_true(pending(e->b, pb));
	assert_true(vector_posted(e->b));
	/* Edges coalesce: a second send before the receiver looked posts nothing. */
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), 0);
	assert_false(vector_posted(e->b));
	/* The receiver takes the upcall and the port; the next send is a new edge. */
	take_upcall(e->b);
	e->b->shared->evtchn_pending[pb / 64] = 0;
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), 0);
	assert_true(vector_posted(e->b));
	assert_false(pending(e->a, pa));
}

static void test_mask_unmask(void **state)
{
	struct env *e = *state;
	struct evtchn_send s;
	struct evtchn_unmask u;
	unsigned pa, pb;

	connect(e, &pa, &pb);
	e->b->shared->evtchn_mask[pb / 64] |= 1ull << (pb % 64);
	s.port = pa;
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), 0);
	/* Masked: pending, but no upcall. */
	assert_true(pending(e->b, pb));
	assert_false(vector_posted(e->b));
	u.port = pb;
	assert_int_equal(evop(e, e->b, EVTCHNOP_unmask, &u, sizeof(u)), 0);
	assert_true(vector_posted(e->b));
	assert_false(e->b->shared->evtchn_mask[pb / 64] & (1ull << (pb % 64)));
	/* An upcall masked by the domain: upcall_pending set, no vector until it looks. */
	take_upcall(e->b);
	e->b->shared->evtchn_pending[pb / 64] = 0;
	e->b->shared->evtchn_upcall_mask = 1;
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), 0);
	assert_false(vector_posted(e->b));
	assert_int_equal(e->b->shared->evtchn_upcall_pending, 1);
}

static void test_posted_send(void **state)
{
	struct env *e = *state;
	struct vfnet_shared_page *sa;
	unsigned pa, pb;
	uint64_t one = 1;

	connect(e, &pa, &pb);
	sa = e->a->shared;
	/* What the domain's runtime does: the bit, then the kick when send_on was clear. */
	__atomic_fetch_or(&sa->evtchn_send[pa / 64], 1ull << (pa % 64), __ATOMIC_RELEASE);
	assert_int_equal(__atomic_exchange_n(&sa->evtchn_send_on, 1, __ATOMIC_ACQ_REL), 0);
	assert_int_equal(write(e->a->evt.kick_fd, &one, sizeof(one)), sizeof(one));
	/* Ports that are not the domain's are ignored and counted. */
	sa->evtchn_send[3] = 1ull << 5;
	hv_evtchn__kick(e->hv, e->a);
	assert_true(pending(e->b, pb));
	assert_true(vector_posted(e->b));
	assert_int_equal(sa->evtchn_send_on, 0);
	assert_int_equal(sa->evtchn_send[pa / 64], 0);
	assert_int_equal(sa->evtchn_send[3], 0);
	assert_int_equal(e->a->evt.bad_sends, 1);
	assert_int_equal(e->a->evt.sends, 1);
}

static void test_refusals(void **state)
{
	struct env *e = *state;
	struct evtchn_alloc_unbound al = {.dom = (domid_t)e->b->id, .remote_dom = 0};
	struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)e->a->id};
	struct evtchn_send s = {.port = 5000};
	struct evtchn_close c = {.port = 77};
	struct evtchn_status st = {.dom = (domid_t)e->b->id, .port = 1};
	struct vfnet_evtchn_upcall u = {.vector = 12};
	uint8_t junk[64] = {0};

	/* For another domain, to a port not offered to us, a port out of range, closed ports. */
	assert_int_equal(evop(e, e->a, EVTCHNOP_alloc_unbound, &al, sizeof(al)), -EPERM);
	al = (struct evtchn_alloc_unbound){.dom = DOMID_SELF, .remote_dom = 0};
	assert_int_equal(evop(e, e->a, EVTCHNOP_alloc_unbound, &al, sizeof(al)), 0);
	bi.remote_port = al.port;
	assert_int_equal(evop(e, e->b, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), -EINVAL);
	bi.remote_dom = 9;
	assert_int_equal(evop(e, e->b, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), -ESRCH);
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), -EINVAL);
	assert_int_equal(evop(e, e->a, EVTCHNOP_close, &c, sizeof(c)), -EINVAL);
	/* A guest asks only about itself; dom0 about anyone. */
	assert_int_equal(evop(e, e->a, EVTCHNOP_status, &st, sizeof(st)), -ESRCH);
	assert_int_equal(evop(e, e->dom0, EVTCHNOP_status, &st, sizeof(st)), 0);
	assert_int_equal(st.status, EVTCHNSTAT_virq); /* b's xenstore port */
	assert_int_equal(evop(e, e->a, VFNET_EVTCHNOP_set_upcall_vector, &u, sizeof(u)), -EINVAL);
	/* Unknown commands, wrong sizes, reserved fields. */
	assert_int_equal(evop(e, e->a, 42, junk, 4), -ENOSYS);
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, junk, 8), -EINVAL);
	{
		uint8_t buf[12] = {4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
		struct hc_reply rep;

		assert_int_equal(hc(e->hv, e->a, VFNET_HC_EVENT_CHANNEL_OP, buf, sizeof(buf), NULL, 0,
				    &rep), -EINVAL);
	}
}

static void test_ports_run_out(void **state)
{
	struct env *e = *state;
	struct evtchn_alloc_unbound al = {.dom = DOMID_SELF, .remote_dom = 0};
	unsigned n = 0;

	while (!evop(e, e->a, EVTCHNOP_alloc_unbound, &al, sizeof(al)))
		n++;
	/* 1023 ports, less the xenstore port; then -ENOSPC, and b is not affected. */
	assert_int_equal(n, VFNET_EVTCHN_PORTS - 2);
	assert_int_equal(evop(e, e->a, EVTCHNOP_alloc_unbound, &al, sizeof(al)), -ENOSPC);
	assert_int_equal(evop(e, e->b, EVTCHNOP_alloc_unbound, &al, sizeof(al)), 0);
}

static void test_close_and_death(void **state)
{
	struct env *e = *state;
	struct evtchn_status st = {.dom = DOMID_SELF};
	struct evtchn_close c;
	struct evtchn_send s;
	unsigned pa, pb;

	connect(e, &pa, &pb);
	c.port = pb;
	assert_int_equal(evop(e, e->b, EVTCHNOP_close, &c, sizeof(c)), 0);
	/* a's end waits for b again; sends go nowhere. */
	st.port = pa;
	assert_int_equal(evop(e, e->a, EVTCHNOP_status, &st, sizeof(st)), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, e->b->id);
	s.port = pa;
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), 0);
	assert_false(pending(e->b, pb));
	/* b binds again, then dies: a's end is unbound once more. */
	{
		struct evtchn_bind_interdomain bi = {.remote_dom = (domid_t)e->a->id,
						     .remote_port = pa};

		assert_int_equal(evop(e, e->b, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), 0);
	}
	domain__destroy(e->b);
	e->b = NULL;
	assert_int_equal(evop(e, e->a, EVTCHNOP_status, &st, sizeof(st)), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(evop(e, e->a, EVTCHNOP_send, &s, sizeof(s)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connect_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask_unmask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_posted_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports_run_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_and_death, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
