/*
 * Page allocator over one "hypervisor" memory region: the pages the IOMMU driver uses for its own
 * tables (root and context tables, page tables, the interrupt-remapping table). Pages are handed
 * out by machine address, zeroed. Calls are serialised by an internal mutex (control path only).
 */
#ifndef VFNET_HW_MEM_POOL_H
#define VFNET_HW_MEM_POOL_H

#include <pthread.h>
#include <stdint.h>

#include "hw/mem/memory.h"

struct mem_pool {
	struct machine_mem *mem;
	uint64_t base; /* machine address of page 0 */
	uint64_t npages;
	uint64_t nfree;
	uint8_t *host;
	uint64_t *used; /* one bit per page */
	uint64_t hint;	/* first page to look at */
	pthread_mutex_t lock;
};

/* Adds a region @name of @size bytes at @base to @mem and manages its pages. */
int mem_pool__init(struct mem_pool *pool, struct machine_mem *mem, const char *name, uint64_t base,
		   uint64_t size);
/* Frees the bookkeeping and removes the region. */
void mem_pool__fini(struct mem_pool *pool);

/* @npages physically contiguous zeroed pages; -ENOMEM when no run is free. */
int mem_pool__alloc(struct mem_pool *pool, unsigned npages, uint64_t *maddr);
/* Returns pages from mem_pool__alloc; -EINVAL if they are not allocated pool pages. */
int mem_pool__free(struct mem_pool *pool, uint64_t maddr, unsigned npages);

/* Host address of a pool page (or NULL when @maddr is outside the pool). */
void *mem_pool__ptr(const struct mem_pool *pool, uint64_t maddr);

#endif
