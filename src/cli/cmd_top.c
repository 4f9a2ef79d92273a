/*
 * vfnet top: the domains as xentop shows them, with CPU split by who pays for it, and traffic
 * per VF. Interactive on a terminal (keys as xentop's: d delay, s sort, q quit), plain tables in
 * batch mode (-b, or when the output is not a terminal), JSON lines with -j.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h> /* isfinite */
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/dom0_vifs.h"
#include "cli/top_calc.h"
#include "lib/compiler.h"

#define TOP_DELAY_MIN 0.1
#define TOP_DELAY_MAX 3600.0
#define KEY_ESC	      0x1b

static volatile sig_atomic_t stop;

static void top_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet top [-d SECONDS] [-b] [-i N] [-j]\n\n"
		"The running machine's domains and VFs, as xentop shows a Xen host: every period\n"
		"two readings of the host's counters give, per domain,\n"
		"  xentop's columns  NAME, STATE (xl's letters: r running, b blocked, c crashed),\n"
		"               CPU(sec), CPU(%%), MEM(k), MEM(%%) and MAXMEM(k), MAXMEM(%%) (of the\n"
		"               host's RAM; a vfnet guest does not balloon: MAXMEM is MEM), VCPUS,\n"
		"               NETS (a guest's VFs and vifs, dom0's PF ports)\n"
		"  who pays     CPU(%%) is the sum of GUEST%% (a guest's own process), DOM0%% (dom0's\n"
		"               own process, on dom0's row only: dom0 is not on the SR-IOV data path,\n"
		"               and what it does for a guest's VF is not counted per guest) and\n"
		"               HYPERV%% (the hypercalls the hypervisor served for the domain); a\n"
		"               (hypervisor) row for its time charged to no domain, a total row\n"
		"  HARDWARE     the NIC engine threads' CPU, one thread per port: what the silicon\n"
		"               would do for free\n"
		"  per VF       its owner, Rx and Tx packets/s and Mbit/s (frame bytes without FCS),\n"
		"               drops/s (copies for it and frames from it the NIC dropped) and of\n"
		"               those VLAN-DROP/s: frames addressed to it that VLAN filtering kept\n"
		"               from it (another VID, or untagged to a port VLAN)\n"
		"  per vif      a guest's paravirtual interface as dom0's netback counts it: its\n"
		"               owner, Rx (to the guest) and Tx pkt/s and Mbit/s, drops/s, and\n"
		"               DOM0%%, the CPU dom0 spent on that vif's rings (part of DOM0%% on\n"
		"               dom0's row): the cost the paravirtual path puts on dom0, per guest\n"
		"CPU is percent of one host CPU; a domain's process time has the kernel's tick\n"
		"granularity (1%% at -d 1).\n\n"
		"Interactive, on a terminal, the screen is redrawn every period. Keys, as xentop's:\n"
		"  d   set the delay (type seconds, then Enter; Esc cancels)\n"
		"  s   sort by the next column (ID, NAME, STATE, CPU(sec), CPU(%%), MEM(k), VCPUS,\n"
		"      NETS); the header marks it with *\n"
		"  q   quit (also Esc, Ctrl-C)\n\n"
		"options:\n"
		"  -d SECONDS   period, %.1f..%.0f (default 1)\n"
		"  -b           batch: plain tables, no escape codes, for scripts and logs; the\n"
		"               default when the output is not a terminal\n"
		"  -i N         stop after N tables (batch: default 1; interactive: until q);\n"
		"               -n N is the same\n"
		"  -j           JSON: one object per table, on a line of its own (batch)\n\n"
		"examples:\n"
		"  vfnet top\n"
		"  vfnet top -d 0.5\n"
		"  vfnet --socket /tmp/m1.sock top -b -i 10 -d 2 >top.log\n"
		"  vfnet top -j -i 5 | jq .hardware\n",
		TOP_DELAY_MIN, TOP_DELAY_MAX);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- a reading ---- */

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static void get_str(struct json_object *o, const char *key, char *buf, size_t size)
{
	struct json_object *v;

	snprintf(buf, size, "%s",
		 json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "?");
}

