/*
 * A ring of frame slots with one producer and one consumer, for the cable (one ring per direction,
 * the two ports' engines on either side) and the loop (one ring, one engine on both sides).
 * Frames are copied into fixed slots; a full ring drops the new frame. The consumer's eventfd is
 * written only when a batch lands in an empty ring, so a busy consumer costs no system call.
 */
#ifndef VFNET_HW_NIC_WIRE_RING_H
#define VFNET_HW_NIC_WIRE_RING_H

#include <stdint.h>

#include "hw/nic/wire.h"

#define WIRE_RING_SLOTS 256 /* a power of two */

struct wire_ring {
	/* Producer's line: what it published, what it has written since, what it last saw. */
	_Alignas(64) uint32_t tail;
	uint32_t prod;
	uint32_t head_seen;
	/* Consumer's line. */
	_Alignas(64) uint32_t head;
	uint32_t tail_seen;
	/* Whether the eventfd has been (or is about to be) written and not yet read back. */
	_Alignas(64) uint32_t kicked;
	int efd;
	uint8_t *slots;
};

int wire_ring__init(struct wire_ring *r);
void wire_ring__fini(struct wire_ring *r);

/* Producer: copy frames in, publish them, wake the consumer if it may be asleep. */
int wire_ring__send(struct wire_ring *r, struct wire *w, const struct wire_frame *frames,
		    unsigned n);

/* Consumer: copy up to n frames out; fewer than n means the ring was empty when we looked. */
int wire_ring__recv(struct wire_ring *r, struct wire *w, struct wire_buf *bufs, unsigned n);

/* Consumer: forget what waits, for a cable end that attaches after its peer sent. */
void wire_ring__drain(struct wire_ring *r);

#endif
