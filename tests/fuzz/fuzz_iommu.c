/*
 * libFuzzer target for the IOMMU: a random sequence of driver operations (map, unmap, attach,
 * invalidate, IRTE writes) and device requests (translate, DMA, MSI) against a small machine,
 * checked against a shadow model of what each requester may reach:
 *   - a translation only yields host memory that the requester's domain maps now, or mapped at
 *     some point since the last invalidation covering that page (a stale IOTLB entry);
 *   - a fault is only reported for a page that lacks the permission (now or stale);
 *   - a DMA write that fails changes no memory it could have reached;
 *   - a failed map leaves nothing of its range mapped; nothing crashes (ASan, UBSan).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/iommu/context.h"
#include "hw/iommu/irte.h"
#include "hw/iommu/iommu.h"
#include "hw/iommu/pgtable.h"
#include "hw/iommu/posted.h"
#include "hw/mem/pool.h"

#define PAGE	  4096ull
#define RAM_BASE  0x400000ull
#define RAM_SIZE  (4ull << 20)
#define POOL_BASE 0x1000000ull
#define PI_BASE	  0x2000000ull
#define NDOM	  3
#define NPAGES	  2048 /* the model covers iova [0, 8 MiB) */
#define NHIST	  6
#define NRID	  4
#define IRT_SIZE  32
#define MAX_OPS	  64

/* A page's state: machine page number << 2 | perms (0: not mapped). */
struct page_model {
	uint32_t cur;
	uint8_t nhist; /* NHIST + 1: too many to remember, anything goes */
	uint32_t hist[NHIST];
};

enum rid_state { RID_ROOTLESS, RID_BLOCK, RID_SILENT, RID_PT, RID_DOM };

static struct {
	struct machine_mem mem;
	struct mem_pool pool;
	struct iommu *iommu;
	struct context_tables ct;
	struct ir_table irt;
	struct dma_domain dom[NDOM];
	uint8_t *ram;
	uint8_t shadow[RAM_SIZE];
	uint64_t dirty[RAM_SIZE / PAGE / 64]; /* RAM pages written since the machine was clean */
	bool built;
	struct page_model pages[NDOM][NPAGES];
	enum rid_state rid_state[NRID];
	unsigned rid_dom[NRID];
	bool te;
} m;

static const uint16_t rids[NRID] = {0x0100, 0x0101, 0x0108, 0x0200};

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

#define check(ok) ((ok) ? (void)0 : failed(__LINE__, #ok))

static void failed(int line, const char *what)
{
	fprintf(stderr, "fuzz_iommu.c:%d: check failed: %s\n", line, what);
	abort();
}

static void remember(struct page_model *pg, uint32_t state)
{
	if (pg->nhist > NHIST)
		return;
	for (unsigned i = 0; i < pg->nhist; i++)
		if (pg->hist[i] == state)
			return;
	if (pg->nhist == NHIST)
		pg->nhist++;
	else
		pg->hist[pg->nhist++] = state;
}

static void set_page(unsigned d, uint64_t pfn, uint32_t state)
{
	m.pages[d][pfn].cur = state;
	remember(&m.pages[d][pfn], state);
}

/* An invalidation covering the page: only what is mapped now may be used. */
static void forget(unsigned d, uint64_t pfn)
{
	struct page_model *pg = &m.pages[d][pfn];

	pg->nhist = 1;
	pg->hist[0] = pg->cur;
}

static void forget_domain(unsigned d)
{
	for (uint64_t p = 0; p < NPAGES; p++)
		forget(d, p);
}

/* The memory and the page pool live across inputs (creating them costs more than a run); the
 * unit, its tables and the domains are made anew for every input. */
static void build_machine(void)
{
	const struct mem_region *r;

	mem__init(&m.mem);
	check(!mem_pool__init(&m.pool, &m.mem, "hyp", POOL_BASE, 1 << 20));
	check(!mem__add(&m.mem, "ram", RAM_BASE, RAM_SIZE, &r));
	m.ram = r->host;
	check(!mem__add(&m.mem, "pi", PI_BASE, PAGE, NULL));
	m.built = true;
}