static size_t array(struct json_object *o, const char *key, struct json_object **arr)
{
	if (!json_object_object_get_ex(o, key, arr) || !json_object_is_type(*arr, json_type_array))
		return 0;
	return json_object_array_length(*arr);
}

static void parse_snap(struct json_object *reply, struct top_snap *s)
{
	struct json_object *arr, *o, *v;
	size_t n;

	memset(s, 0, sizeof(*s));
	s->time_ns = get_u64(reply, "time_ns");
	s->hv_cpu_ns = get_u64(reply, "hypervisor_cpu_ns");
	s->host_mem = get_u64(reply, "host_memory_bytes");
	n = array(reply, "domains", &arr);
	for (size_t i = 0; i < n && s->ndoms < TOP_MAX_DOMAINS; i++) {
		struct top_dom *d = &s->dom[s->ndoms++];
		char role[16], state[4];

		o = json_object_array_get_idx(arr, i);
		d->id = json_object_object_get_ex(o, "id", &v) ? json_object_get_int(v) : -1;
		get_str(o, "name", d->name, sizeof(d->name));
		get_str(o, "role", role, sizeof(role));
		get_str(o, "state", state, sizeof(state));
		d->dom0 = !strcmp(role, "dom0");
		d->state = state[0];
		d->cpu_ns = get_u64(o, "cpu_ns");
		d->hv_ns = get_u64(o, "hypervisor_ns");
		d->mem_bytes = get_u64(o, "memory_bytes");
		d->maxmem_bytes = get_u64(o, "max_memory_bytes");
		d->vcpus = (unsigned)get_u64(o, "vcpus");
		d->nets = (unsigned)get_u64(o, "nets");
	}
	n = array(reply, "ports", &arr);
	for (size_t i = 0; i < n && s->nports < TOP_MAX_PORTS; i++)
		s->engine_ns[s->nports++] =
		    get_u64(json_object_array_get_idx(arr, i), "engine_cpu_ns");
	n = array(reply, "vfs", &arr);
	for (size_t i = 0; i < n && s->nvfs < TOP_MAX_VFS; i++) {
		struct top_vf *f = &s->vf[s->nvfs++];

		o = json_object_array_get_idx(arr, i);
		get_str(o, "bdf", f->bdf, sizeof(f->bdf));
		get_str(o, "domain", f->owner, sizeof(f->owner));
		f->port = (unsigned)get_u64(o, "port");
		f->vf = (unsigned)get_u64(o, "vf");
		f->rx_pkts = get_u64(o, "rx_packets");
		f->rx_bytes = get_u64(o, "rx_bytes");
		f->tx_pkts = get_u64(o, "tx_packets");
		f->tx_bytes = get_u64(o, "tx_bytes");
		f->drops = get_u64(o, "drops");
		f->vlan_drops = get_u64(o, "rx_vlan_drops") + get_u64(o, "rx_untagged_drops");
	}
}

/*
 * dom0's netback counts the vifs (and its own CPU on each): asked only when a guest has one.
 * A dom0 that does not answer (restarting) leaves the reading without vifs, silently: the next
 * period asks again.
 */
static void read_vifs(struct top_snap *s)
{
	struct json_object *reply, *arr;
	unsigned want = 0;
	size_t n;

	for (unsigned i = 0; i < s->ndoms; i++)
		want += !s->dom[i].dom0 && s->dom[i].nets;
	if (!want || !(reply = dom0_vifs__read("top")))
		return;
	s->vif_time_ns = get_u64(reply, "time_ns");
	n = array(reply, "vifs", &arr);
	for (size_t i = 0; i < n && s->nvifs < TOP_MAX_VIFS; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct top_vif *v = &s->vif[s->nvifs++];

		get_str(o, "ifname", v->name, sizeof(v->name));
		v->domid = (int)get_u64(o, "domid");
		v->rx_pkts = get_u64(o, "tx_packets"); /* netback's tx: to the guest */
		v->rx_bytes = get_u64(o, "tx_bytes");
		v->tx_pkts = get_u64(o, "rx_packets");
		v->tx_bytes = get_u64(o, "rx_bytes");
		v->drops = get_u64(o, "drops");
		v->cpu_ns = get_u64(o, "cpu_ns");
	}
	json_object_put(reply);
}

