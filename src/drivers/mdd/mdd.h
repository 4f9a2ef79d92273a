/*
 * MDD: the PF driver (the paper's Master Device Driver) for the 82576 (8086:10C9) in dom0, shaped
 * like Linux igb in SR-IOV mode. Private to src/drivers/mdd/; the one public symbol is mdd_driver.
 *
 *   main.c     probe/remove, port reset and bring-up (VMDq, pools, switch), interrupts, watchdog
 *   ring.c     the PF's own netdev pf0/pf1 on the PF pool: rings, xmit, NAPI-style poll
 *   sriov.c    sriov_configure: numvfs rules, enabling and disabling VFs
 *   mbx.c      PF side of the mailbox: locks, read/write, the mailbox task, the reset handshake
 *   vf.c       per-VF state and the handlers of VF messages (igb's policy)
 *   admin.c    set_vf_* / get_vf_config: what `ip link set PF vf N ...` changes
 *   service.c  the `vfnet` tools' requests: sriov, ip-link-set
 *   vflink.c   the netdev's vf_ops: `ip link set PF vf N ...` checked whole, then applied
 *   policy.c   the per-VF policy kept by the machine, taken back by a restarted dom0
 */
#ifndef VFNET_DRIVERS_MDD_H
#define VFNET_DRIVERS_MDD_H

#include <stdbool.h>
#include <stdint.h>

#include <vfnet/netdev.h>
#include <vfnet/os.h>
#include <vfnet/pci.h>

#include "regs.h"

extern struct pci_driver mdd_driver;

#define MDD_TAG "mdd"

#define MDD_MAX_VFS	   7 /* igb: 8 pools = 7 VFs + the PF's */
#define MDD_RING_SIZE	   2048 /* as `ethtool -G pf0 rx 2048 tx 2048` on a bridging dom0 */
#define MDD_BUF_SIZE	   2048 /* Rx and Tx buffer per descriptor */
#define MDD_NAPI_BUDGET	   64
#define MDD_WATCHDOG_NS	   2000000000ull
#define MDD_NACK_WINDOW_NS 2000000000ull /* igb: at most one NACK per VF per 2 s */
#define MDD_LOG_WINDOW_NS  2000000000ull
/*
 * A VF that holds its mailbox (VFU) when dom0 wants it is skipped, never waited for: its request
 * or dom0's message to it is retried from a timer, first after MDD_MBX_RETRY_NS, then twice as
 * long each time up to MDD_MBX_RETRY_MAX_NS, with the VF's mailbox interrupt masked (MBVFIMR)
 * meanwhile, so that its REQs cost dom0 nothing. After MDD_MBX_DEFER_MAX retries in a row the
 * request is dropped and the VF loses CTS, as igb does when its lock times out.
 */
#define MDD_MBX_RETRY_NS     1000000ull
#define MDD_MBX_RETRY_MAX_NS 128000000ull
#define MDD_MBX_DEFER_MAX    16

/* ---- mailbox messages (mailbox.md sections 4-5) ---- */
#define E1000_VT_MSGTYPE_ACK  0x80000000
#define E1000_VT_MSGTYPE_NACK 0x40000000
#define E1000_VT_MSGTYPE_CTS  0x20000000
#define E1000_VT_MSGINFO_SHIFT 16
#define E1000_VT_MSGINFO_MASK  (0xFF << E1000_VT_MSGINFO_SHIFT)

#define E1000_VF_RESET		  0x0001
#define E1000_VF_SET_MAC_ADDR	  0x0002
#define E1000_VF_MAC_FILTER_CLR	  (0x01 << E1000_VT_MSGINFO_SHIFT)
#define E1000_VF_MAC_FILTER_ADD	  (0x02 << E1000_VT_MSGINFO_SHIFT)
#define E1000_VF_SET_MULTICAST	  0x0003
#define E1000_VF_SET_VLAN	  0x0004
#define E1000_VF_SET_VLAN_ADD	  (0x01 << E1000_VT_MSGINFO_SHIFT)
#define E1000_VF_SET_LPE	  0x0005
#define E1000_VF_SET_PROMISC	  0x0006
#define E1000_VF_SET_PROMISC_MULTICAST (0x02 << E1000_VT_MSGINFO_SHIFT)
#define E1000_PF_CONTROL_MSG	  0x0100