static void setup(void)
{
	struct iommu_config cfg;

	if (!m.built)
		build_machine();
	for (unsigned i = 0; i < RAM_SIZE / PAGE; i++) {
		if (!(m.dirty[i / 64] & BIT64(i % 64)))
			continue;
		memset(m.ram + i * PAGE, 0, PAGE);
		memset(m.shadow + i * PAGE, 0, PAGE);
	}
	memset(m.dirty, 0, sizeof(m.dirty));
	/* A small IOTLB: more evictions, and invalidations that cost little. */
	iommu__default_config(&cfg);
	cfg.iotlb_entries = 64;
	cfg.fault_records = 4;
	check(!iommu__create(&m.iommu, &m.mem, &cfg));
	check(!context__init(&m.ct, &m.pool, m.iommu));
	check(!ir_table__init(&m.irt, &m.pool, m.iommu, IRT_SIZE, true));
	for (unsigned d = 0; d < NDOM; d++)
		check(!dma_domain__create(&m.dom[d], &m.pool, m.iommu, (uint16_t)(d + 1),
					  d == 2 ? VTD_AW_39BIT : VTD_AW_48BIT));
	memset(m.pages, 0, sizeof(m.pages));
	for (unsigned d = 0; d < NDOM; d++)
		for (unsigned p = 0; p < NPAGES; p++)
			m.pages[d][p].nhist = 1; /* hist[0] = 0: unmapped */
	memset(m.rid_state, 0, sizeof(m.rid_state));
	m.te = true;
}

/* Everything goes back to the pool, which must then be as full as at the start. */
static void teardown(void)
{
	for (unsigned d = 0; d < NDOM; d++)
		dma_domain__destroy(&m.dom[d]);
	ir_table__fini(&m.irt);
	context__fini(&m.ct);
	iommu__destroy(m.iommu);
	check(m.pool.nfree == m.pool.npages);
}

static void op_map(struct input *in)
{
	unsigned d = (unsigned)take(in, 1) % NDOM, perms = (unsigned)take(in, 1) % 3 + 1;
	uint64_t iova = take(in, 2) % NPAGES, n = take(in, 2) % 1024 + 1;
	uint64_t mpfn = take(in, 2) % 1536; /* some beyond RAM */
	bool exists = false;
	int err;

	if (take(in, 1) & 1) { /* aim for superpages */
		iova &= ~511ull;
		mpfn &= ~511ull;
		n = 512;
	}
	n = MIN(n, NPAGES - iova);
	for (uint64_t p = iova; p < iova + n; p++)
		exists |= m.pages[d][p].cur != 0;
	err = dma_domain__map(&m.dom[d], iova * PAGE, RAM_BASE + mpfn * PAGE, n * PAGE, perms);
	check(err == (exists ? -EEXIST : 0));
	for (uint64_t p = iova; !err && p < iova + n; p++)
		set_page(d, p, (uint32_t)((RAM_BASE / PAGE + mpfn + p - iova) << 2 | perms));
}

static void op_unmap(struct input *in)
{
	unsigned d = (unsigned)take(in, 1) % NDOM;
	uint64_t iova = take(in, 2) % NPAGES, n = take(in, 2) % 1024 + 1;

	n = MIN(n, NPAGES - iova);
	check(!dma_domain__unmap(&m.dom[d], iova * PAGE, n * PAGE));
	for (uint64_t p = iova; p < iova + n; p++)
		set_page(d, p, 0);
}

static void op_invalidate(struct input *in)
{
	unsigned kind = (unsigned)take(in, 1) % 3, d = (unsigned)take(in, 1) % NDOM;
	uint64_t pfn = take(in, 2) % NPAGES;
	unsigned am = (unsigned)take(in, 1) % 11;
	int err;

	if (kind == 0) {
		check(!iommu__invalidate_iotlb(m.iommu, DMA_TLB_GLOBAL_FLUSH, 0, 0, 0));
		for (unsigned i = 0; i < NDOM; i++)
			forget_domain(i);
	} else if (kind == 1) {
		check(
		    !iommu__invalidate_iotlb(m.iommu, DMA_TLB_DSI_FLUSH, (uint16_t)(d + 1), 0, 0));
		forget_domain(d);
	} else {
		err = iommu__invalidate_iotlb(m.iommu, DMA_TLB_PSI_FLUSH, (uint16_t)(d + 1),
					      pfn * PAGE, am);
		check(err == ((pfn & ((1u << am) - 1)) ? -EINVAL : 0));
		for (uint64_t p = pfn; !err && p < MIN(pfn + (1u << am), NPAGES); p++)
			forget(d, p);
	}
}