static int read_snap(struct top_snap *s)
{
	struct json_object *req = json_object_new_object(), *reply;
	int rc;

	json_object_object_add(req, "op", json_object_new_string("top"));
	rc = client__call("top", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	parse_snap(reply, s);
	json_object_put(reply);
	read_vifs(s);
	return EXIT_OK;
}

/* ---- the tables ---- */

/* xentop's six state letters: dying, shutdown, blocked, crashed, paused, running. */
static const char *state_str(char s)
{
	switch (s) {
	case 'r':
		return "-----r";
	case 'b':
		return "--b---";
	case 'c':
		return "---c--";
	default:
		return "------";
	}
}

static void pct_col(double v, bool shown, int width)
{
	if (shown)
		printf(" %*.1f", width, v);
	else
		printf(" %*s", width, "-");
}

/* The header, the sort column marked with '*' as xentop shows it in bold. */
static void header(int w, enum top_sort by)
{
	static const struct {
		const char *name;
		int width;
		int sort; /* -1: not a sort */
	} cols[] = {
		{"STATE", 6, TOP_SORT_STATE},	  {"CPU(sec)", 10, TOP_SORT_CPU_SEC},
		{"CPU(%)", 6, TOP_SORT_CPU_PCT}, {"GUEST%", 6, -1},
		{"DOM0%", 6, -1},		  {"HYPERV%", 7, -1},
		{"MEM(k)", 10, TOP_SORT_MEM},	  {"MEM(%)", 6, -1},
		{"MAXMEM(k)", 10, -1},		  {"MAXMEM(%)", 9, -1},
		{"VCPUS", 5, TOP_SORT_VCPUS},	  {"NETS", 4, TOP_SORT_NETS},
	};
	char name[16];

	snprintf(name, sizeof(name), "%sNAME", by == TOP_SORT_NAME ? "*" : "");
	printf("%*s", w, name);
	for (unsigned i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", (int)by == cols[i].sort ? "*" : "",
			 cols[i].name);
		printf(" %*s", cols[i].width, name);
	}
	printf("\n");
}

static void print_tables(const struct top_rates *r, enum top_sort by)
{
	unsigned run = 0, blocked = 0, crashed = 0;
	int w = 10;

	for (unsigned i = 0; i < r->ndoms; i++) {
		const struct top_dom *d = r->dom[i].d;
		int n = (int)strlen(d->name);

		run += d->state == 'r';
		blocked += d->state == 'b';
		crashed += d->state == 'c';
		if (n > w)
			w = n;
	}
	if (w < (int)strlen("(hypervisor)"))
		w = (int)strlen("(hypervisor)");
	printf("vfnet top: %u domains: %u running, %u blocked, %u crashed; %u VFs enabled; "
	       "over %.2f s\n",
	       r->ndoms, run, blocked, crashed, r->nvfs, r->period_s);
	header(w, by);
	for (unsigned i = 0; i < r->ndoms; i++) {
		const struct top_dom_row *d = &r->dom[i];

		printf("%*s %6s %10llu", w, d->d->name, state_str(d->d->state),
		       (unsigned long long)d->cpu_s);
		pct_col(d->cpu, true, 6);
		pct_col(d->guest, !d->d->dom0, 6);
		pct_col(d->dom0, d->d->dom0, 6);
		pct_col(d->hyp, true, 7);
		printf(" %10llu %6.1f %10llu %9.1f %5u %4u\n",
		       (unsigned long long)(d->d->mem_bytes >> 10), d->mem_pct,
		       (unsigned long long)(d->d->maxmem_bytes >> 10), d->maxmem_pct, d->d->vcpus,
		       d->d->nets);
	}
	printf("%*s %6s %10s", w, "(hypervisor)", "-", "-");
	pct_col(r->hyp_other, true, 6);
	pct_col(0, false, 6);
	pct_col(0, false, 6);
	pct_col(r->hyp_other, true, 7);
	printf("\n%*s %6s %10s", w, "total", "-", "-");
	pct_col(r->guests + r->dom0 + r->hyp_all, true, 6);
	pct_col(r->guests, true, 6);
	pct_col(r->dom0, true, 6);
	pct_col(r->hyp_all, true, 7);
	printf("\nHARDWARE (NIC engines, %u threads, one per port) %.1f%% of one CPU:", r->nports,
	       r->hw_all);
	for (unsigned p = 0; p < r->nports; p++)
		printf(" pf%u %.1f%%", p, r->hw[p]);
	printf("\n\n");

	if (r->nvifs) {
		printf("%-10s %-16s %10s %10s %10s %10s %9s %6s\n", "VIF", "DOMAIN", "RX pkt/s",
		       "RX Mbit/s", "TX pkt/s", "TX Mbit/s", "DROPS/s", "DOM0%");
		for (unsigned i = 0; i < r->nvifs; i++) {
			const struct top_vif_row *v = &r->vif[i];

			printf("%-10s %-16s %10.0f %10.2f %10.0f %10.2f %9.0f %6.1f\n", v->v->name,
			       v->owner, v->rx_pps, v->rx_mbps, v->tx_pps, v->tx_mbps, v->drops_ps,
			       v->dom0);
		}
		printf("\n");
	}
	if (!r->nvfs) {
		printf("no VFs enabled (`vfnet sriov pf0 numvfs N`)\n");
		return;
	}
	printf("%-8s %-4s %-16s %10s %10s %10s %10s %9s %11s\n", "VF", "PF", "DOMAIN", "RX pkt/s",
	       "RX Mbit/s", "TX pkt/s", "TX Mbit/s", "DROPS/s", "VLAN-DROP/s");
	for (unsigned i = 0; i < r->nvfs; i++) {
		const struct top_vf_row *v = &r->vf[i];

		printf("%-8s pf%-2u %-16s %10.0f %10.2f %10.0f %10.2f %9.0f %11.0f\n", v->v->bdf,
		       v->v->port, v->v->owner, v->rx_pps, v->rx_mbps, v->tx_pps, v->tx_mbps,
		       v->drops_ps, v->vlan_drops_ps);
	}
}

