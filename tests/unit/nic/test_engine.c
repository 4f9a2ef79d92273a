/*
 * The NIC engine: register accesses from another thread through request rings, applied in order
 * on the port's own thread; calls into the port; EITR-moderated interrupts fired on a timer while
 * the engine sleeps; and an idle engine that sleeps instead of spinning.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hw/iommu/iommu.h"
#include "hw/mem/memory.h"
#include "hw/nic/e82576.h"
#include "hw/nic/regs.h"
#include "hw/nic/wire.h"
#include "lib/reqring.h"

#define ENTRIES 64

static struct {
	struct machine_mem mem;
	struct iommu *iommu;
	struct e82576 *nic;
	atomic_uint nmsi;
	atomic_uint_least64_t msi_ns[8];
	void *region[2];
	struct reqring_cons cons[2];
	struct reqring_prod prod[2];
} t;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_msi(void *opaque, uint16_t rid, uint64_t addr, uint32_t data)
{
	unsigned n = atomic_fetch_add(&t.nmsi, 1);

	if (n < 8)
		atomic_store(&t.msi_ns[n], now_ns());
}

static struct pci_func *pf(void)
{
	return &e82576__pci(t.nic)->pf[0];
}

static struct pci_func *vf(unsigned n)
{
	return &e82576__pci(t.nic)->vf[0][n];
}

struct cfgw {
	struct pci_func *f;
	unsigned off, size;
	uint32_t val;
};

static void do_cfg(void *arg)
{
	struct cfgw *w = arg;

	pci_func__cfg_write(w->f, w->off, w->size, w->val);
}

/* Config writes reach the device model, so they run on the engine like every other access. */
static void setcfg(struct pci_func *f, unsigned off, unsigned size, uint32_t val)
{
	struct cfgw w = {f, off, size, val};

	assert_int_equal(e82576__call(t.nic, 0, do_cfg, &w), 0);
}

static void ring(unsigned i, struct pci_func *f, unsigned bars)
{
	size_t sz = reqring__region_size(ENTRIES);

	t.region[i] = aligned_alloc(4096, ((sz + 4095) & ~(size_t)4095));
	assert_non_null(t.region[i]);
	assert_int_equal(reqring__init(&t.cons[i], t.region[i], sz, ENTRIES, E82576_RING_SIZE), 0);
	assert_int_equal(e82576__ring_add(t.nic, f, &t.cons[i], bars), 0);
	assert_int_equal(reqring__attach(&t.prod[i], t.region[i], sz,
					 reqring__doorbell_fd(&t.cons[i])), 0);
}

static int setup(void **state)
{
	struct e82576_config c = {.bus = 1, .dev = 0, .msi = on_msi};

	memset(&t, 0, sizeof(t));
	mem__init(&t.mem);
	if (iommu__create(&t.iommu, &t.mem, NULL))
		return -1;
	c.iommu = t.iommu;
	if (e82576__create(&t.nic, &c) || e82576__start(t.nic, 20000))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < 2; i++) {
		if (!t.region[i])
			continue;
		e82576__ring_remove(t.nic, &t.cons[i]);
		reqring__destroy(&t.cons[i]);
		free(t.region[i]);
	}
	e82576__stop(t.nic);
	e82576__destroy(t.nic);
	iommu__destroy(t.iommu);
	mem__fini(&t.mem);
	return 0;
}

static uint32_t rrd(unsigned i, uint32_t off)
{
	uint64_t v = 0;

	assert_int_equal(reqring__read(&t.prod[i], off, 4, &v), 0);
	return (uint32_t)v;
}

static void rwr(unsigned i, uint32_t off, uint32_t v)
{
	assert_int_equal(reqring__write(&t.prod[i], off, 4, v), 0);
}

