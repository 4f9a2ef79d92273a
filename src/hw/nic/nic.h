/*
 * Inside the 82576 model: the device, its ports, and the register handler tables shared by the
 * files of src/hw/nic/. Nothing outside src/hw/nic includes this header.
 */
#ifndef VFNET_HW_NIC_NIC_H
#define VFNET_HW_NIC_NIC_H

#include <stdatomic.h>

#include "hw/nic/dp.h"
#include "hw/nic/e82576.h"
#include "hw/nic/regs.h"

#define E82576_POOLS 8
#define E82576_PF_VECTORS E82576_PF_MSIX_VECTORS
#define E82576_VF_VECTORS E82576_VF_MSIX_VECTORS
#define NIC_REGS (E1000_MMIO_SIZE / 4)

/* MSI-X table and PBA of one function (PCI 3.0 6.8.2), held in BAR3. */
struct nic_msix {
	uint32_t table[E82576_PF_VECTORS][4]; /* addr lo, addr hi, data, vector control */
	uint64_t pba;
	unsigned nvec;
};

struct nic_port {
	struct e82576 *nic;
	unsigned index;
	struct pci_func *pf;
	/* The register file of BAR0, by dword index; includes the per-VF mirrors at 0x10000. */
	uint32_t mac[NIC_REGS];
	struct nic_msix msix_pf;
	struct nic_msix msix_vf[E82576_MAX_VFS];
	uint16_t nvm[64];
	uint32_t ioaddr;      /* BAR2 IOADDR */
	uint32_t asserted;    /* PF EICR bits whose message went out and are not yet cleared */
	uint32_t vf_asserted[E82576_MAX_VFS];
	uint32_t rttbcnrc[E1000_NUM_QUEUES]; /* per-queue Tx rate, selected by RTTDQSEL */
	uint16_t phy_bmcr; /* the internal PHY's control register (MDIC reg 0): not a MAC register,
			    * so a MAC reset (CTRL.RST) leaves it; power-on and a PF FLR restore it */
	/* Queues whose tail moved since the datapath last looked (bit q), set by queue.c. */
	uint32_t tx_kick, rx_kick;
	uint64_t itr_last_ns[E82576_PF_VECTORS + E82576_MAX_VFS * E82576_VF_VECTORS];
	struct e82576_port_stats stats;
	struct nic_dp dp; /* the datapath's own state (dp.h): tx.c, rx.c, switch.c, dp.c */
};

struct e82576 {
	struct e82576_pci pci;
	struct nic_port port[E82576_PORTS];
	struct iommu *iommu;
	e82576_msi_fn msi;
	void *msi_opaque;
	uint64_t (*now_ns)(void);
	struct nic_engine *engine[E82576_PORTS]; /* engine.c: NULL until e82576__start */
};

/* Register handlers: idx is the dword index (offset >> 2) into the PF register file. */
typedef uint32_t (*nic_rd_fn)(struct nic_port *p, unsigned idx);
typedef void (*nic_wr_fn)(struct nic_port *p, unsigned idx, uint32_t val);

/* The PF's tables (regtable.c): a NULL entry is an offset the model does not implement. */
extern const nic_rd_fn nic_pf_rd[NIC_REGS];
extern const nic_wr_fn nic_pf_wr[NIC_REGS];

/* VF BAR0 access, translated onto the PF's per-pool state (vf.c). */
uint32_t nic_vf__read(struct nic_port *p, unsigned vf, uint32_t off);
void nic_vf__write(struct nic_port *p, unsigned vf, uint32_t off, uint32_t val);

/* Plain storage. */
uint32_t nic_reg__rd(struct nic_port *p, unsigned idx);
void nic_reg__wr(struct nic_port *p, unsigned idx, uint32_t val);
void nic_reg__ignore(struct nic_port *p, unsigned idx, uint32_t val);
uint32_t nic_reg__rd_clear(struct nic_port *p, unsigned idx); /* statistics */

static inline uint32_t nic_get(const struct nic_port *p, uint32_t off)
{
	return p->mac[off >> 2];
}
static inline void nic_set(struct nic_port *p, uint32_t off, uint32_t val)
{
	p->mac[off >> 2] = val;
}

uint64_t nic__now(const struct e82576 *nic);

/* Port counters have one writer (the port's thread) and readers anywhere: relaxed atomics. */
static inline void nic_stat_inc(uint64_t *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}
static inline unsigned nic_port__num_vfs(const struct nic_port *p)
{
	return p->pf->sriov->enabled;
}


/* ---- interrupts (intr.c) ---- */
/* Raise PF "other" causes in ICR (LSC, VMMB, DOUTSYNC, ...): folds into the IVAR_MISC vector. */
void nic_intr__raise_icr(struct nic_port *p, uint32_t causes);
/* Raise EICR bits of the PF (vectors) or of VF vf (its three vectors). */
void nic_intr__raise_pf(struct nic_port *p, uint32_t eicr_bits);
void nic_intr__raise_vf(struct nic_port *p, unsigned vf, uint32_t eicr_bits);
/* Queue events: Rx/Tx of PF queue q, routed by IVAR to the owning function's vector. */
void nic_intr__queue(struct nic_port *p, unsigned q, bool tx);
/* EITR deadlines: the earliest time a throttled vector must fire, or UINT64_MAX. */
uint64_t nic_intr__next_deadline(struct nic_port *p);
void nic_intr__run_timers(struct nic_port *p, uint64_t now);
uint32_t nic_intr__rd(struct nic_port *p, unsigned idx);
void nic_intr__wr(struct nic_port *p, unsigned idx, uint32_t val);
uint32_t nic_intr__vf_rd(struct nic_port *p, unsigned vf, uint32_t off);
void nic_intr__vf_wr(struct nic_port *p, unsigned vf, uint32_t off, uint32_t val);
void nic_intr__reset_vf(struct nic_port *p, unsigned vf);

