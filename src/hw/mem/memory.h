/*
 * The machine's physical address space: non-overlapping regions of host memory, each backed by
 * its own memfd and placed at a fixed machine address. A domain's RAM is one region, which the
 * domain process maps too (through the region's fd).
 *
 * Threads: regions are added and removed by one control thread; lookups (mem__ptr, mem__find)
 * may run concurrently on any thread without locks. A region may be removed only when nothing can
 * reach it any more: no IOMMU context or cached translation points into it and no DMA is in flight
 * (the IOTLB holds host pointers into regions).
 */
#ifndef VFNET_HW_MEM_MEMORY_H
#define VFNET_HW_MEM_MEMORY_H

#include <stdint.h>

#include "lib/memfd.h"
#include "lib/seqlock.h"

#define MEM_PAGE_SHIFT	12
#define MEM_PAGE_SIZE	(1ull << MEM_PAGE_SHIFT)
#define MEM_MAX_REGIONS 32
#define MEM_NAME_LEN	32

struct mem_region {
	struct seqlock lock; /* lets lookups run while a slot is (re)used */
	uint64_t base;	     /* machine address of the first byte */
	uint64_t size;	     /* 0: free slot */
	uint8_t *host;	     /* where this process sees the region */
	struct memfd mfd;    /* mfd.fd shares the region with a domain process */
	char name[MEM_NAME_LEN];
};

struct machine_mem {
	struct mem_region regions[MEM_MAX_REGIONS];
	unsigned nr; /* slots in use or once used: lookups scan [0, nr) */
};

void mem__init(struct machine_mem *mem);
/* Removes every region. */
void mem__fini(struct machine_mem *mem);

/*
 * Creates a zeroed region of @size bytes at machine address @base, both page-aligned.
 * -EINVAL for a bad range, -EEXIST when it overlaps a region, -ENOSPC when all slots are used.
 * On success *@out (if not NULL) points at the region until it is removed.
 */
int mem__add(struct machine_mem *mem, const char *name, uint64_t base, uint64_t size,
	     const struct mem_region **out);

/* Removes the region that starts at @base (see the rule above). -ENOENT if there is none. */
int mem__remove(struct machine_mem *mem, uint64_t base);

/* The region containing @maddr, or NULL. Only for the control thread (the slot may be reused). */
const struct mem_region *mem__find(const struct machine_mem *mem, uint64_t maddr);

/*
 * Host pointer for machine range [@maddr, @maddr + @len) when it lies entirely inside one region,
 * else NULL. @len 0 is treated as 1.
 */
void *mem__ptr(const struct machine_mem *mem, uint64_t maddr, uint64_t len);

/* Host pointer for @maddr and, in *@avail, how many bytes from there lie in the same region;
 * NULL (and 0) when @maddr is in no region. */
void *mem__span(const struct machine_mem *mem, uint64_t maddr, uint64_t *avail);

#endif
