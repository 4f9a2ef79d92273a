/* vfnet top: CPU per domain split by who pays for it, and traffic per VF, refreshed as xentop. */
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
#include "cli/top_calc.h"

#define TOP_DELAY_MIN 0.1
#define TOP_DELAY_MAX 3600.0

static volatile sig_atomic_t stop;

static void top_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet top [-d SECONDS] [-b] [-n ITERATIONS]\n\n"
		"The running machine's domains and VFs, as xentop shows a Xen host: every period\n"
		"two readings of the host's counters give\n"
		"  per domain   CPU(%%), the sum of GUEST%% (a guest's own process), DOM0%% (dom0's\n"
		"               own process, on dom0's row only: dom0 is not on the SR-IOV data path,\n"
		"               and what it does for a guest's VF is not counted per guest) and\n"
		"               HYPERVISOR%% (the hypercalls the hypervisor served for the domain);\n"
		"               a (hypervisor) row for its time charged to no domain, a total row\n"
		"  HARDWARE     the NIC engine threads' CPU: what the silicon would do for free\n"
		"  per VF       its owner, Rx and Tx packets/s and Mbit/s (frame bytes without FCS),\n"
		"               and drops/s (copies for it and frames from it the NIC dropped)\n"
		"CPU is percent of one host CPU; a domain's process time has the kernel's tick\n"
		"granularity (1%% at -d 1).\n\n"
		"Interactive: the screen is redrawn every period until q or Ctrl-C.\n\n"
		"options:\n"
		"  -d SECONDS   period, %.1f..%.0f (default 1)\n"
		"  -b           batch: plain tables, no escape codes, for scripts and logs\n"
		"  -n N         stop after N tables (batch default 1; interactive: until q)\n\n"
		"examples:\n"
		"  vfnet top\n"
		"  vfnet top -d 0.5\n"
		"  vfnet --socket /tmp/m1.sock top -b -n 10 -d 2 >top.log\n",
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
	n = array(reply, "domains", &arr);
	for (size_t i = 0; i < n && s->ndoms < TOP_MAX_DOMAINS; i++) {
		struct top_dom *d = &s->dom[s->ndoms++];
		char role[16];

		o = json_object_array_get_idx(arr, i);
		d->id = json_object_object_get_ex(o, "id", &v) ? json_object_get_int(v) : -1;
		get_str(o, "name", d->name, sizeof(d->name));
		get_str(o, "role", role, sizeof(role));
		d->dom0 = !strcmp(role, "dom0");
		d->cpu_ns = get_u64(o, "cpu_ns");
		d->hv_ns = get_u64(o, "hypervisor_ns");
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
	}
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
	return EXIT_OK;
}

/* ---- the tables ---- */

static void pct_col(double v, bool shown, int width)
{
	if (shown)
		printf(" %*.1f", width, v);
	else
		printf(" %*s", width, "-");
}

static void print_tables(const struct top_rates *r)
{
	printf("vfnet top: %u domains, %u VFs enabled, over %.2f s\n", r->ndoms, r->nvfs,
	       r->period_s);
	printf("%-16s %4s %8s %7s %7s %11s\n", "NAME", "ID", "CPU(%)", "GUEST%", "DOM0%",
	       "HYPERVISOR%");
	for (unsigned i = 0; i < r->ndoms; i++) {
		const struct top_dom_row *d = &r->dom[i];

		printf("%-16s %4d", d->d->name, d->d->id);
		pct_col(d->cpu, true, 8);
		pct_col(d->guest, !d->d->dom0, 7);
		pct_col(d->dom0, d->d->dom0, 7);
		pct_col(d->hyp, true, 11);
		printf("\n");
	}
	printf("%-16s %4s", "(hypervisor)", "-");
	pct_col(r->hyp_other, true, 8);
	pct_col(0, false, 7);
	pct_col(0, false, 7);
	pct_col(r->hyp_other, true, 11);
	printf("\n%-16s %4s", "total", "-");
	pct_col(r->guests + r->dom0 + r->hyp_all, true, 8);
	pct_col(r->guests, true, 7);
	pct_col(r->dom0, true, 7);
	pct_col(r->hyp_all, true, 11);
	printf("\nHARDWARE (NIC engines) %.1f%%:", r->hw_all);
	for (unsigned p = 0; p < r->nports; p++)
		printf(" pf%u %.1f%%", p, r->hw[p]);
	printf("\n\n");

	if (!r->nvfs) {
		printf("no VFs enabled (`vfnet sriov pf0 numvfs N`)\n");
		return;
	}
	printf("%-8s %-4s %-16s %10s %10s %10s %10s %9s\n", "VF", "PF", "DOMAIN", "RX pkt/s",
	       "RX Mbit/s", "TX pkt/s", "TX Mbit/s", "DROPS/s");
	for (unsigned i = 0; i < r->nvfs; i++) {
		const struct top_vf_row *v = &r->vf[i];

		printf("%-8s pf%-2u %-16s %10.0f %10.2f %10.0f %10.2f %9.0f\n", v->v->bdf,
		       v->v->port, v->v->owner, v->rx_pps, v->rx_mbps, v->tx_pps, v->tx_mbps,
		       v->drops_ps);
	}
}

