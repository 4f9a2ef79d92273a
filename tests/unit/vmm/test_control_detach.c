/*
 * A pci-detach whose guest never answers leaves a reply pending in the control server. When the
 * server goes first (host shutdown: control__destroy, then hv__destroy kills the guest and
 * finishes the detach), the hypervisor must not call back into the freed server. ASan caught a
 * use-after-free in control__complete here before control__destroy dropped its callbacks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "hc_util.h"
#include "hw/machine.h"
#include "hw/pci/sriov.h"
#include "hw/pci/topology.h"
#include "vmm/control.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/loop.h"
#include "vmm/passthrough.h"

#define PF0 PCI_RID(1, 0)

static void stop(void *opaque, uint32_t events)
{
	vloop__stop(opaque);
}

static void test_pending_detach_outlives_the_server(void **state)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct domain_config d0c = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 4};
	struct domain_config gc = {.name = "guest1", .role = VFNET_ROLE_GUEST, .mem_mib = 4};
	struct machine *m;
	struct vloop *loop;
	struct hv *hv;
	struct domain *dom0, *g;
	struct control *c;
	struct hv_func *f;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[64], req[160], bdf[16];
	struct vfnet_hc_vf v;
	struct vfnet_hc_assignable a;
	struct hc_reply rep;
	uint16_t vf;
	unsigned cap;
	int lfd, cfd, h[2], e[2];

	assert_int_equal(machine__create(&m, &mc), 0);
	assert_int_equal(machine__start(m), 0);
	assert_int_equal(vloop__create(&loop), 0);
	assert_int_equal(hv__create(&hv, m, loop, NULL), 0);
	assert_int_equal(domain__create(hv, &d0c, &dom0), 0);
	passthrough__adopt(hv, dom0);
	cap = machine__pf(m, 0)->sriov->cap;
	assert_int_equal(hc_cfg_wr(hv, dom0, PF0, cap + PCI_SRIOV_NUM_VF, 2, 1), 0);
	assert_int_equal(hc_cfg_wr(hv, dom0, PF0, cap + PCI_SRIOV_CTRL, 2,
				   PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE), 0);
	vf = (uint16_t)(PF0 + pci_sriov__offset(machine__pf(m, 0)));
	v = (struct vfnet_hc_vf){.pf_rid = PF0, .vf_rid = vf, .index = 0, .add = 1};
	assert_int_equal(hc(hv, dom0, VFNET_HC_VF_REPORT, &v, sizeof(v), NULL, 0, &rep), 0);
	a = (struct vfnet_hc_assignable){.rid = vf, .add = 1};
	assert_int_equal(hc(hv, dom0, VFNET_HC_ASSIGNABLE, &a, sizeof(a), NULL, 0, &rep), 0);

	/* A guest that booted (it listens for platform events) but will never answer. */
	assert_int_equal(domain__create(hv, &gc, &g), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, h), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, e), 0);
	assert_int_equal(domain__serve(g, h[0], e[0], 0), 0);
	g->ev_vector = VFNET_VEC_PLATFORM;
	assert_int_equal(passthrough__attach(hv, g, vf, 0), 0);

	snprintf(path, sizeof(path), "/tmp/vfnet-test-detach.%d.sock", (int)getpid());
	lfd = control__listen(path);
	assert_true(lfd >= 0);
	assert_int_equal(control__create(&c, m), 0);
	control__set_hv(c, hv);
	assert_int_equal(control__attach(c, loop, lfd), 0);
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(req, sizeof(req), "{\"op\":\"pci-detach\",\"domain\":\"guest1\",\"bdf\":\"%s\"}\n",
		 pci_rid__str(vf, bdf));
	assert_int_equal(write(cfd, req, strlen(req)), (ssize_t)strlen(req));
	assert_true(vloop__timer(loop, 200000000ull, stop, loop) > 0);
	assert_int_equal(vloop__run(loop), 0);

	f = passthrough__by_rid(hv, vf);
	assert_true(f->detaching);
	assert_non_null(f->detach_done);
	/* The host shuts down: the server first ... */
	control__destroy(c);
	assert_null(f->detach_done);
	/* ... then the hypervisor, whose teardown finishes the detach. */
	hv__destroy(hv);
	close(cfd);
	close(lfd);
	unlink(path);
	close(h[1]);
	close(e[1]);
	vloop__destroy(loop);
	machine__destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_detach_outlives_the_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
