/*
 * Inside the remapping unit: its registers, caches, fault log and counters, and the functions its
 * files share. Only the unit's own .c files include this; everyone else uses iommu.h.
 */
#ifndef VFNET_HW_IOMMU_UNIT_H
#define VFNET_HW_IOMMU_UNIT_H

#include <pthread.h>

#include "hw/iommu/iommu.h"
#include "lib/seqlock.h"

#define CTX_CACHE_ENTRIES 256 /* direct-mapped by RID */
#define IEC_ENTRIES	  256 /* direct-mapped by IRT index */
#define IOMMU_STAT_SHARDS 64
#define IOMMU_MAMV	  18 /* page-selective invalidation up to 2^18 pages (1 GiB) */
#define IOMMU_ND	  6  /* 2^16 domain ids */
#define IOMMU_MGAW	  48

/* A context entry as the unit uses it (decoded and checked). */
struct vtd_ctx {
	uint64_t slptptr; /* second-level page-table root */
	uint16_t did;
	uint8_t tt;	/* VTD_CTX_TT_* */
	uint8_t levels; /* 3 or 4 */
	uint8_t width;	/* input address width in bits */
	bool fpd;	/* fault processing disabled */
};

/* A leaf of the second-level page table: what an IOTLB entry remembers. */
struct vtd_leaf {
	uint64_t base;	/* input address of the leaf page */
	uint64_t maddr; /* machine address of the leaf page */
	uint8_t *host;	/* host address of the leaf page, NULL when not all in one region */
	uint8_t shift;	/* page size: 12, 21 or 30 */
	uint8_t perm;	/* VTD_PTE_R | VTD_PTE_W, ANDed over the walk */
};

struct ctx_cache_entry {
	struct seqlock lock;
	bool valid;
	uint16_t rid;
	struct vtd_ctx ctx;
};

struct iotlb_entry {
	struct seqlock lock;
	bool valid;
	uint16_t did;
	struct vtd_leaf leaf;
};

struct iec_entry {
	struct seqlock lock;
	bool valid;
	uint16_t index;
	uint64_t lo, hi;
};

struct fault_log {
	pthread_mutex_t lock;
	struct iommu_fault *rec;
	bool *f; /* F bit of each record */
	unsigned nr;
	unsigned next; /* where the next fault is recorded */
	uint32_t pfo;  /* FSTS.PFO */
	uint64_t faults, suppressed, lost;
	void (*event)(void *opaque);
	void *opaque;
};

/* Counters of one thread (or a few, beyond IOMMU_STAT_SHARDS threads), on their own line. */
struct iommu_shard {
	uint64_t translations, iotlb_hits, iotlb_misses, context_hits, context_misses, aborts,
	    interrupts;
} __attribute__((aligned(64)));

struct iommu {
	struct machine_mem *mem;
	struct iommu_config cfg;
	uint64_t cap, ecap;

	/* Registers: written by the control thread, read by translators (atomics). */
	uint64_t rtaddr;
	bool te;
	uint64_t irta;
	bool ire, cfi;

	/* Bumped by every invalidation before it clears anything (see iommu.h). */
	uint64_t inv_gen;

	struct ctx_cache_entry ctx_cache[CTX_CACHE_ENTRIES];
	struct iec_entry iec[IEC_ENTRIES];
	struct iotlb_entry *iotlb;
	unsigned iotlb_mask;

	struct fault_log faults;
	struct iommu_shard shards[IOMMU_STAT_SHARDS];
};

#define STAT_INC(s, field) WRITE_ONCE((s)->field, READ_ONCE((s)->field) + 1)

/* The calling thread's counters: a shard picked once per thread (iommu.c). */
extern __thread unsigned iommu_stat_shard;
unsigned iommu__pick_shard(void);

static inline struct iommu_shard *iommu__shard(struct iommu *iommu)
{
	unsigned s = iommu_stat_shard;

	if (unlikely(s == ~0u))
		s = iommu__pick_shard();
	return &iommu->shards[s];
}

/* Starts an invalidation: later fills of slots by walks that began earlier are dropped. */
static inline void iommu__inv_begin(struct iommu *iommu)
{
	__atomic_fetch_add(&iommu->inv_gen, 1, __ATOMIC_ACQ_REL);
}

static inline uint64_t iommu__inv_gen(const struct iommu *iommu)
{
	return __atomic_load_n(&iommu->inv_gen, __ATOMIC_ACQUIRE);
}

