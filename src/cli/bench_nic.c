#include "cli/bench_nic.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/iommu/context.h"
#include "hw/machine.h"
#include "hw/nic/desc.h"
#include "hw/nic/regs.h"
#include "lib/compiler.h"
#include "lib/reqring.h"

#define NDESC      1024
#define RAM_SIZE   (8ull << 20)
#define RAM_MA(v)  (0x200000000ull + (v) * 0x10000000ull)
#define TX_RING    0x10000ull
#define RX_RING    0x20000ull
#define BUF_BASE   0x100000ull
#define BUF_SIZE   2048u
#define RING_ENTRIES 256
#define TX_BURST     32 /* frames the driver posts before it looks at Rx again */
/* Frames in flight: half the ring, so that even a driver thread descheduled for a while never
 * sends more than the peer's Rx ring holds, and no run counts drops it did not ask for. */
#define TX_INFLIGHT_MAX (NDESC / 2)
#define NAPI_BUDGET	64 /* Rx frames per poll, as igbvf's NAPI weight */
#define RX_BUFFER_WRITE 16 /* Rx buffers per RDT write: igbvf's IGBVF_RX_BUFFER_WRITE */
/* How long the driver leaves a ring alone after finding its next descriptor not done: an
 * interrupt period at 100,000 interrupts a second, more eager than igbvf's moderation. */
#define LOOK_PERIOD_NS 10000
#define IDLE_PAUSES    8 /* between looks at the clock while waiting */