#define E1000_VF_MAX_MC_HASHES 30

/*
 * Shares of the port's tables (docs/hypervisor.md, "Containment"): no VF may take what another
 * VF or the administrator needs. RAR: entries 1-3 stay the PF's (igb's
 * IGB_PF_MAC_FILTERS_RESERVED); a VF's extra unicast filters come from the entries between
 * those and the VFs' own MACs at the end, at most MDD_VF_MAX_MAC_FILTERS each (igbvf sends no
 * more) and never more than an equal share. VLVF: entry 0 is VID 0; one entry per VF and one
 * for the PF stay free for the administrator's VLANs, and each VF may hold an equal share of
 * the rest. A request beyond its share is refused with NACK and counted.
 */
#define MDD_PF_MAC_FILTERS_RESERVED 3
#define MDD_VF_MAX_MAC_FILTERS	    3 /* IGBVF_MAX_MAC_FILTERS */
#define MDD_PF_VLANS_RESERVED	    1
#define E1000_MAX_JUMBO_FRAME  0x2600 /* 9728: the cap on SET_LPE */
#define E1000_MIN_FRAME	       64     /* ETH_ZLEN + FCS */

enum mdd_link_state { MDD_LINK_AUTO, MDD_LINK_ENABLE, MDD_LINK_DISABLE };

/* 32-bit wrapping hardware counters widened to 64 bits. */
struct mdd_vf_stats {
	uint32_t last[5];
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_multicast;
};

struct mdd_vf {
	uint8_t mac[ETH_ALEN];
	bool mac_admin; /* IGB_VF_FLAG_PF_SET_MAC: set by `ip link ... mac` */
	bool cts;	/* completed VF_RESET: clear to send */
	bool multi_promisc;
	bool trusted;
	bool spoofchk;
	enum mdd_link_state link_state;
	uint16_t pf_vlan, pf_qos; /* port VLAN */
	unsigned max_tx_rate;	  /* Mbit/s, 0 = unlimited */
	unsigned num_mc_hashes;	  /* as announced (may exceed the 30 stored) */
	uint16_t mc_hashes[E1000_VF_MAX_MC_HASHES];
	unsigned vlans;		     /* VLANs the VF added itself, VID 0 aside */
	uint64_t vlan_ids[4096 / 64]; /* ... which ones */
	uint64_t last_nack_ns, last_nack_log_ns, last_spoof_log_ns, last_policy_log_ns;
	uint64_t spoof_events, nacks;
	uint64_t refused; /* filter requests beyond the VF's share of a table */
	/* the mailbox lock held by the VF when dom0 wanted it (mbx.c) */
	bool req_pending, ping_pending; /* its request, our control message: retry */
	unsigned defers;		 /* retries in a row */
	uint64_t retry_ns;		 /* when to try again */
	uint64_t mbx_deferred, mbx_dropped;
	uint64_t last_defer_log_ns;
	struct mdd_vf_stats stats;
};

struct mdd_ring {
	void *desc; /* 16-byte advanced descriptors */
	uint64_t desc_dma;
	uint8_t *buf; /* MDD_RING_SIZE buffers of MDD_BUF_SIZE */
	uint64_t buf_dma;
	unsigned ntu, ntc; /* next to use, next to clean */
	int16_t eop[MDD_RING_SIZE]; /* Tx: a packet's first slot -> its last descriptor, or -1 */
	uint16_t bytes[MDD_RING_SIZE]; /* Tx: frame length, at the first slot */
};

struct mdd_adapter {
	struct pci_dev *pdev;
	struct pci_bar *hw;
	unsigned port; /* PCI function number: pf0, pf1 */
	uint8_t perm_mac[ETH_ALEN];

	int vec_other, vec_queue; /* domain vectors of MSI-X entries 0 and 1 */
	struct os_work mbx_work, napi;
	struct os_timer *watchdog;
	struct os_timer *mbx_retry; /* VFs whose mailbox was held (mbx.c) */

	unsigned num_vfs;
	unsigned queue; /* the PF's queue pair = its pool: num_vfs (0 without VFs) */
	struct mdd_vf vf[MDD_MAX_VFS];
	int8_t rar_owner[E1000_RAR_ENTRIES]; /* extra unicast filter -> VF, or -1 */

