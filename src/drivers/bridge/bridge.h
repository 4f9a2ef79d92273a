/*
 * dom0's learning bridge, as Linux's bridge serves Xen's vifs: a netdev of its own ("xenbr0",
 * dom0's address on the bridge), ports that are other netdevs (the vifs netback creates and, as
 * the uplink, a PF netdev, so that paravirtual guests reach the wire and the SR-IOV guests behind
 * the NIC's switch), a forwarding table that learns source addresses and forgets them after
 * BRIDGE_AGEING_S, flooding of broadcast, multicast and unknown unicast. STP off, forward delay 0,
 * as Xen's scripts create it. Ports are put in promiscuous mode.
 *
 * dom0's configuration names its bridges (`bridge = NAME:UPLINK`, several allowed; default
 * xenbr0 with pf0, `bridge = none` for none), as a distribution's network configuration would.
 * Runs on dom0's vCPU; the forwarding path allocates nothing.
 */
#ifndef VFNET_DRIVERS_BRIDGE_H
#define VFNET_DRIVERS_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/netdev.h"

#define BRIDGE_MAX_PORTS 32
#define BRIDGE_FDB_SIZE	 1024 /* entries (power of two) */
#define BRIDGE_AGEING_S	 300
#define BRIDGE_MAX	 4

struct bridge;

struct bridge_port {
	struct bridge *br;
	struct netdev *nd;
	struct netdev_listener l;
	unsigned no; /* 1.. as brctl numbers ports */
	uint64_t rx_frames, tx_frames, tx_dropped;
};

struct fdb_entry {
	uint8_t mac[ETH_ALEN];
	bool used, local;
	uint8_t port; /* index into ports[] */
	uint64_t seen_ns;
};

struct bridge {
	struct netdev nd; /* the bridge's own device */
	char uplink[NETDEV_NAME_LEN];
	struct bridge_port *ports[BRIDGE_MAX_PORTS];
	struct fdb_entry fdb[BRIDGE_FDB_SIZE];
	unsigned nfdb;
	uint64_t flooded, forwarded, filtered, local_rx, fdb_full;
};

/* The bridges from dom0's configuration (a runtime init hook). */
void bridge__init(void);

struct bridge *bridge__get(const char *name);
struct bridge *bridge__next(struct bridge *prev);
/* Enslave @nd (as vif-bridge does): -EEXIST, -ENOSPC, -EBUSY (a port of another bridge). */
int bridge__add_port(struct bridge *br, struct netdev *nd);
void bridge__del_port(struct bridge *br, struct netdev *nd);

/* fdb.c */
void fdb__learn(struct bridge *br, const uint8_t *mac, unsigned port, uint64_t now);
/* The port index a unicast address was learnt on, -1 unknown (or aged out). */
int fdb__lookup(struct bridge *br, const uint8_t *mac, uint64_t now);
void fdb__flush_port(struct bridge *br, unsigned port);

/* service.c: `vfnet brctl show`, `vfnet bridge fdb show` */
void bridge_service__init(void);

#endif
