/*
 * Network devices of a domain: what a NIC driver (the VF driver, the PF driver's own port,
 * netfront) implements and what apps use. Frames are Ethernet frames without FCS; a VLAN tag the
 * NIC stripped travels beside the frame (pkt.vlan).
 *
 * Receive: the driver's NAPI poll hands each batch to netdev__rx, which gives it to every
 * listener in turn. The frames point into the driver's receive buffers and are valid only during
 * the call: a listener that keeps one copies it. Transmit: the caller's frames are copied into
 * the driver's buffers before xmit returns, so the caller keeps its buffers.
 */
#ifndef VFNET_NETDEV_H
#define VFNET_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

#define NETDEV_NAME_LEN 16
#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETH_ZLEN	60
#define ETH_DATA_LEN	1500
#define ETH_FRAME_MAX	(ETH_HLEN + 4 + 9216) /* with a VLAN tag and the largest MTU */

#define PKT_VLAN    (1u << 0) /* vlan holds a tag the NIC stripped (rx) or is to insert (tx) */
#define PKT_CSUM_OK (1u << 1) /* rx: the NIC verified the IPv4/TCP/UDP checksums */
#define PKT_CSUM    (1u << 2) /* tx: let the NIC fill in the IPv4 header and L4 checksums; rx
			       * (from a paravirtual guest): they are still to be filled in */

struct pkt {
	void *data;
	uint16_t len;
	uint16_t vlan;	/* TCI */
	uint16_t flags; /* PKT_* */
	uint16_t rsvd;
};

#define NETDEV_PROMISC	(1u << 0)
#define NETDEV_ALLMULTI (1u << 1)

struct netdev;

struct netdev_ops {
	int (*open)(struct netdev *nd);
	int (*stop)(struct netdev *nd);
	/* Queue up to @n frames; returns how many were taken (fewer when the ring is full: the
	 * caller retries later) or -errno. One doorbell for the whole batch. */
	int (*xmit)(struct netdev *nd, const struct pkt *pkts, unsigned n);
	int (*set_mac)(struct netdev *nd, const uint8_t mac[ETH_ALEN]);
	int (*set_mtu)(struct netdev *nd, unsigned mtu);
	/* NETDEV_* flags and the multicast list; -EPERM when the PF refuses. */
	int (*set_rx_mode)(struct netdev *nd, unsigned flags, const uint8_t (*mc)[ETH_ALEN],
			   unsigned nmc);
	int (*vlan_add)(struct netdev *nd, uint16_t vid);
	int (*vlan_del)(struct netdev *nd, uint16_t vid);
};

/*
 * SR-IOV: what a PF driver adds to its netdev for `ip link set DEV vf N ...` and the VF lines of
 * `ip link show` (Linux's ndo_set_vf_* and ndo_get_vf_config). The arguments are json-c objects.
 */
#define NETDEV_ERR_MAX 160
struct netdev_vf_ops {
	/*
	 * @vfs: an array of "vf N ..." groups ({"vf": N, "mac": ..., "vlan": ..., ...}). With
	 * @apply false, check every group against the driver's rules and change nothing; with
	 * @apply true, apply them all (called only after a successful check). On failure -errno,
	 * @err as RTNETLINK would answer, and @detail (may stay empty) naming the refused keyword.
	 * Both are NETDEV_ERR_MAX bytes.
	 */
	int (*set)(struct netdev *nd, void *vfs, bool apply, char *err, char *detail);
	/* Add "vfinfo_list" to @link (and each VF's "stats" with NETDEV_JSON_STATS). */
	void (*show)(struct netdev *nd, void *link, unsigned what);
};

struct netdev_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors, tx_busy;
	uint64_t interrupts, polls, resets;
	uint64_t rx_missed;  /* frames the NIC had no descriptor for (MPC), when it counts them */
	uint64_t multicast;  /* multicast frames received (MPRC), when the NIC counts them */
};

struct netdev_listener {
	void (*rx)(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n);
	void (*link)(void *opaque, struct netdev *nd, bool up); /* may be NULL */
	void (*gone)(void *opaque, struct netdev *nd);		 /* unregistering; may be NULL */
	void *opaque;
	struct netdev_listener *next; /* the core's */
};

