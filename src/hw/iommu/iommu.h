/*
 * The IOMMU as hardware: one VT-d style remapping unit (legacy mode) in front of every device DMA
 * and MSI in the machine. It reads its tables (root, context, page tables, interrupt-remapping
 * table) from machine memory, caches what it read (context cache, IOTLB, interrupt-entry cache),
 * and records faults in a ring. Software (the hypervisor, through context.h, pgtable.h and irte.h)
 * writes the tables and then invalidates the caches, exactly as on VT-d (iommu.md §6):
 *
 *   context entry changed  -> iommu__invalidate_context(), then iommu__invalidate_iotlb(domain)
 *   page-table entry changed -> iommu__invalidate_iotlb(page or domain)
 *   IRTE changed           -> iommu__invalidate_iec(index)
 *
 * Until then the unit may go on using what it cached; afterwards it cannot.
 *
 * Threads. Translation and MSI remapping (the device side) run on any number of threads without
 * locks or allocation. Register writes, invalidations and fault reading run on a control thread.
 * An invalidation, once it returns, guarantees that no translation that starts afterwards uses an
 * entry cached before it. It does not wait for translations already in progress (like an IOTLB
 * invalidation with DR = DW = 0): a request that began before it returned may complete with the old
 * mapping. Every cache slot is a seqlock; a miss captures the invalidation generation before it
 * reads any table and fills its slot only if no invalidation ran meanwhile, so a walk that raced
 * with an invalidation never leaves a stale entry behind.
 */
#ifndef VFNET_HW_IOMMU_IOMMU_H
#define VFNET_HW_IOMMU_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/mem/memory.h"
#include "hw/iommu/vtd.h"

struct iommu;

/* Request types: a read needs PTE.R, a write needs PTE.W. */
#define IOMMU_READ  BIT(0)
#define IOMMU_WRITE BIT(1)

/* The most segments iommu__dma_read/iommu__dma_write split one request into. */
#define IOMMU_DMA_MAX_SEGS 64

struct iommu_config {
	unsigned fault_records; /* CAP.NFR + 1, 1..256 */
	unsigned iotlb_entries; /* power of two */
	unsigned sagaw;		/* DMA_CAP_SAGAW_39 and/or DMA_CAP_SAGAW_48 */
	bool superpage_1g;	/* CAP.SLLPS 1 GiB (2 MiB is always supported) */
	bool pass_through;	/* ECAP.PT */
	bool posted;		/* CAP.PI */
};

/* 8 fault records, 1024 IOTLB entries, 3- and 4-level tables, 1 GiB pages, PT, PI. */
void iommu__default_config(struct iommu_config *cfg);

/* The unit translates into @mem, which must outlive it. @cfg NULL means the default. */
int iommu__create(struct iommu **out, struct machine_mem *mem, const struct iommu_config *cfg);
void iommu__destroy(struct iommu *iommu);

/* CAP and ECAP register values (iommu.md §2), for the software side to size its tables. */
uint64_t iommu__cap(const struct iommu *iommu);
uint64_t iommu__ecap(const struct iommu *iommu);
/* Number of domain ids (2^(4 + 2 CAP.ND)). */
unsigned iommu__nr_domains(const struct iommu *iommu);

/* RTADDR + GCMD.SRTP: latch a new root table. Software then invalidates globally. */
void iommu__set_root_table(struct iommu *iommu, uint64_t rtaddr);
/* GCMD.TE. While translation is disabled, DMA addresses are machine addresses (no remapping). */
void iommu__enable_translation(struct iommu *iommu, bool enable);
/* IRTA + GCMD.SIRTP: latch a new interrupt-remapping table (base | EIME | S). */
void iommu__set_irta(struct iommu *iommu, uint64_t irta);
/* GCMD.IRE and GCMD.CFI: with remapping on, compatibility-format MSIs fault unless allowed. */
void iommu__enable_ir(struct iommu *iommu, bool enable, bool compat_allowed);

/* ---- DMA remapping (device side, hot path) ---- */

struct dma_seg {
	void *host; /* where the bytes are in this process */
	uint64_t len;
};

/*
 * Translates the DMA request [@iova, @iova + @len) issued by requester @rid with @access
 * (IOMMU_READ and/or IOMMU_WRITE) into host memory segments, in order, merging segments that are
 * contiguous in host memory. Returns the number of segments (0 for @len 0), or:
 *   -EFAULT  a remapping fault: blocked, and recorded unless the context entry has FPD set;
 *   -EIO     the translation leads outside machine memory (an unsupported request: not recorded);
 *   -E2BIG   more than @max_segs segments would be needed.
 * Nothing is recorded twice: the first faulting page of the range ends the request.
 */
int iommu__translate(struct iommu *iommu, uint16_t rid, uint64_t iova, uint64_t len,
		     unsigned access, struct dma_seg *segs, unsigned max_segs);

/* DMA into or out of machine memory; the whole range is translated before any byte moves, so
 * a request that faults anywhere touches no memory. Returns 0 or the error of iommu__translate. */
int iommu__dma_read(struct iommu *iommu, uint16_t rid, uint64_t iova, void *dst, uint64_t len);
int iommu__dma_write(struct iommu *iommu, uint16_t rid, uint64_t iova, const void *src,
		     uint64_t len);

