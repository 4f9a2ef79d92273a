/*
 * Hypercall service: one message in, one reply out (include/vfnet/abi.h for the formats).
 *
 * hypercall__handle is the whole protocol without a socket: the domain's transport
 * (vmm/domain.c) and the fuzzer call it. Every field is checked here, where it enters: a message
 * of the wrong size, an unknown op, a reserved field that is not zero, an id or RID the caller
 * does not own, or a privileged op from a guest gets an error status and changes nothing.
 */
#ifndef VFNET_VMM_HYPERCALL_H
#define VFNET_VMM_HYPERCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/abi.h"

#define HC_MAX_FDS 3

struct hv;
struct domain;

struct hc_reply {
	struct vfnet_hc_rep hdr;
	_Alignas(8) uint8_t data[VFNET_HC_MAX_MSG - sizeof(struct vfnet_hc_rep)];
	int fds[HC_MAX_FDS]; /* hdr.nfds of them, still owned by the machine */
	bool defer;	     /* answered later (domain__answer): an incoming domain's boot, a
			      * migrating guest's suspend */
};

_Static_assert(offsetof(struct hc_reply, data) == sizeof(struct vfnet_hc_rep),
	       "the reply goes out as one buffer");

/* Serves one hypercall of @d. Always fills @rep (status, seq, results). */
void hypercall__handle(struct hv *hv, struct domain *d, const void *msg, size_t len,
		       struct hc_reply *rep);

const char *hypercall__name(unsigned op);

/* The boot reply of @d (VFNET_BOOT_RESUME when @d is a migration's destination). */
void hypercall__boot_reply(struct domain *d, struct hc_reply *rep);

#endif