/* Reads a 128-bit table entry that software may be rewriting: low, high, then low again (software
 * clears P in the low qword first, see context.c and irte.c), so that the pair is consistent. */
static inline void vtd__read_entry(const uint64_t *e, uint64_t *lo, uint64_t *hi)
{
	uint64_t again;

	do {
		*lo = __atomic_load_n(&e[0], __ATOMIC_ACQUIRE);
		*hi = __atomic_load_n(&e[1], __ATOMIC_ACQUIRE);
		again = __atomic_load_n(&e[0], __ATOMIC_ACQUIRE);
	} while (again != *lo);
}

/* walk.c: table reads. Return 0 or a VTD_FR_* reason. */
int walk__context(struct iommu *iommu, uint16_t rid, struct vtd_ctx *ctx, bool *fpd);
int walk__pages(struct iommu *iommu, const struct vtd_ctx *ctx, uint64_t iova, unsigned access,
		struct vtd_leaf *leaf);

/* context_cache.c */
static inline struct ctx_cache_entry *ctx_cache__slot(struct iommu *iommu, uint16_t rid)
{
	return &iommu->ctx_cache[(rid ^ (rid >> 8)) & (CTX_CACHE_ENTRIES - 1)];
}

/* The cached context of @rid, if any. Inline: it is on every translation. */
static inline bool ctx_cache__lookup(struct iommu *iommu, uint16_t rid, struct vtd_ctx *ctx)
{
	struct ctx_cache_entry *e = ctx_cache__slot(iommu, rid);
	uint32_t seq = seqlock__read_begin(&e->lock);
	bool hit = READ_ONCE(e->valid) && READ_ONCE(e->rid) == rid;

	ctx->slptptr = READ_ONCE(e->ctx.slptptr);
	ctx->did = READ_ONCE(e->ctx.did);
	ctx->tt = READ_ONCE(e->ctx.tt);
	ctx->levels = READ_ONCE(e->ctx.levels);
	ctx->width = READ_ONCE(e->ctx.width);
	ctx->fpd = READ_ONCE(e->ctx.fpd);
	return hit && !seqlock__read_retry(&e->lock, seq);
}
void ctx_cache__fill(struct iommu *iommu, uint16_t rid, const struct vtd_ctx *ctx, uint64_t gen);

/* iotlb.c */
int iotlb__init(struct iommu *iommu, unsigned entries);
void iotlb__fini(struct iommu *iommu);
static inline struct iotlb_entry *iotlb__slot(struct iommu *iommu, uint16_t did, uint64_t iova)
{
	/* Consecutive pages of one domain go to consecutive slots; domains are spread apart. */
	return &iommu->iotlb[((iova >> VTD_PAGE_SHIFT) + did * 0x9e5u) & iommu->iotlb_mask];
}

/* The cached leaf that maps @iova in domain @did, if any. Inline: on every page translated. */
static inline bool iotlb__lookup(struct iommu *iommu, uint16_t did, uint64_t iova,
				 struct vtd_leaf *leaf)
{
	struct iotlb_entry *e = iotlb__slot(iommu, did, iova);
	uint32_t seq = seqlock__read_begin(&e->lock);
	bool hit;

	leaf->base = READ_ONCE(e->leaf.base);
	leaf->shift = READ_ONCE(e->leaf.shift);
	hit = READ_ONCE(e->valid) && READ_ONCE(e->did) == did &&
	      (iova & ~((1ull << leaf->shift) - 1)) == leaf->base;
	leaf->maddr = READ_ONCE(e->leaf.maddr);
	leaf->host = READ_ONCE(e->leaf.host);
	leaf->perm = READ_ONCE(e->leaf.perm);
	return hit && !seqlock__read_retry(&e->lock, seq);
}
void iotlb__fill(struct iommu *iommu, uint16_t did, uint64_t iova, const struct vtd_leaf *leaf,
		 uint64_t gen);

/* iec.c */
bool iec__lookup(struct iommu *iommu, uint16_t index, uint64_t *lo, uint64_t *hi);
void iec__fill(struct iommu *iommu, uint16_t index, uint64_t lo, uint64_t hi, uint64_t gen);

/* fault.c */
int fault__init(struct fault_log *log, unsigned nr);
void fault__fini(struct fault_log *log);
/* Records (or suppresses, with @fpd) one fault. */
void fault__record(struct iommu *iommu, uint16_t sid, uint64_t addr, uint8_t reason, bool write,
		   bool fpd);

#endif
