/*
 * vfnet demo: the main job. A machine of its own (a `vfnet host` child on a private socket), VFs
 * enabled on both PFs through dom0's PF driver, four guests with a VF each, their MACs and VLANs
 * set by the administrator, traffic among them, and a live table of what it costs and who pays:
 * the guests, dom0, the hypervisor, the hardware. Then a summary, the commands to try next, and
 * nothing left running.
 *
 *   red    pf0 VF 0  VLAN 10  pktgen to blue (VM-to-VM inside port 0's switch), and an ARP/ICMP
 *                             responder at 10.99.0.2
 *   blue   pf0 VF 1  VLAN 10  sink
 *   white  pf0 VF 3  VLAN 10  as root only: the host's TAP device vfdemo0 (10.99.0.1), from which
 *                             the host pings red through two VFs and the switch
 *   green  pf0 VF 2  VLAN 20  pktgen to blue (never delivered: another VLAN) and pktgen with a
 *                             forged source MAC (dropped by anti-spoofing)
 *   yellow pf1 VF 0  VLAN 10  pktgen to blue across the cable between the ports
 *   purple vif on xenbr0      paravirtual, joins halfway: pktgen to orange through netfront,
 *                             dom0's netback and bridge, the other guest's netback and netfront
 *   orange vif on xenbr0      paravirtual, joins halfway: sink
 * The first half of the traffic is SR-IOV only, so that the table shows dom0 at zero; then the
 * PV pair joins and dom0's CPU rises with its traffic, which the summary puts per frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"

#define DEMO_GUESTS 6 /* 4 with a VF, then 2 paravirtual */
#define DEMO_SRIOV  4
#define DEMO_PURPLE 4
#define DEMO_ORANGE 5

struct demo_guest {
	const char *name, *pf, *bdf; /* pf "": a PV guest, its vif on xenbr0 */
	unsigned vf;
	const char *mac;
	unsigned vlan;
	const char *apps;
};

static struct demo_guest guests[DEMO_GUESTS] = {
	{"red", "pf0", "01:10.0", 0, "02:00:00:00:10:01", 10,
	 "app=pktgen dst=02:00:00:00:10:02 rate=100k flow=1\napp=responder ip=10.99.0.2\n"},
	{"blue", "pf0", "01:10.2", 1, "02:00:00:00:10:02", 10, "app=sink\n"},
	{"green", "pf0", "01:10.4", 2, "02:00:00:00:20:01", 20,
	 "app=pktgen dst=02:00:00:00:10:02 rate=5k flow=3\n"
	 "app=pktgen dst=02:00:00:00:10:02 src=02:00:00:00:66:66 rate=5k flow=4\n"},
	{"yellow", "pf1", "01:10.1", 0, "02:00:00:00:30:01", 10,
	 "app=pktgen dst=02:00:00:00:10:02 size=1514 rate=20k flow=2\n"},
	{"purple", "", "", 0, "00:16:3e:00:40:01", 0,
	 "app=pktgen dst=00:16:3e:00:40:02 rate=50k flow=5\n"},
	{"orange", "", "", 0, "00:16:3e:00:40:02", 0, "app=sink\n"},
};

/* As root: a fifth guest whose VF is the host's TAP device. */
static const struct demo_guest white = {"white", "pf0", "01:10.6", 3, "02:00:00:00:10:03", 10,
					"app=tapbridge tap=vfdemo0\n"};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

static void demo_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet demo [--seconds N]\n\n"
		"The paper at work, on a machine of its own that it starts and stops (no root, no\n"
		"setup): dom0's PF driver enables VFs on both ports; four guests get one VF each,\n"
		"with MACs and VLANs set by the administrator through dom0:\n"
		"  red    pf0 VF 0, VLAN 10: sends to blue (switched inside port 0)\n"
		"  blue   pf0 VF 1, VLAN 10: receives\n"
		"  green  pf0 VF 2, VLAN 20: sends to blue (isolated by VLAN) and sends frames with a\n"
		"         forged source MAC (dropped by anti-spoofing)\n"
		"  yellow pf1 VF 0, VLAN 10: sends to blue across the cable between the ports\n"
		"Halfway through, two paravirtual guests join, as Xen's PV path runs them: purple\n"
		"sends to orange through netfront, dom0's netback and its bridge xenbr0.\n"
		"A table refreshes every second: per guest packets/s and Gbit/s, CPU by domain\n"
		"(dom0 stays near zero while only SR-IOV guests run: it is not on their data path;\n"
		"it rises once the PV pair runs), the hardware's share (the NIC engines' CPU), and\n"
		"the drops caused on purpose. It ends with a summary (dom0's CPU per PV frame\n"
		"beside the SR-IOV frames' none) and the commands to try next. As root, a fifth guest's VF (pf0 VF 3, VLAN 10) becomes the\n"
		"host's TAP device vfdemo0 (10.99.0.1/24) and the demo pings red's responder\n"
		"(10.99.0.2) through it, and so can you while it runs.\n\n"
		"options:\n"
		"  --seconds N  how long the traffic runs (default 10)\n\n"
		"example:\n  vfnet demo --seconds 5\n");
}

