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
#include "vmm/passthrough.h"

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

static int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) < 0 ? -errno : 0;
}

/* A domain that pushes descriptors at the machine is destroyed; the others are served. */
static void test_passing_descriptors_kills_the_sender(void **state)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct machine *m;
	struct vloop *loop;
	struct hv *hv;
	struct domain *a, *b;
	struct vfnet_hc_dom q = {.domid = 0xffffffffu};
	struct vfnet_hc_req req = {.op = VFNET_HC_DOMAIN_INFO, .len = sizeof(q), .seq = 5};
	uint8_t msg[sizeof(req) + sizeof(q)], reply[VFNET_HC_MAX_MSG];
	unsigned ida;
	int fa, fb, p[2];

	assert_int_equal(machine__create(&m, &mc), 0);
	assert_int_equal(vloop__create(&loop), 0);
	assert_int_equal(hv__create(&hv, m, loop, NULL), 0);
	assert_int_equal(open_domain(hv, "pusher", &a, &fa), 0);
	assert_int_equal(open_domain(hv, "quiet", &b, &fb), 0);
	ida = a->id;
	memcpy(msg, &req, sizeof(req));
	memcpy(msg + sizeof(req), &q, sizeof(q));
	assert_int_equal(pipe(p), 0);
	assert_int_equal(send_with_fd(fa, msg, sizeof(msg), p[0]), 0);
	close(p[0]);
	assert_int_equal(send(fb, msg, sizeof(msg), 0), sizeof(msg));
	assert_true(vloop__timer(loop, 200000000ull, stop, loop) > 0);
	assert_int_equal(vloop__run(loop), 0);
	assert_null(hv__domain(hv, ida));
	assert_true(recv(fb, reply, sizeof(reply), MSG_DONTWAIT) >= (ssize_t)sizeof(struct vfnet_hc_rep));
	close(p[1]);
	close(fa);
	close(fb);
	hv__destroy(hv);
	vloop__destroy(loop);
	machine__destroy(m);
}

/* Descriptors go out only to a domain that has read its earlier replies. */
static void test_no_descriptors_pile_up_unread(void **state)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct domain_config cfg = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 4};
	struct machine *m;
	struct vloop *loop;
	struct hv *hv;
	struct domain *d0;
	struct vfnet_hc_bar bar = {.rid = PCI_RID(1, 0), .bar = 0};
	struct vfnet_hc_req req = {.op = VFNET_HC_BAR_MAP, .len = sizeof(bar), .seq = 1};
	uint8_t msg[sizeof(req) + sizeof(bar)], reply[VFNET_HC_MAX_MSG];
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct vfnet_hc_rep rep;
	int h[2], e[2], got_fds[2] = {0, 0};

	assert_int_equal(machine__create(&m, &mc), 0);
	assert_int_equal(machine__start(m), 0); /* rings are served by the NIC engines */
	assert_int_equal(vloop__create(&loop), 0);
	assert_int_equal(hv__create(&hv, m, loop, NULL), 0);
	assert_int_equal(domain__create(hv, &cfg, &d0), 0);
	passthrough__adopt(hv, d0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, h), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, e), 0);
	close(e[1]);
	assert_int_equal(domain__serve(d0, h[0], e[0], 0), 0);
	memcpy(msg, &req, sizeof(req));
	memcpy(msg + sizeof(req), &bar, sizeof(bar));
	/* Two calls before reading either reply. */
	assert_int_equal(send(h[1], msg, sizeof(msg), 0), sizeof(msg));
	req.seq = 2;
	memcpy(msg, &req, sizeof(req));
	assert_int_equal(send(h[1], msg, sizeof(msg), 0), sizeof(msg));
	assert_true(vloop__timer(loop, 200000000ull, stop, loop) > 0);
	assert_int_equal(vloop__run(loop), 0);
	for (int i = 0; i < 2; i++) {
		struct iovec iov = {.iov_base = reply, .iov_len = sizeof(reply)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
				    .msg_controllen = sizeof(u.b)};
		struct cmsghdr *cm;

		assert_true(recvmsg(h[1], &mh, MSG_DONTWAIT) >= (ssize_t)sizeof(rep));
		memcpy(&rep, reply, sizeof(rep));
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			int n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int)), fd;

			got_fds[i] += n;
			for (int k = 0; k < n; k++) {
				memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
				close(fd);
			}
		}
		if (i == 0) {
			assert_int_equal(rep.status, 0);
			assert_int_equal(got_fds[0], 2);
		} else {
			assert_int_equal(rep.status, -EAGAIN);
			assert_int_equal(got_fds[1], 0);
		}
	}
	close(h[1]);
	hv__destroy(hv);
	vloop__destroy(loop);
	machine__destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_is_throttled),
		cmocka_unit_test(test_passing_descriptors_kills_the_sender),
		cmocka_unit_test(test_no_descriptors_pile_up_unread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