/* ---- waiting ---- */

/* Sleep @secs, or until a signal. */
static void nap(double secs)
{
	struct timespec ts = {.tv_sec = (time_t)secs,
			      .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9)};

	nanosleep(&ts, NULL);
}

/* Wait @secs for 'q' on the terminal @tty (-1: none, just sleep); true when the user quit. */
static bool wait_key(int tty, double secs)
{
	struct timespec end, now;
	char ch;

	if (tty < 0) {
		nap(secs);
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)secs;
	end.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (!stop) {
		struct pollfd pfd = {.fd = tty, .events = POLLIN};
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long)(end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return false;
		if (poll(&pfd, 1, (int)ms) > 0 && read(tty, &ch, 1) == 1 &&
		    (ch == 'q' || ch == 'Q'))
			return true;
	}
	return false;
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

static int top_run(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct top_snap *snap;
	struct top_rates *rates;
	struct termios saved, raw;
	double delay = 1.0;
	bool batch = false;
	long iters = 0;
	int opt, rc, tty = -1;
	char *end;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+d:bn:")) != -1) {
		switch (opt) {
		case 'd':
			if (parse_delay(optarg, &delay))
				return cmd__usage("top", "bad -d '%s': seconds, %.1f to %.0f", optarg,
						  TOP_DELAY_MIN, TOP_DELAY_MAX);
			break;
		case 'b':
			batch = true;
			break;
		case 'n':
			errno = 0;
			iters = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || iters < 1 || iters > 1000000)
				return cmd__usage("top", "bad -n '%s': a number of tables, 1 or more",
						  optarg);
			break;
		case ':':
			return cmd__usage("top", "option -%c needs a value", optopt);
		default:
			if (optopt == 'd' || optopt == 'n')
				return cmd__usage("top", "option -%c needs a value", optopt);
			return cmd__usage("top", "unknown option '-%c'", optopt);
		}
	}
	if (optind < argc)
		return cmd__usage("top", "unexpected argument '%s'", argv[optind]);
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
		if (batch)
			nap(delay);
		else if (wait_key(tty, delay))
			break;
		if (stop)
			break;
		if ((rc = read_snap(&snap[cur ^ 1])))
			break;
		if (top__rates(&snap[cur], &snap[cur ^ 1], rates)) {
			rc = cmd__fail("top", "the host's clock did not advance between readings");
			break;
		}
		if (!batch)
			printf("\033[H\033[2J");
		else if (i)
			printf("\n");
		print_tables(rates);
		if (!batch)
			printf("\n(q or Ctrl-C quits; every %.1f s)\n", delay);
		fflush(stdout);
	}
	if (tty >= 0)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
out:
	free(snap);
	free(rates);
	return rc;
}

const struct cmd cmd_top = {
	.name = "top",
	.summary = "xentop: CPU per domain (guest, dom0, hypervisor, NIC) and VF traffic",
	.run = top_run,
	.help = top_help,
};