/* ---- talking to the demo's machine ---- */

static struct json_object *jreq(const char *op)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "op", json_object_new_string(op));
	return o;
}

static void jset(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* A host request; the reply (NULL on failure, after an error line). */
static struct json_object *host_call(struct json_object *req)
{
	struct json_object *reply = NULL;
	int rc = client__call("demo", req, &reply);

	json_object_put(req);
	return rc ? NULL : reply;
}

static struct json_object *dom_call(const char *dom, struct json_object *req)
{
	struct json_object *reply = NULL;
	int rc = client__domain_call("demo", dom, req, &reply);

	json_object_put(req);
	return rc ? NULL : reply;
}

static uint64_t ju64(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

static int ok(struct json_object *reply)
{
	json_object_put(reply);
	return reply ? 0 : -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- setting the scene ---- */

static int sriov(const char *pf, unsigned n)
{
	struct json_object *r = jreq("sriov");

	jset(r, "pf", pf);
	json_object_object_add(r, "numvfs", json_object_new_int((int)n));
	return ok(dom_call("0", r));
}

static int vf_policy(const struct demo_guest *g)
{
	struct json_object *r = jreq("ip-link-set");
	char vf[8], vlan[8];

	snprintf(vf, sizeof(vf), "%u", g->vf);
	snprintf(vlan, sizeof(vlan), "%u", g->vlan);
	jset(r, "pf", g->pf);
	jset(r, "vf", vf);
	jset(r, "mac", g->mac);
	jset(r, "vlan", vlan);
	jset(r, "spoofchk", "on");
	return ok(dom_call("0", r));
}

static int start_guest(const struct demo_guest *g, const char *extra)
{
	struct json_object *r, *list, *vif;
	char config[512];

	if (g->pf[0]) {
		r = jreq("pci-assignable-add");
		jset(r, "bdf", g->bdf);
		if (ok(host_call(r)))
			return -1;
	}
	snprintf(config, sizeof(config), "%s%s", g->apps, extra ? extra : "");
	r = jreq("create");
	jset(r, "name", g->name);
	json_object_object_add(r, "memory", json_object_new_int(g->pf[0] ? 64 : 32));
	jset(r, "config", config);
	if (g->pf[0]) {
		list = json_object_new_array();
		json_object_array_add(list, json_object_new_string(g->bdf));
		json_object_object_add(r, "pci", list);
	} else {
		/* vif = [ 'mac=...' ]: netfront in the guest, netback and xenbr0 in dom0 */
		list = json_object_new_array();
		vif = json_object_new_object();
		jset(vif, "mac", g->mac);
		json_object_array_add(list, vif);
		json_object_object_add(r, "vif", list);
	}
	return ok(host_call(r));
}

/* ---- the live table ---- */

struct sample {
	uint64_t t;
	uint64_t dom0_cpu, guest_cpu[DEMO_GUESTS], hv_ns, hw_ns;
	uint64_t tx[DEMO_GUESTS], rx[DEMO_GUESTS], txb[DEMO_GUESTS], rxb[DEMO_GUESTS];
	uint64_t spoof, nodesc, vlan; /* drops by the NIC, by reason, on both ports */
	unsigned nports;
	bool present[DEMO_GUESTS]; /* running when the sample was taken */
};

static void sample_apps(unsigned i, struct sample *s)
{
	struct json_object *st = dom_call(guests[i].name, jreq("stats")), *apps, *flows;

	if (!st)
		return;
	if (json_object_object_get_ex(st, "apps", &apps)) {
		for (size_t k = 0; k < json_object_array_length(apps); k++) {
			struct json_object *a = json_object_array_get_idx(apps, k), *name;

			if (!json_object_object_get_ex(a, "app", &name))
				continue;
			if (!strcmp(json_object_get_string(name), "pktgen")) {
				s->tx[i] += ju64(a, "sent");
				s->txb[i] += ju64(a, "bytes");
			} else if (!strcmp(json_object_get_string(name), "sink")) {
				s->rx[i] += ju64(a, "received");
				s->rxb[i] += ju64(a, "bytes");
			}
		}
	}
	(void)flows;
	json_object_put(st);
}

static int take(struct sample *s)
{
	struct json_object *l = host_call(jreq("list")), *st, *doms, *ports;

	memset(s, 0, sizeof(*s));
	s->t = now_ns();
	if (!l)
		return -1;
	if (json_object_object_get_ex(l, "domains", &doms)) {
		for (size_t k = 0; k < json_object_array_length(doms); k++) {
			struct json_object *d = json_object_array_get_idx(doms, k), *n;
			const char *name;

			json_object_object_get_ex(d, "name", &n);
			name = json_object_get_string(n);
			s->hv_ns += ju64(d, "hypervisor_ns");
			if (!strcmp(name, "Domain-0"))
				s->dom0_cpu = ju64(d, "cpu_ns");
			for (unsigned i = 0; i < DEMO_GUESTS; i++)
				if (!strcmp(name, guests[i].name)) {
					s->guest_cpu[i] = ju64(d, "cpu_ns");
					s->present[i] = true;
				}
		}
	}
	json_object_put(l);
	if (!(st = host_call(jreq("stats"))))
		return -1;
	if (json_object_object_get_ex(st, "ports", &ports)) {
		for (size_t p = 0; p < json_object_array_length(ports); p++) {
			struct json_object *po = json_object_array_get_idx(ports, p), *eng, *dp, *dr;

			if (json_object_object_get_ex(po, "engine", &eng))
				s->hw_ns += ju64(eng, "cpu_ns");
			s->nports++;
			if (json_object_object_get_ex(po, "datapath", &dp) &&
			    json_object_object_get_ex(dp, "drops", &dr)) {
				s->spoof += ju64(dr, "spoof_mac");
				s->nodesc += ju64(dr, "no_desc");
				s->vlan += ju64(dr, "vlan") + ju64(dr, "untagged");
			}
		}
	}
	json_object_put(st);
	/* The receiver first, then the senders: a frame blue counted was sent before, so what
	 * blue received never exceeds what was sent to it, however long the reading takes. */
	sample_apps(1, s);
	if (s->present[DEMO_ORANGE])
		sample_apps(DEMO_ORANGE, s);
	for (unsigned i = 0; i < DEMO_GUESTS; i++)
		if (i != 1 && i != DEMO_ORANGE && s->present[i])
			sample_apps(i, s);
	return 0;
}

/* Frames VLAN filtering kept from blue's VF (its pool's counter, by the host's top op). */
static uint64_t blue_vlan_drops(void)
{
	struct json_object *t = host_call(jreq("top")), *vfs;
	uint64_t n = 0;

	if (t && json_object_object_get_ex(t, "vfs", &vfs))
		for (size_t k = 0; k < json_object_array_length(vfs); k++) {
			struct json_object *v = json_object_array_get_idx(vfs, k), *b;

			if (json_object_object_get_ex(v, "bdf", &b) &&
			    !strcmp(json_object_get_string(b), guests[1].bdf))
				n = ju64(v, "rx_vlan_drops") + ju64(v, "rx_untagged_drops");
		}
	json_object_put(t);
	return n;
}

static double pct(uint64_t a, uint64_t b, uint64_t dt)
{
	return dt ? 100.0 * (double)(b - a) / (double)dt : 0;
}

static void show(const struct sample *a, const struct sample *b, unsigned second, unsigned total)
{
	uint64_t dt = b->t - a->t;
	double secs = (double)dt / 1e9;

	printf("\n--- %u/%u s ---------------------------------------------------------------\n",
	       second, total);
	printf("%-7s %-8s %5s %10s %10s %9s %9s %6s\n", "GUEST", "NIC", "VLAN", "TX pkt/s",
	       "RX pkt/s", "TX Gb/s", "RX Gb/s", "CPU%");
	for (unsigned i = 0; i < DEMO_GUESTS; i++) {
		char vf[16], vlan[8];

		if (!a->present[i] || !b->present[i])
			continue;
		if (guests[i].pf[0])
			snprintf(vf, sizeof(vf), "%s vf%u", guests[i].pf, guests[i].vf);
		else
			snprintf(vf, sizeof(vf), "vif");
		snprintf(vlan, sizeof(vlan), guests[i].pf[0] ? "%u" : "-", guests[i].vlan);
		printf("%-7s %-8s %5s %10.0f %10.0f %9.3f %9.3f %6.1f\n", guests[i].name, vf,
		       vlan, (double)(b->tx[i] - a->tx[i]) / secs,
		       (double)(b->rx[i] - a->rx[i]) / secs,
		       (double)(b->txb[i] - a->txb[i]) * 8 / secs / 1e9,
		       (double)(b->rxb[i] - a->rxb[i]) * 8 / secs / 1e9,
		       pct(a->guest_cpu[i], b->guest_cpu[i], dt));
	}
	printf("CPU: dom0 %.1f%%  hypervisor %.2f%%  hardware (%u NIC engine threads) %.1f%% of "
	       "one CPU\n",
	       pct(a->dom0_cpu, b->dom0_cpu, dt), pct(a->hv_ns, b->hv_ns, dt), b->nports,
	       pct(a->hw_ns, b->hw_ns, dt));
	printf("drops/s: spoofed source MAC %llu, VLAN filtering %llu, receive ring full %llu\n",
	       (unsigned long long)((double)(b->spoof - a->spoof) / secs),
	       (unsigned long long)((double)(b->vlan - a->vlan) / secs),
	       (unsigned long long)((double)(b->nodesc - a->nodesc) / secs));
	fflush(stdout);
}

/* ---- the machine ---- */

static pid_t start_host(const char *sock, const char *log)
{
	char *argv[] = {"vfnet", "host", "--socket", (char *)sock, "--dom0-memory", "64", NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, NULL);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -rc;
	for (int i = 0; i < 100; i++) {
		struct stat st;

		if (!stat(sock, &st) && S_ISSOCK(st.st_mode))
			return pid;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -ETIMEDOUT;
}

/* Run a command of the host (ip, ping) and wait for it; its output goes to ours. 0 on success. */
static int run(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4,
	       const char *a5, const char *a6)
{
	char *argv[] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5,
			(char *)a6, NULL};
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, a0, NULL, NULL, argv, NULL))
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int wait_driver(const char *dom, const char *what)
{
	for (int i = 0; i < 100 && !interrupted; i++) {
		struct json_object *r = jreq("dmesg"), *log;

		jset(r, "domain", dom);
		r = host_call(r);
		if (r && json_object_object_get_ex(r, "log", &log) &&
		    strstr(json_object_get_string(log), what)) {
			json_object_put(r);
			return 0;
		}
		json_object_put(r);
		usleep(50000);
	}
	return -1;
}

static int demo_main(unsigned seconds, const char *dir)
{
	struct sample first, prev, cur, sriov_end, pv_first = {0};
	unsigned sriov_secs = seconds > 1 ? (seconds + 1) / 2 : seconds;
	bool root = geteuid() == 0;
	int rc = EXIT_FAIL;

	printf("vfnet demo: SR-IOV networking as in Xen (Dong, Yu, Rose, WIOV 2008)\n\n");
	printf("1. dom0's PF driver enables VFs: pf0 numvfs %d, pf1 numvfs 1\n", root ? 4 : 3);
	if (wait_driver("0", "01:00.1 8086:10c9: bound to mdd") || sriov("pf0", root ? 4 : 3) ||
	    sriov("pf1", 1))
		return rc;
	printf("2. the administrator sets each VF's MAC, port VLAN and spoof checking in dom0\n");
	for (unsigned i = 0; i < DEMO_SRIOV; i++) {
		printf("     vfnet ip link set %s vf %u mac %s vlan %u spoofchk on\n", guests[i].pf,
		       guests[i].vf, guests[i].mac, guests[i].vlan);
		if (vf_policy(&guests[i]))
			return rc;
	}
	printf("3. four guests, one VF each (pci-assignable-add, then create with pci = [ BDF ])\n");
	for (unsigned i = 0; i < DEMO_SRIOV; i++) {
		printf("     %-6s <- %s (%s VF %u), VLAN %u\n", guests[i].name, guests[i].bdf,
		       guests[i].pf, guests[i].vf, guests[i].vlan);
		if (start_guest(&guests[i], NULL))
			return rc;
	}
	if (root && (vf_policy(&white) || start_guest(&white, NULL) ||
		     wait_driver(white.name, "app: ")))
		return rc;
	for (unsigned i = 0; i < DEMO_SRIOV; i++)
		if (wait_driver(guests[i].name, "app: "))
			return rc;
	if (root && !run("ip", "addr", "add", "10.99.0.1/24", "dev", "vfdemo0", NULL) &&
	    !run("ip", "link", "set", "vfdemo0", "up", NULL, NULL)) {
		printf("   as root: a fifth guest, white (pf0 VF 3, VLAN 10), whose VF is this host's\n"
		       "   TAP device vfdemo0 (10.99.0.1/24); the host pings red's responder\n"
		       "   (10.99.0.2) through two VFs and the switch:\n");
		fflush(stdout);
		run("ping", "-c", "3", "-W", "2", "-q", "10.99.0.2");
		printf("   (ping 10.99.0.2 yourself while the demo runs)\n");
	}
	printf("4. traffic for %u s: red -> blue inside port 0, yellow -> blue across the cable,\n"
	       "   green -> blue from VLAN 20 (isolated) and with a forged source MAC (dropped)\n",
	       seconds);
	if (take(&first))
		return rc;
	prev = first;
	for (unsigned s = 1; s <= seconds && !interrupted; s++) {
		if (s == sriov_secs + 1) {
			/* Halfway: the paravirtual pair joins. */
			sriov_end = prev;
			printf("\n5. two paravirtual guests join (create with vif = [ 'mac=...' ]):\n"
			       "   purple -> orange through netfront, dom0's netback and bridge xenbr0\n");
			fflush(stdout);
			if (start_guest(&guests[DEMO_PURPLE], NULL) ||
			    start_guest(&guests[DEMO_ORANGE], NULL) ||
			    wait_driver(guests[DEMO_PURPLE].name, "app: ") ||
			    wait_driver(guests[DEMO_ORANGE].name, "app: ") || take(&prev))
				return rc;
			pv_first = prev;
		}
		sleep(1);
		if (take(&cur))
			return rc;
		show(&prev, &cur, s, seconds);
		prev = cur;
	}
	if (!pv_first.t)
		sriov_end = prev;
	{
		uint64_t dt = prev.t - first.t;
		/* Counts since the apps started, blue's read before the senders': got <= sent. */
		uint64_t sent_blue = prev.tx[0] + prev.tx[3];
		uint64_t got = prev.rx[1];
		uint64_t guest_cpu = 0, vlan_blue = blue_vlan_drops();

		for (unsigned i = 0; i < DEMO_SRIOV; i++)
			guest_cpu += sriov_end.guest_cpu[i] - first.guest_cpu[i];
		printf("\nsummary (frames since the guests started, CPU over the %.1f s):\n",
		       (double)dt / 1e9);
		printf("  red and yellow sent %llu frames to blue, which received %llu of them\n"
		       "  (blue's count is read first: frames still in flight are in the first\n"
		       "  number only)\n",
		       (unsigned long long)sent_blue, (unsigned long long)got);
		if (prev.nodesc)
			printf("  %llu frames found blue's receive ring full: the guest was not\n"
			       "  scheduled in time on this host's %ld CPUs (dropped and counted, as\n"
			       "  a NIC does)\n", (unsigned long long)prev.nodesc,
			       sysconf(_SC_NPROCESSORS_ONLN));
		printf("  green's frames from VLAN 20 reached blue: none (VLAN isolation); VLAN\n"
		       "  filtering kept %llu frames addressed to blue from it (counted on its VF)\n",
		       (unsigned long long)vlan_blue);
		printf("  frames with a forged source MAC dropped by the NIC: %llu\n",
		       (unsigned long long)prev.spoof);
		printf("  CPU while only the SR-IOV guests ran (%.1f s), in percent of one CPU:\n"
		       "  guests %.1f%%, dom0 %.1f%%, hypervisor %.2f%%,\n"
		       "  hardware %.1f%% (%u NIC engine threads, one per port)\n",
		       (double)(sriov_end.t - first.t) / 1e9,
		       pct(0, guest_cpu, sriov_end.t - first.t),
		       pct(first.dom0_cpu, sriov_end.dom0_cpu, sriov_end.t - first.t),
		       pct(first.hv_ns, sriov_end.hv_ns, sriov_end.t - first.t),
		       pct(first.hw_ns, sriov_end.hw_ns, sriov_end.t - first.t), prev.nports);
		printf("  dom0 is not on the SR-IOV data path: the VFs move the frames, the guests'\n"
		       "  drivers talk to the NIC directly, interrupts are posted straight to them.\n");
		if (pv_first.t) {
			uint64_t pdt = prev.t - pv_first.t;
			uint64_t pv_rx = prev.rx[DEMO_ORANGE] - pv_first.rx[DEMO_ORANGE];
			uint64_t d0 = prev.dom0_cpu - pv_first.dom0_cpu;

			printf("  with the PV pair (%.1f s): purple sent %llu frames, orange received\n"
			       "  %llu; dom0 %.1f%% of one CPU, %.0f ns of dom0's CPU per PV frame\n"
			       "  (netback copies each frame through grants and its bridge switches\n"
			       "  it), hypervisor %.2f%% (the grant copies and event channels)\n",
			       (double)pdt / 1e9,
			       (unsigned long long)(prev.tx[DEMO_PURPLE] - pv_first.tx[DEMO_PURPLE]),
			       (unsigned long long)pv_rx, pct(pv_first.dom0_cpu, prev.dom0_cpu, pdt),
			       pv_rx ? (double)d0 / (double)pv_rx : 0.0,
			       pct(pv_first.hv_ns, prev.hv_ns, pdt));
		}
	}
	printf("\ntry next (a machine of your own):\n"
	       "  vfnet host &\n"
	       "  vfnet sriov pf0 numvfs 7 && vfnet lspci\n"
	       "  vfnet pci-assignable-add 01:10.0\n"
	       "  vfnet ip link set pf0 vf 0 mac 02:00:00:00:00:01 vlan 10\n"
	       "  vfnet create guest.cfg    (name = \"g1\"; pci = [ '01:10.0' ]; app = [ 'sink' ])\n"
	       "  vfnet lspci --domain g1 -vv; vfnet stats g1; vfnet ip link show pf0\n");
	(void)dir;
	rc = EXIT_OK;
	return rc;
}

static int demo_run(int argc, char **argv)
{
	unsigned seconds = 10;
	char dir[] = "/tmp/vfnet-demo.XXXXXX", sock[64], log[64];
	struct sigaction sa = {.sa_handler = on_signal};
	pid_t host;
	int rc;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			unsigned long n = strtoul(argv[++i], &end, 10);

			if (*end || !n || n > 3600)
				return cmd__usage("demo", "--seconds takes 1..3600");
			seconds = (unsigned)n;
		} else {
			return cmd__usage("demo", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!mkdtemp(dir))
		return cmd__fail("demo", "cannot make a directory in /tmp: %s", strerror(errno));
	snprintf(sock, sizeof(sock), "%s/vfnet.sock", dir);
	snprintf(log, sizeof(log), "%s/host.log", dir);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	host = start_host(sock, log);
	if (host < 0) {
		rmdir(dir);
		return cmd__fail("demo", "cannot start a machine: %s", strerror((int)-host));
	}
	client__set_socket(sock);
	rc = demo_main(seconds, dir);
	if (interrupted)
		printf("\ninterrupted\n");
	/* Nothing stays behind: the machine stops its domains, then itself. */
	json_object_put(host_call(jreq("shutdown")));
	for (int i = 0; i < 100 && waitpid(host, NULL, WNOHANG) == 0; i++)
		usleep(50000);
	if (kill(host, 0) == 0) {
		kill(host, SIGKILL);
		waitpid(host, NULL, 0);
	}
	if (rc != EXIT_OK) {
		fprintf(stderr, "vfnet demo: the machine's log follows\n");
		FILE *f = fopen(log, "r");
		char line[256];

		while (f && fgets(line, sizeof(line), f))
			fputs(line, stderr);
		if (f)
			fclose(f);
	}
	unlink(sock);
	unlink(log);
	rmdir(dir);
	return rc;
}

const struct cmd cmd_demo = {
	.name = "demo",
	.summary = "the paper at work: VFs, four guests, traffic, who pays (make demo)",
	.run = demo_run,
	.help = demo_help,
};