static void test_ring_accesses_apply_in_order(void **state)
{
	setcfg(pf(), PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ring(0, pf(), 0x0d);
	/* Posted writes, then a read that must see all of them (PCIe ordering). */
	for (uint32_t i = 0; i < 1000; i++)
		rwr(0, E1000_RAL(5), i);
	assert_int_equal(rrd(0, E1000_RAL(5)), 999);
	assert_true(rrd(0, E1000_STATUS) & E1000_STATUS_LU);
	/* BAR1 does not exist: refused, reads all ones. */
	assert_int_equal(rrd(0, E82576_RING_OFFSET(1, 0)), 0xffffffff);
	/* An unaligned write is dropped by the ring and applies nothing. */
	assert_int_equal(reqring__write(&t.prod[0], E1000_RAL(5) + 1, 4, 1), 0);
	assert_int_equal(rrd(0, E1000_RAL(5)), 999);
}

static void test_vf_ring_needs_vf_enable(void **state)
{
	setcfg(pf(), PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ring(1, vf(0), 0x01);
	/* The VF does not decode yet: an Unsupported Request reads all ones. */
	assert_int_equal(rrd(1, E1000_VF_STATUS), 0xffffffff);
	setcfg(pf(), E82576_ECAP_SRIOV + PCI_SRIOV_NUM_VF, 2, 1);
	setcfg(pf(), E82576_ECAP_SRIOV + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	assert_true(rrd(1, E1000_VF_STATUS) & E1000_STATUS_LU);
	/* A guest's ring reaches BAR0 only: its MSI-X table is the hypervisor's to write. */
	assert_int_equal(rrd(1, E82576_RING_OFFSET(3, 0)), 0xffffffff);
	rwr(1, E82576_RING_OFFSET(3, 12), 0);
	(void)rrd(1, E1000_VF_STATUS); /* the ring is drained up to here */
	/* Refused: the read before VF Enable, and these two. */
	assert_int_equal(t.cons[1].stats.rejected, 3);
	/* The VF's mailbox lock through its ring; the PF's view through the PF's ring. */
	ring(0, pf(), 0x0d);
	rwr(1, E1000_VF_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
	assert_int_equal(rrd(0, E1000_P2VMAILBOX(0)), E1000_P2VMAILBOX_VFU);
}

static void test_eitr_fires_while_the_engine_sleeps(void **state)
{
	uint64_t v;
	struct e82576_engine_stats st;

	setcfg(pf(), PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	setcfg(pf(), E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	ring(0, pf(), 0x0d);
	v = 0; /* unmask MSI-X entry 0 in BAR3, on the same ring: ordered before what follows */
	assert_int_equal(reqring__write(&t.prod[0], E82576_RING_OFFSET(3, 12), 4, v), 0);
	rwr(0, E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA);
	rwr(0, E1000_EIAC, 1);
	rwr(0, E1000_EIMS, 1);
	rwr(0, E1000_EITR(0), 4000); /* 1000 us between interrupts */
	rwr(0, E1000_EICS, 1);
	rwr(0, E1000_EICS, 1);
	(void)rrd(0, E1000_STATUS);
	assert_int_equal(atomic_load(&t.nmsi), 1);
	/* The second waits out the interval; the engine sleeps on its timer meanwhile. */
	for (int i = 0; i < 2000 && atomic_load(&t.nmsi) < 2; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&t.nmsi), 2);
	assert_true(atomic_load(&t.msi_ns[1]) - atomic_load(&t.msi_ns[0]) >= 990000);
	e82576__engine_stats(t.nic, 0, &st);
	assert_true(st.sleeps > 0);
}

static void test_doorbell_survives_a_wire_swap(void **state)
{
	struct wire *w;
	int fd;

	/* The engine sleeps on the wire's fd; the wire goes and its fd number comes back as a
	 * ring's doorbell. The doorbell must wake the engine. */
	assert_int_equal(wire__open(&w, "loop", NULL, 0), 0);
	assert_int_equal(e82576__set_wire(t.nic, 0, w), 0);
	fd = wire__fd(w);
	usleep(50000);
	assert_int_equal(e82576__set_wire(t.nic, 0, NULL), 0);
	wire__close(w);
	setcfg(pf(), PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ring(0, pf(), 0x01);
	if (reqring__doorbell_fd(&t.cons[0]) != fd)
		print_message("# the doorbell got fd %d, not the wire's %d\n",
			      reqring__doorbell_fd(&t.cons[0]), fd);
	usleep(100000); /* the engine is asleep again */
	rwr(0, E1000_RAL(1), 0x1234);
	assert_int_equal(rrd(0, E1000_RAL(1)), 0x1234);
}

static void test_idle_engine_sleeps(void **state)
{
	struct e82576_engine_stats a, b;

	usleep(50000);
	e82576__engine_stats(t.nic, 0, &a);
	usleep(200000);
	e82576__engine_stats(t.nic, 0, &b);
	/* 200 ms idle costs far less than 200 ms of CPU: it sleeps, it does not spin. */
	assert_true(b.cpu_ns - a.cpu_ns < 20000000);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ring_accesses_apply_in_order),
		T(test_vf_ring_needs_vf_enable),
		T(test_eitr_fires_while_the_engine_sleeps),
		T(test_doorbell_survives_a_wire_swap),
		T(test_idle_engine_sleeps),
	};

	return cmocka_run_group_tests_name("nic_engine", tests, NULL, NULL);
}
