/*
 * The whole machine with its engines running: config cycles that reach the NIC run on the
 * port's engine, a platform reset takes the VFs away, and a frame sent by a VF of port 0 crosses
 * the default cable and lands in a VF of port 1, DMA checked by the IOMMU on both sides.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hw/iommu/context.h"
#include "hw/machine.h"
#include "hw/nic/desc.h"
#include "hw/nic/regs.h"
#include "lib/compiler.h"

#define RAM_MA(p) (0x300000000ull + (p) * 0x10000000ull)
#define RAM_SIZE  (2ull << 20)
#define TX_RING   0x1000ull
#define RX_RING   0x2000ull
#define BUF       0x10000ull

static struct machine *m;

struct mmio_op {
	struct machine *m;
	struct pci_func *fn;
	uint32_t off, val;
	bool write;
};

static void do_mmio(void *arg)
{
	struct mmio_op *op = arg;
	uint64_t v = op->val;

	e82576__mmio(op->m->nic, op->fn, 0, op->off, 4, op->write, &v);
	op->val = (uint32_t)v;
}

/* What a driver in a domain would do through its ring, done on the engine that owns the port. */
static uint32_t mmio(struct pci_func *fn, uint32_t off, bool write, uint32_t val)
{
	struct mmio_op op = {m, fn, off, val, write};
	unsigned port = fn == machine__pf(m, 1) || fn->pf == machine__pf(m, 1);

	assert_int_equal(e82576__call(m->nic, port, do_mmio, &op), 0);
	return op.val;
}

static void cfg_set(uint16_t rid, unsigned off, unsigned size, uint32_t val)
{
	assert_int_equal(machine__cfg_write(m, rid, off, size, val), 0);
}

static int setup(void **state)
{
	if (machine__create(&m, NULL) || machine__start(m))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	machine__destroy(m);
	m = NULL;
	return 0;
}

