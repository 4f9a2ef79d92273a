/*
 * Event channels in a domain (Xen's 2-level ABI, vfnet/xen/event_channel.h): connect a port to a
 * port of another domain, run a handler on the vCPU when it is signalled, and signal the other
 * end. Signals coalesce: one handler call may stand for many sends, so a handler looks at its
 * rings rather than counting calls. Handlers run like interrupt handlers: acknowledge, schedule
 * work, return.
 */
#ifndef VFNET_EVTCHN_H
#define VFNET_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/xen/event_channel.h"

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *opaque);

/* A new port that domain @remote may bind to. */
int evtchn__alloc_unbound(domid_t remote, evtchn_port_t *port);
/* Connect a new port to @remote's unbound port @rport. */
int evtchn__bind_interdomain(domid_t remote, evtchn_port_t rport, evtchn_port_t *port);
/* Install @fn and unmask the port (a pending event runs it at once). */
int evtchn__bind(evtchn_port_t port, evtchn_handler_t fn, void *opaque);
/* Mask the port and forget its handler. */
void evtchn__unbind(evtchn_port_t port);
int evtchn__close(evtchn_port_t port);
/* Signal the other end of @port: no round trip (the hypervisor takes it from the shared page). */
void evtchn__notify(evtchn_port_t port);
/* Deliveries per port since it was bound. */
uint64_t evtchn__count(evtchn_port_t port);

#endif
