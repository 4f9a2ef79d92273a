/*
 * The Intel 82576 model: the device as the machine (and only the machine) sees it.
 *
 * A driver reaches it exactly as on hardware: config space (pcidev.h), BAR0 registers, BAR3
 * MSI-X table and PBA, DMA through the IOMMU with the function's requester ID, and MSI messages
 * it emits. The VF BARs are views of the PF's per-pool state; a VF owns nothing of its own.
 *
 * Threads: all register state of a port is owned by one thread at a time (the port's engine
 * thread, or the caller in single-threaded use such as tests); e82576__mmio must be called from
 * that thread. Statistics can be read from any thread (relaxed atomics).
 */
#ifndef VFNET_HW_NIC_E82576_H
#define VFNET_HW_NIC_E82576_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/nic/pcidev.h"

struct iommu;
struct e82576;

/* Where the device's MSI writes go: the machine connects this to interrupt remapping. */
typedef void (*e82576_msi_fn)(void *opaque, uint16_t rid, uint64_t addr, uint32_t data);

struct e82576_config {
	uint8_t bus, dev;          /* PFs at bus:dev.0 and bus:dev.1 */
	uint8_t mac[E82576_PORTS][6]; /* the NVM's permanent addresses */
	struct iommu *iommu;       /* every DMA goes through it (required) */
	e82576_msi_fn msi;         /* required */
	void *msi_opaque;
	uint64_t (*now_ns)(void);  /* clock for EITR and rate limiting; NULL = CLOCK_MONOTONIC */
};

int e82576__create(struct e82576 **out, const struct e82576_config *cfg);
void e82576__destroy(struct e82576 *nic);

/* The device's PCI functions (PFs and VFs), to put on the machine's bus. */
struct e82576_pci *e82576__pci(struct e82576 *nic);

/*
 * A memory or I/O access by the host to one of fn's BARs (fn must be a function of this NIC):
 * @bar 0 (registers), 2 (PF I/O window) or 3 (MSI-X). @size 1, 2, 4 or 8 as the BAR allows.
 * Returns 0; -EINVAL for an access the BAR does not decode (offset, size, alignment, no such
 * BAR); -EIO when the function does not decode memory now (Command.MEM clear, or for a VF,
 * VF MSE clear or the VF not enabled). A read that fails returns all ones, as an Unsupported
 * Request does; a failed write changes nothing. Every refused access is counted.
 */
int e82576__mmio(struct e82576 *nic, struct pci_func *fn, unsigned bar, uint64_t off,
		 unsigned size, bool write, uint64_t *val);

/* Convenience for in-process drivers and tests: 32-bit BAR0 access. */
uint32_t e82576__rd32(struct e82576 *nic, struct pci_func *fn, uint32_t off);
void e82576__wr32(struct e82576 *nic, struct pci_func *fn, uint32_t off, uint32_t val);

/* Counters the machine's tools read. */
struct e82576_port_stats {
	uint64_t mmio_refused;   /* accesses refused by decode (offset, size, MEM/MSE) */
	uint64_t unknown_reads;  /* reads of offsets the model does not implement (read 0) */
	uint64_t ignored_writes; /* writes to unimplemented or read-only registers */
	uint64_t msi_sent;
	uint64_t msi_pending;    /* vectors that became pending while masked */
};
void e82576__port_stats(struct e82576 *nic, unsigned port, struct e82576_port_stats *st);

/* EITR moderation: when the port next needs e82576__run_timers (UINT64_MAX: never). */
uint64_t e82576__next_deadline(struct e82576 *nic, unsigned port);
void e82576__run_timers(struct e82576 *nic, unsigned port);

/* Why the datapath dropped a frame, or one receiver's copy of it (the Rx reasons). */
enum e82576_drop {
	E82576_DROP_NO_DESC,     /* Rx: the queue had no descriptors (RNBC; RQDPC or MPC) */
	E82576_DROP_SPOOF_MAC,   /* Tx: source MAC not in the pool's RAR entries (DTXSWC) */
	E82576_DROP_SPOOF_VLAN,  /* Tx: VLAN not the pool's (VLVF, port VLAN) */
	E82576_DROP_TX_TOO_LONG, /* Tx: longer than the largest frame the port sends */
	E82576_DROP_RX_TOO_LONG, /* Rx: longer than the pool's RLPML (LPE) or 1522 (ROC) */
	E82576_DROP_TX_GATED,    /* Tx: the VF's VFTE bit is clear */
	E82576_DROP_RX_GATED,    /* Rx: a pool it matched has VFRE clear (one per copy) */
	E82576_DROP_DMA_FAULT,   /* a descriptor or buffer did not translate: the queue stopped */
	E82576_DROP_BAD_DESC,    /* Tx: legacy or unknown descriptor, TSO, runt, too fragmented */
	E82576_DROP_RX_QUEUE_OFF, /* Rx: the pool's queue is disabled or cannot master the bus */
	E82576_DROP_FILTERED,    /* Rx from the wire: no pool or queue accepts it */
	E82576_DROP_LINK_DOWN,   /* for or from the wire while there is none or its link is down */
	E82576_DROP_VLAN,	 /* Rx: unicast to the pool's MAC, tagged with a VID not its own */
	E82576_DROP_UNTAGGED,	 /* Rx: unicast to the pool's MAC, untagged, and the pool takes
				  * tagged frames only (a port VLAN: VMOLR.AUPE clear) */
	E82576_DROP_NR
};