static void enable_one_vf(unsigned port)
{
	struct pci_func *pf = machine__pf(m, port);

	cfg_set(pf->rid, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_set(pf->rid, pf->sriov->cap + PCI_SRIOV_NUM_VF, 2, 1);
	cfg_set(pf->rid, pf->sriov->cap + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
}

static void test_config_cycles_reach_the_nic_on_its_engine(void **state)
{
	uint32_t v;
	struct pci_func *pf = machine__pf(m, 0);

	enable_one_vf(0);
	/* VF 0 of PF0 without ARI: 02:10.0, reading 0xFFFF, its BAR0 decoding through VF MSE. */
	assert_int_equal(machine__cfg_read(m, PCI_RID(2, 0x80), PCI_VENDOR_ID, 4, &v), 0);
	assert_int_equal(v, 0xffffffff);
	assert_true(mmio(&m->nicfn->vf[0][0], E1000_VF_STATUS, false, 0) & E1000_STATUS_LU);
	/* A VF FLR through config space resets the VF on the engine and tells the PF. */
	cfg_set(PCI_RID(2, 0x80), E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(mmio(pf, E1000_VFLRE, false, 0), 1);
	/* Absent functions still master-abort. */
	assert_int_equal(machine__cfg_read(m, PCI_RID(2, 0x82), 0, 4, &v), -ENODEV);
	assert_int_equal(v, 0xffffffff);
}

static void test_platform_reset_takes_the_vfs_away(void **state)
{
	uint32_t v;

	enable_one_vf(1);
	assert_int_equal(machine__cfg_read(m, PCI_RID(2, 0x81), 0, 4, &v), 0);
	machine__reset(m);
	assert_int_equal(machine__cfg_read(m, PCI_RID(2, 0x81), 0, 4, &v), -ENODEV);
	/* Firmware's assignments are back. */
	assert_int_equal(machine__cfg_read(m, PCI_RID(1, 0), PCI_BASE_ADDRESS_0, 4, &v), 0);
	assert_int_equal(v, MACHINE_MMIO_BASE);
}

struct guest {
	struct dma_domain dom;
	uint8_t *ram;
	struct pci_func *vf;
	uint8_t mac[6];
};

/* The PF of a port as igb sets it up for one VF, and the VF's rings as igbvf does. */
static void port_up(unsigned port, struct guest *g, struct context_tables *ct)
{
	struct pci_func *pf = machine__pf(m, port);
	const struct mem_region *r;
	uint32_t tx = E1000_VF_TXQ(0), rx = E1000_VF_RXQ(0);

	enable_one_vf(port);
	g->vf = &m->nicfn->vf[port][0];
	cfg_set(g->vf->rid, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_int_equal(mem__add(&m->mem, port ? "guest 1" : "guest 0", RAM_MA(port), RAM_SIZE, &r),
			 0);
	g->ram = r->host;
	assert_int_equal(dma_domain__create(&g->dom, &m->hv, m->iommu, (uint16_t)(port + 1), 0), 0);
	assert_int_equal(dma_domain__map(&g->dom, 0, RAM_MA(port), RAM_SIZE,
					 IOMMU_READ | IOMMU_WRITE), 0);
	assert_int_equal(context__attach(ct, g->vf->rid, &g->dom), 0);

	mmio(pf, E1000_CTRL_EXT, true, E1000_CTRL_EXT_PFRSTD);
	mmio(pf, E1000_MRQC, true, 3);
	mmio(pf, E1000_VT_CTL, true, 1u << E1000_VT_CTL_DEF_PL_SHIFT);
	mmio(pf, E1000_RAL(23), true, le32_get(g->mac));
	mmio(pf, E1000_RAH(23), true,
	     le16_get(g->mac + 4) | E1000_RAH_AV | BIT(E1000_RAH_POOL_SHIFT));
	mmio(pf, E1000_VMOLR(0), true, E1000_VMOLR_AUPE | E1000_VMOLR_BAM | 0x2600);
	mmio(pf, E1000_DTXSWC, true, E1000_DTXSWC_VMDQ_LOOPBACK_EN | 0x0101);
	mmio(pf, E1000_VFRE, true, 1);
	mmio(pf, E1000_VFTE, true, 1);
	mmio(pf, E1000_RCTL, true, 0x2 | 0x8000);
	mmio(pf, E1000_TCTL, true, 0x2);
	mmio(g->vf, tx + E1000_QR_BAL, true, TX_RING);
	mmio(g->vf, tx + E1000_QR_LEN, true, 8 * E1000_DESC_SIZE);
	mmio(g->vf, tx + E1000_QR_DCTL, true, E1000_TXDCTL_QUEUE_ENABLE);
	mmio(g->vf, rx + E1000_QR_BAL, true, RX_RING);
	mmio(g->vf, rx + E1000_QR_LEN, true, 8 * E1000_DESC_SIZE);
	mmio(g->vf, rx + E1000_QR_SRRCTL, true, 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);
	mmio(g->vf, rx + E1000_QR_DCTL, true, E1000_RXDCTL_QUEUE_ENABLE);
	for (unsigned i = 0; i < 8; i++)
		le64_put(g->ram + RX_RING + 16 * i, BUF + 0x800 * i);
	mmio(g->vf, rx + E1000_QR_TAIL, true, 7);
}

static void test_a_frame_crosses_the_cable(void **state)
{
	struct guest a = {.mac = {2, 0, 0, 0, 0, 0xa}}, b = {.mac = {2, 0, 0, 0, 1, 0xb}};
	struct context_tables ct;
	uint8_t frame[100];
	uint32_t status = 0;

	assert_int_equal(context__init(&ct, &m->hv, m->iommu), 0);
	port_up(0, &a, &ct);
	port_up(1, &b, &ct);
	memcpy(frame, b.mac, 6);
	memcpy(frame + 6, a.mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (unsigned i = 14; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	memcpy(a.ram + BUF, frame, sizeof(frame));
	le64_put(a.ram + TX_RING, BUF);
	le32_put(a.ram + TX_RING + 8, sizeof(frame) | E1000_ADVTXD_DTYP_DATA |
					      E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_IFCS |
					      E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS);
	le32_put(a.ram + TX_RING + 12, sizeof(frame) << E1000_ADVTXD_PAYLEN_SHIFT);
	mmio(a.vf, E1000_VF_TXQ(0) + E1000_QR_TAIL, true, 1);
	/* Not a local MAC: off port 0's wire, over the cable, into port 1's VF by its RAR. */
	for (int i = 0; i < 1000 && !(status & E1000_RXD_STAT_DD); i++) {
		usleep(1000);
		status = __atomic_load_n((uint32_t *)(b.ram + RX_RING + 8), __ATOMIC_ACQUIRE);
	}
	assert_true(status & E1000_RXD_STAT_DD);
	assert_true(status & E1000_RXD_STAT_EOP);
	assert_int_equal(le32_get(b.ram + RX_RING + 12) & 0xffff, sizeof(frame));
	assert_memory_equal(b.ram + BUF, frame, sizeof(frame));
	assert_true(le32_get(a.ram + TX_RING + 12) & E1000_TXD_STAT_DD);
	context__fini(&ct);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_cycles_reach_the_nic_on_its_engine),
		T(test_platform_reset_takes_the_vfs_away),
		T(test_a_frame_crosses_the_cable),
	};

	return cmocka_run_group_tests_name("machine", tests, NULL, NULL);
}