/* What the benchmark's "guest" keeps for one VF. */
struct vf {
	struct pci_func *fn;
	uint8_t *ram;
	struct dma_domain dom;
	void *region;
	struct reqring_cons cons;
	struct reqring_prod prod;
	uint8_t mac[6];
	uint32_t next, clean;
	unsigned inflight; /* Tx: posted and not yet reclaimed, across warm-up and run */
	unsigned rearmed;  /* Rx: refilled since the last RDT write */
	uint64_t next_look; /* when the driver looks at a ring that had nothing done */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pf_wr(struct machine *m, uint32_t off, uint32_t v)
{
	e82576__wr32(m->nic, machine__pf(m, 0), off, v);
}

static void set_rar(struct machine *m, unsigned i, const uint8_t *mac, unsigned pool)
{
	pf_wr(m, E1000_RAL(i), (uint32_t)mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24);
	pf_wr(m, E1000_RAH(i), (uint32_t)mac[4] | mac[5] << 8 | 1u << (E1000_RAH_POOL_SHIFT + pool) |
				       E1000_RAH_AV);
}

/* The PF as Linux igb leaves it with two VFs (82576.md section 8), minus what is not measured. */
static int setup_pf(struct machine *m, struct vf *vf)
{
	struct pci_func *pf = machine__pf(m, 0);
	unsigned cap = pf->sriov->cap;
	int rc;

	if ((rc = pci_func__cfg_write(pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) ||
	    (rc = pci_func__cfg_write(pf, cap + PCI_SRIOV_NUM_VF, 2, 2)) ||
	    (rc = pci_func__cfg_write(pf, cap + PCI_SRIOV_CTRL, 2,
				      PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE)))
		return rc;
	pf_wr(m, E1000_CTRL_EXT, E1000_CTRL_EXT_PFRSTD);
	pf_wr(m, E1000_MRQC, 3); /* VMDq */
	pf_wr(m, E1000_VT_CTL, 2u << E1000_VT_CTL_DEF_PL_SHIFT | E1000_VT_CTL_VM_REPL_EN);
	for (unsigned v = 0; v < 2; v++) {
		set_rar(m, E1000_RAR_ENTRIES - 1 - v, vf[v].mac, v);
		pf_wr(m, E1000_VMOLR(v), E1000_VMOLR_AUPE | E1000_VMOLR_BAM | E1000_VMOLR_STRCRC |
						 0x2600);
		if ((rc = pci_func__cfg_write(vf[v].fn, PCI_COMMAND, 2, PCI_COMMAND_MASTER)))
			return rc;
	}
	pf_wr(m, E1000_DTXSWC, E1000_DTXSWC_VMDQ_LOOPBACK_EN | 0x0303); /* loopback, anti-spoof */
	pf_wr(m, E1000_VFRE, 3);
	pf_wr(m, E1000_VFTE, 3);
	pf_wr(m, E1000_QDE, 0xffff);
	pf_wr(m, E1000_RCTL, 0x2 | 0x8000); /* EN | BAM */
	pf_wr(m, E1000_TCTL, 0x2);          /* EN */
	return 0;
}

/* Guest RAM for each VF, mapped at IOVA = guest physical address: the IOMMU is on. */
static int setup_iommu(struct machine *m, struct context_tables *ct, struct vf *vf)
{
	int rc = context__init(ct, &m->hv, m->iommu);

	for (unsigned v = 0; !rc && v < 2; v++) {
		const struct mem_region *r;

		if ((rc = mem__add(&m->mem, v ? "guest B" : "guest A", RAM_MA(v), RAM_SIZE, &r)) ||
		    (rc = dma_domain__create(&vf[v].dom, &m->hv, m->iommu, (uint16_t)(v + 1), 0)) ||
		    (rc = dma_domain__map(&vf[v].dom, 0, RAM_MA(v), RAM_SIZE,
					  IOMMU_READ | IOMMU_WRITE)) ||
		    (rc = context__attach(ct, vf[v].fn->rid, &vf[v].dom)))
			break;
		vf[v].ram = r->host;
	}
	return rc;
}

/* Rings as igbvf brings them up, through the VF's own BAR0 (before the engine runs). */
static void setup_rings(struct machine *m, struct vf *vf)
{
	for (unsigned v = 0; v < 2; v++) {
		struct pci_func *fn = vf[v].fn;
		uint32_t tx = E1000_VF_TXQ(0), rx = E1000_VF_RXQ(0);

		e82576__wr32(m->nic, fn, tx + E1000_QR_BAL, TX_RING);
		e82576__wr32(m->nic, fn, tx + E1000_QR_LEN, NDESC * E1000_DESC_SIZE);
		e82576__wr32(m->nic, fn, tx + E1000_QR_DCTL, E1000_TXDCTL_QUEUE_ENABLE);
		e82576__wr32(m->nic, fn, rx + E1000_QR_BAL, RX_RING);
		e82576__wr32(m->nic, fn, rx + E1000_QR_LEN, NDESC * E1000_DESC_SIZE);
		e82576__wr32(m->nic, fn, rx + E1000_QR_SRRCTL,
			     (BUF_SIZE >> 10) | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF |
				     E1000_SRRCTL_DROP_EN);
		e82576__wr32(m->nic, fn, rx + E1000_QR_DCTL, E1000_RXDCTL_QUEUE_ENABLE);
	}
}

static uint8_t *desc(struct vf *v, uint64_t ring, uint32_t i)
{
	return v->ram + ring + (uint64_t)i * E1000_DESC_SIZE;
}

static void rx_arm(struct vf *v, uint32_t i)
{
	uint8_t *d = desc(v, RX_RING, i);

	le64_put(d, BUF_BASE + (uint64_t)i * BUF_SIZE);
	__atomic_store_n((uint64_t *)(d + 8), 0, __ATOMIC_RELEASE);
}

static int attach_ring(struct machine *m, struct vf *v)
{
	size_t sz = reqring__region_size(RING_ENTRIES);
	int rc;

	v->region = aligned_alloc(4096, ALIGN_UP(sz, (size_t)4096));
	if (!v->region)
		return -ENOMEM;
	if ((rc = reqring__init(&v->cons, v->region, sz, RING_ENTRIES, E82576_RING_SIZE)))
		return rc;
	if ((rc = e82576__ring_add(m->nic, v->fn, &v->cons, 1u << 0)))
		return rc;
	return reqring__attach(&v->prod, v->region, sz, reqring__doorbell_fd(&v->cons));
}

static void build_frames(struct vf *a, const struct vf *b, unsigned size)
{
	for (uint32_t i = 0; i < NDESC; i++) {
		uint8_t *f = a->ram + BUF_BASE + (uint64_t)i * BUF_SIZE;

		memcpy(f, b->mac, 6);
		memcpy(f + 6, a->mac, 6);
		f[12] = 0x88; /* a local experimental EtherType: no offloads to apply */
		f[13] = 0xb5;
		memset(f + 14, (int)i, size - 14);
	}
}

/* Tx reclaim: descriptors with DD written back are free again, up to the first that is not. */
static unsigned tx_reclaim(struct vf *a)
{
	unsigned n = 0;

	while (a->inflight) {
		uint8_t *d = desc(a, TX_RING, a->clean);

		if (!(__atomic_load_n((uint32_t *)(d + 12), __ATOMIC_ACQUIRE) & E1000_TXD_STAT_DD))
			break;
		a->clean = (a->clean + 1) % NDESC;
		a->inflight--;
		n++;
	}
	return n;
}

/* Post batches while the ring has room, each with its own TDT write (the doorbell), up to
 * TX_BURST frames: batch 1 is still one frame per tail write. */
static unsigned tx_post(struct vf *a, unsigned size, unsigned batch)
{
	uint32_t tdt = E82576_RING_OFFSET(0, E1000_VF_TXQ(0) + E1000_QR_TAIL);
	unsigned n = 0;

	while (n < TX_BURST && TX_INFLIGHT_MAX - a->inflight >= batch) {
		for (unsigned j = 0; j < batch; j++) {
			uint8_t *d = desc(a, TX_RING, a->next);

			le64_put(d, BUF_BASE + (uint64_t)a->next * BUF_SIZE);
			le32_put(d + 8, size | E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT |
					    E1000_ADVTXD_DCMD_IFCS | E1000_ADVTXD_DCMD_EOP |
					    E1000_ADVTXD_DCMD_RS);
			__atomic_store_n((uint32_t *)(d + 12), size << E1000_ADVTXD_PAYLEN_SHIFT,
					 __ATOMIC_RELEASE);
			a->next = (a->next + 1) % NDESC;
		}
		a->inflight += batch;
		n += batch;
		reqring__write(&a->prod, tdt, 4, a->next);
	}
	return n;
}

/* Rx: up to NAPI_BUDGET frames with DD, each refilled at once and handed back as igbvf does
 * (igbvf_clean_rx_irq): one RDT write per RX_BUFFER_WRITE buffers ("one at a time is too
 * slow") and one for the rest when the poll ends, whatever the Tx batch. */
static unsigned rx_poll(struct vf *b)
{
	uint32_t rdt = E82576_RING_OFFSET(0, E1000_VF_RXQ(0) + E1000_QR_TAIL);
	unsigned n = 0;

	while (n < NAPI_BUDGET) {
		uint8_t *d = desc(b, RX_RING, b->clean);

		if (!(__atomic_load_n((uint32_t *)(d + 8), __ATOMIC_ACQUIRE) & E1000_RXD_STAT_DD))
			break;
		rx_arm(b, b->clean);
		b->clean = (b->clean + 1) % NDESC;
		n++;
		if (++b->rearmed >= RX_BUFFER_WRITE) {
			reqring__write(&b->prod, rdt, 4, (b->clean + NDESC - 1) % NDESC);
			b->rearmed = 0;
		}
	}
	if (b->rearmed) {
		reqring__write(&b->prod, rdt, 4, (b->clean + NDESC - 1) % NDESC);
		b->rearmed = 0;
	}
	return n;
}

/*
 * The driver's loop, shaped like igbvf under load: the stack sends whenever the Tx ring has room;
 * Tx is cleaned when there is none, and Rx is polled NAPI-style, budget after budget while
 * budgets fill up. A look that finds a ring's next descriptor not done yet is not repeated for
 * LOOK_PERIOD_NS, as an interrupt-moderated driver would wait for its next interrupt: spinning on
 * that descriptor instead would pull its cache line away from the engine writing it back, once
 * per frame, and charge the engine for a cost no real driver imposes.
 */
static uint64_t drive(struct vf *a, struct vf *b, unsigned size, unsigned batch, uint64_t ns)
{
	uint64_t now = now_ns(), end = now + ns, frames = 0;

	while (now < end) {
		unsigned moved = 0, got = 0;

		if (TX_INFLIGHT_MAX - a->inflight < batch && now >= a->next_look) {
			moved = tx_reclaim(a);
			if (!moved)
				a->next_look = now + LOOK_PERIOD_NS;
		}
		moved += tx_post(a, size, batch);
		if (now >= b->next_look) {
			got = rx_poll(b);
			if (got < NAPI_BUDGET)
				b->next_look = now + LOOK_PERIOD_NS;
		}
		frames += got;
		if (!moved && !got)
			for (unsigned i = 0; i < IDLE_PAUSES; i++)
				__builtin_ia32_pause();
		now = now_ns();
	}
	return frames;
}

/*
 * Where the threads run: the driver on the first CPU this thread may use, the engines on the
 * others. The engines inherit this thread's affinity when they are created, so it is narrowed
 * to the others around machine__start, then the driver pins itself. Left to the scheduler, the
 * engine landed on either vCPU of the VM the figures in the log were taken on (145 against 225
 * ns a frame, one vCPU being slower), and now and then on the driver's own CPU, where the two
 * took turns and the engine slept thousands of times a second.
 */
struct placement {
	bool set;
	cpu_set_t all;
	int driver;
};

static void place_engines(struct placement *pl)
{
	cpu_set_t others;

	pl->set = false;
	if (pthread_getaffinity_np(pthread_self(), sizeof(pl->all), &pl->all) ||
	    CPU_COUNT(&pl->all) < 2)
		return;
	for (pl->driver = 0; !CPU_ISSET(pl->driver, &pl->all); pl->driver++)
		;
	others = pl->all;
	CPU_CLR(pl->driver, &others);
	pl->set = !pthread_setaffinity_np(pthread_self(), sizeof(others), &others);
}

static void place_driver(const struct placement *pl)
{
	cpu_set_t one;

	if (!pl->set)
		return;
	CPU_ZERO(&one);
	CPU_SET(pl->driver, &one);
	pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
}

/* The next run's engines are placed afresh: give this thread its whole set back. */
static void place_done(const struct placement *pl)
{
	if (pl->set)
		pthread_setaffinity_np(pthread_self(), sizeof(pl->all), &pl->all);
}

int bench_nic__run(unsigned size, unsigned batch, double seconds, struct bench_nic_result *out)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct machine *m;
	struct context_tables ct;
	struct vf vf[2] = {{.mac = {0x02, 0, 0, 0, 0xa, 0}}, {.mac = {0x02, 0, 0, 0, 0xb, 1}}};
	struct e82576_engine_stats e0, e1;
	struct e82576_dp_stats dp;
	uint64_t t0, t1;
	struct placement pl = {0};
	int rc;

	if (size < 60 || size > BUF_SIZE || batch < 1 || batch > 256)
		return -EINVAL;
	if ((rc = machine__create(&m, &mc)))
		return rc;
	for (unsigned v = 0; v < 2; v++)
		vf[v].fn = &m->nicfn->vf[0][v];
	if ((rc = setup_pf(m, vf)) || (rc = setup_iommu(m, &ct, vf)))
		goto out;
	setup_rings(m, vf);
	for (uint32_t i = 0; i < NDESC; i++)
		rx_arm(&vf[1], i);
	build_frames(&vf[0], &vf[1], size);
	e82576__wr32(m->nic, vf[1].fn, E1000_VF_RXQ(0) + E1000_QR_TAIL, NDESC - 1);
	place_engines(&pl);
	rc = machine__start(m);
	place_driver(&pl);
	if (rc || (rc = attach_ring(m, &vf[0])) || (rc = attach_ring(m, &vf[1])))
		goto out;
	drive(&vf[0], &vf[1], size, batch, 50000000); /* warm up: 50 ms */
	e82576__engine_stats(m->nic, 0, &e0);
	e82576__dp_stats(m->nic, 0, &dp);
	out->drops = 0;
	for (unsigned d = 0; d < E82576_DROP_NR; d++)
		out->drops -= dp.drops[d];
	t0 = now_ns();
	out->frames = drive(&vf[0], &vf[1], size, batch, (uint64_t)(seconds * 1e9));
	t1 = now_ns();
	e82576__engine_stats(m->nic, 0, &e1);
	e82576__dp_stats(m->nic, 0, &dp);
	for (unsigned d = 0; d < E82576_DROP_NR; d++)
		out->drops += dp.drops[d];
	out->size = size;
	out->batch = batch;
	out->mpps = out->frames / ((t1 - t0) / 1e3);
	out->gbps = out->frames * size * 8.0 / (t1 - t0);
	out->engine_ns = out->frames ? (double)(e1.cpu_ns - e0.cpu_ns) / out->frames : 0;
	out->mpps_per_core = out->engine_ns ? 1e3 / out->engine_ns : 0;
	out->sleeps = e1.sleeps - e0.sleeps;
out:
	place_done(&pl);
	e82576__stop(m->nic);
	for (unsigned v = 0; v < 2; v++) {
		if (!vf[v].region)
			continue;
		reqring__destroy(&vf[v].cons);
		free(vf[v].region);
	}
	machine__destroy(m);
	return rc;
}
