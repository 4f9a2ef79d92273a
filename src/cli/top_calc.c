/* `vfnet top`'s rates from two readings (top_calc.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/top_calc.h"

uint64_t top__delta(uint64_t before, uint64_t after)
{
	return after >= before ? after - before : after;
}

double top__per_sec(uint64_t before, uint64_t after, uint64_t dt_ns)
{
	return dt_ns ? (double)top__delta(before, after) * 1e9 / (double)dt_ns : 0.0;
}

double top__cpu_pct(uint64_t before, uint64_t after, uint64_t dt_ns)
{
	return dt_ns ? (double)top__delta(before, after) * 100.0 / (double)dt_ns : 0.0;
}

double top__mbit_s(uint64_t before, uint64_t after, uint64_t dt_ns)
{
	return top__per_sec(before, after, dt_ns) * 8.0 / 1e6;
}

static const struct top_dom *find_dom(const struct top_snap *s, const struct top_dom *d)
{
	for (unsigned i = 0; i < s->ndoms; i++)
		if (s->dom[i].id == d->id && !strcmp(s->dom[i].name, d->name))
			return &s->dom[i];
	return NULL;
}

static const struct top_vf *find_vf(const struct top_snap *s, const struct top_vf *v)
{
	for (unsigned i = 0; i < s->nvfs; i++)
		if (!strcmp(s->vf[i].bdf, v->bdf))
			return &s->vf[i];
	return NULL;
}

static const struct top_vif *find_vif(const struct top_snap *s, const struct top_vif *v)
{
	for (unsigned i = 0; i < s->nvifs; i++)
		if (!strcmp(s->vif[i].name, v->name))
			return &s->vif[i];
	return NULL;
}

static void vif_rates(const struct top_snap *a, const struct top_snap *b, struct top_rates *r)
{
	uint64_t dt = b->vif_time_ns > a->vif_time_ns && a->vif_time_ns
			      ? b->vif_time_ns - a->vif_time_ns
			      : 0;

	r->nvifs = b->nvifs < TOP_MAX_VIFS ? b->nvifs : TOP_MAX_VIFS;
	for (unsigned i = 0; i < r->nvifs; i++) {
		const struct top_vif *v = &b->vif[i], *was = find_vif(a, v);
		struct top_vif_row *row = &r->vif[i];

		row->v = v;
		row->owner = "-";
		for (unsigned j = 0; j < b->ndoms; j++)
			if (b->dom[j].id == v->domid)
				row->owner = b->dom[j].name;
		if (!was || !dt)
			continue; /* new (or dom0 restarted): no rates yet */
		row->rx_pps = top__per_sec(was->rx_pkts, v->rx_pkts, dt);
		row->rx_mbps = top__mbit_s(was->rx_bytes, v->rx_bytes, dt);
		row->tx_pps = top__per_sec(was->tx_pkts, v->tx_pkts, dt);
		row->tx_mbps = top__mbit_s(was->tx_bytes, v->tx_bytes, dt);
		row->drops_ps = top__per_sec(was->drops, v->drops, dt);
		row->dom0 = top__cpu_pct(was->cpu_ns, v->cpu_ns, dt);
	}
}

