/*
 * A capture tap on a NIC port: the frames one source on the port sees (its wire, or one pool)
 * are copied, in both directions, into a ring that another thread drains (vfnet capture).
 *
 * The ring has one producer, the port's engine thread, and one consumer: preallocated slots,
 * no locks, no allocation per frame, the head and the tail handed over with acquire/release
 * atomics. When the consumer falls behind, a full ring drops the frame and the port counts it
 * (e82576__capture_stats).
 *
 * Where a frame is seen (e82576__capture_start names the source):
 *   wire    every frame the port hands to its wire, and every frame it takes from it
 *   pool n  every frame pool n's Tx queues send, as it leaves the pool (VLAN tag inserted,
 *           offloads applied; frames anti-spoofing then drops included), and every copy the
 *           switch delivers into pool n's Rx queues, as the switch delivers it (before the
 *           queue strips a tag)
 */
#ifndef VFNET_HW_NIC_CAPTURE_H
#define VFNET_HW_NIC_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#define CAP_SNAPLEN	   2048 /* bytes of a frame kept; len still says how long it was */
#define CAP_RING_DEFAULT   2048 /* slots (a little over 4 MiB) */
#define CAP_RING_MAX	   65536

struct cap_slot {
	uint64_t ts_ns;	 /* CLOCK_REALTIME when the port saw it */
	uint32_t len;	 /* the frame's length on the wire (no FCS) */
	uint32_t caplen; /* bytes in data: MIN(len, CAP_SNAPLEN) */
	uint8_t data[CAP_SNAPLEN];
};

struct cap_ring {
	uint32_t mask; /* slots - 1 */
	struct cap_slot *slot;
	/* Each index on a line of its own: the producer writes head, the consumer tail. */
	_Alignas(64) uint32_t head; /* the next slot to fill; frames before it are readable */
	_Alignas(64) uint32_t tail; /* the next slot to read; slots before it are free */
};

/* A ring of @slots slots (a power of two, 1 .. CAP_RING_MAX): 0 or -EINVAL / -ENOMEM. */
int cap_ring__create(struct cap_ring **out, unsigned slots);
void cap_ring__destroy(struct cap_ring *r);

/* Producer: copy the frame's first CAP_SNAPLEN bytes (of @len, over @iov) stamped @ts_ns.
 * false when the ring is full (nothing copied). */
bool cap_ring__push(struct cap_ring *r, const struct iovec *iov, unsigned iovcnt, uint32_t len,
		    uint64_t ts_ns);

/* Consumer: the oldest frame, or NULL when there is none; it stays valid until cap_ring__pop. */
const struct cap_slot *cap_ring__peek(struct cap_ring *r);
void cap_ring__pop(struct cap_ring *r);

#endif