static void jnum(struct json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

/* One table as one line of JSON. */
static void print_json(const struct top_rates *r)
{
	struct json_object *o = json_object_new_object(), *doms = json_object_new_array();
	struct json_object *vfs = json_object_new_array(), *hw = json_object_new_object();
	struct json_object *eng = json_object_new_array(), *vifs;

	jnum(o, "period_s", r->period_s);
	for (unsigned i = 0; i < r->ndoms; i++) {
		const struct top_dom_row *d = &r->dom[i];
		struct json_object *x = json_object_new_object();
		char st[2] = {d->d->state, '\0'};

		json_object_object_add(x, "id", json_object_new_int(d->d->id));
		json_object_object_add(x, "name", json_object_new_string(d->d->name));
		json_object_object_add(x, "role", json_object_new_string(d->d->dom0 ? "dom0"
										    : "guest"));
		json_object_object_add(x, "state", json_object_new_string(st));
		jnum(x, "cpu_s", d->cpu_s);
		jnum(x, "cpu_pct", d->cpu);
		jnum(x, "guest_pct", d->guest);
		jnum(x, "dom0_pct", d->dom0);
		jnum(x, "hypervisor_pct", d->hyp);
		json_object_object_add(x, "mem_kib", json_object_new_uint64(d->d->mem_bytes >> 10));
		jnum(x, "mem_pct", d->mem_pct);
		json_object_object_add(x, "maxmem_kib",
				       json_object_new_uint64(d->d->maxmem_bytes >> 10));
		jnum(x, "maxmem_pct", d->maxmem_pct);
		json_object_object_add(x, "vcpus", json_object_new_int((int)d->d->vcpus));
		json_object_object_add(x, "nets", json_object_new_int((int)d->d->nets));
		json_object_array_add(doms, x);
	}
	json_object_object_add(o, "domains", doms);
	jnum(o, "hypervisor_other_pct", r->hyp_other);
	jnum(o, "guests_pct", r->guests);
	jnum(o, "dom0_pct", r->dom0);
	jnum(o, "hypervisor_pct", r->hyp_all);
	jnum(hw, "pct", r->hw_all);
	for (unsigned p = 0; p < r->nports; p++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "port", json_object_new_int((int)p));
		jnum(x, "pct", r->hw[p]);
		json_object_array_add(eng, x);
	}
	json_object_object_add(hw, "engines", eng);
	json_object_object_add(o, "hardware", hw);
	for (unsigned i = 0; i < r->nvfs; i++) {
		const struct top_vf_row *v = &r->vf[i];
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "bdf", json_object_new_string(v->v->bdf));
		json_object_object_add(x, "port", json_object_new_int((int)v->v->port));
		json_object_object_add(x, "vf", json_object_new_int((int)v->v->vf));
		json_object_object_add(x, "domain", json_object_new_string(v->v->owner));
		jnum(x, "rx_pps", v->rx_pps);
		jnum(x, "rx_mbps", v->rx_mbps);
		jnum(x, "tx_pps", v->tx_pps);
		jnum(x, "tx_mbps", v->tx_mbps);
		jnum(x, "drops_ps", v->drops_ps);
		jnum(x, "vlan_drops_ps", v->vlan_drops_ps);
		json_object_array_add(vfs, x);
	}
	json_object_object_add(o, "vfs", vfs);
	vifs = json_object_new_array();
	for (unsigned i = 0; i < r->nvifs; i++) {
		const struct top_vif_row *v = &r->vif[i];
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "vif", json_object_new_string(v->v->name));
		json_object_object_add(x, "domid", json_object_new_int(v->v->domid));
		json_object_object_add(x, "domain", json_object_new_string(v->owner));
		jnum(x, "rx_pps", v->rx_pps);
		jnum(x, "rx_mbps", v->rx_mbps);
		jnum(x, "tx_pps", v->tx_pps);
		jnum(x, "tx_mbps", v->tx_mbps);
		jnum(x, "drops_ps", v->drops_ps);
		jnum(x, "dom0_pct", v->dom0);
		json_object_array_add(vifs, x);
	}
	json_object_object_add(o, "vifs", vifs);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* ---- waiting and keys ---- */

