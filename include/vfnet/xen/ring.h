/*
 * Xen's shared I/O ring (public io/ring.h), as inline functions over the 64-byte header of a
 * 4 KiB ring page. Indices are free-running 32-bit counters; a slot is index & (size - 1); every
 * difference is taken modulo 2^32. The frontend produces requests and consumes responses; the
 * backend the other way round. A response overwrites the request slot it answers.
 *
 * The rules that keep a hostile peer from hurting the other side: the backend never believes more
 * requests than fit between its consumer index and the responses it has produced
 * (xen_ring_back_unconsumed), and copies each request out of the ring before using it.
 */
#ifndef VFNET_XEN_RING_H
#define VFNET_XEN_RING_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t RING_IDX;

struct xen_sring {
	RING_IDX req_prod;  /* frontend */
	RING_IDX req_event; /* backend: notify me when req_prod passes this */
	RING_IDX rsp_prod;  /* backend */
	RING_IDX rsp_event; /* frontend: notify me when rsp_prod passes this */
	uint8_t pvt[4];
	uint8_t pad[44];
	/* the entries follow */
};

_Static_assert(sizeof(struct xen_sring) == 64, "the shared ring header is 64 bytes");

/* Entries of @entry_size bytes that fit a 4 KiB page behind the header, rounded down to a power
 * of two (a constant expression). */
#define XEN_RING_POW2(n)                                                                           \
	((n) >= 512 ? 512u : (n) >= 256 ? 256u : (n) >= 128 ? 128u : (n) >= 64 ? 64u : (n) >= 32 ? 32u \
	 : (n) >= 16 ? 16u : (n) >= 8 ? 8u : (n) >= 4 ? 4u : (n) >= 2 ? 2u : 1u)
#define XEN_RING_SIZE_FOR(entry_size) XEN_RING_POW2((4096u - 64u) / (entry_size))

struct xen_front_ring {
	RING_IDX req_prod_pvt;
	RING_IDX rsp_cons;
	unsigned size;
	struct xen_sring *sring;
};

struct xen_back_ring {
	RING_IDX rsp_prod_pvt;
	RING_IDX req_cons;
	unsigned size;
	struct xen_sring *sring;
};

static inline RING_IDX xen_ring__load(const RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* The frontend sets the page up; the backend attaches to what is there. */
static inline void xen_sring__init(struct xen_sring *s)
{
	__atomic_store_n(&s->req_prod, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->rsp_prod, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->req_event, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->rsp_event, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < sizeof(s->pvt); i++)
		s->pvt[i] = 0;
	for (unsigned i = 0; i < sizeof(s->pad); i++)
		s->pad[i] = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void xen_front_ring__init(struct xen_front_ring *r, struct xen_sring *s, unsigned size)
{
	r->req_prod_pvt = 0;
	r->rsp_cons = 0;
	r->size = size;
	r->sring = s;
}

static inline void xen_back_ring__init(struct xen_back_ring *r, struct xen_sring *s, unsigned size)
{
	r->rsp_prod_pvt = 0;
	r->req_cons = 0;
	r->size = size;
	r->sring = s;
}

static inline unsigned xen_front_ring__free_requests(const struct xen_front_ring *r)
{
	return r->size - (r->req_prod_pvt - r->rsp_cons);
}

static inline bool xen_front_ring__full(const struct xen_front_ring *r)
{
	return xen_front_ring__free_requests(r) == 0;
}

static inline unsigned xen_front_ring__unconsumed(const struct xen_front_ring *r)
{
	return xen_ring__load(&r->sring->rsp_prod) - r->rsp_cons;
}

/* A hostile backend claims more responses than requests outstanding. */
static inline bool xen_front_ring__response_overflow(const struct xen_front_ring *r, RING_IDX prod)
{
	return prod - r->rsp_cons > r->size;
}

static inline unsigned xen_back_ring__unconsumed(const struct xen_back_ring *r)
{
	unsigned req = xen_ring__load(&r->sring->req_prod) - r->req_cons;
	unsigned rsp = r->size - (r->req_cons - r->rsp_prod_pvt);

	return req < rsp ? req : rsp;
}

/* A hostile frontend claims more requests than the ring holds. */
static inline bool xen_back_ring__request_overflow(const struct xen_back_ring *r, RING_IDX prod)
{
	return prod - r->rsp_prod_pvt > r->size;
}

/*
 * Push: a write barrier, publish, a full barrier, then notify only if the peer's event index lies
 * in (old, new].
 */
static inline bool xen_ring__push_check(RING_IDX *prod, const RING_IDX *event, RING_IDX new_prod)
{
	RING_IDX old = *prod;

	__atomic_store_n(prod, new_prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (RING_IDX)(new_prod - xen_ring__load(event)) < (RING_IDX)(new_prod - old);
}

static inline bool xen_front_ring__push_requests(struct xen_front_ring *r)
{
	return xen_ring__push_check(&r->sring->req_prod, &r->sring->req_event, r->req_prod_pvt);
}

static inline bool xen_back_ring__push_responses(struct xen_back_ring *r)
{
	return xen_ring__push_check(&r->sring->rsp_prod, &r->sring->rsp_event, r->rsp_prod_pvt);
}

/* Before going idle: ask to be woken at the next item, then look once more. */
static inline bool xen_front_ring__final_check(struct xen_front_ring *r)
{
	if (xen_front_ring__unconsumed(r))
		return true;
	__atomic_store_n(&r->sring->rsp_event, r->rsp_cons + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return xen_front_ring__unconsumed(r) != 0;
}

static inline bool xen_back_ring__final_check(struct xen_back_ring *r)
{
	if (xen_back_ring__unconsumed(r))
		return true;
	__atomic_store_n(&r->sring->req_event, r->req_cons + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return xen_back_ring__unconsumed(r) != 0;
}

#endif