static void op_attach(struct input *in)
{
	unsigned r = (unsigned)take(in, 1) % NRID, what = (unsigned)take(in, 1) % (NDOM + 3);
	enum rid_state old = m.rid_state[r];
	unsigned old_dom = m.rid_dom[r];

	if (what < NDOM) {
		check(!context__attach(&m.ct, rids[r], &m.dom[what]));
		m.rid_state[r] = RID_DOM;
		m.rid_dom[r] = what;
	} else if (what == NDOM) {
		check(!context__passthrough(&m.ct, rids[r], 9));
		m.rid_state[r] = RID_PT;
	} else {
		check(!context__block(&m.ct, rids[r], what == NDOM + 2));
		m.rid_state[r] = what == NDOM + 2 ? RID_SILENT : RID_BLOCK;
	}
	/* Replacing a present entry flushed the old domain's IOTLB (context.c). */
	if (old == RID_DOM)
		forget_domain(old_dom);
}

/* May page @pfn of domain @d translate to machine page @mpfn for @access now? */
static bool allowed(unsigned d, uint64_t pfn, uint64_t mpfn, unsigned access)
{
	const struct page_model *pg;

	if (pfn >= NPAGES)
		return false;
	pg = &m.pages[d][pfn];
	if (pg->nhist > NHIST)
		return true;
	for (unsigned i = 0; i < pg->nhist; i++)
		if ((pg->hist[i] >> 2) == mpfn && (pg->hist[i] & access) == access)
			return true;
	return false;
}

/* Could page @pfn of domain @d fault for @access? (unmapped or lacking it, now or stale) */
static bool may_fault(unsigned d, uint64_t pfn, unsigned access)
{
	const struct page_model *pg;

	if (pfn >= NPAGES)
		return true;
	pg = &m.pages[d][pfn];
	if (pg->nhist > NHIST)
		return true;
	for (unsigned i = 0; i < pg->nhist; i++)
		if ((pg->hist[i] & access) != access)
			return true;
	return false;
}

/* Checks the segments of a successful translation, page by page. */
static void check_segments(unsigned r, uint64_t iova, uint64_t len, unsigned access,
			   const struct dma_seg *segs, int n)
{
	uint64_t done = 0, seg_off = 0;
	int s = 0;

	while (done < len) {
		uint64_t a = iova + done, chunk = MIN(len - done, PAGE - (a & (PAGE - 1)));
		uint8_t *host;

		check(s < n && segs[s].len - seg_off >= chunk);
		host = (uint8_t *)segs[s].host + seg_off;
		if (!m.te || m.rid_state[r] == RID_PT) {
			check(host == mem__ptr(&m.mem, a, chunk));
		} else {
			check(m.rid_state[r] == RID_DOM);
			check(host >= m.ram && host + chunk <= m.ram + RAM_SIZE);
			check(((uint64_t)(host - m.ram) & (PAGE - 1)) == (a & (PAGE - 1)));
			check(allowed(m.rid_dom[r], a / PAGE,
				      (RAM_BASE + (uint64_t)(host - m.ram)) / PAGE, access));
		}
		done += chunk;
		seg_off += chunk;
		if (seg_off == segs[s].len) {
			s++;
			seg_off = 0;
		}
	}
	check(s == n);
}

