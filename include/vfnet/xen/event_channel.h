/*
 * Event channels: the operations of Xen's public event_channel.h with their layouts and numbers,
 * and the 2-level ABI's state, which vfnet keeps in a domain's shared page (struct
 * vfnet_shared_page in vfnet/abi.h).
 *
 * Delivery (the hypervisor): set the port's pending bit; if it was already set, nothing more
 * happens (edges coalesce). If the port is not masked, set the selector bit of its word; if that
 * bit was newly set, set upcall_pending and, when it was clear and the upcall is not masked,
 * post the domain's upcall vector. The domain: clear upcall_pending, exchange the selector with 0,
 * and for each word take the pending and unmasked bits, clearing each pending bit it handles.
 *
 * Sending has a posted form besides EVTCHNOP_send (vfnet's): the domain sets the port's bit in
 * the shared page's send bitmap and, when evtchn_send_on was clear, sets it and writes its
 * send-kick eventfd (the third descriptor of the boot reply). The hypervisor clears
 * evtchn_send_on, takes the bitmap words and sends on each port. A send to a peer whose port is
 * already pending costs the sender one atomic operation and nothing else.
 */
#ifndef VFNET_XEN_EVENT_CHANNEL_H
#define VFNET_XEN_EVENT_CHANNEL_H

#include <stdint.h>

#include "vfnet/xen/grant_table.h"

typedef uint32_t evtchn_port_t;

#define EVTCHN_2L_NR_CHANNELS 4096 /* 64 words of 64 bits */
#define VFNET_EVTCHN_PORTS    1024 /* ports a vfnet domain may allocate (1 .. 1023) */

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq	  1
#define EVTCHNOP_bind_pirq	  2
#define EVTCHNOP_close		  3
#define EVTCHNOP_send		  4
#define EVTCHNOP_status		  5
#define EVTCHNOP_alloc_unbound	  6
#define EVTCHNOP_bind_ipi	  7
#define EVTCHNOP_bind_vcpu	  8
#define EVTCHNOP_unmask		  9
#define EVTCHNOP_reset		  10
/* vfnet's: the vector the hypervisor posts for event channel upcalls (Xen's
 * HVMOP_set_evtchn_upcall_vector). Until it is set, events stay pending without an upcall. */
#define VFNET_EVTCHNOP_set_upcall_vector 64

struct evtchn_alloc_unbound {
	domid_t dom;	    /* DOMID_SELF */
	domid_t remote_dom; /* the domain that may bind to the port */
	evtchn_port_t port; /* out */
};

struct evtchn_bind_interdomain {
	domid_t remote_dom;
	uint8_t pad[2];
	evtchn_port_t remote_port;
	evtchn_port_t local_port; /* out */
};

struct evtchn_send {
	evtchn_port_t port;
};

struct evtchn_close {
	evtchn_port_t port;
};

struct evtchn_unmask {
	evtchn_port_t port;
};

struct vfnet_evtchn_upcall {
	uint32_t vector; /* VFNET_VEC_FIRST + 1 .. 255 */
};

#define EVTCHNSTAT_closed	0
#define EVTCHNSTAT_unbound	1
#define EVTCHNSTAT_interdomain	2
#define EVTCHNSTAT_pirq		3
#define EVTCHNSTAT_virq		4
#define EVTCHNSTAT_ipi		5

/* vfnet's only virtual IRQ: watch events of the hypervisor's xenstore (the boot reply names the
 * port, as Xen's start_info names store_evtchn). */
#define VFNET_VIRQ_XENSTORE 0

struct evtchn_status {
	domid_t dom; /* DOMID_SELF */
	uint8_t pad[2];
	evtchn_port_t port;
	uint32_t status; /* out: EVTCHNSTAT_* */
	uint32_t vcpu;	 /* out */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			uint8_t pad[2];
			evtchn_port_t port;
		} interdomain;
		uint32_t virq;
	} u;
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "bind_interdomain");
_Static_assert(sizeof(struct evtchn_status) == 24, "status");

#endif