int top__rates(const struct top_snap *a, const struct top_snap *b, struct top_rates *r)
{
	static const struct top_dom none;
	uint64_t dt;
	double charged = 0.0;

	if (b->time_ns <= a->time_ns)
		return -EINVAL;
	dt = b->time_ns - a->time_ns;
	memset(r, 0, sizeof(*r));
	r->period_s = (double)dt / 1e9;

	r->ndoms = b->ndoms < TOP_MAX_DOMAINS ? b->ndoms : TOP_MAX_DOMAINS;
	for (unsigned i = 0; i < r->ndoms; i++) {
		const struct top_dom *d = &b->dom[i], *was = find_dom(a, d);
		struct top_dom_row *row = &r->dom[i];
		double own;

		if (!was)
			was = &none; /* new: its counters started at zero within the period */
		own = top__cpu_pct(was->cpu_ns, d->cpu_ns, dt);
		row->d = d;
		row->hyp = top__cpu_pct(was->hv_ns, d->hv_ns, dt);
		if (d->dom0)
			row->dom0 = own;
		else
			row->guest = own;
		row->cpu = own + row->hyp;
		row->cpu_s = (double)(d->cpu_ns + d->hv_ns) / 1e9;
		if (b->host_mem) {
			row->mem_pct = 100.0 * (double)d->mem_bytes / (double)b->host_mem;
			row->maxmem_pct = 100.0 * (double)d->maxmem_bytes / (double)b->host_mem;
		}
		r->guests += row->guest;
		r->dom0 += row->dom0;
		charged += row->hyp;
	}

	r->hyp_all = top__cpu_pct(a->hv_cpu_ns, b->hv_cpu_ns, dt);
	/* Hypercall time is control-thread time, so the rest cannot be negative but for clock
	 * granularity and domains gone since @a: show none rather than less than none. */
	r->hyp_other = r->hyp_all > charged ? r->hyp_all - charged : 0.0;

	r->nports = b->nports < TOP_MAX_PORTS ? b->nports : TOP_MAX_PORTS;
	for (unsigned p = 0; p < r->nports; p++) {
		r->hw[p] = p < a->nports ? top__cpu_pct(a->engine_ns[p], b->engine_ns[p], dt) : 0.0;
		r->hw_all += r->hw[p];
	}

	r->nvfs = b->nvfs < TOP_MAX_VFS ? b->nvfs : TOP_MAX_VFS;
	for (unsigned i = 0; i < r->nvfs; i++) {
		const struct top_vf *v = &b->vf[i], *was = find_vf(a, v);
		struct top_vf_row *row = &r->vf[i];

		row->v = v;
		if (!was)
			continue; /* just enabled: no rates yet */
		row->rx_pps = top__per_sec(was->rx_pkts, v->rx_pkts, dt);
		row->rx_mbps = top__mbit_s(was->rx_bytes, v->rx_bytes, dt);
		row->tx_pps = top__per_sec(was->tx_pkts, v->tx_pkts, dt);
		row->tx_mbps = top__mbit_s(was->tx_bytes, v->tx_bytes, dt);
		row->drops_ps = top__per_sec(was->drops, v->drops, dt);
		row->vlan_drops_ps = top__per_sec(was->vlan_drops, v->vlan_drops, dt);
	}
	vif_rates(a, b, r);
	return 0;
}

static const char *const sort_names[TOP_SORT_NR] = {
	[TOP_SORT_ID] = "ID",	      [TOP_SORT_NAME] = "NAME",	      [TOP_SORT_STATE] = "STATE",
	[TOP_SORT_CPU_SEC] = "CPU(sec)", [TOP_SORT_CPU_PCT] = "CPU(%)", [TOP_SORT_MEM] = "MEM(k)",
	[TOP_SORT_VCPUS] = "VCPUS",   [TOP_SORT_NETS] = "NETS",
};

const char *top__sort_name(enum top_sort by)
{
	return (unsigned)by < TOP_SORT_NR ? sort_names[by] : "?";
}

int top__sort_parse(const char *name)
{
	for (int i = 0; i < TOP_SORT_NR; i++) {
		size_t n = strcspn(sort_names[i], "(");

		if (!strcasecmp(name, sort_names[i]) ||
		    (strlen(name) == n && !strncasecmp(name, sort_names[i], n)))
			return i;
	}
	if (!strcasecmp(name, "cpu"))
		return TOP_SORT_CPU_PCT;
	if (!strcasecmp(name, "mem"))
		return TOP_SORT_MEM;
	return -1;
}

/* xentop's order of states: the first it shows. */
static int state_rank(char s)
{
	static const char order[] = "dscbr"; /* dying, shutdown, crashed, blocked, running */
	const char *p = strchr(order, s);

	return s && p ? (int)(p - order) : (int)sizeof(order);
}

static int cmp_num(double a, double b)
{
	return a > b ? -1 : a < b ? 1 : 0; /* largest first */
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct top_dom_row *a = pa, *b = pb;
	enum top_sort by = *(const enum top_sort *)arg;
	int c = 0;

	switch (by) {
	case TOP_SORT_NAME:
		c = strcasecmp(a->d->name, b->d->name);
		break;
	case TOP_SORT_STATE:
		c = state_rank(a->d->state) - state_rank(b->d->state);
		break;
	case TOP_SORT_CPU_SEC:
		c = cmp_num(a->cpu_s, b->cpu_s);
		break;
	case TOP_SORT_CPU_PCT:
		c = cmp_num(a->cpu, b->cpu);
		break;
	case TOP_SORT_MEM:
		c = cmp_num((double)a->d->mem_bytes, (double)b->d->mem_bytes);
		break;
	case TOP_SORT_VCPUS:
		c = cmp_num(a->d->vcpus, b->d->vcpus);
		break;
	case TOP_SORT_NETS:
		c = cmp_num(a->d->nets, b->d->nets);
		break;
	default:
		break;
	}
	return c ? c : (a->d->id > b->d->id) - (a->d->id < b->d->id);
}

void top__sort(struct top_rates *r, enum top_sort by)
{
	if ((unsigned)by >= TOP_SORT_NR)
		by = TOP_SORT_ID;
	qsort_r(r->dom, r->ndoms, sizeof(r->dom[0]), cmp_rows, &by);
}