/*
 * A capture's view of a device (tcpdump -i): every frame it receives (netdev__rx) and every
 * frame handed to it to send (netdev__xmit), @out saying which. One tap per device; called on
 * the data path, so it must not block.
 */
struct netdev_tap {
	void (*frames)(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n,
		       bool out);
	void (*gone)(void *opaque, struct netdev *nd); /* unregistering */
	void *opaque;
};

struct netdev {
	char name[NETDEV_NAME_LEN]; /* "eth0" (a VF), "pf0" (dom0's PF port) */
	uint8_t mac[ETH_ALEN];
	unsigned mtu;
	bool up;      /* opened */
	bool carrier; /* link up and usable */
	unsigned speed_mbps;
	const struct netdev_ops *ops;
	void *priv;
	struct netdev_stats stats;
	const char *parentdev; /* the PCI function behind it ("01:00.0"), or NULL */
	const struct netdev_vf_ops *vf_ops; /* a PF's VFs, or NULL */
	/* the core's */
	int ifindex;	     /* given at registration, never reused; 1 is left to a loopback */
	unsigned rx_mode;    /* NETDEV_PROMISC / NETDEV_ALLMULTI as last set through the tools */
	struct netdev_listener *listeners;
	struct netdev_tap *tap; /* a capture of it, or NULL */
	bool announce; /* carrier came up in a guest: tell the network (netdev.c) */
	struct netdev *next;
};

/* Drivers: register once the device can be opened; unregister before it goes. */
int netdev__register(struct netdev *nd); /* name "eth%d" is numbered; 0 or -errno */
void netdev__unregister(struct netdev *nd);
void netdev__rx(struct netdev *nd, const struct pkt *pkts, unsigned n);
/* Link state. When a guest's netdev gets its carrier, the core announces the address once (a
 * broadcast RARP, as QEMU announces a guest and as a guest's stack makes itself known with ARP
 * at link up), so that learning bridges forward frames for it instead of flooding them. */
void netdev__carrier(struct netdev *nd, bool up);

/* Users. */
struct netdev *netdev__get(const char *name);
struct netdev *netdev__next(struct netdev *prev);
int netdev__listen(struct netdev *nd, struct netdev_listener *l);
void netdev__unlisten(struct netdev *nd, struct netdev_listener *l);
int netdev__open(struct netdev *nd);
/* Stop the device (ops->stop) and mark it down; 0 if it was down already. */
int netdev__close(struct netdev *nd);
int netdev__xmit(struct netdev *nd, const struct pkt *pkts, unsigned n);
/* Put @tap on @nd (-EBUSY when it has one) or take it off. */
int netdev__tap(struct netdev *nd, struct netdev_tap *tap);
void netdev__untap(struct netdev *nd, struct netdev_tap *tap);

/* Fill in the checksums of a PKT_CSUM frame in software (Linux's skb_checksum_help): the IPv4
 * header's and TCP's or UDP's. false when the frame is too short or malformed for it. */
bool netdev__csum_fill(void *frame, unsigned len);

/* Called when a netdev is registered: lets apps attach to devices that hot-plug later. */
struct netdev_notifier {
	void (*added)(void *opaque, struct netdev *nd);
	void *opaque;
	struct netdev_notifier *next;
};
void netdev__notify(struct netdev_notifier *n);

/* The MTU range the tools accept (`ip link set DEV mtu N`), as igb and igbvf have it. */
#define NETDEV_MIN_MTU 68
#define NETDEV_MAX_MTU 9216

/*
 * Fill @obj (a json-c object) with what iproute2's `ip -j link show` prints for @nd, in its
 * keys: ifindex, ifname, flags, mtu, operstate, linkmode, group, link_type, address, broadcast;
 * with NETDEV_JSON_DETAILS (-d) also promiscuity, allmulti, min_mtu, max_mtu, parentbus and
 * parentdev; with NETDEV_JSON_STATS (-s) stats64 {rx, tx}. A PF driver adds vfinfo_list.
 */
#define NETDEV_JSON_STATS   (1u << 0)
#define NETDEV_JSON_DETAILS (1u << 1)
void netdev__json(const struct netdev *nd, void *obj, unsigned what);

#endif
