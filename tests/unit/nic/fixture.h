/*
 * A machine for the datapath tests: machine memory, the IOMMU with one DMA domain per function
 * (each VF's "guest RAM" mapped at IOVA = guest physical address, as the hypervisor does), the
 * 82576 with SR-IOV enabled through config writes, and drivers' views of the rings.
 *
 * Functions are numbered 0..7 for VF 0..7 and FX_PF for the PF. Each has 16 MiB of RAM:
 *   FX_TX_RING, FX_RX_RING   descriptor rings (up to 256 descriptors)
 *   FX_TX_BUF + 16 KiB i     Tx buffer of descriptor i
 *   FX_RX_BUF + 16 KiB i     Rx buffer of descriptor i
 * The PF is set up the way Linux igb sets up a port with VFs (82576.md section 8); rings the
 * way igbvf brings them up (disable, BAL/BAH/LEN, head = tail = 0, SRRCTL, enable).
 */
#ifndef VFNET_TEST_NIC_FIXTURE_H
#define VFNET_TEST_NIC_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/iommu/context.h"
#include "hw/iommu/iommu.h"
#include "hw/iommu/pgtable.h"
#include "hw/mem/pool.h"
#include "hw/nic/desc.h"
#include "hw/nic/nic.h"
#include "hw/nic/wire.h"

#define FX_PF	    8
#define FX_NFN	    9
#define FX_RAM_SIZE (16ull << 20)
#define FX_TX_RING  0x10000ull
#define FX_RX_RING  0x20000ull
#define FX_TX_BUF   0x400000ull
#define FX_RX_BUF   0x800000ull
#define FX_BUF_SIZE 0x4000u
#define FX_MAX_DESC 256

struct fx_ring {
	uint32_t count;
	uint32_t next; /* Tx: next to use; Rx: next to clean */
	uint32_t tail; /* Rx: next to post */
};

struct fx_fn {
	struct pci_func *fn;
	uint16_t rid;
	struct dma_domain dom;
	uint64_t ram_maddr;
	uint8_t *ram; /* host view */
	uint8_t mac[6];
	uint32_t txq, rxq; /* the queue register blocks in the function's own BAR0 */
	struct fx_ring tx, rx;
};

struct fx {
	struct machine_mem mem;
	struct mem_pool pool;
	struct iommu *iommu;
	struct context_tables ct;
	struct e82576 *nic;
	struct nic_port *port;
	unsigned nvfs;
	struct fx_fn fn[FX_NFN];
	uint64_t now;
	unsigned nmsi;
	struct wire *wire;
};

extern struct fx fx;

/* Build the machine with nvfs VFs and the PF set up as igb does; cmocka teardown. */
void fx__start(unsigned nvfs);
int fx__teardown(void **state);

/* Register access through function i's own BAR0. */
uint32_t fx__rd(unsigned i, uint32_t off);
void fx__wr(unsigned i, uint32_t off, uint32_t val);
/* PF registers (through the PF's BAR0). */
uint32_t fx__pf_rd(uint32_t off);
void fx__pf_wr(uint32_t off, uint32_t val);

/* Host pointer to guest physical address gpa of function i. */
uint8_t *fx__ram(unsigned i, uint64_t gpa);

/* igbvf's ring bring-up for function i: ntx Tx, nrx Rx descriptors, Rx buffers of kib KiB. */
void fx__rings(unsigned i, unsigned ntx, unsigned nrx, unsigned kib);
/* Post n Rx buffers (RDT written once). */
void fx__rx_post(unsigned i, unsigned n);

/* Offloads and shape of one transmitted frame. */
struct fx_txopt {
	unsigned frags; /* data descriptors (default 1): the frame is split evenly */
	bool ctx;	/* a context descriptor first */
	uint16_t vlan;	/* context VLAN */
	bool vle;	/* DCMD.VLE */
	uint8_t maclen;
	uint16_t iplen;
	uint32_t tucmd; /* E1000_ADVTXD_TUCMD_* */
	uint32_t popts; /* E1000_ADVTXD_POPTS_IXSM / TXSM */
	bool no_rs;
};
/* Queue a frame on function i's Tx ring (TDT written); returns the index of its last
 * descriptor. opt may be NULL. */
unsigned fx__tx(unsigned i, const void *frame, uint32_t len, const struct fx_txopt *opt);
/* Write Tx descriptor idx of function i by hand, and TDT. */
void fx__tx_desc(unsigned i, unsigned idx, uint64_t addr, uint32_t cmd, uint32_t olinfo);
void fx__tx_tail(unsigned i, unsigned tail);
bool fx__tx_done(unsigned i, unsigned idx);

/* What the Rx write-back said about one frame. */
struct fx_rxd {
	uint32_t pkt_info, status, vlan;
	unsigned ndesc;
};
/* Take the next received frame of function i into buf (cap bytes): its length, or -1 when the
 * next descriptor is not done. Checks that every descriptor but the last lacks EOP. */
int fx__rx(unsigned i, uint8_t *buf, uint32_t cap, struct fx_rxd *wb);

/* Poll the port until nothing is left to do. */
void fx__poll(void);
struct e82576_dp_stats fx__stats(void);

/* An Ethernet frame: dst, src, optional 802.1Q tag (tci >= 0), ethertype, then a payload that
 * tells frames apart (seed). Returns the length. */
uint32_t fx__frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, int tci,
		   uint16_t ethertype, uint32_t payload, uint8_t seed);
extern const uint8_t fx_bcast[6];

/* Open spec as the port's wire and attach it. */
void fx__wire(const char *spec);

#endif
