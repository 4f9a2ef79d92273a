/*
 * The paravirtual network interface (Xen's public io/netif.h): TX and RX requests and responses,
 * their flags and status codes, and the two 256-slot rings in 4 KiB pages. The layouts are
 * checked against the sizes and offsets of Xen's header.
 *
 * TX (guest to backend): the first slot's size is the whole packet's length, later slots carry
 * their own; NETTXF_more_data on all but the last; no slot's data crosses its page. RX: the
 * packet's length is the sum of its slots' statuses; NETRXF_more_data on all but the last; each
 * response sits in the slot of the request it consumed.
 */
#ifndef VFNET_XEN_NETIF_H
#define VFNET_XEN_NETIF_H

#include <stddef.h>
#include <stdint.h>

#include "vfnet/xen/grant_table.h"
#include "vfnet/xen/ring.h"

#define NETTXF_csum_blank     (1u << 0)
#define NETTXF_data_validated (1u << 1)
#define NETTXF_more_data      (1u << 2)
#define NETTXF_extra_info     (1u << 3)

#define NETRXF_data_validated (1u << 0)
#define NETRXF_csum_blank     (1u << 1)
#define NETRXF_more_data      (1u << 2)
#define NETRXF_extra_info     (1u << 3)
#define NETRXF_gso_prefix     (1u << 4)

#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR	  (-1)
#define NETIF_RSP_OKAY	  0
#define NETIF_RSP_NULL	  1

#define XEN_NETIF_EXTRA_TYPE_NONE     0
#define XEN_NETIF_EXTRA_TYPE_GSO      1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3
#define XEN_NETIF_EXTRA_TYPE_HASH     4
#define XEN_NETIF_EXTRA_TYPE_MAX      5
#define XEN_NETIF_EXTRA_FLAG_MORE     (1u << 0)

#define XEN_NETIF_NR_SLOTS_MIN 18     /* a backend accepts packets of this many slots */
#define XEN_NETIF_MAX_TX_SIZE  0xFFFF /* bytes of one packet */

struct netif_tx_request {
	grant_ref_t gref;
	uint16_t offset;
	uint16_t flags;
	uint16_t id;
	uint16_t size;
};

struct netif_tx_response {
	uint16_t id;
	int16_t status;
};

struct netif_rx_request {
	uint16_t id;
	uint16_t pad;
	grant_ref_t gref;
};

struct netif_rx_response {
	uint16_t id;
	uint16_t offset;
	uint16_t flags;
	int16_t status;
};

struct netif_extra_info {
	uint8_t type;
	uint8_t flags;
	union {
		struct {
			uint16_t size;
			uint8_t type;
			uint8_t pad;
			uint16_t features;
		} gso;
		struct {
			uint8_t addr[6];
		} mcast;
		struct {
			uint8_t type;
			uint8_t algorithm;
			uint8_t value[4];
		} hash;
		uint16_t pad[3];
	} u;
};

union netif_tx_entry {
	struct netif_tx_request req;
	struct netif_tx_response rsp;
};

union netif_rx_entry {
	struct netif_rx_request req;
	struct netif_rx_response rsp;
};

#define NET_TX_RING_SIZE 256
#define NET_RX_RING_SIZE 256

struct netif_tx_sring {
	struct xen_sring hdr;
	union netif_tx_entry ring[NET_TX_RING_SIZE];
};

struct netif_rx_sring {
	struct xen_sring hdr;
	union netif_rx_entry ring[NET_RX_RING_SIZE];
};

_Static_assert(sizeof(struct netif_tx_request) == 12, "netif_tx_request");
_Static_assert(offsetof(struct netif_tx_request, offset) == 4 &&
		       offsetof(struct netif_tx_request, flags) == 6 &&
		       offsetof(struct netif_tx_request, id) == 8 &&
		       offsetof(struct netif_tx_request, size) == 10,
	       "netif_tx_request layout");
_Static_assert(sizeof(struct netif_tx_response) == 4, "netif_tx_response");
_Static_assert(sizeof(union netif_tx_entry) == 12, "a TX slot is 12 bytes");
_Static_assert(sizeof(struct netif_rx_request) == 8 && offsetof(struct netif_rx_request, gref) == 4,
	       "netif_rx_request");
_Static_assert(sizeof(struct netif_rx_response) == 8 &&
		       offsetof(struct netif_rx_response, offset) == 2 &&
		       offsetof(struct netif_rx_response, flags) == 4 &&
		       offsetof(struct netif_rx_response, status) == 6,
	       "netif_rx_response");
_Static_assert(sizeof(struct netif_extra_info) == 8, "netif_extra_info occupies one slot");
_Static_assert(sizeof(union netif_rx_entry) == 8, "an RX slot is 8 bytes");
_Static_assert(XEN_RING_SIZE_FOR(sizeof(union netif_tx_entry)) == NET_TX_RING_SIZE, "336 -> 256");
_Static_assert(XEN_RING_SIZE_FOR(sizeof(union netif_rx_entry)) == NET_RX_RING_SIZE, "504 -> 256");
_Static_assert(sizeof(struct netif_tx_sring) <= 4096 && sizeof(struct netif_rx_sring) <= 4096,
	       "each ring is one page");

#endif