	bool link_up;
	bool if_up; /* the PF's interface is up (open): its PHY is powered */
	bool doutsync_masked; /* spoof events: looked at by the watchdog until it unmasks */
	unsigned link_speed; /* Mbit/s */
	unsigned rate_link_speed; /* the speed VF rates were computed for */

	/* the PF's own port */
	struct netdev netdev;
	struct mdd_ring tx, rx;
	uint8_t *jumbo; /* Rx frames over several buffers are joined here */
	unsigned jumbo_len;
	bool in_frame; /* the descriptors seen so far had no EOP */
	uint32_t pf_vlans[E1000_VFTA_SIZE]; /* VIDs the PF's port uses */
	unsigned rx_flags;
	uint8_t (*pf_mc)[ETH_ALEN];
	unsigned pf_nmc;

	struct mdd_adapter *next;
};

static inline uint32_t rd32(struct mdd_adapter *a, uint32_t reg)
{
	return pci__readl(a->hw, reg);
}

static inline void wr32(struct mdd_adapter *a, uint32_t reg, uint32_t val)
{
	pci__writel(a->hw, reg, val);
}

static inline bool mdd_mac_valid(const uint8_t *m)
{
	return !(m[0] & 1) && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

static inline bool mdd_mac_zero(const uint8_t *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* main.c */
void mdd_reinit(struct mdd_adapter *a, unsigned num_vfs);
void mdd_rar_set(struct mdd_adapter *a, unsigned idx, const uint8_t *mac, unsigned pool);
void mdd_rar_clear(struct mdd_adapter *a, unsigned idx);
void mdd_set_rx_mode(struct mdd_adapter *a);
void mdd_spoof_check(struct mdd_adapter *a);
unsigned mdd_vf_rar(unsigned vf);
bool mdd_link_read(struct mdd_adapter *a, unsigned *speed);
void mdd_phy_power(struct mdd_adapter *a, bool on);
void mdd_update_stats(struct mdd_adapter *a);

/* ring.c */
int mdd_ring_alloc(struct mdd_adapter *a);
void mdd_ring_free(struct mdd_adapter *a);
void mdd_ring_configure(struct mdd_adapter *a);
void mdd_ring_stop(struct mdd_adapter *a);
void mdd_set_rlpml(struct mdd_adapter *a);
void mdd_napi_poll(struct os_work *w);
extern const struct netdev_ops mdd_netdev_ops;

/* sriov.c */
int mdd_sriov_configure(struct pci_dev *dev, int num_vfs);
/* The same with the reason of a failure in @msg (a one-line message). */
int mdd_sriov_set(struct mdd_adapter *a, int num_vfs, char *msg, unsigned len);
unsigned mdd_sriov_total(struct mdd_adapter *a);

/* mbx.c */
int mdd_mbx_read(struct mdd_adapter *a, unsigned vf, uint32_t *msg, unsigned len);
int mdd_mbx_write(struct mdd_adapter *a, unsigned vf, const uint32_t *msg, unsigned len);
void mdd_mbx_unlock(struct mdd_adapter *a, unsigned vf);
void mdd_mbx_task(struct os_work *w);
void mdd_mbx_retry(void *opaque);
void mdd_mbx_forget(struct mdd_adapter *a, unsigned vf);
void mdd_ping_vf(struct mdd_adapter *a, unsigned vf);
void mdd_ping_all_vfs(struct mdd_adapter *a);

/* vflink.c: the PF netdev's vf_ops (`ip link set PF vf N ...`, the VF lines of `ip link`) */
extern const struct netdev_vf_ops mdd_vf_ops;
/* A non-negative integer of a json-c request, from a number or a string (@text: as given);
 * -1 if absent, -2 if malformed. */
long long mdd_json_uint(void *req, const char *key, const char **text);

/* vf.c */
void mdd_vf_defaults(struct mdd_adapter *a, unsigned vf);
void mdd_vf_configure(struct mdd_adapter *a, unsigned vf);
void mdd_vf_reset(struct mdd_adapter *a, unsigned vf);
void mdd_vf_reset_event(struct mdd_adapter *a, unsigned vf);
void mdd_vf_reset_msg(struct mdd_adapter *a, unsigned vf);
int mdd_vf_msg(struct mdd_adapter *a, unsigned vf, uint32_t *msg);
void mdd_vf_set_mac(struct mdd_adapter *a, unsigned vf, const uint8_t *mac);
int mdd_vlvf_set(struct mdd_adapter *a, unsigned pool, uint16_t vid, bool add);
/* Has VID @vid a VLVF entry? How many entries are free? (what mdd_vlvf_set would find) */
bool mdd_vlvf_has(struct mdd_adapter *a, uint16_t vid);
unsigned mdd_vlvf_free_entries(struct mdd_adapter *a);
void mdd_vf_set_vmolr(struct mdd_adapter *a, unsigned pool, bool aupe);
void mdd_vf_set_vmvir(struct mdd_adapter *a, unsigned vf, uint32_t tci);
void mdd_vf_set_strip(struct mdd_adapter *a, unsigned vf, bool on);
void mdd_vf_restore_multicast(struct mdd_adapter *a, unsigned vf);
void mdd_vf_update_stats(struct mdd_adapter *a, unsigned vf);
bool mdd_vf_may_run(const struct mdd_adapter *a, unsigned vf);
unsigned mdd_vf_vlan_share(const struct mdd_adapter *a);
unsigned mdd_vf_mac_share(const struct mdd_adapter *a);
void mdd_vf_set_enabled(struct mdd_adapter *a, unsigned vf, bool on);

/* admin.c: Linux's ndo_set_vf_* / ndo_get_vf_config */
struct mdd_vf_info {
	unsigned vf;
	uint8_t mac[ETH_ALEN];
	unsigned vlan, qos;
	unsigned max_tx_rate, min_tx_rate;
	bool spoofchk, trusted;
	enum mdd_link_state link_state;
};
int mdd_set_vf_mac(struct mdd_adapter *a, unsigned vf, const uint8_t *mac);
int mdd_set_vf_vlan(struct mdd_adapter *a, unsigned vf, unsigned vlan, unsigned qos, bool dot1ad);
int mdd_set_vf_rate(struct mdd_adapter *a, unsigned vf, unsigned min_rate, unsigned max_rate);
int mdd_set_vf_spoofchk(struct mdd_adapter *a, unsigned vf, bool on);
int mdd_set_vf_trust(struct mdd_adapter *a, unsigned vf, bool on);
int mdd_set_vf_link_state(struct mdd_adapter *a, unsigned vf, enum mdd_link_state st);
int mdd_get_vf_config(struct mdd_adapter *a, unsigned vf, struct mdd_vf_info *ivi);
void mdd_rates_check(struct mdd_adapter *a);
/* What the setters above refuse, found without changing anything: 0, or -errno with the
 * reason in @why (MDD_WHY_LEN bytes, may be NULL). @taken: VLVF entries promised to other new
 * VLANs of the same command. */
#define MDD_WHY_LEN 96
int mdd_check_vf(struct mdd_adapter *a, unsigned vf, char *why);
int mdd_check_vf_mac(struct mdd_adapter *a, unsigned vf, const uint8_t *mac, char *why);
int mdd_check_vf_vlan(struct mdd_adapter *a, unsigned vf, unsigned vlan, unsigned qos,
		      bool dot1ad, unsigned taken, char *why);
int mdd_check_vf_rate(struct mdd_adapter *a, unsigned vf, unsigned min_rate, unsigned max_rate,
		      char *why);
int mdd_check_vf_spoofchk(struct mdd_adapter *a, unsigned vf, char *why);
int mdd_check_vf_link_state(struct mdd_adapter *a, unsigned vf, enum mdd_link_state st,
			    char *why);
void mdd_rate_program(struct mdd_adapter *a, unsigned vf);

/* policy.c: keep VF @vf's policy with the machine; take every VF's back (before the port is
 * configured); after it is, note the link speed restored rates are for. */
void mdd_policy_save(struct mdd_adapter *a, unsigned vf);
void mdd_policy_restore(struct mdd_adapter *a);
void mdd_policy_link(struct mdd_adapter *a);

/* service.c */
void mdd_service_add(struct mdd_adapter *a);
void mdd_service_del(struct mdd_adapter *a);

#endif
