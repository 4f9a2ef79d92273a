/*
 * Grant tables through the hypercall, with three domain records and no processes: setup and
 * query, copy between grants and local frames with every status code, the reading/writing flags
 * while a grant is in use, revocation, map and unmap by dom0 (the RAM file handed over, a
 * read-only grant never written), grant copies through a mapped page, and what a domain's death
 * does to grants and mappings.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "hc_util.h"
#include "hw/machine.h"
#include "vmm/domain.h"
#include "vmm/hv.h"

#define PAGE 4096u
#define GT_FRAME 10 /* where each test domain keeps its grant table */

struct env {
	struct machine *m;
	struct hv *hv;
	struct domain *dom0, *a, *b;
};

static int gnttab(struct env *e, struct domain *d, uint32_t cmd, void *elems, size_t esz,
		  unsigned count, struct hc_reply *rep)
{
	uint8_t buf[VFNET_HC_MAX_DATA];
	struct vfnet_hc_gnttab h = {.cmd = cmd, .count = count};
	int rc;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), elems, esz * count);
	rc = hc(e->hv, d, VFNET_HC_GRANT_TABLE_OP, buf, sizeof(h) + esz * count, NULL, 0, rep);
	if (!rc)
		memcpy(elems, rep->data + sizeof(h), esz * count);
	return rc;
}

static void setup_table(struct env *e, struct domain *d)
{
	struct gnttab_setup_table s = {.dom = DOMID_SELF, .nr_frames = 1, .frame_list = {GT_FRAME}};
	struct hc_reply rep;

	assert_int_equal(gnttab(e, d, GNTTABOP_setup_table, &s, sizeof(s), 1, &rep), 0);
	assert_int_equal(s.status, GNTST_okay);
}

static struct grant_entry_v1 *gent(struct domain *d, grant_ref_t ref)
{
	return (struct grant_entry_v1 *)(d->ram->host + GT_FRAME * PAGE) + ref;
}

