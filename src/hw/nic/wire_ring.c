/* The cable's and the loop's frame ring: one producer, one consumer, acquire/release handover. */
#include "hw/nic/wire_ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/compiler.h"
#include "lib/log.h"

/* A slot is the frame's length then the frame, padded so that slots do not share cache lines. */
#define SLOT_HDR  16
#define SLOT_SIZE ALIGN_UP(SLOT_HDR + WIRE_FRAME_MAX, 64)

_Static_assert((WIRE_RING_SLOTS & (WIRE_RING_SLOTS - 1)) == 0, "ring size is a power of two");

static uint8_t *slot(const struct wire_ring *r, uint32_t idx)
{
	return r->slots + (size_t)(idx & (WIRE_RING_SLOTS - 1)) * SLOT_SIZE;
}

int wire_ring__init(struct wire_ring *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->slots = aligned_alloc(64, (size_t)WIRE_RING_SLOTS * SLOT_SIZE);
	if (!r->slots)
		return -ENOMEM;
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		rc = -errno;
		free(r->slots);
		r->slots = NULL;
		return rc;
	}
	return 0;
}

void wire_ring__fini(struct wire_ring *r)
{
	if (!r->slots)
		return;
	close(r->efd);
	free(r->slots);
	r->slots = NULL;
}

/*
 * kicked is 1 from the producer's first kick until the consumer has read the eventfd back to zero:
 * one write per sleep of the consumer, and a woken consumer always finds the flag set.
 */
static void kick(struct wire_ring *r)
{
	uint64_t one = 1;

	if (__atomic_exchange_n(&r->kicked, 1, __ATOMIC_SEQ_CST))
		return;
	/* Only a saturated counter fails, and then the consumer is awake anyway. */
	if (write(r->efd, &one, sizeof(one)) != sizeof(one))
		pr_debug("wire", "ring eventfd write failed");
}

static void unkick(struct wire_ring *r)
{
	uint64_t value;

	/* A failed read means the producer's write is still to come: leave the flag for it. */
	if (__atomic_load_n(&r->kicked, __ATOMIC_RELAXED) &&
	    read(r->efd, &value, sizeof(value)) == sizeof(value))
		__atomic_store_n(&r->kicked, 0, __ATOMIC_SEQ_CST);
}

int wire_ring__send(struct wire_ring *r, struct wire *w, const struct wire_frame *frames,
		    unsigned n)
{
	uint32_t published = r->prod;
	uint64_t bytes = 0;
	int sent = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = wire__tx_len(w, &frames[i]);
		uint8_t *s;

		if (!len)
			continue;
		if (r->prod - r->head_seen == WIRE_RING_SLOTS) {
			r->head_seen = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
			if (r->prod - r->head_seen == WIRE_RING_SLOTS) {
				wire__tx_drop(w, WIRE_DROP_FULL, 1);
				continue;
			}
		}
		s = slot(r, r->prod);
		memcpy(s, &(uint32_t){(uint32_t)len}, sizeof(uint32_t));
		wire_frame__gather(&frames[i], s + SLOT_HDR);
		r->prod++;
		sent++;
		bytes += len;
	}
	if (!sent)
		return 0;
	__atomic_store_n(&r->tail, r->prod, __ATOMIC_RELEASE);
	/*
	 * Store tail, fence, load head here; store head, fence, load tail in recv. Either we see
	 * that the consumer had taken everything before this batch (it may sleep: kick it), or it
	 * sees our new tail before it reports an empty ring. Without the fences both could miss the
	 * other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->head, __ATOMIC_RELAXED) == published)
		kick(r);
	wire__tx_count(w, (uint64_t)sent, bytes);
	return sent;
}

int wire_ring__recv(struct wire_ring *r, struct wire *w, struct wire_buf *bufs, unsigned n)
{
	uint32_t head = r->head;
	uint64_t bytes = 0;
	unsigned got = 0;

	/* Before looking at the ring: a batch published after this is seen below or kicks again. */
	unkick(r);
	while (got < n) {
		const uint8_t *s;
		uint32_t len;

		if (head == r->tail_seen) {
			r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
			if (head == r->tail_seen) {
				__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
				__atomic_thread_fence(__ATOMIC_SEQ_CST);
				r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
				if (head == r->tail_seen)
					break;
			}
		}
		s = slot(r, head);
		memcpy(&len, s, sizeof(len));
		if (len > bufs[got].cap) {
			wire__rx_drop(w, WIRE_DROP_TOO_LONG, 1);
		} else {
			memcpy(bufs[got].data, s + SLOT_HDR, len);
			bufs[got].len = len;
			bytes += len;
			got++;
		}
		head++;
	}
	/* Release: our reads of the slots are done before the producer may reuse them. */
	__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	if (got)
		wire__rx_count(w, got, bytes);
	return (int)got;
}

void wire_ring__drain(struct wire_ring *r)
{
	r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	__atomic_store_n(&r->head, r->tail_seen, __ATOMIC_RELEASE);
}
