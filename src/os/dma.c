/*
 * DMA memory: first-fit over the domain's RAM in pages, from 1 MiB up (page 0 is the shared
 * page; the first megabyte stays free as on a PC). Control-path allocations only (rings, buffer
 * pools): nothing allocates per frame.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"
#include "vfnet/dma.h"

#define PAGE	   4096ull
#define DMA_START  OS_DMA_START

struct span {
	uint64_t start, pages;
	struct span *next;
};

static struct span *free_list OS_SAVED;

int dma__init(void)
{
	/* A guest's heap comes first (heap.c). */
	uint64_t start = DMA_START + os.heap_bytes;

	if (os.ram_bytes <= start)
		return -ENOMEM;
	free_list = calloc(1, sizeof(*free_list));
	if (!free_list)
		return -ENOMEM;
	free_list->start = start;
	free_list->pages = (os.ram_bytes - start) / PAGE;
	return 0;
}

void *dma__alloc(size_t size, uint64_t *bus)
{
	uint64_t pages = (size + PAGE - 1) / PAGE;

	if (!size)
		return NULL;
	for (struct span **p = &free_list; *p; p = &(*p)->next) {
		struct span *s = *p;

		if (s->pages < pages)
			continue;
		uint64_t at = s->start;

		s->start += pages * PAGE;
		s->pages -= pages;
		if (!s->pages) {
			*p = s->next;
			free(s);
		}
		memset(os.ram + at, 0, pages * PAGE);
		*bus = at;
		return os.ram + at;
	}
	return NULL;
}

void dma__free(void *cpu, size_t size)
{
	uint64_t at = dma__bus(cpu), pages = (size + PAGE - 1) / PAGE;
	struct span **p = &free_list, *n;

	if (!at || !size)
		return;
	while (*p && (*p)->start < at)
		p = &(*p)->next;
	n = calloc(1, sizeof(*n));
	if (!n)
		return; /* leaked pages, not corrupted ones */
	*n = (struct span){.start = at, .pages = pages, .next = *p};
	*p = n;
	/* Coalesce with the next span, then the whole list once (short lists). */
	for (struct span *s = free_list; s && s->next;) {
		if (s->start + s->pages * PAGE == s->next->start) {
			struct span *dead = s->next;

			s->pages += dead->pages;
			s->next = dead->next;
			free(dead);
		} else {
			s = s->next;
		}
	}
}

uint64_t dma__bus(const void *cpu)
{
	const uint8_t *p = cpu;

	if (p < os.ram + DMA_START || p >= os.ram + os.ram_bytes)
		return 0;
	return (uint64_t)(p - os.ram);
}

void *dma__cpu(uint64_t bus, size_t len)
{
	if (bus < DMA_START || bus >= os.ram_bytes || len > os.ram_bytes - bus)
		return NULL;
	return os.ram + bus;
}

size_t dma__free_bytes(void)
{
	size_t n = 0;

	for (struct span *s = free_list; s; s = s->next)
		n += s->pages * PAGE;
	return n;
}