/* What the datapath moved and dropped on one port. */
struct e82576_dp_stats {
	uint64_t tx_frames, tx_bytes; /* frames Tx queues sent, to the wire or a pool (bytes as sent) */
	uint64_t rx_frames, rx_bytes; /* copies written into Rx queues */
	uint64_t wire_tx, wire_rx;    /* frames handed to and taken from the wire */
	uint64_t loopback;            /* copies switched from one pool to another */
	uint64_t queue_errors;        /* queues stopped by a DMA fault or a broken ring */
	uint64_t bad_tail;            /* passes that found a tail beyond the ring */
	uint64_t drops[E82576_DROP_NR];
};
void e82576__dp_stats(struct e82576 *nic, unsigned port, struct e82576_dp_stats *st);
const char *e82576_drop__name(enum e82576_drop why);

/*
 * What one pool moved and dropped (VF n's pool is pool n; E82576_POOLS is the PF outside VMDq),
 * counted since the NIC was created and never cleared, by a VF reset or by SR-IOV going off, so
 * that a rate is the difference of two readings. Bytes as in e82576_dp_stats (no FCS). A drop is
 * counted here and in the port's drops[] alike, when the pool is known: frames the wire brought
 * that no pool took (filtered) belong to no pool.
 */
struct e82576_pool_stats {
	uint64_t rx_frames, rx_bytes; /* copies written into the pool's Rx queue */
	uint64_t tx_frames, tx_bytes; /* frames its Tx queues sent, to the wire or a pool */
	uint64_t rx_drops;	      /* copies meant for it that were dropped (gated, no desc...) */
	uint64_t tx_drops;	      /* frames it sent that were dropped (spoofed, link down...) */
	uint64_t rx_vlan;	      /* of rx_drops: VLAN filtering (E82576_DROP_VLAN) */
	uint64_t rx_untagged;	      /* of rx_drops: untagged to a tagged-only pool */
};
/* @pool 0..E82576_POOLS; any thread (relaxed loads of one writer's counters). */
void e82576__pool_stats(struct e82576 *nic, unsigned port, unsigned pool,
			struct e82576_pool_stats *st);

/* ---- the engine: one thread per port owns the port (engine.c) ---- */
struct reqring_cons;

struct e82576_engine_stats {
	uint64_t loops;  /* passes over the rings and the datapath */
	uint64_t work;   /* requests applied and descriptors/frames handled */
	uint64_t sleeps; /* times the engine went to sleep on its doorbells, wire and timer */
	uint64_t cpu_ns; /* the engine thread's CPU time: what the silicon would do for free */
};

/*
 * Start one engine thread per port. After an idle pass the engine keeps polling for
 * @poll_window_ns (0: 50 us) before it sleeps. From then on, e82576__mmio and everything that
 * touches a port must run on its engine: use e82576__call.
 */
int e82576__start(struct e82576 *nic, uint64_t poll_window_ns);
void e82576__stop(struct e82576 *nic);
/* Run fn(arg) on the port's engine thread and wait for it; inline when no engine runs. */
int e82576__call(struct e82576 *nic, unsigned port, void (*fn)(void *arg), void *arg);
/*
 * Serve @fn's BARs to one accessor from a request ring (lib/reqring.h). One ring per function
 * and accessor carries all its BARs, so accesses to BAR0 and to the MSI-X table stay in the order
 * the accessor made them: a request's offset is E82576_RING_OFFSET(bar, offset), and the ring's
 * BAR size is E82576_RING_SIZE. The engine applies requests in order through e82576__mmio, so
 * decode rules and refusals are the same as in-process. The ring must outlive its removal;
 * e82576__ring_remove returns once the engine no longer touches it.
 */
#define E82576_RING_BAR_SHIFT 28
#define E82576_RING_OFFSET(bar, off) ((uint32_t)(bar) << E82576_RING_BAR_SHIFT | (uint32_t)(off))
#define E82576_RING_SIZE (6ull << E82576_RING_BAR_SHIFT)
/*
 * @bars says which BARs the accessor may reach (BIT(n) for BAR n): a guest's ring gets BIT(0)
 * only, since its MSI-X table (BAR3) is trapped by the hypervisor; a request for another BAR is
 * refused (a read returns all ones) and counted by the ring.
 */
int e82576__ring_add(struct e82576 *nic, struct pci_func *fn, struct reqring_cons *ring,
		     unsigned bars);
int e82576__ring_remove(struct e82576 *nic, struct reqring_cons *ring);
void e82576__engine_stats(struct e82576 *nic, unsigned port, struct e82576_engine_stats *st);
/* Connect a port to its wire (NULL: none). The wire stays the caller's; detach before closing. */
struct wire;
int e82576__set_wire(struct e82576 *nic, unsigned port, struct wire *w);

/* ---- capture taps: one per port (capture.c; the ring and what is seen where: capture.h) ---- */
struct cap_ring;

enum e82576_cap_source {
	E82576_CAP_WIRE, /* what the port sends to its wire and receives from it */
	E82576_CAP_POOL, /* what pool n (VF n) sends and what the switch delivers to it */
};

struct e82576_cap_filter {
	enum e82576_cap_source source;
	unsigned pool; /* E82576_CAP_POOL: 0 .. 7 */
};

struct e82576_capture_stats {
	uint64_t frames;  /* put into the ring since the capture started */
	uint64_t dropped; /* lost because the ring was full */
};

/*
 * Copy the frames @flt names into @ring (its producer from now on) until e82576__capture_stop.
 * -EINVAL for a bad port or filter, -EBUSY when the port already has a capture.
 */
int e82576__capture_start(struct e82576 *nic, unsigned port, const struct e82576_cap_filter *flt,
			  struct cap_ring *ring);
/* Stop the port's capture: on return the engine no longer touches the ring. -ENOENT: none. */
int e82576__capture_stop(struct e82576 *nic, unsigned port);
/* The current (or last) capture's counters, from any thread. */
void e82576__capture_stats(struct e82576 *nic, unsigned port, struct e82576_capture_stats *st);

#endif
