/*
 * vfnet top's arithmetic: CPU shares split by who pays, the hypervisor's time nobody was charged
 * with, the NIC engines, VF rates, and what happens to domains and VFs that come, go or restart
 * between two readings.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/top_calc.h"

#define MS 1000000ull /* ns */

/* Equal but for rounding. */
#define assert_near(x, y) assert_true((x) > (y) - 1e-9 && (x) < (y) + 1e-9)

static struct top_snap a, b;
static struct top_rates r;

static void add_dom(struct top_snap *s, int id, const char *name, uint64_t cpu, uint64_t hv)
{
	struct top_dom *d = &s->dom[s->ndoms++];

	d->id = id;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->dom0 = id == 0;
	d->cpu_ns = cpu;
	d->hv_ns = hv;
}

static void add_vf(struct top_snap *s, const char *bdf, const char *owner, uint64_t rxp,
		   uint64_t rxb, uint64_t txp, uint64_t txb, uint64_t drops)
{
	struct top_vf *v = &s->vf[s->nvfs++];

	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	snprintf(v->owner, sizeof(v->owner), "%s", owner);
	v->rx_pkts = rxp;
	v->rx_bytes = rxb;
	v->tx_pkts = txp;
	v->tx_bytes = txb;
	v->drops = drops;
}

/* Two readings 2 s apart of dom0 and two guests, two ports and two VFs. */
static int setup(void **state)
{
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.time_ns = 10000 * MS;
	b.time_ns = 12000 * MS;
	a.hv_cpu_ns = 500 * MS;
	b.hv_cpu_ns = 540 * MS; /* 40 ms: 2% */
	add_dom(&a, 0, "Domain-0", 1000 * MS, 100 * MS);
	add_dom(&b, 0, "Domain-0", 1020 * MS, 102 * MS); /* 1% own, 0.1% hypervisor */
	add_dom(&a, 1, "ga", 300 * MS, 10 * MS);
	add_dom(&b, 1, "ga", 700 * MS, 30 * MS); /* 20% own, 1% hypervisor */
	add_dom(&a, 2, "gb", 0, 0);
	add_dom(&b, 2, "gb", 1000 * MS, 0); /* 50% */
	a.nports = b.nports = 2;
	a.engine_ns[0] = 100 * MS;
	b.engine_ns[0] = 1100 * MS; /* 50% */
	b.engine_ns[1] = 20 * MS;   /* 1% */
	add_vf(&a, "01:10.0", "ga", 1000, 64000, 0, 0, 5);
	add_vf(&b, "01:10.0", "ga", 41000, 64000 + 40000 * 1000, 0, 0, 9);
	add_vf(&a, "01:10.2", "gb", 0, 0, 7, 700, 0);
	add_vf(&b, "01:10.2", "gb", 0, 0, 40007, 40000 * 1000 + 700, 0);
	(void)state;
	return 0;
}

static void test_arithmetic(void **state)
{
	assert_int_equal(top__delta(5, 8), 3);
	assert_int_equal(top__delta(8, 5), 5); /* restarted: counted from zero */
	assert_near(top__cpu_pct(0, 250 * MS, 1000 * MS), 25.0);
	assert_near(top__cpu_pct(0, 250 * MS, 0), 0.0);
	assert_near(top__per_sec(100, 300, 500 * MS), 400.0);
	/* 125000 bytes in 1 s = 1 Mbit/s (10^6 bits). */
	assert_near(top__mbit_s(0, 125000, 1000 * MS), 1.0);
	(void)state;
}

