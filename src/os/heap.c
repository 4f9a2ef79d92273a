/*
 * The runtime's heap in the guest's RAM. A guest's runtime, drivers and apps allocate their
 * state here (malloc and friends are interposed for the whole domain process once heap__init
 * has run), so that the state moves with the RAM when the guest migrates: RAM sits at the same
 * address in every domain process (VFNET_RAM_VA) and the pointers in it stay valid.
 *
 * Boundary-tag allocator: each block has a 16-byte header (size and flags) and, when free, a
 * footer and a place on one of 48 size-class lists; free blocks coalesce with their neighbours.
 * Control-path allocations only (the fast paths allocate nothing). What was allocated before
 * heap__init (or beyond the heap, when it is full) is libc's, and is freed there; a heap that
 * ran out marks the guest as one that cannot migrate, since part of its state then lives in
 * process memory only.
 *
 * With a sanitizer that intercepts malloc itself (ASan), nothing is interposed and guests do
 * not migrate.
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_NO_INTERPOSE 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HEAP_NO_INTERPOSE 1
#endif

/* Without interposition the allocator's entry points have no caller; they are still built. */
#ifdef HEAP_NO_INTERPOSE
#define HEAP_ENTRY __attribute__((unused)) static
#else
#define HEAP_ENTRY static
#endif

#define HEAP_MAGIC  0x5041454854454e56ull /* "VNETHEAP" */
#define HDR	    16u
#define MIN_BLOCK   48u /* header, list links and footer */
#define NBINS	    48
#define F_USED	    1ull
#define F_PREV_USED 2ull
#define F_ALIGNED   4ull /* a header in front of an aligned pointer: .link is the offset */
#define SIZE(h)	    ((h)->word & ~15ull)

struct hdr {
	uint64_t word; /* size of the block (header included) | flags */
	uint64_t link; /* F_ALIGNED: offset back to the real payload */
};

struct free_node {
	struct hdr h;
	struct free_node *next, *prev;
};

struct heap_root {
	uint64_t magic;
	uint64_t size; /* of the whole heap, root included */
	uint64_t used; /* bytes in allocated blocks */
	struct free_node *bins[NBINS];
	uint8_t *first, *end;
};

static struct heap_root *root OS_SAVED;
static bool overflowed OS_SAVED;
static volatile int lock; /* one vCPU thread, but libc may call from anywhere */

HEAP_ENTRY void heap_lock(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		;
}

