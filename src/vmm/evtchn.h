/*
 * Event channels, the 2-level ABI (vfnet/xen/event_channel.h): per domain a table of ports the
 * hypervisor keeps (state, peer) and the pending, mask and selector bits in the domain's shared
 * page, which the domain writes too and so are never trusted. An upcall is the domain's chosen
 * vector posted the way device interrupts are (domain__post).
 *
 * Sends: EVTCHNOP_send, or posted through the shared page's send bitmap and the domain's
 * send-kick eventfd, which the control loop watches (hv_evtchn__kick). Runs on the control thread.
 */
#ifndef VFNET_VMM_EVTCHN_H
#define VFNET_VMM_EVTCHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/xen/event_channel.h"

struct hv;
struct domain;
struct hc_reply;

enum evtchn_state {
	ECS_FREE = 0,
	ECS_RESERVED,	 /* port 0 */
	ECS_UNBOUND,	 /* waiting for remote_dom to bind */
	ECS_INTERDOMAIN, /* connected to (remote_dom, remote_port) */
	ECS_VIRQ,	 /* the hypervisor's (xenstore watch events) */
};

struct evtchn {
	uint8_t state; /* enum evtchn_state */
	domid_t remote_dom;
	evtchn_port_t remote_port;
	uint64_t remote_gen; /* ECS_INTERDOMAIN: the peer's instance */
	uint32_t virq;
};

struct evtchn_table {
	struct evtchn *ports; /* VFNET_EVTCHN_PORTS */
	unsigned vector;      /* upcall vector, 0: none yet */
	int kick_fd;	      /* eventfd the domain writes after posting sends */
	uint64_t sends, bad_sends, upcalls, kicks;
};

/* Ports (port 0 reserved) and the kick eventfd. */
int hv_evtchn__init(struct domain *d);
/* Every port closed (peers' ends become unbound), the kick eventfd closed. */
void hv_evtchn__fini(struct hv *hv, struct domain *d);

/* VFNET_HC_EVENT_CHANNEL_OP. */
int hv_evtchn__op(struct hv *hv, struct domain *d, const void *args, size_t len,
	       struct hc_reply *rep);

/* A port of @d that the hypervisor raises itself (VFNET_VIRQ_*); its number, or -errno. */
int hv_evtchn__bind_virq(struct domain *d, uint32_t virq);
/* Mark @port of @d pending and deliver the upcall the 2-level rules call for. */
void hv_evtchn__raise(struct domain *d, evtchn_port_t port);
/* The domain's send kick fired (or a test says so): take its posted sends and send them. */
void hv_evtchn__kick(struct hv *hv, struct domain *d);

#endif