/* Checks a failed translation: the record (if any) names a page that may fault. */
static void check_failure(unsigned r, uint64_t iova, unsigned access, int err)
{
	struct iommu_fault rec;
	bool recorded = !iommu__fault_pop(m.iommu, &rec);

	if (err == -E2BIG || err == -EIO) {
		/* Too many segments, or an address that is not memory: nothing is recorded. */
		check(!recorded && (err == -E2BIG || !m.te || m.rid_state[r] == RID_PT ||
				    m.rid_state[r] == RID_DOM));
		return;
	}
	check(err == -EFAULT && m.te && m.rid_state[r] != RID_PT);
	if (m.rid_state[r] == RID_SILENT) {
		check(!recorded);
		return;
	}
	check(recorded && rec.sid == rids[r] && rec.write == !!(access & IOMMU_WRITE));
	if (m.rid_state[r] == RID_BLOCK) {
		check(rec.reason == VTD_FR_CTX_NOT_PRESENT);
		return;
	}
	if (m.rid_state[r] == RID_ROOTLESS) {
		/* 0x1 until some requester on the bus got a context table. */
		check(rec.reason == VTD_FR_ROOT_NOT_PRESENT ||
		      rec.reason == VTD_FR_CTX_NOT_PRESENT);
		return;
	}
	check(rec.addr >= (iova & ~(PAGE - 1)));
	if (rec.reason == VTD_FR_ADDR_BEYOND_MGAW)
		check(rec.addr >> (m.rid_dom[r] == 2 ? 39 : 48));
	else
		check((rec.reason == VTD_FR_READ || rec.reason == VTD_FR_WRITE) &&
		      may_fault(m.rid_dom[r], rec.addr / PAGE, access));
}

static uint64_t pick_iova(struct input *in)
{
	uint64_t v = take(in, 3);

	switch (v & 3) {
	case 0: /* near the top of a domain's width */
		return ((v & 4) ? (1ull << 48) : (1ull << 39)) - ((v >> 3) & 0x3fff);
	case 1: /* machine addresses, for pass-through and TE off */
		return RAM_BASE + (v >> 2) % (RAM_SIZE + PAGE);
	default:
		return (v >> 2) % (NPAGES * PAGE);
	}
}

static void op_translate(struct input *in)
{
	unsigned r = (unsigned)take(in, 1) % NRID, access = (unsigned)take(in, 1) % 3 + 1;
	uint64_t iova = pick_iova(in), len = take(in, 2) % (3 * PAGE);
	struct dma_seg segs[4];
	int n = iommu__translate(m.iommu, rids[r], iova, len, access, segs, 4);

	if (n >= 0)
		check_segments(r, iova, len, access, segs, n);
	else
		check_failure(r, iova, access, n);
}

/* After a failed write: no RAM page that any page of the range maps (now or stale) changed. */
static void check_untouched(unsigned r, uint64_t iova, uint64_t len)
{
	for (uint64_t pfn = iova / PAGE; pfn <= (iova + len - 1) / PAGE; pfn++) {
		const struct page_model *pg;
		uint64_t off;

		if (!m.te || m.rid_state[r] == RID_PT) {
			off = pfn * PAGE - RAM_BASE;
			check(off >= RAM_SIZE || !memcmp(m.ram + off, m.shadow + off, PAGE));
			continue;
		}
		if (m.rid_state[r] != RID_DOM || pfn >= NPAGES)
			continue;
		pg = &m.pages[m.rid_dom[r]][pfn];
		for (unsigned i = 0; i < MIN(pg->nhist, NHIST); i++) {
			off = (uint64_t)(pg->hist[i] >> 2) * PAGE - RAM_BASE;
			check(!pg->hist[i] || off >= RAM_SIZE ||
			      !memcmp(m.ram + off, m.shadow + off, PAGE));
		}
	}
}

static void op_dma_write(struct input *in)
{
	unsigned r = (unsigned)take(in, 1) % NRID;
	uint64_t iova = pick_iova(in), len = take(in, 2) % (3 * PAGE) + 1;
	uint8_t buf[3 * PAGE];
	struct dma_seg segs[IOMMU_DMA_MAX_SEGS];
	int err, n;

	memset(buf, (int)take(in, 1) | 1, len);
	err = iommu__dma_write(m.iommu, rids[r], iova, buf, len);
	n = iommu__translate(m.iommu, rids[r], iova, len, IOMMU_WRITE, segs, IOMMU_DMA_MAX_SEGS);
	if (!err) {
		check(n > 0);
		check_segments(r, iova, len, IOMMU_WRITE, segs, n);
		for (int i = 0; i < n; i++) {
			uint64_t off = (uint64_t)((uint8_t *)segs[i].host - m.ram);

			if (off >= RAM_SIZE)
				continue;
			memcpy(m.shadow + off, segs[i].host, segs[i].len);
			for (uint64_t pg = off / PAGE; pg <= (off + segs[i].len - 1) / PAGE; pg++)
				m.dirty[pg / 64] |= BIT64(pg % 64);
		}
		return;
	}
	check(n == err);
	check_failure(r, iova, IOMMU_WRITE, err);
	while (!iommu__fault_pop(m.iommu, &(struct iommu_fault){0}))
		;
	check_untouched(r, iova, len);
}