/* Sleep @secs, or until a signal. */
static void nap(double secs)
{
	struct timespec ts = {.tv_sec = (time_t)secs,
			      .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9)};

	nanosleep(&ts, NULL);
}

/* Wait until @end (CLOCK_MONOTONIC ns) for a key on @tty: the key, 0 at the end or on a signal. */
static int wait_key(int tty, uint64_t end)
{
	struct timespec now;
	unsigned char ch;

	while (!stop) {
		struct pollfd pfd = {.fd = tty, .events = POLLIN};
		uint64_t t;

		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
		if (t >= end)
			return 0;
		if (poll(&pfd, 1, (int)((end - t) / 1000000 + 1)) > 0 && read(tty, &ch, 1) == 1)
			return ch ? ch : ' ';
	}
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

static int parse_delay(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < TOP_DELAY_MIN || v > TOP_DELAY_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

struct screen {
	double delay;
	enum top_sort sort;
	bool prompting;	   /* 'd' was pressed: the delay is being typed */
	char typed[16];
	unsigned ntyped;
	const char *note; /* one line under the tables, once */
};

static void bottom_line(const struct screen *sc)
{
	if (sc->prompting)
		printf("\nDelay(sec): %s", sc->typed);
	else
		printf("\n%s%sd: delay (%.1f s)  s: sort (%s)  q: quit", sc->note ? sc->note : "",
		       sc->note ? "   " : "", sc->delay, top__sort_name(sc->sort));
	fflush(stdout);
}

/* A key in interactive mode: true when the user quit; *redraw when the screen must change. */
static bool handle_key(struct screen *sc, int ch, bool *redraw)
{
	*redraw = true;
	if (sc->prompting) {
		if (ch == '\r' || ch == '\n') {
			double d;

			sc->prompting = false;
			if (parse_delay(sc->typed, &d))
				sc->note = "(the delay is seconds, 0.1 to 3600: kept)";
			else
				sc->delay = d;
		} else if (ch == KEY_ESC) {
			sc->prompting = false;
		} else if ((ch == 0x7f || ch == '\b') && sc->ntyped) {
			sc->typed[--sc->ntyped] = '\0';
		} else if (((ch >= '0' && ch <= '9') || ch == '.') &&
			   sc->ntyped + 1 < sizeof(sc->typed)) {
			sc->typed[sc->ntyped++] = (char)ch;
			sc->typed[sc->ntyped] = '\0';
		}
		return false;
	}
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_ESC:
		return true;
	case 's':
	case 'S':
		sc->sort = (enum top_sort)((sc->sort + 1) % TOP_SORT_NR);
		return false;
	case 'd':
	case 'D':
		sc->prompting = true;
		sc->ntyped = 0;
		sc->typed[0] = '\0';
		return false;
	}
	*redraw = false;
	return false;
}

static void draw(const struct top_rates *r, struct screen *sc)
{
	printf("\033[H\033[2J");
	print_tables(r, sc->sort);
	bottom_line(sc);
	sc->note = NULL;
}

/* ---- the command ---- */

static int top_run(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct screen sc = {.delay = 1.0, .sort = TOP_SORT_ID};
	struct top_snap *snap;
	struct top_rates *rates;
	struct termios saved, raw;
	bool batch = false, json = false, have_rates = false;
	long iters = 0;
	int opt, rc, tty = -1;
	char *end;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, ":d:bi:n:j")) != -1) {
		switch (opt) {
		case 'd':
			if (parse_delay(optarg, &sc.delay))
				return cmd__usage("top", "bad -d '%s': seconds, %.1f to %.0f", optarg,
						  TOP_DELAY_MIN, TOP_DELAY_MAX);
			break;
		case 'b':
			batch = true;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
		case 'n':
			errno = 0;
			iters = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || iters < 1 || iters > 1000000)
				return cmd__usage("top", "bad -%c '%s': a number of tables, 1 or more",
						  opt, optarg);
			break;
		case ':':
			return cmd__usage("top", "option -%c needs a value", optopt);
		default:
			return cmd__usage("top", "unknown option '-%c'", optopt);
		}
	}
	if (optind < argc)
		return cmd__usage("top", "unexpected argument '%s'", argv[optind]);
	/* As xentop -b: no screen control where there is no screen. */
	if (json || !isatty(STDOUT_FILENO))
		batch = true;
	if (batch && !iters)
		iters = 1;

	if (!(snap = calloc(2, sizeof(*snap))) || !(rates = malloc(sizeof(*rates)))) {
		free(snap);
		return cmd__fail("top", "out of memory");
	}
	if ((rc = read_snap(&snap[0])))
		goto out;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!batch && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		/* Keys without Enter and without echo, so that q quits at once; signals stay. */
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw))
			tty = STDIN_FILENO;
	}
	for (long i = 0, cur = 0; !stop && (!iters || i < iters); i++, cur ^= 1) {
		uint64_t due = mono_ns() + (uint64_t)(sc.delay * 1e9);
		bool quit = false;

		if (tty < 0)
			nap(sc.delay);
		while (tty >= 0 && !stop) {
			bool redraw;
			int ch = wait_key(tty, due);

			if (!ch)
				break;
			if ((quit = handle_key(&sc, ch, &redraw)))
				break;
			if (redraw && have_rates) {
				top__sort(rates, sc.sort);
				draw(rates, &sc);
			}
			if (!sc.prompting)
				due = MIN(due, mono_ns() + (uint64_t)(sc.delay * 1e9));
		}
		if (stop || quit)
			break;
		if ((rc = read_snap(&snap[cur ^ 1])))
			break;
		if (top__rates(&snap[cur], &snap[cur ^ 1], rates)) {
			rc = cmd__fail("top", "the host's clock did not advance between readings");
			break;
		}
		have_rates = true;
		top__sort(rates, sc.sort);
		if (json) {
			print_json(rates);
		} else if (!batch) {
			draw(rates, &sc);
		} else {
			if (i)
				printf("\n");
			print_tables(rates, sc.sort);
		}
		fflush(stdout);
	}
	if (tty >= 0) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		printf("\n");
	}
out:
	free(snap);
	free(rates);
	return rc;
}

const struct cmd cmd_top = {
	.name = "top",
	.summary = "xentop: domains, CPU split by who pays (guest, dom0, hypervisor, NIC), VFs",
	.run = top_run,
	.help = top_help,
};
