/*
 * netback: dom0's end of a guest's paravirtual network interface, shaped like Linux's
 * xen-netback. One vif<domid>.<devid> netdev per frontend, a bridge port (the vif-bridge hotplug
 * step is done here); guest to dom0 (the TX ring) by grant copy, or grant map of the slot's page
 * (the `netback_tx = copy|map` option of dom0's configuration; frames of up to
 * NETBACK_TX_COPY_LEN bytes and frames of several slots are always copied); dom0 to guest (the
 * RX ring) by grant copies batched NETBACK_COPY_BATCH per hypercall.
 *
 * Everything the frontend writes into the shared rings is copied out before it is used, and
 * checked: a packet of more than NETBACK_FATAL_SLOTS following slots or a slot that crosses its
 * page disables the vif (with a log line); 18 or 19 following slots, sizes that do not add up,
 * frames shorter than a header or longer than ETH_FRAME_MAX are dropped with an error response;
 * a ring producer beyond what the ring holds disables the vif. Frames for a guest that posts no
 * buffers wait in a queue of up to NETBACK_RX_QUEUE_BYTES (half the RX ring's pages, as Linux);
 * the rest are dropped and counted, and a queue that has not moved for NETBACK_RX_DRAIN_MS is
 * flushed.
 */
#ifndef VFNET_DRIVERS_NETBACK_H
#define VFNET_DRIVERS_NETBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/evtchn.h"
#include "vfnet/gnttab.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"
#include "vfnet/xen/netif.h"
#include "vfnet/xenbus.h"

#define NB_TAG		     "netback"
#define NETBACK_TX_COPY_LEN  128
#define NETBACK_TX_BATCH     64 /* packets per TX poll (NAPI weight) */
#define NETBACK_COPY_BATCH   64 /* grant copies per hypercall on RX */
#define NETBACK_FATAL_SLOTS  20
#define NETBACK_DROP_SLOTS   18 /* XEN_NETBK_LEGACY_SLOTS_MAX */
#define NETBACK_MAX_SLOTS    (NETBACK_FATAL_SLOTS + 1)
#define NETBACK_RX_QUEUE     4096 /* frames ... */
#define NETBACK_RX_QUEUE_BYTES (NET_RX_RING_SIZE / 2 * 4096u) /* ... and bytes (Linux's) */
#define NETBACK_RX_DRAIN_MS  10000
#define NETBACK_BUF_SIZE     (ETH_FRAME_MAX + 64)

enum netback_tx_mode { NETBACK_TX_MAP, NETBACK_TX_COPY };

struct netback_txpkt {
	struct netif_tx_request slot[NETBACK_MAX_SLOTS]; /* copied out of the ring */
	unsigned nslots;  /* request slots, extra-info slots included */
	unsigned extras;  /* of which extra-info slots (answered NETIF_RSP_NULL) */
	bool extra_at[NETBACK_MAX_SLOTS];
	int16_t status;	  /* NETIF_RSP_OKAY, or the error that answers every slot */
	bool mapped;	  /* the data slot is grant-mapped at map_page */
	unsigned map_op;  /* its op in the batch */
	unsigned copy_first, copy_count; /* its copy ops */
	uint16_t len;
	uint16_t flags;	  /* PKT_* */
};

struct netback_vif {
	struct xenbus_device *dev;
	unsigned domid, handle;
	char guest_mac[18];
	char bridge[NETDEV_NAME_LEN];
	struct netdev nd;
	bool registered, connected, disabled;
	enum netback_tx_mode tx_mode;
	bool csum_to_guest; /* the frontend takes csum_blank frames */

	/* rings, mapped at pages set aside in our RAM */
	void *ring_pages; /* 2 pages: TX, RX */
	uint64_t ring_bus;
	grant_handle_t tx_ring_handle, rx_ring_handle;
	bool tx_ring_mapped, rx_ring_mapped;
	struct xen_back_ring tx, rx;
	struct netif_tx_sring *tx_sring;
	struct netif_rx_sring *rx_sring;
	evtchn_port_t tx_port, rx_port; /* equal for one channel */

	struct os_work tx_work, rx_work;
	bool removing; /* the device went while a work was queued: the last one frees the vif */
	struct os_timer *drain_timer;

	/* TX buffers: copy targets and pages set aside for mappings, one per packet of a batch */
	uint8_t *tx_buf;
	uint64_t tx_buf_bus;
	uint8_t *map_pages;
	uint64_t map_bus;
	struct netback_txpkt txp[NETBACK_TX_BATCH];

	/* RX: frames waiting for guest buffers */
	uint8_t *rxq_buf; /* NETBACK_RX_QUEUE_BYTES, frames one after the other */
	uint64_t rxq_bus;
	struct pkt rxq[NETBACK_RX_QUEUE];
	unsigned rxq_head, rxq_count, rxq_wr;
	uint64_t rxq_moved_ns;
	uint8_t *bounce; /* a frame that is not in our RAM, or must be changed, for one copy */
	uint64_t bounce_bus;

	/* counters (besides nd.stats) */
	uint64_t tx_errors_frontend, tx_fatal, rx_queue_drops, rx_no_buffer, rx_drained;
	uint64_t tx_copy_ops, tx_map_ops, rx_copy_ops, hypercalls;
	uint64_t cpu_ns; /* dom0's vCPU time spent on this vif */
	struct netback_vif *next;
};

extern enum netback_tx_mode netback_tx_mode;
extern struct netback_vif *netback_vifs;

/* interface.c: the vif netdev and its bridge port */
int netback_vif__create(struct netback_vif *vif);
void netback_vif__destroy(struct netback_vif *vif);
void netback_vif__carrier(struct netback_vif *vif, bool on);
/* A misbehaving frontend: the vif stops, with a log line naming why. */
void netback_vif__fatal(struct netback_vif *vif, const char *why);

/* tx.c: the guest's transmissions */
/* A work's first step: false (and the vif freed once no work is queued) after remove. */
bool netback_vif__work_begin(struct netback_vif *vif);
void netback_tx__work(struct os_work *w);
/* rx.c: frames to the guest */
int netback_rx__xmit(struct netdev *nd, const struct pkt *pkts, unsigned n);
void netback_rx__work(struct os_work *w);
void netback_rx__flush_queue(struct netback_vif *vif);
void netback_rx__drain_timeout(void *opaque);

/* service.c */
void netback_service__init(void);
/* dom0's configuration (a runtime init hook). */
void netback__init(void);

uint64_t netback__thread_ns(void);

#endif
