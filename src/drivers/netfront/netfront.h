/*
 * netfront: a guest's paravirtual network interface, shaped like Linux's xen-netfront. An eth%d
 * netdev; TX: each frame copied into pages of ours granted read-only to the backend for as long
 * as it has them, one request per page; RX: NET_RX_RING_SIZE pages granted writable and posted,
 * the backend's grant copies fill them, a NAPI-style poll hands them up and posts them again.
 * Negotiation through xenstore (rings, event channels, request-rx-copy, feature-rx-notify,
 * feature-sg), reconnection when the backend goes and a new one comes (dom0 restart): the
 * frames still in the TX ring then are lost, as with Xen's netfront.
 *
 * Grants the backend still holds when we let go (it maps a ring until it has seen us close) are
 * retried on a timer and their pages freed only once ended.
 */
#ifndef VFNET_DRIVERS_NETFRONT_H
#define VFNET_DRIVERS_NETFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/evtchn.h"
#include "vfnet/gnttab.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"
#include "vfnet/xen/netif.h"
#include "vfnet/xenbus.h"

#define NF_TAG	     "netfront"
#define NF_RX_BUDGET 64
#define NF_PAGE	     4096u

struct nf_buf {
	void *page;
	uint64_t bus;
	int ref;      /* its grant reference, claimed at setup */
	bool granted; /* TX: in flight; RX: posted */
};

struct nf_zombie {
	void *page;
	size_t size;
	grant_ref_t ref;
	unsigned tries;
	struct nf_zombie *next;
};

struct netfront {
	struct xenbus_device *dev;
	struct netdev nd;
	bool registered, connected, split;
	unsigned backend_id;

	struct netif_tx_sring *tx_sring;
	struct netif_rx_sring *rx_sring;
	uint64_t tx_sring_bus, rx_sring_bus;
	int tx_ring_ref, rx_ring_ref;
	struct xen_front_ring tx, rx;
	evtchn_port_t tx_port, rx_port;

	struct nf_buf txb[NET_TX_RING_SIZE];
	uint16_t tx_free[NET_TX_RING_SIZE];
	unsigned tx_nfree;
	struct nf_buf rxb[NET_RX_RING_SIZE];
	uint16_t rx_posted[NET_RX_RING_SIZE]; /* the buffer we posted in each ring slot */
	uint8_t *rx_lin; /* a packet of several slots, put together */

	struct os_work rx_work, tx_work;

	uint64_t tx_discarded, rx_bad_ring, rx_multi, zombies_pending, reconnects;
};

/* tx.c */
int netfront_tx__setup(struct netfront *nf);
void netfront_tx__teardown(struct netfront *nf);
int netfront_tx__xmit(struct netdev *nd, const struct pkt *pkts, unsigned n);
void netfront_tx__gc(struct netfront *nf);
void netfront_tx__work(struct os_work *w);

/* rx.c */
int netfront_rx__setup(struct netfront *nf);
void netfront_rx__teardown(struct netfront *nf);
void netfront_rx__work(struct os_work *w);

/* Let go of a grant: its page is freed at once, or once the other side lets go of it. */
void netfront__end_grant(struct netfront *nf, grant_ref_t ref, void *page, size_t size);
void netfront__ring_broken(struct netfront *nf, const char *why);

#endif