static void op_irte(struct input *in)
{
	unsigned idx = (unsigned)take(in, 1) % (IRT_SIZE + 8);
	uint64_t f = take(in, 8);
	struct irte e = {
	    .present = f & 1,
	    .fpd = f & 2,
	    .posted = f & 4,
	    .vector = (uint8_t)(f >> 8),
	    .dest = (uint32_t)(f >> 16) & 0xffff,
	    .dm = f & 8,
	    .tm = f & 16,
	    .dlm = (f >> 5) & 7,
	    .pda = PI_BASE + ((f >> 32) & 63) * 64,
	    .urgent = f & 0x10000,
	    .sid = rids[(f >> 40) % NRID],
	    .sq = (f >> 44) & 3,
	    .svt = (uint8_t)((f >> 46) % 3),
	};
	int err = ir_table__set(&m.irt, idx, &e);

	check(err == (idx >= IRT_SIZE ? -EINVAL : 0));
}

static void op_irte_raw(struct input *in)
{
	unsigned idx = (unsigned)take(in, 1) % IRT_SIZE;
	uint64_t *e = (uint64_t *)mem_pool__ptr(&m.pool, m.irt.base) + 2 * idx;

	e[0] = take(in, 8);
	e[1] = take(in, 8);
	if (take(in, 1) & 1)
		check(!iommu__invalidate_iec(m.iommu, IEC_INDEX_INVL, idx, 0));
}

static void op_msi(struct input *in)
{
	unsigned r = (unsigned)take(in, 1) % NRID;
	uint64_t addr = 0xfee00000u | (take(in, 3) & 0xfffff);
	uint32_t data = (uint32_t)take(in, 4);
	struct ir_target t;
	uint64_t pending[4];
	int err = iommu__remap_msi(m.iommu, rids[r], addr, data, &t);

	while (!iommu__fault_pop(m.iommu, &(struct iommu_fault){0}))
		;
	if (err || t.kind != IR_POSTED)
		return;
	check(t.index < IRT_SIZE);
	if (t.pda >= PI_BASE && t.pda < PI_BASE + PAGE) {
		check(iommu__post(m.iommu, &t) >= 0);
		if (data & 1)
			pi_desc__take(mem__ptr(&m.mem, t.pda & ~63ull, 64), pending);
	}
}

static void op_misc(struct input *in)
{
	unsigned v = (unsigned)take(in, 1);

	switch (v % 5) {
	case 0:
		m.te = !m.te;
		iommu__enable_translation(m.iommu, m.te);
		break;
	case 1:
		iommu__enable_ir(m.iommu, v & 8, v & 16);
		break;
	case 2:
		check(!iommu__invalidate_context(m.iommu, (v >> 3) % 3 + 1, (uint16_t)(v >> 5),
						 rids[(v >> 3) % NRID], (v >> 6) & 3));
		break;
	case 3:
		check(!iommu__invalidate_iec(m.iommu, IEC_GLOBAL_INVL, 0, 0));
		break;
	default:
		while (!iommu__fault_pop(m.iommu, &(struct iommu_fault){0}))
			;
		iommu__fault_clear_status(m.iommu, DMA_FSTS_PFO);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const ops[])(struct input *) = {
	    op_map,	  op_map,	op_unmap, op_invalidate, op_attach, op_translate,
	    op_translate, op_dma_write, op_irte,  op_irte_raw,	 op_msi,    op_misc,
	};
	struct input in = {data, size};
	unsigned nops = 0;

	setup();
	/* Long sequences find little that short ones do not, and cost exec/s. */
	while (in.left && nops++ < MAX_OPS) {
		ops[take(&in, 1) % ARRAY_SIZE(ops)](&in);
		/* Keep the ring from overflowing between checks: a lost record is not a bug. */
		if (iommu__fault_status(m.iommu) & DMA_FSTS_PFO)
			check(false);
	}
	teardown();
	return 0;
}