static void test_domains_split(void **state)
{
	assert_int_equal(top__rates(&a, &b, &r), 0);
	assert_near(r.period_s, 2.0);
	assert_int_equal(r.ndoms, 3);
	/* dom0's own time is DOM0, never GUEST; a guest's the other way round. */
	assert_near(r.dom[0].dom0, 1.0);
	assert_near(r.dom[0].guest, 0.0);
	assert_near(r.dom[0].hyp, 0.1);
	assert_near(r.dom[0].cpu, 1.1);
	assert_string_equal(r.dom[1].d->name, "ga");
	assert_near(r.dom[1].guest, 20.0);
	assert_near(r.dom[1].dom0, 0.0);
	assert_near(r.dom[1].hyp, 1.0);
	assert_near(r.dom[1].cpu, 21.0);
	assert_near(r.dom[2].guest, 50.0);
	/* Totals: the whole control thread is the hypervisor's; 2% - 1.1% charged = 0.9% left. */
	assert_near(r.guests, 70.0);
	assert_near(r.dom0, 1.0);
	assert_near(r.hyp_all, 2.0);
	assert_near(r.hyp_other, 0.9);
	/* The hardware: each engine, and both. */
	assert_near(r.hw[0], 50.0);
	assert_near(r.hw[1], 1.0);
	assert_near(r.hw_all, 51.0);
	(void)state;
}

static void test_vf_rates(void **state)
{
	assert_int_equal(top__rates(&a, &b, &r), 0);
	assert_int_equal(r.nvfs, 2);
	assert_string_equal(r.vf[0].v->owner, "ga");
	assert_near(r.vf[0].rx_pps, 20000.0);
	assert_near(r.vf[0].rx_mbps, 160.0); /* 20 MB/s */
	assert_near(r.vf[0].tx_pps, 0.0);
	assert_near(r.vf[0].tx_mbps, 0.0);
	assert_near(r.vf[0].drops_ps, 2.0);
	assert_near(r.vf[1].tx_pps, 20000.0);
	assert_near(r.vf[1].tx_mbps, 160.0);
	assert_near(r.vf[1].rx_pps, 0.0);
	(void)state;
}

static void add_vif(struct top_snap *s, const char *name, int domid, uint64_t rxp, uint64_t txp,
		    uint64_t bytes, uint64_t drops, uint64_t cpu)
{
	struct top_vif *v = &s->vif[s->nvifs++];

	snprintf(v->name, sizeof(v->name), "%s", name);
	v->domid = domid;
	v->rx_pkts = rxp;
	v->tx_pkts = txp;
	v->rx_bytes = v->tx_bytes = bytes;
	v->drops = drops;
	v->cpu_ns = cpu;
}

/* vifs: rates over dom0's own readings (1 s apart here, not the 2 s of the top op), dom0's CPU
 * per vif, the owner's name from the domain list, none for a vif new in the second reading. */
static void test_vif_rates(void **state)
{
	a.vif_time_ns = 10500 * MS;
	b.vif_time_ns = 11500 * MS;
	add_vif(&a, "vif1.0", 1, 100, 0, 6400, 3, 50 * MS);
	add_vif(&b, "vif1.0", 1, 10100, 0, 6400 + 640000, 13, 150 * MS); /* 10k/s, 10% */
	add_vif(&b, "vif9.0", 9, 500, 500, 500, 0, 20 * MS);		  /* new; no domain 9 */
	assert_int_equal(top__rates(&a, &b, &r), 0);
	assert_int_equal(r.nvifs, 2);
	assert_string_equal(r.vif[0].owner, "ga");
	assert_near(r.vif[0].rx_pps, 10000.0);
	assert_near(r.vif[0].rx_mbps, 5.12);
	assert_near(r.vif[0].tx_pps, 0.0);
	assert_near(r.vif[0].drops_ps, 10.0);
	assert_near(r.vif[0].dom0, 10.0);
	assert_string_equal(r.vif[1].owner, "-");
	assert_near(r.vif[1].rx_pps, 0.0);
	assert_near(r.vif[1].dom0, 0.0);
	/* dom0 did not answer the first time: no rates rather than rates over a wrong period */
	a.vif_time_ns = 0;
	assert_int_equal(top__rates(&a, &b, &r), 0);
	assert_near(r.vif[0].rx_pps, 0.0);
	assert_near(r.vif[0].dom0, 0.0);
	(void)state;
}