/* The granting protocol: domid and frame, a barrier, then the flags. */
static void grant(struct domain *d, grant_ref_t ref, domid_t to, uint32_t frame, bool ro)
{
	struct grant_entry_v1 *g = gent(d, ref);

	g->domid = to;
	g->frame = frame;
	__atomic_store_n(&g->flags, (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
}

static uint8_t *page(struct domain *d, uint64_t frame)
{
	return d->ram->host + frame * PAGE;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct machine_config mc = {.wire = {"null", "null"}};
	struct domain_config d0 = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 8};
	struct domain_config ga = {.name = "a", .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	struct domain_config gb = {.name = "b", .role = VFNET_ROLE_GUEST, .mem_mib = 4};

	assert_int_equal(machine__create(&e->m, &mc), 0);
	assert_int_equal(machine__start(e->m), 0);
	assert_int_equal(hv__create(&e->hv, e->m, NULL, NULL), 0);
	assert_int_equal(domain__create(e->hv, &d0, &e->dom0), 0);
	assert_int_equal(domain__create(e->hv, &ga, &e->a), 0);
	assert_int_equal(domain__create(e->hv, &gb, &e->b), 0);
	setup_table(e, e->a);
	setup_table(e, e->b);
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

static void test_setup_and_query(void **state)
{
	struct env *e = *state;
	struct gnttab_query_size q = {.dom = DOMID_SELF};
	struct gnttab_setup_table s = {.dom = DOMID_SELF, .nr_frames = 1, .frame_list = {0}};
	struct hc_reply rep;

	assert_int_equal(gnttab(e, e->a, GNTTABOP_query_size, &q, sizeof(q), 1, &rep), 0);
	assert_int_equal(q.status, GNTST_okay);
	assert_int_equal(q.nr_frames, 1);
	assert_int_equal(q.max_nr_frames, GNTTAB_MAX_FRAMES);
	/* The shared page and frames beyond the RAM are refused, another domain's table too. */
	assert_int_equal(gnttab(e, e->a, GNTTABOP_setup_table, &s, sizeof(s), 1, &rep), 0);
	assert_int_equal(s.status, GNTST_bad_page);
	s.frame_list[0] = (4u << 20) / PAGE;
	assert_int_equal(gnttab(e, e->a, GNTTABOP_setup_table, &s, sizeof(s), 1, &rep), 0);
	assert_int_equal(s.status, GNTST_bad_page);
	s.frame_list[0] = GT_FRAME;
	s.dom = (domid_t)e->b->id;
	assert_int_equal(gnttab(e, e->a, GNTTABOP_setup_table, &s, sizeof(s), 1, &rep), 0);
	assert_int_equal(s.status, GNTST_bad_domain);
	s.dom = DOMID_SELF;
	s.nr_frames = GNTTAB_MAX_FRAMES + 1;
	assert_int_equal(gnttab(e, e->a, GNTTABOP_setup_table, &s, sizeof(s), 1, &rep), 0);
	assert_int_equal(s.status, GNTST_general_error);
	/* Malformed calls: an unknown command, no elements, a count that lies about the size. */
	assert_int_equal(gnttab(e, e->a, 99, &q, sizeof(q), 1, &rep), -ENOSYS);
	assert_int_equal(gnttab(e, e->a, GNTTABOP_query_size, &q, sizeof(q), 0, &rep), -EINVAL);
	assert_int_equal(gnttab(e, e->a, GNTTABOP_query_size, &q, 8, 1, &rep), -EINVAL);
}

static struct gnttab_copy copy_op(uint32_t src_ref_or_gmfn, domid_t sdom, bool sgref,
				  uint32_t dst, domid_t ddom, bool dgref, uint16_t len)
{
	struct gnttab_copy c = {.len = len};

	c.source.domid = sdom;
	c.dest.domid = ddom;
	if (sgref)
		c.source.u.ref = src_ref_or_gmfn;
	else
		c.source.u.gmfn = src_ref_or_gmfn;
	if (dgref)
		c.dest.u.ref = dst;
	else
		c.dest.u.gmfn = dst;
	c.flags = (uint16_t)((sgref ? GNTCOPY_source_gref : 0) | (dgref ? GNTCOPY_dest_gref : 0));
	return c;
}

static void test_copy(void **state)
{
	struct env *e = *state;
	struct gnttab_copy ops[2];
	struct hc_reply rep;

	/* a grants page 20 readonly to dom0 (a TX buffer) and page 21 writable (an RX buffer). */
	memset(page(e->a, 20), 0x5a, PAGE);
	grant(e->a, 8, 0, 20, true);
	grant(e->a, 9, 0, 21, false);
	memset(page(e->dom0, 30), 0, PAGE);
	ops[0] = copy_op(8, (domid_t)e->a->id, true, 30, DOMID_SELF, false, 1514);
	ops[0].source.offset = 100;
	memset(page(e->dom0, 31), 0xc3, PAGE);
	ops[1] = copy_op(31, 0, false, 9, (domid_t)e->a->id, true, 64);
	ops[1].dest.offset = 10;
	assert_int_equal(gnttab(e, e->dom0, GNTTABOP_copy, ops, sizeof(ops[0]), 2, &rep), 0);
	assert_int_equal(ops[0].status, GNTST_okay);
	assert_int_equal(ops[1].status, GNTST_okay);
	assert_int_equal(page(e->dom0, 30)[0], 0x5a);
	assert_int_equal(page(e->dom0, 30)[1513], 0x5a);
	assert_int_equal(page(e->dom0, 30)[1514], 0);
	assert_int_equal(page(e->a, 21)[9], 0);
	assert_int_equal(page(e->a, 21)[10], 0xc3);
	assert_int_equal(page(e->a, 21)[73], 0xc3);
	assert_int_equal(page(e->a, 21)[74], 0);
	/* Nothing stays pinned after a copy: the flags are back. */
	assert_int_equal(gent(e->a, 8)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(gent(e->a, 9)->flags, GTF_permit_access);
	assert_int_equal(e->dom0->gt.copy_bytes, 1514 + 64);
}

static int16_t copy1(struct env *e, struct domain *d, struct gnttab_copy c)
{
	struct hc_reply rep;

	assert_int_equal(gnttab(e, d, GNTTABOP_copy, &c, sizeof(c), 1, &rep), 0);
	return c.status;
}

static void test_copy_refusals(void **state)
{
	struct env *e = *state;
	domid_t a = (domid_t)e->a->id;
	struct gnttab_copy c;

	grant(e->a, 8, 0, 20, true);
	grant(e->a, 9, (domid_t)e->b->id, 21, false); /* for b, not for dom0 */
	memset(page(e->a, 20), 0x11, PAGE);
	memset(page(e->a, 21), 0x22, PAGE);
	/* A readonly grant is never written. */
	assert_int_equal(copy1(e, e->dom0, copy_op(30, DOMID_SELF, false, 8, a, true, 4)),
			 GNTST_permission_denied);
	assert_int_equal(page(e->a, 20)[0], 0x11);
	/* A grant for another domain. */
	assert_int_equal(copy1(e, e->dom0, copy_op(9, a, true, 30, DOMID_SELF, false, 4)),
			 GNTST_permission_denied);
	/* A reference beyond the table, a domain that is not there. */
	assert_int_equal(copy1(e, e->dom0, copy_op(5000, a, true, 30, DOMID_SELF, false, 4)),
			 GNTST_bad_gntref);
	assert_int_equal(copy1(e, e->dom0, copy_op(8, 9, true, 30, DOMID_SELF, false, 4)),
			 GNTST_bad_domain);
	/* offset + len beyond the page, unknown flags. */
	c = copy_op(8, a, true, 30, DOMID_SELF, false, 100);
	c.source.offset = 4000;
	assert_int_equal(copy1(e, e->dom0, c), GNTST_bad_copy_arg);
	c = copy_op(8, a, true, 30, DOMID_SELF, false, 100);
	c.flags |= 1u << 5;
	assert_int_equal(copy1(e, e->dom0, c), GNTST_bad_copy_arg);
	/* A local frame that is not the caller's RAM, or names another domain. */
	assert_int_equal(copy1(e, e->dom0, copy_op(8, a, true, 1u << 30, DOMID_SELF, false, 4)),
			 GNTST_bad_page);
	assert_int_equal(copy1(e, e->dom0, copy_op(8, a, true, 0, DOMID_SELF, false, 4)),
			 GNTST_bad_page);
	assert_int_equal(copy1(e, e->dom0, copy_op(20, a, false, 30, DOMID_SELF, false, 4)),
			 GNTST_permission_denied);
	/* A grant whose frame is outside the granting domain's RAM. */
	grant(e->a, 10, 0, 1u << 30, false);
	assert_int_equal(copy1(e, e->dom0, copy_op(10, a, true, 30, DOMID_SELF, false, 4)),
			 GNTST_bad_page);
	assert_int_equal(gent(e->a, 10)->flags, GTF_permit_access);
	/* An entry that was never granted, or revoked. */
	assert_int_equal(copy1(e, e->dom0, copy_op(11, a, true, 30, DOMID_SELF, false, 4)),
			 GNTST_permission_denied);
	/* b may use what a granted it. */
	assert_int_equal(copy1(e, e->b, copy_op(9, a, true, 30, DOMID_SELF, false, 4)), GNTST_okay);
	assert_int_equal(page(e->b, 30)[3], 0x22);
	assert_int_equal(e->dom0->gt.copy_errors, 11);
}

static int map(struct env *e, struct gnttab_map_grant_ref *ops, unsigned n, struct hc_reply *rep)
{
	return gnttab(e, e->dom0, GNTTABOP_map_grant_ref, ops, sizeof(ops[0]), n, rep);
}

static void test_map_unmap(void **state)
{
	struct env *e = *state;
	domid_t a = (domid_t)e->a->id;
	struct gnttab_map_grant_ref m[2] = {
		{.host_addr = 40 * PAGE, .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 8, .dom = a},
		{.host_addr = 41 * PAGE, .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 9, .dom = a},
	};
	struct gnttab_unmap_grant_ref u = {0};
	struct hc_reply rep;
	uint8_t *p;

	grant(e->a, 8, 0, 20, true);
	grant(e->a, 9, 0, 22, true);
	memset(page(e->a, 20), 0x77, PAGE);
	assert_int_equal(map(e, m, 2, &rep), 0);
	assert_int_equal(m[0].status, GNTST_okay);
	assert_int_equal(m[1].status, GNTST_okay);
	assert_int_equal(m[0].dev_bus_addr, 20 * PAGE);
	/* While mapped the granting domain sees the grant in use and cannot revoke it. */
	assert_int_equal(gent(e->a, 8)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
	/* The reply carries a's RAM, read-only: it maps for reading and refuses writing. */
	assert_int_equal(rep.hdr.nfds, 1);
	assert_int_equal(fcntl(rep.fds[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, rep.fds[0], (off_t)m[0].dev_bus_addr);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(p[0], 0x77);
	assert_int_equal(mprotect(p, PAGE, PROT_READ | PROT_WRITE), -1);
	assert_ptr_equal(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rep.fds[0], 0),
			 MAP_FAILED);
	/* A grant copy from dom0's page 40 reads a's page 20 now; writing it is refused. */
	assert_int_equal(copy1(e, e->dom0, copy_op(40, DOMID_SELF, false, 50, DOMID_SELF, false, 8)),
			 GNTST_okay);
	assert_int_equal(page(e->dom0, 50)[7], 0x77);
	assert_int_equal(copy1(e, e->dom0, copy_op(50, DOMID_SELF, false, 40, DOMID_SELF, false, 8)),
			 GNTST_permission_denied);
	/* The same page twice, an unaligned or foreign address. */
	m[0].host_addr = 40 * PAGE;
	assert_int_equal(map(e, m, 1, &rep), 0);
	assert_int_equal(m[0].status, GNTST_bad_virt_addr);
	m[0].host_addr = 42 * PAGE + 1;
	assert_int_equal(map(e, m, 1, &rep), 0);
	assert_int_equal(m[0].status, GNTST_bad_virt_addr);
	/* Unmap: a wrong handle, a wrong address, then the real thing. */
	u.handle = 77;
	assert_int_equal(gnttab(e, e->dom0, GNTTABOP_unmap_grant_ref, &u, sizeof(u), 1, &rep), 0);
	assert_int_equal(u.status, GNTST_bad_handle);
	u.handle = m[1].handle;
	u.host_addr = 40 * PAGE;
	assert_int_equal(gnttab(e, e->dom0, GNTTABOP_unmap_grant_ref, &u, sizeof(u), 1, &rep), 0);
	assert_int_equal(u.status, GNTST_bad_virt_addr);
	u.host_addr = 41 * PAGE;
	assert_int_equal(gnttab(e, e->dom0, GNTTABOP_unmap_grant_ref, &u, sizeof(u), 1, &rep), 0);
	assert_int_equal(u.status, GNTST_okay);
	assert_int_equal(gent(e->a, 9)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(gent(e->a, 8)->flags & GTF_reading, GTF_reading);
	munmap(p, PAGE);
	close(rep.fds[0]);
}

static void test_map_rules(void **state)
{
	struct env *e = *state;
	domid_t a = (domid_t)e->a->id;
	struct gnttab_map_grant_ref m = {.host_addr = 40 * PAGE, .flags = GNTMAP_host_map, .ref = 8,
					 .dom = a};
	struct gnttab_map_grant_ref two[2];
	struct hc_reply rep;

	grant(e->a, 8, 0, 20, true);
	grant(e->a, 9, (domid_t)e->b->id, 21, false);
	/* Writable mapping of a read-only grant. */
	assert_int_equal(map(e, &m, 1, &rep), 0);
	assert_int_equal(m.status, GNTST_permission_denied);
	assert_int_equal(rep.hdr.nfds, 0);
	/* A guest may not map. */
	m.flags |= GNTMAP_readonly;
	m.ref = 9;
	m.dom = a;
	assert_int_equal(gnttab(e, e->b, GNTTABOP_map_grant_ref, &m, sizeof(m), 1, &rep), 0);
	assert_int_equal(m.status, GNTST_permission_denied);
	assert_int_equal(rep.hdr.nfds, 0);
	/* Flags other than host_map and readonly. */
	m = (struct gnttab_map_grant_ref){.host_addr = 40 * PAGE,
					  .flags = GNTMAP_host_map | GNTMAP_contains_pte,
					  .ref = 8, .dom = a};
	assert_int_equal(map(e, &m, 1, &rep), 0);
	assert_int_equal(m.status, GNTST_general_error);
	/* One granting domain per call. */
	two[0] = (struct gnttab_map_grant_ref){.host_addr = 40 * PAGE,
					       .flags = GNTMAP_host_map | GNTMAP_readonly,
					       .ref = 8, .dom = a};
	two[1] = two[0];
	two[1].host_addr = 41 * PAGE;
	two[1].dom = (domid_t)e->b->id;
	assert_int_equal(map(e, two, 2, &rep), 0);
	assert_int_equal(two[0].status, GNTST_okay);
	assert_int_equal(two[1].status, GNTST_general_error);
	close(rep.fds[0]);
}

static void test_revoke_protocol(void **state)
{
	struct env *e = *state;
	domid_t a = (domid_t)e->a->id;
	struct gnttab_map_grant_ref m = {.host_addr = 40 * PAGE, .flags = GNTMAP_host_map, .ref = 8,
					 .dom = a};
	struct hc_reply rep;
	uint16_t flags;

	grant(e->a, 8, 0, 21, false);
	assert_int_equal(map(e, &m, 1, &rep), 0);
	assert_int_equal(m.status, GNTST_okay);
	close(rep.fds[0]);
	/* A writable mapping sets both flags; the granting domain's compare-exchange to 0 fails. */
	flags = gent(e->a, 8)->flags;
	assert_int_equal(flags, GTF_permit_access | GTF_reading | GTF_writing);
	/* Revoked anyway by a misbehaving granter: later uses are refused, the pin stays. */
	__atomic_store_n(&gent(e->a, 8)->flags, 0, __ATOMIC_RELEASE);
	assert_int_equal(copy1(e, e->dom0, copy_op(8, a, true, 30, DOMID_SELF, false, 4)),
			 GNTST_permission_denied);
}

static void test_death(void **state)
{
	struct env *e = *state;
	domid_t a = (domid_t)e->a->id;
	struct gnttab_map_grant_ref m = {.host_addr = 40 * PAGE,
					 .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 8, .dom = a};
	struct gnttab_unmap_grant_ref u = {.host_addr = 40 * PAGE};
	struct domain_config ga = {.name = "a2", .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	struct hc_reply rep;
	uint8_t *p;

	grant(e->a, 8, 0, 20, true);
	memset(page(e->a, 20), 0x99, PAGE);
	assert_int_equal(map(e, &m, 1, &rep), 0);
	assert_int_equal(m.status, GNTST_okay);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, rep.fds[0], (off_t)m.dev_bus_addr);
	close(rep.fds[0]);
	assert_ptr_not_equal(p, MAP_FAILED);
	/* a dies: its grants are gone with it, dom0's mapping of its page stays valid ... */
	domain__destroy(e->a);
	e->a = NULL;
	assert_int_equal(p[100], 0x99);
	/* ... a copy through it finds no page, and a new domain with a's id is not touched. */
	assert_int_equal(copy1(e, e->dom0, copy_op(40, DOMID_SELF, false, 50, DOMID_SELF, false, 8)),
			 GNTST_bad_page);
	/* Ids are handed out in turn: a's comes back once the rover has wrapped round to it. */
	e->hv->next_domid = a;
	assert_int_equal(domain__create(e->hv, &ga, &e->a), 0);
	assert_int_equal(e->a->id, a);
	setup_table(e, e->a);
	grant(e->a, 8, 0, 20, true);
	u.handle = m.handle;
	assert_int_equal(gnttab(e, e->dom0, GNTTABOP_unmap_grant_ref, &u, sizeof(u), 1, &rep), 0);
	assert_int_equal(u.status, GNTST_okay);
	assert_int_equal(gent(e->a, 8)->flags, GTF_permit_access | GTF_readonly);
	munmap(p, PAGE);
	/* dom0 maps b's page and dies: the pin is given back. */
	grant(e->b, 8, 0, 20, false);
	m = (struct gnttab_map_grant_ref){.host_addr = 40 * PAGE, .flags = GNTMAP_host_map,
					  .ref = 8, .dom = (domid_t)e->b->id};
	assert_int_equal(map(e, &m, 1, &rep), 0);
	assert_int_equal(m.status, GNTST_okay);
	close(rep.fds[0]);
	assert_int_equal(gent(e->b, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	domain__destroy(e->dom0);
	e->dom0 = NULL;
	assert_int_equal(gent(e->b, 8)->flags, GTF_permit_access);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_setup_and_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