/* ---- Invalidation (software side, control thread) ---- */

/* CCMD: @cirg is DMA_CCMD_GLOBAL_INVL, _DOMAIN_INVL (@did) or _DEVICE_INVL (@sid with function
 * mask @fm: ignore the low @fm bits of the function number). -EINVAL for a bad request. */
int iommu__invalidate_context(struct iommu *iommu, unsigned cirg, uint16_t did, uint16_t sid,
			      unsigned fm);
/* IOTLB + IVA: @iirg is DMA_TLB_GLOBAL_FLUSH, _DSI_FLUSH (@did) or _PSI_FLUSH (@did, 2^@am pages
 * from @addr, which must be aligned to that size; @am <= CAP.MAMV). Entries of superpages that
 * overlap the range go too. -EINVAL for a bad request. */
int iommu__invalidate_iotlb(struct iommu *iommu, unsigned iirg, uint16_t did, uint64_t addr,
			    unsigned am);
/* Interrupt-entry cache: IEC_GLOBAL_INVL, or IEC_INDEX_INVL for 2^@im entries from @index. */
int iommu__invalidate_iec(struct iommu *iommu, unsigned granularity, unsigned index, unsigned im);

/* ---- Fault log (iommu.md §5) ---- */

struct iommu_fault {
	uint64_t addr;	/* faulting page address; for interrupt faults the IRT index << 48 (FI) */
	uint16_t sid;	/* requester id */
	uint8_t reason; /* VTD_FR_* */
	bool write;	/* T = 0: a write request (every interrupt request is a write) */
};

/* FSTS: DMA_FSTS_PFO, DMA_FSTS_PPF and the index of the oldest pending record in FRI. */
uint32_t iommu__fault_status(struct iommu *iommu);
/* Write-1-to-clear FSTS bits (DMA_FSTS_PFO). */
void iommu__fault_clear_status(struct iommu *iommu, uint32_t bits);
/* Fault recording register @index: 0 and the record when its F bit is set, -ENOENT when not,
 * -EINVAL beyond CAP.NFR. */
int iommu__fault_read(struct iommu *iommu, unsigned index, struct iommu_fault *rec);
/* Clears F of record @index, freeing the slot for the hardware. */
int iommu__fault_clear(struct iommu *iommu, unsigned index);
/* Reads and clears the oldest pending record; -ENOENT when there is none. */
int iommu__fault_pop(struct iommu *iommu, struct iommu_fault *rec);
/* Called (on the faulting thread) after each new record: the fault-event interrupt. */
void iommu__set_fault_event(struct iommu *iommu, void (*fn)(void *opaque), void *opaque);
/* Short text for a VTD_FR_* reason code ("context not present", ...). */
const char *iommu__fault_reason_str(unsigned reason);

/* ---- Interrupt remapping (device side) ---- */

enum ir_kind {
	IR_COMPAT,   /* compatibility format passed through (remapping off, or CFI set) */
	IR_REMAPPED, /* IRTE remapped format */
	IR_POSTED,   /* IRTE posted format */
};

struct ir_target {
	enum ir_kind kind;
	uint8_t vector; /* the vector to deliver (from the IRTE; the MSI data's is ignored) */
	uint32_t dest; /* remapped: IRTE.DST, in vfnet the destination domain id; compat: APIC id */
	bool dm, tm, rh; /* destination mode, trigger mode, redirection hint */
	uint8_t dlm;	 /* delivery mode */
	uint64_t pda;	 /* posted: machine address of the posted-interrupt descriptor */
	bool urgent;	 /* posted: IRTE.URG */
	uint16_t index;	 /* the IRTE used (remapped and posted) */
};

/*
 * Decodes the MSI write (@addr, @data) from requester @rid through the interrupt-remapping
 * table. Returns 0 and the target, -EINVAL when @addr is not an interrupt address, -EOPNOTSUPP for
 * a remappable-format message while remapping is off, or -EFAULT for an interrupt-remapping fault
 * (VTD_FR_IR_*, recorded unless the IRTE has FPD set).
 */
int iommu__remap_msi(struct iommu *iommu, uint16_t rid, uint64_t addr, uint32_t data,
		     struct ir_target *out);

/* Posts an IR_POSTED target into its descriptor: 1 when the caller must send the notification
 * (once), 0 when it coalesced, -EFAULT when the descriptor is not in machine memory. */
int iommu__post(struct iommu *iommu, const struct ir_target *target);

/* ---- Counters ---- */

struct iommu_stats {
	uint64_t translations; /* iommu__translate calls, including DMA reads and writes */
	uint64_t iotlb_hits;   /* per page looked up */
	uint64_t iotlb_misses; /* page walks */
	uint64_t context_hits;
	uint64_t context_misses;    /* root + context table reads */
	uint64_t faults;	    /* DMA and interrupt faults, recorded or not */
	uint64_t faults_suppressed; /* not recorded because of FPD */
	uint64_t faults_lost;	    /* not recorded because the ring was full (PFO) */
	uint64_t aborts;	    /* translations that led outside machine memory */
	uint64_t interrupts;	    /* MSIs remapped or passed through */
};

/* A snapshot; counts made on more than 64 threads at once may lose an increment. */
void iommu__stats(const struct iommu *iommu, struct iommu_stats *stats);

#endif
