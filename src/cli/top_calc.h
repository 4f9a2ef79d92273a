/*
 * The arithmetic of `vfnet top`: two readings of the host's `top` op (vmm/control_top.c) a
 * period apart become CPU shares and packet rates. No I/O and no JSON here, so that unit tests
 * feed it readings by hand.
 *
 * CPU shares are percent of one host CPU over the period (a domain with two busy threads shows
 * 200), split by who the time is charged to, as ARCHITECTURE.md "Threads, accounting and time"
 * says:
 *   guest       a guest's own process
 *   dom0        dom0's own process. dom0 does not run on the SR-IOV data path, and what it does
 *               for one guest (mailbox requests of its VF) is not counted per guest: it is shown
 *               on dom0's row only, never shared out among guests by a guess
 *   hypervisor  the control thread: the hypercall time charged to each domain on its row, and
 *               what is left (control requests, dead domains) on a row of its own
 *   hardware    the NIC engine threads, one per port: what the silicon would do for free
 *
 * Beside the split, each domain has xentop's columns (STATE, CPU(sec), MEM(k), MEM(%),
 * MAXMEM(k), MAXMEM(%), VCPUS, NETS), and rows sort by them as xentop's 's' key does.
 */
#ifndef VFNET_CLI_TOP_CALC_H
#define VFNET_CLI_TOP_CALC_H

#include <stdbool.h>
#include <stdint.h>

#define TOP_MAX_DOMAINS 64
#define TOP_MAX_VFS	64
#define TOP_MAX_PORTS	4
#define TOP_MAX_VIFS	64
#define TOP_NAME_MAX	32 /* bytes of a name, NUL included */

struct top_dom {
	int id;
	char name[TOP_NAME_MAX];
	bool dom0;
	char state;	 /* xl's letter: r running, b blocked, c crashed, - no process */
	uint64_t cpu_ns; /* its process */
	uint64_t hv_ns;	 /* hypercall service charged to it */
	uint64_t mem_bytes, maxmem_bytes;
	unsigned vcpus, nets;
};

struct top_vf {
	char bdf[16];
	unsigned port, vf;
	char owner[TOP_NAME_MAX]; /* a domain's name, "pool" or "-" */
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes, drops;
	uint64_t vlan_drops; /* of drops: frames for it that VLAN filtering kept from it */
};

/*
 * A paravirtual interface as dom0's netback counts it (its `netback-vifs` service), in the
 * guest's direction: rx is what reached the guest, tx what the guest sent. cpu_ns is dom0's CPU
 * time spent on this vif's rings (netback's work for that one guest, measured per vif).
 */
struct top_vif {
	char name[16]; /* vifDOMID.DEVID */
	int domid;
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes, drops;
	uint64_t cpu_ns;
};

/* One reading, as the `top` op gives it (and dom0's netback-vifs beside it). */
struct top_snap {
	uint64_t time_ns;   /* CLOCK_MONOTONIC */
	uint64_t hv_cpu_ns; /* the control thread */
	uint64_t host_mem;  /* bytes of the host's RAM */
	unsigned nports, ndoms, nvfs;
	uint64_t engine_ns[TOP_MAX_PORTS];
	struct top_dom dom[TOP_MAX_DOMAINS];
	struct top_vf vf[TOP_MAX_VFS];
	uint64_t vif_time_ns; /* CLOCK_MONOTONIC when dom0 read its vifs; 0: not read */
	unsigned nvifs;
	struct top_vif vif[TOP_MAX_VIFS];
};

/* A domain of the second reading over the period. */
struct top_dom_row {
	const struct top_dom *d;
	double guest, dom0, hyp; /* percent; guest is 0 for dom0, dom0 is 0 for a guest */
	double cpu;		 /* all three */
	double cpu_s;		 /* xentop's CPU(sec): its process and its hypervisor time so far */
	double mem_pct, maxmem_pct; /* of the host's RAM */
};

struct top_vf_row {
	const struct top_vf *v;
	double rx_pps, rx_mbps, tx_pps, tx_mbps, drops_ps, vlan_drops_ps;
};

struct top_vif_row {
	const struct top_vif *v;
	const char *owner; /* the name of the domain it belongs to, or "-" */
	double rx_pps, rx_mbps, tx_pps, tx_mbps, drops_ps;
	double dom0; /* percent of one CPU dom0's netback spent on it */
};

struct top_rates {
	double period_s;
	unsigned ndoms, nvfs, nports, nvifs;
	struct top_dom_row dom[TOP_MAX_DOMAINS];
	struct top_vf_row vf[TOP_MAX_VFS];
	struct top_vif_row vif[TOP_MAX_VIFS];
	double hyp_other;		  /* control thread time not charged to a listed domain */
	double hw[TOP_MAX_PORTS], hw_all; /* NIC engines */
	double guests, dom0, hyp_all;	  /* column totals: every guest, dom0, the control thread */
};

/* How much a counter grew; one that went back (its owner was restarted) grew from zero. */
uint64_t top__delta(uint64_t before, uint64_t after);
/* Percent of one CPU that a CPU-time counter's growth is over @dt_ns (0 when dt_ns is 0). */
double top__cpu_pct(uint64_t before, uint64_t after, uint64_t dt_ns);
/* Events per second. */
double top__per_sec(uint64_t before, uint64_t after, uint64_t dt_ns);
/* A byte counter's growth in Mbit/s (10^6 bits). */
double top__mbit_s(uint64_t before, uint64_t after, uint64_t dt_ns);

/*
 * Rates from reading @a to the later reading @b, for what @b lists. A domain is the same in
 * both when id and name match; one @a lacks started within the period, so all its time is the
 * period's. A VF @a lacks (just enabled) shows no rates: its pool's counters are older than it.
 * A vif is the same in both when its name matches; its rates are over the period between dom0's
 * two readings of it (vif_time_ns), and it shows none when @a lacks it.
 * Returns -EINVAL when @b is not later than @a.
 */
int top__rates(const struct top_snap *a, const struct top_snap *b, struct top_rates *r);

/* The orders of xentop's 's' key: id first, then each column. */
enum top_sort {
	TOP_SORT_ID,
	TOP_SORT_NAME,
	TOP_SORT_STATE,
	TOP_SORT_CPU_SEC,
	TOP_SORT_CPU_PCT,
	TOP_SORT_MEM,
	TOP_SORT_VCPUS,
	TOP_SORT_NETS,
	TOP_SORT_NR
};

/* The column a sort is by, as the header names it ("ID", "CPU(%)", ...). */
const char *top__sort_name(enum top_sort by);
/* By name (as top__sort_name, or its lower case): the sort, or -1. */
int top__sort_parse(const char *name);
/* Order r->dom: names alphabetically, states as xentop lists them (running first), numbers
 * largest first; ties by id. */
void top__sort(struct top_rates *r, enum top_sort by);

#endif