static void test_comings_and_goings(void **state)
{
	/* gb was destroyed and a new gb took id 3; dom0 was restarted (its counters went back);
	 * a third VF was just enabled, with old counters in its pool. */
	b.dom[2].id = 3;
	b.dom[0].cpu_ns = 30 * MS; /* a new process: 1.5% in the period */
	b.dom[0].hv_ns = 4 * MS;
	add_vf(&b, "01:10.4", "pool", 999999, 999999999, 999999, 999999999, 99);
	assert_int_equal(top__rates(&a, &b, &r), 0);
	assert_near(r.dom[0].dom0, 1.5);
	assert_near(r.dom[0].hyp, 0.2);
	assert_int_equal(r.dom[2].d->id, 3);
	assert_near(r.dom[2].guest, 50.0); /* new: all of its time is the period's */
	assert_near(r.vf[2].rx_pps, 0.0);
	assert_near(r.vf[2].tx_mbps, 0.0);
	assert_near(r.vf[2].drops_ps, 0.0);
	/* More charged than the thread's time (ticks, a renamed domain): no negative rest. */
	b.hv_cpu_ns = a.hv_cpu_ns;
	assert_int_equal(top__rates(&a, &b, &r), 0);
	assert_near(r.hyp_other, 0.0);
	(void)state;
}

static void test_clock_must_advance(void **state)
{
	b.time_ns = a.time_ns;
	assert_int_equal(top__rates(&a, &b, &r), -EINVAL);
	(void)state;
}

/* xentop's columns: CPU(sec) and memory of the host's, then its sort orders. */
static void test_xentop_columns_and_sort(void **state)
{
	b.host_mem = 4096ull << 20;
	for (unsigned i = 0; i < b.ndoms; i++) {
		b.dom[i].mem_bytes = b.dom[i].maxmem_bytes = (i ? 64ull : 256ull) << 20;
		b.dom[i].vcpus = 1;
		b.dom[i].nets = i ? 1 : 2;
		b.dom[i].state = i == 2 ? 'r' : 'b';
	}
	b.dom[1].state = 'c';
	b.vf[0].vlan_drops = 3000;
	a.vf[0].vlan_drops = 1000;
	assert_int_equal(top__rates(&a, &b, &r), 0);
	assert_near(r.dom[1].cpu_s, 0.73);  /* ga: 700 ms own + 30 ms hypervisor */
	assert_near(r.dom[0].mem_pct, 6.25); /* 256 MiB of 4 GiB */
	assert_near(r.dom[1].maxmem_pct, 1.5625);
	assert_near(r.vf[0].vlan_drops_ps, 1000.0);

	top__sort(&r, TOP_SORT_CPU_PCT); /* gb 50%, ga 21%, dom0 1.1% */
	assert_string_equal(r.dom[0].d->name, "gb");
	assert_string_equal(r.dom[1].d->name, "ga");
	assert_string_equal(r.dom[2].d->name, "Domain-0");
	top__sort(&r, TOP_SORT_NAME); /* case-insensitive, as xentop */
	assert_string_equal(r.dom[0].d->name, "Domain-0");
	assert_string_equal(r.dom[1].d->name, "ga");
	top__sort(&r, TOP_SORT_STATE); /* crashed before blocked before running */
	assert_string_equal(r.dom[0].d->name, "ga");
	assert_string_equal(r.dom[2].d->name, "gb");
	top__sort(&r, TOP_SORT_NETS); /* most first; ties by id */
	assert_string_equal(r.dom[0].d->name, "Domain-0");
	assert_string_equal(r.dom[1].d->name, "ga");
	top__sort(&r, TOP_SORT_ID);
	for (unsigned i = 0; i < r.ndoms; i++)
		assert_int_equal(r.dom[i].d->id, (int)i);
	assert_int_equal(top__sort_parse("cpu(%)"), TOP_SORT_CPU_PCT);
	assert_int_equal(top__sort_parse("MEM"), TOP_SORT_MEM);
	assert_int_equal(top__sort_parse("nets"), TOP_SORT_NETS);
	assert_int_equal(top__sort_parse("bogus"), -1);
	assert_string_equal(top__sort_name(TOP_SORT_CPU_SEC), "CPU(sec)");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arithmetic),
	    cmocka_unit_test_setup(test_domains_split, setup),
	    cmocka_unit_test_setup(test_vf_rates, setup),
	    cmocka_unit_test_setup(test_vif_rates, setup),
	    cmocka_unit_test_setup(test_comings_and_goings, setup),
	    cmocka_unit_test_setup(test_clock_must_advance, setup),
	    cmocka_unit_test_setup(test_xentop_columns_and_sort, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
