/*
 * xenstore's wire protocol (Xen's public io/xs_wire.h): one message is a struct xsd_sockmsg
 * followed by @len bytes of payload. vfnet's hypervisor runs the store; a domain sends one request
 * per VFNET_HC_XENSTORE hypercall and gets the reply in the hypercall's reply. Watch events are
 * queued by the hypervisor, announced on the domain's xenstore event channel, and fetched with
 * an XS_WATCH_EVENT request (vfnet's: the reply is the oldest event, or XS_ERROR "ENOENT").
 */
#ifndef VFNET_XEN_XS_WIRE_H
#define VFNET_XEN_XS_WIRE_H

#include <stdint.h>

enum xsd_sockmsg_type {
	XS_CONTROL = 0,
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_TYPE_COUNT
};

struct xsd_sockmsg {
	uint32_t type;	 /* enum xsd_sockmsg_type */
	uint32_t req_id; /* echoed */
	uint32_t tx_id;	 /* transaction id, 0 outside one */
	uint32_t len;	 /* payload bytes that follow */
};

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg is 16 bytes");

#define XENSTORE_PAYLOAD_MAX	  4096
#define XENSTORE_ABS_PATH_MAX	  3072
#define XENSTORE_REL_PATH_MAX	  2048

enum xenbus_state {
	XenbusStateUnknown = 0,
	XenbusStateInitialising = 1,
	XenbusStateInitWait = 2,
	XenbusStateInitialised = 3,
	XenbusStateConnected = 4,
	XenbusStateClosing = 5,
	XenbusStateClosed = 6,
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8,
};

#endif
