/*
 * A domain that floods its hypercall socket and never reads the replies is throttled, not
 * obeyed: the machine serves at most DOMAIN_HC_BUDGET of its calls per loop round, drops the
 * replies it does not read, and another domain's call is still answered at once.
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

#include "hw/machine.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/loop.h"

static void stop(void *opaque, uint32_t events)
{
	vloop__stop(opaque);
}

struct flooder {
	int fd;
	uint64_t sent;
	volatile int stop;
};

/* Sends for as long as the test runs, never reading a reply. */
static void *flood(void *arg)
{
	struct flooder *f = arg;
	struct vfnet_hc_req req = {.op = VFNET_HC_CONSOLE, .len = 8, .seq = 1};
	uint8_t msg[sizeof(req) + 8];

	memcpy(msg, &req, sizeof(req));
	memcpy(msg + sizeof(req), "flooding", 8);
	while (!f->stop) {
		if (send(f->fd, msg, sizeof(msg), MSG_DONTWAIT) > 0)
			f->sent++;
		else
			nanosleep(&(struct timespec){.tv_nsec = 10000}, NULL);
	}
	return NULL;
}

static int open_domain(struct hv *hv, const char *name, struct domain **d, int *hc)
{
	struct domain_config cfg = {.name = name, .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	int h[2], e[2];

	if (domain__create(hv, &cfg, d) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, h) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, e))
		return -1;
	close(e[1]);
	*hc = h[1];
	return domain__serve(*d, h[0], e[0], 0);
}

static void test_flood_is_throttled(void **state)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct machine *m;
	struct vloop *loop;
	struct hv *hv;
	struct domain *a, *b;
	int fa, fb;
	uint8_t msg[64];
	struct flooder f = {0};
	pthread_t th;
	struct vfnet_hc_dom q = {.domid = 0xffffffffu};
	struct vfnet_hc_req qreq = {.op = VFNET_HC_DOMAIN_INFO, .len = sizeof(q), .seq = 99};
	uint8_t reply[VFNET_HC_MAX_MSG];
	struct vfnet_hc_rep rep;
	ssize_t n;

	assert_int_equal(machine__create(&m, &mc), 0);
	assert_int_equal(vloop__create(&loop), 0);
	assert_int_equal(hv__create(&hv, m, loop, NULL), 0);
	assert_int_equal(open_domain(hv, "hostile", &a, &fa), 0);
	assert_int_equal(open_domain(hv, "quiet", &b, &fb), 0);

	/* The hostile domain writes as fast as it can and never reads. */
	f.fd = fa;
	assert_int_equal(pthread_create(&th, NULL, flood, &f), 0);
	while (f.sent < 100)
		nanosleep(&(struct timespec){.tv_nsec = 100000}, NULL);
	/* The quiet one asks one question. */
	memcpy(msg, &qreq, sizeof(qreq));
	memcpy(msg + sizeof(qreq), &q, sizeof(q));
	assert_int_equal(send(fb, msg, sizeof(qreq) + sizeof(q), 0), sizeof(qreq) + sizeof(q));

	assert_true(vloop__timer(loop, 300000000ull, stop, loop) > 0);
	assert_int_equal(vloop__run(loop), 0);
	f.stop = 1;
	pthread_join(th, NULL);

	n = recv(fb, reply, sizeof(reply), MSG_DONTWAIT);
	assert_true(n >= (ssize_t)sizeof(rep));
	memcpy(&rep, reply, sizeof(rep));
	assert_int_equal(rep.seq, 99);
	assert_int_equal(rep.status, 0);
	/* Everything the flooder sent was served (it is a legal call), the replies it never
	 * read were dropped rather than waited for, and the machine was not stuck. */
	assert_true(a->hypercalls > 1000);
	assert_true(a->hypercalls <= f.sent);
	assert_true(a->hc_dropped > 0);
	assert_int_equal(b->hypercalls, 1);

	close(fa);
	close(fb);
	hv__destroy(hv);
	vloop__destroy(loop);
	machine__destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_is_throttled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
