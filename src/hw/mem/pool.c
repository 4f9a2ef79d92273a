#include "hw/mem/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/compiler.h"

static bool page_used(const struct mem_pool *pool, uint64_t pg)
{
	return pool->used[pg / 64] & BIT64(pg % 64);
}

static void mark(struct mem_pool *pool, uint64_t first, unsigned n, bool used)
{
	for (uint64_t pg = first; pg < first + n; pg++) {
		if (used)
			pool->used[pg / 64] |= BIT64(pg % 64);
		else
			pool->used[pg / 64] &= ~BIT64(pg % 64);
	}
}

int mem_pool__init(struct mem_pool *pool, struct machine_mem *mem, const char *name, uint64_t base,
		   uint64_t size)
{
	const struct mem_region *r;
	int err;

	memset(pool, 0, sizeof(*pool));
	err = mem__add(mem, name, base, size, &r);
	if (err)
		return err;
	pool->mem = mem;
	pool->base = base;
	pool->host = r->host;
	pool->npages = size >> MEM_PAGE_SHIFT;
	pool->nfree = pool->npages;
	pool->used = calloc((pool->npages + 63) / 64, sizeof(uint64_t));
	if (!pool->used) {
		mem__remove(mem, base);
		return -ENOMEM;
	}
	pthread_mutex_init(&pool->lock, NULL);
	return 0;
}

void mem_pool__fini(struct mem_pool *pool)
{
	if (!pool->used)
		return;
	pthread_mutex_destroy(&pool->lock);
	free(pool->used);
	pool->used = NULL;
	mem__remove(pool->mem, pool->base);
}

/* First fit from the hint, then from page 0: table pages are mostly allocated one at a time. */
static int64_t find_run(const struct mem_pool *pool, uint64_t from, uint64_t to, unsigned n)
{
	uint64_t run = 0;

	for (uint64_t pg = from; pg < to; pg++) {
		run = page_used(pool, pg) ? 0 : run + 1;
		if (run == n)
			return (int64_t)(pg + 1 - n);
	}
	return -1;
}

int mem_pool__alloc(struct mem_pool *pool, unsigned npages, uint64_t *maddr)
{
	int64_t first;

	if (!npages)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (npages > pool->nfree) {
		pthread_mutex_unlock(&pool->lock);
		return -ENOMEM;
	}
	first = find_run(pool, pool->hint, pool->npages, npages);
	if (first < 0)
		first = find_run(pool, 0, MIN(pool->hint + npages, pool->npages), npages);
	if (first < 0) {
		pthread_mutex_unlock(&pool->lock);
		return -ENOMEM;
	}
	mark(pool, (uint64_t)first, npages, true);
	pool->nfree -= npages;
	pool->hint = (uint64_t)first + npages;
	pthread_mutex_unlock(&pool->lock);

	memset(pool->host + ((uint64_t)first << MEM_PAGE_SHIFT), 0,
	       (size_t)npages << MEM_PAGE_SHIFT);
	*maddr = pool->base + ((uint64_t)first << MEM_PAGE_SHIFT);
	return 0;
}

int mem_pool__free(struct mem_pool *pool, uint64_t maddr, unsigned npages)
{
	uint64_t first = (maddr - pool->base) >> MEM_PAGE_SHIFT;

	if (!IS_ALIGNED(maddr, MEM_PAGE_SIZE) || maddr < pool->base || first >= pool->npages ||
	    npages > pool->npages - first)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	for (uint64_t pg = first; pg < first + npages; pg++) {
		if (!page_used(pool, pg)) {
			pthread_mutex_unlock(&pool->lock);
			return -EINVAL;
		}
	}
	mark(pool, first, npages, false);
	pool->nfree += npages;
	if (first < pool->hint)
		pool->hint = first;
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void *mem_pool__ptr(const struct mem_pool *pool, uint64_t maddr)
{
	if (maddr < pool->base || (maddr - pool->base) >> MEM_PAGE_SHIFT >= pool->npages)
		return NULL;
	return pool->host + (maddr - pool->base);
}
