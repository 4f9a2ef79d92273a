/*
 * The budget of trapped accesses (vmm/domain.h, DOMAIN_TRAP_*): a guest that makes config
 * accesses as fast as the machine answers gets its burst and then its rate, waiting in its own
 * synchronous calls for the rest; dom0 is not limited; an FLR costs more than a read; and a
 * guest destroyed while it waits leaves nothing behind.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "hc_util.h"
#include "hw/machine.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/loop.h"
#include "vmm/passthrough.h"

static void stop(void *opaque, uint32_t events)
{
	vloop__stop(opaque);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct storm {
	int fd;
	uint64_t answered;
	volatile int stop;
};

/* A vCPU in a loop of config reads: one call, its reply, the next. */
static void *cfg_storm(void *arg)
{
	struct storm *s = arg;
	struct vfnet_hc_cfg c = {.rid = PCI_RID(0, 4 << 3), .off = 0, .size = 4};
	struct vfnet_hc_req req = {.op = VFNET_HC_CFG_READ, .len = sizeof(c)};
	uint8_t msg[sizeof(req) + sizeof(c)], reply[VFNET_HC_MAX_MSG];

	while (!s->stop) {
		req.seq++;
		memcpy(msg, &req, sizeof(req));
		memcpy(msg + sizeof(req), &c, sizeof(c));
		if (send(s->fd, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
			break;
		/* The reply may wait for the budget: poll with a timeout to see stop. */
		for (;;) {
			ssize_t n = recv(s->fd, reply, sizeof(reply), MSG_DONTWAIT);

			if (n > 0) {
				s->answered++;
				break;
			}
			if (s->stop || (n < 0 && errno != EAGAIN))
				return NULL;
			nanosleep(&(struct timespec){.tv_nsec = 20000}, NULL);
		}
	}
	return NULL;
}

static int open_domain(struct hv *hv, const char *name, enum vfnet_role role, struct domain **d,
		       int *hc)
{
	struct domain_config cfg = {.name = name, .role = role, .mem_mib = 4};
	int h[2], e[2];

	if (domain__create(hv, &cfg, d) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, h) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, e))
		return -1;
	close(e[1]);
	*hc = h[1];
	return domain__serve(*d, h[0], e[0], 0);
}

static void test_storm_gets_its_rate_and_waits(void **state)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct storm g = {0}, z = {0};
	struct machine *m;
	struct vloop *loop;
	struct hv *hv;
	struct domain *dom0, *guest;
	pthread_t tg, tz;
	uint64_t t0, secs_ns, bound;
	unsigned gid;

	assert_int_equal(machine__create(&m, &mc), 0);
	assert_int_equal(machine__start(m), 0);
	assert_int_equal(vloop__create(&loop), 0);
	assert_int_equal(hv__create(&hv, m, loop, NULL), 0);
	assert_int_equal(open_domain(hv, "Domain-0", VFNET_ROLE_DOM0, &dom0, &z.fd), 0);
	assert_int_equal(open_domain(hv, "stormy", VFNET_ROLE_GUEST, &guest, &g.fd), 0);
	gid = guest->id;

	t0 = now_ns();
	assert_int_equal(pthread_create(&tg, NULL, cfg_storm, &g), 0);
	assert_int_equal(pthread_create(&tz, NULL, cfg_storm, &z), 0);
	assert_true(vloop__timer(loop, 1000000000ull, stop, loop) > 0);
	assert_int_equal(vloop__run(loop), 0);
	secs_ns = now_ns() - t0;
	g.stop = z.stop = 1;
	pthread_join(tg, NULL);
	pthread_join(tz, NULL);

	/* the guest: its burst, then its rate, however fast it asks */
	bound = DOMAIN_TRAP_BURST + DOMAIN_TRAP_RATE * secs_ns / 1000000000ull + 32;
	print_message("# guest: %llu served, %llu delayed, %llu ms waited; dom0: %llu served "
		      "in %llu ms\n",
		      (unsigned long long)guest->traps.served,
		      (unsigned long long)guest->traps.delayed,
		      (unsigned long long)(guest->traps.wait_ns / 1000000),
		      (unsigned long long)dom0->traps.served,
		      (unsigned long long)(secs_ns / 1000000));
	assert_true(guest->traps.served >= DOMAIN_TRAP_BURST);
	assert_true(guest->traps.served <= bound);
	assert_true(guest->traps.delayed > 0);
	assert_true(guest->traps.wait_ns > 0);
	/* every call it got through was answered, none refused */
	assert_int_equal(guest->hc_errors, 0);
	assert_true(g.answered + 1 >= guest->traps.served);
	/* dom0 is not limited */
	assert_int_equal(dom0->traps.delayed, 0);
	assert_true(dom0->traps.served > 0);

	/* The guest may be waiting for its budget now: destroy it there, then run on. */
	domain__destroy(guest);
	assert_null(hv__domain(hv, gid));
	assert_true(vloop__timer(loop, 50000000ull, stop, loop) > 0);
	assert_int_equal(vloop__run(loop), 0);

	close(g.fd);
	close(z.fd);
	hv__destroy(hv);
	vloop__destroy(loop);
	machine__destroy(m);
}

/* What each trapped access costs: an FLR is a reset of the function, for the NIC and dom0. */
static void test_costs(void **state)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct domain_config gc = {.name = "g", .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	struct domain_config dc = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 4};
	struct machine *m;
	struct hv *hv;
	struct domain *g, *d0;
	uint64_t c0;
	int rc;

	assert_int_equal(machine__create(&m, &mc), 0);
	assert_int_equal(hv__create(&hv, m, NULL, NULL), 0);
	assert_int_equal(domain__create(hv, &dc, &d0), 0);
	assert_int_equal(domain__create(hv, &gc, &g), 0);
	c0 = g->traps.cost;
	hc_cfg_rd(hv, g, PCI_RID(0, 4 << 3), 0, 4, &rc);
	assert_int_equal(g->traps.cost - c0, 1);
	/* Initiate FLR (Device Control bit 15), whether as a word or as its high byte */
	assert_true(passthrough__cfg_is_flr(E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2,
					    PCI_EXP_DEVCTL_BCR_FLR));
	assert_true(passthrough__cfg_is_flr(E82576_CAP_PCIE + PCI_EXP_DEVCTL + 1, 1,
					    PCI_EXP_DEVCTL_BCR_FLR >> 8));
	assert_false(passthrough__cfg_is_flr(E82576_CAP_PCIE + PCI_EXP_DEVCTL, 1, 0xff));
	assert_false(passthrough__cfg_is_flr(E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, 0));
	/* a guest's malformed size is no FLR, and classifying it is no shift past 32 bits */
	assert_false(passthrough__cfg_is_flr(E82576_CAP_PCIE + PCI_EXP_DEVCTL - 4, 8, ~0u));
	assert_false(passthrough__cfg_is_flr(0, 0xffffffffu, ~0u));
	c0 = g->traps.cost;
	hc_cfg_wr(hv, g, PCI_RID(0, 4 << 3), E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2,
		  PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(g->traps.cost - c0, DOMAIN_TRAP_FLR);
	/* dom0's accesses are counted, never charged */
	for (unsigned i = 0; i < 2 * DOMAIN_TRAP_BURST; i++)
		hc_cfg_rd(hv, d0, PCI_RID(1, 0), 0, 4, &rc);
	assert_true(d0->traps.budget_ns > 0);
	assert_int_equal(d0->traps.served, 2 * DOMAIN_TRAP_BURST);
	hv__destroy(hv);
	machine__destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_gets_its_rate_and_waits),
		cmocka_unit_test(test_costs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
