#include "hw/mem/memory.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/log.h"

void mem__init(struct machine_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
	for (unsigned i = 0; i < MEM_MAX_REGIONS; i++)
		mem->regions[i].mfd.fd = -1;
}

void mem__fini(struct machine_mem *mem)
{
	for (unsigned i = 0; i < mem->nr; i++)
		if (mem->regions[i].size)
			mem__remove(mem, mem->regions[i].base);
}

static bool overlaps(const struct mem_region *r, uint64_t base, uint64_t size)
{
	return r->size && base < r->base + r->size && r->base < base + size;
}

int mem__add(struct machine_mem *mem, const char *name, uint64_t base, uint64_t size,
	     const struct mem_region **out)
{
	struct mem_region *slot = NULL;
	struct memfd mfd;
	unsigned i;
	int err;

	if (!size || !IS_ALIGNED(base, MEM_PAGE_SIZE) || !IS_ALIGNED(size, MEM_PAGE_SIZE) ||
	    base + size < base)
		return -EINVAL;
	for (i = 0; i < mem->nr; i++) {
		if (overlaps(&mem->regions[i], base, size))
			return -EEXIST;
		if (!slot && !mem->regions[i].size)
			slot = &mem->regions[i];
	}
	if (!slot) {
		if (mem->nr == MEM_MAX_REGIONS)
			return -ENOSPC;
		slot = &mem->regions[mem->nr];
	}
	err = memfd__create(&mfd, name, size);
	if (err) {
		pr_err("mem", "region %s (%llu bytes): %s", name, (unsigned long long)size,
		       strerror(-err));
		return err;
	}

	seqlock__write_lock(&slot->lock);
	WRITE_ONCE(slot->base, base);
	WRITE_ONCE(slot->host, (uint8_t *)mfd.base);
	WRITE_ONCE(slot->size, size);
	slot->mfd = mfd;
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	seqlock__write_unlock(&slot->lock);
	if (slot == &mem->regions[mem->nr])
		__atomic_store_n(&mem->nr, mem->nr + 1, __ATOMIC_RELEASE);
	if (out)
		*out = slot;
	return 0;
}

int mem__remove(struct machine_mem *mem, uint64_t base)
{
	for (unsigned i = 0; i < mem->nr; i++) {
		struct mem_region *r = &mem->regions[i];

		if (!r->size || r->base != base)
			continue;
		seqlock__write_lock(&r->lock);
		WRITE_ONCE(r->size, 0);
		WRITE_ONCE(r->host, NULL);
		seqlock__write_unlock(&r->lock);
		memfd__destroy(&r->mfd);
		return 0;
	}
	return -ENOENT;
}

const struct mem_region *mem__find(const struct machine_mem *mem, uint64_t maddr)
{
	for (unsigned i = 0; i < mem->nr; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (r->size && maddr - r->base < r->size)
			return r;
	}
	return NULL;
}

/* The region slot holding @maddr, read consistently; false when there is none. */
static bool lookup(const struct machine_mem *mem, uint64_t maddr, uint8_t **host, uint64_t *avail)
{
	unsigned nr = __atomic_load_n(&mem->nr, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < nr; i++) {
		const struct mem_region *r = &mem->regions[i];
		uint64_t rbase, rsize;
		uint8_t *rhost;
		uint32_t seq;

		do {
			seq = seqlock__read_begin(&r->lock);
			rbase = READ_ONCE(r->base);
			rsize = READ_ONCE(r->size);
			rhost = READ_ONCE(r->host);
		} while (seqlock__read_retry(&r->lock, seq));
		if (maddr - rbase < rsize) {
			*host = rhost + (maddr - rbase);
			*avail = rsize - (maddr - rbase);
			return true;
		}
	}
	return false;
}

void *mem__ptr(const struct machine_mem *mem, uint64_t maddr, uint64_t len)
{
	uint64_t avail;
	uint8_t *host;

	if (!lookup(mem, maddr, &host, &avail))
		return NULL;
	return MAX(len, 1) <= avail ? host : NULL;
}

void *mem__span(const struct machine_mem *mem, uint64_t maddr, uint64_t *avail)
{
	uint8_t *host;

	if (lookup(mem, maddr, &host, avail))
		return host;
	*avail = 0;
	return NULL;
}