/* ---- MSI-X (msix.c) ---- */
void nic_msix__init(struct nic_msix *m, unsigned nvec);
int nic_msix__access(struct nic_port *p, struct pci_func *fn, struct nic_msix *m, uint64_t off,
		     unsigned size, bool write, uint64_t *val);
/* Send vector v of fn now, or leave it pending while masked. */
void nic_msix__notify(struct nic_port *p, struct pci_func *fn, struct nic_msix *m, unsigned v);
/* Config-space changes of MSI-X Enable / Function Mask: deliver what became unmasked. */
void nic_msix__cfg_changed(struct nic_port *p, struct pci_func *fn, struct nic_msix *m);

/* ---- mailbox (mbx.c) ---- */
uint32_t nic_mbx__pf_rd(struct nic_port *p, unsigned idx);
void nic_mbx__pf_wr(struct nic_port *p, unsigned idx, uint32_t val);
uint32_t nic_mbx__vf_rd(struct nic_port *p, unsigned vf, uint32_t off);
void nic_mbx__vf_wr(struct nic_port *p, unsigned vf, uint32_t off, uint32_t val);
/* PF reset started / PF reset done (CTRL_EXT.PFRSTD): RSTI, then RSTD, in every VF mailbox. */
void nic_mbx__pf_reset(struct nic_port *p);
void nic_mbx__pf_reset_done(struct nic_port *p);
/* Empty a VF's mailbox: buffer, locks, pending events (a PF reset in progress stays). */
void nic_mbx__vf_clear(struct nic_port *p, unsigned vf);
/* A VF was reset (CTRL.RST or FLR): its mailbox is empty and VFLRE tells the PF. */
void nic_mbx__vf_reset(struct nic_port *p, unsigned vf);

/* ---- queues (queue.c) ---- */
uint32_t nic_queue__rd(struct nic_port *p, unsigned idx);
void nic_queue__wr(struct nic_port *p, unsigned idx, uint32_t val);
/* PF queue q's register offset for a field, and whether q is a VF's (vf set) or the PF's. */
static inline uint32_t nic_queue__reg(unsigned q, bool tx, uint32_t field)
{
	return (tx ? E1000_TXQ(q) : E1000_RXQ(q)) + field;
}
/* Is PF queue q a VF's? Then *vf is its VF (queue q of VF n is n or n + 8). */
static inline bool nic_queue__vf(const struct nic_port *p, unsigned q, unsigned *vf)
{
	*vf = q & 7;
	return *vf < nic_port__num_vfs(p);
}
/* Stop queue q (enable cleared, head = tail = 0), as a function reset does. */
void nic_queue__reset(struct nic_port *p, unsigned q);

/* ---- resets (reset.c) ---- */
void nic_reset__vf(struct nic_port *p, unsigned vf); /* VF CTRL.RST or FLR: VFLRE + VMMB */
void nic_reset__vf_state(struct nic_port *p, unsigned vf); /* the same, telling nobody */
void nic_reset__vfs_enabled(struct nic_port *p, unsigned count); /* VF Enable: VFs < count */
void nic_reset__port(struct nic_port *p);            /* PF CTRL.RST */
void nic_reset__port_regs(struct nic_port *p);       /* power-on register values */

/* ---- general registers (general.c) ---- */
uint32_t nic_gen__rd(struct nic_port *p, unsigned idx);
void nic_gen__wr(struct nic_port *p, unsigned idx, uint32_t val);

/* ---- datapath (dp.c) ---- */
/*
 * Service the port: Tx queues whose tail moved or that still have descriptors (at most budget
 * descriptors each), then up to budget frames from the wire. Returns the work done (descriptors
 * completed and frames received): 0 means the engine may sleep until a doorbell, the wire's fd or
 * nic_dp__next_deadline.
 */
unsigned nic_dp__poll(struct nic_port *p, unsigned budget);
/* When the datapath must be polled again without a doorbell (a rate-limited queue may send, the
 * link is due a look), or UINT64_MAX. */
uint64_t nic_dp__next_deadline(struct nic_port *p);
/* The port's wire (NULL: none; frames for the wire are dropped as link down). STATUS.LU follows
 * its link state from the next poll. The wire stays the caller's to close, after detaching. */
void nic_dp__attach_wire(struct nic_port *p, struct wire *w);
/* A port reset: Tx context slots, rate-limiter clocks and pending work are forgotten; the wire
 * and the counters stay. */
void nic_dp__reset(struct nic_port *p);
/* The PHY was powered up or down: STATUS.LU is looked at again on the next poll. */
void nic_dp__link_changed(struct nic_port *p);

/* The internal PHY's BMCR (IEEE 802.3 clause 22 register 0). */
#define E82576_PHY_BMCR_DEFAULT 0x1140 /* autonegotiation on, 1000 Mb/s, full duplex */
#define E82576_PHY_BMCR_PDOWN	0x0800
#define E82576_PHY_BMCR_RESET	0x8000

#endif