HEAP_ENTRY void heap_unlock(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static unsigned bin_of(uint64_t size)
{
	unsigned b = 63u - (unsigned)__builtin_clzll(size | 1);

	/* Two lists per power of two. */
	b = b * 2 + (unsigned)((size >> (b ? b - 1 : 0)) & 1);
	return b >= NBINS ? NBINS - 1 : b;
}

static struct hdr *next_of(struct hdr *h)
{
	return (struct hdr *)((uint8_t *)h + SIZE(h));
}

static void set_footer(struct hdr *h)
{
	((uint64_t *)next_of(h))[-1] = SIZE(h);
}

static void bin_insert(struct free_node *n)
{
	unsigned b = bin_of(SIZE(&n->h));

	n->prev = NULL;
	n->next = root->bins[b];
	if (n->next)
		n->next->prev = n;
	root->bins[b] = n;
}

static void bin_remove(struct free_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		root->bins[bin_of(SIZE(&n->h))] = n->next;
	if (n->next)
		n->next->prev = n->prev;
}

int heap__init(void *base, size_t size)
{
	struct free_node *n;
	uint64_t body;

	if (size < 2 * 4096 || ((uintptr_t)base & 15))
		return -EINVAL;
	root = base;
	memset(root, 0, sizeof(*root));
	root->magic = HEAP_MAGIC;
	root->size = size;
	root->first = (uint8_t *)base + ((sizeof(*root) + 15) & ~15ul);
	root->end = (uint8_t *)base + size - HDR; /* an always-used end marker */
	body = (uint64_t)(root->end - root->first);
	n = (struct free_node *)root->first;
	n->h.word = body | F_PREV_USED;
	set_footer(&n->h);
	((struct hdr *)root->end)->word = F_USED;
	bin_insert(n);
	return 0;
}

bool heap__active(void)
{
	return root != NULL;
}

bool heap__overflowed(void)
{
	return overflowed;
}

int heap__adopt(void *base, size_t size)
{
	struct heap_root *r = base;

	if (r->magic != HEAP_MAGIC || r->size != size || r->first < (uint8_t *)base ||
	    r->end != (uint8_t *)base + size - HDR)
		return -EPROTO;
	root = r;
	return 0;
}

HEAP_ENTRY bool mine(const void *p)
{
	return root && (const uint8_t *)p >= root->first && (const uint8_t *)p < root->end;
}

static void *heap_alloc(size_t want)
{
	uint64_t need = (want + HDR + 15) & ~15ull;

	if (want > (1ull << 40))
		return NULL;
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	for (unsigned b = bin_of(need); b < NBINS; b++) {
		for (struct free_node *n = root->bins[b]; n; n = n->next) {
			uint64_t have = SIZE(&n->h);
			struct hdr *h = &n->h;

			if (have < need)
				continue;
			bin_remove(n);
			if (have - need >= MIN_BLOCK) {
				struct free_node *rest = (struct free_node *)((uint8_t *)h + need);

				rest->h.word = (have - need) | F_PREV_USED;
				set_footer(&rest->h);
				bin_insert(rest);
				h->word = need | (h->word & F_PREV_USED) | F_USED;
			} else {
				h->word |= F_USED;
				next_of(h)->word |= F_PREV_USED;
			}
			root->used += SIZE(h);
			return (uint8_t *)h + HDR;
		}
	}
	return NULL;
}

static struct hdr *block_of(void *p)
{
	struct hdr *h = (struct hdr *)((uint8_t *)p - HDR);

	if (h->word & F_ALIGNED)
		h = (struct hdr *)((uint8_t *)p - h->link - HDR);
	return h;
}

HEAP_ENTRY void heap_free(void *p)
{
	struct hdr *h = block_of(p), *nx;

	root->used -= SIZE(h);
	h->word &= ~F_USED;
	nx = next_of(h);
	if (!(nx->word & F_USED)) {
		bin_remove((struct free_node *)nx);
		h->word += SIZE(nx);
	}
	if (!(h->word & F_PREV_USED)) {
		uint64_t psize = ((uint64_t *)h)[-1];
		struct hdr *pv = (struct hdr *)((uint8_t *)h - psize);

		bin_remove((struct free_node *)pv);
		pv->word += SIZE(h);
		h = pv;
	}
	set_footer(h);
	next_of(h)->word &= ~F_PREV_USED;
	bin_insert((struct free_node *)h);
}

HEAP_ENTRY size_t heap_usable(void *p)
{
	struct hdr *h = block_of(p);

	return SIZE(h) - HDR - (size_t)((uint8_t *)p - ((uint8_t *)h + HDR));
}

HEAP_ENTRY void *heap_aligned(size_t align, size_t size)
{
	uint8_t *raw, *p;

	if (align <= 16)
		return heap_alloc(size);
	if (!(raw = heap_alloc(size + align + HDR)))
		return NULL;
	p = (uint8_t *)(((uintptr_t)raw + HDR + align - 1) & ~(uintptr_t)(align - 1));
	((struct hdr *)(p - HDR))->word = F_ALIGNED | F_USED;
	((struct hdr *)(p - HDR))->link = (uint64_t)(p - raw);
	return p;
}

uint64_t heap__bytes(uint64_t ram_bytes)
{
	uint64_t n = ram_bytes / 4;

	if (ram_bytes < (8ull << 20))
		return 0;
	if (n > (64ull << 20))
		n = 64ull << 20;
	return n & ~4095ull;
}

size_t heap__used(void)
{
	return root ? root->used : 0;
}

#ifndef HEAP_NO_INTERPOSE

/* glibc's own allocator, for what is not ours. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

bool heap__interposed(void)
{
	return true;
}

static void *out_of_heap(void)
{
	overflowed = true;
	return NULL;
}

void *malloc(size_t size)
{
	void *p;

	if (!root)
		return __libc_malloc(size);
	heap_lock();
	p = heap_alloc(size ? size : 1);
	heap_unlock();
	return p ? p : (out_of_heap(), __libc_malloc(size));
}

void free(void *p)
{
	if (!p)
		return;
	if (!mine(p)) {
		__libc_free(p);
		return;
	}
	heap_lock();
	heap_free(p);
	heap_unlock();
}

void *calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (!root)
		return __libc_calloc(n, size);
	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	/* Not malloc then memset: the compiler would make that a call of calloc. */
	heap_lock();
	p = heap_alloc(bytes ? bytes : 1);
	heap_unlock();
	if (!p)
		return out_of_heap(), __libc_calloc(n, size);
	memset(p, 0, bytes);
	return p;
}

void *realloc(void *old, size_t size)
{
	size_t have;
	void *p;

	if (!old)
		return malloc(size);
	if (!mine(old))
		return __libc_realloc(old, size); /* from before heap__init: stays libc's */
	if (!size) {
		free(old);
		return NULL;
	}
	heap_lock();
	have = heap_usable(old);
	heap_unlock();
	if (have >= size)
		return old;
	if (!(p = malloc(size)))
		return NULL;
	memcpy(p, old, have);
	free(old);
	return p;
}

static void *aligned(size_t align, size_t size)
{
	void *p;

	if (!root)
		return __libc_memalign(align, size);
	heap_lock();
	p = heap_aligned(align, size ? size : 1);
	heap_unlock();
	return p ? p : (out_of_heap(), __libc_memalign(align, size));
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	if (!(p = aligned(align, size)))
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t size)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, size);
}

void *memalign(size_t align, size_t size)
{
	return aligned_alloc(align, size);
}

void *valloc(size_t size)
{
	return aligned(4096, size);
}

void *pvalloc(size_t size)
{
	return aligned(4096, (size + 4095) & ~(size_t)4095);
}

size_t malloc_usable_size(void *p);
size_t malloc_usable_size(void *p)
{
	size_t n;

	if (!p)
		return 0;
	if (!mine(p))
		return 0; /* libc's, from before heap__init: nobody asks */
	heap_lock();
	n = heap_usable(p);
	heap_unlock();
	return n;
}

#else

bool heap__interposed(void)
{
	return false;
}

#endif
