/* vfnet host: the machine as a long-running process, served on its control socket. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "apps/apps.h"
#include "cli/client.h"
#include "cli/cmd.h"
#include "hw/machine.h"
#include "vmm/control.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/loop.h"
#include "vmm/passthrough.h"

static void host_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet host [--socket PATH] [--wire0 SPEC] [--wire1 SPEC] [--dom0-memory MIB]\n"
		"                  [--dom0-app SPEC]... [--dom0-auto 'IF...']\n"
		"                  [--dom0-config KEY=VALUE]...\n\n"
		"Run the machine: build it (host bridge, root port, 82576, IOMMU), start the NIC's\n"
		"engine threads, the hypervisor and dom0 (Domain-0, the driver domain), and serve\n"
		"the control socket until a shutdown request, SIGINT or SIGTERM; then stop every\n"
		"domain and everything else and remove the socket. It runs in the foreground;\n"
		"start it with & (or under a service manager) to keep it running.\n\n"
		"options:\n"
		"  --socket PATH  the control socket (default: $VFNET_SOCKET, else\n"
		"                 /run/vfnet/vfnet.sock as root, else $XDG_RUNTIME_DIR/vfnet.sock);\n"
		"                 its directory is created; a live host there is not replaced\n"
		"  --wire0 SPEC   what port 0 is connected to (default cable)\n"
		"  --wire1 SPEC   the same for port 1\n"
		"  --dom0-memory MIB  dom0's RAM (default 256)\n"
		"  --dom0-app SPEC    an app for dom0, on its PF netdevs (dev=pf0 or dev=pf1);\n"
		"                 repeatable. e.g. 'responder dev=pf0 ip=10.0.0.1'\n"
		"  --dom0-config KEY=VALUE  a line of dom0's configuration; repeatable. e.g.\n"
		"                 netback_tx=copy (netback copies every guest frame; default map)\n"
		"  --dom0-auto 'IF...'  dom0's interfaces brought up at boot, as a distribution's\n"
		"                 network configuration does (default 'pf0 pf1'; '' for none).\n"
		"                 A PF that is down has its PHY powered down: its VFs have no\n"
		"                 link until `vfnet ip link set PF up`\n\n"
		"wires: cable (port 0 <-> port 1), loop, null, pcap:FILE, tap:NAME,\n"
		"       afpacket:IFNAME, peer:LOCAL,REMOTE\n\n"
		"examples:\n"
		"  vfnet host &\n"
		"  vfnet host --socket /tmp/m1.sock --wire0 loop --wire1 pcap:/tmp/p1.pcap &\n"
		"  vfnet --socket /tmp/m1.sock lspci\n");
}

static void host_signal(void *opaque, uint32_t events)
{
	vloop__stop(opaque);
}

static int host_serve(const char *path, const struct machine_config *cfg, int sfd,
		      unsigned dom0_mib, const char *dom0_config)
{
	struct machine *m;
	struct control *c = NULL;
	struct vloop *loop;
	struct hv *hv = NULL;
	struct domain *dom0;
	struct domain_config d0 = {.name = "Domain-0", .role = VFNET_ROLE_DOM0,
				   .mem_mib = dom0_mib, .config = dom0_config};
	int lfd, rc;

	lfd = control__listen(path);
	if (lfd == -EADDRINUSE)
		return cmd__fail("host",
				 "a vfnet host already answers at %s; use --socket PATH for another",
				 path);
	if (lfd == -EEXIST)
		return cmd__fail("host", "%s exists and is not a socket; remove it or use --socket "
					 "PATH", path);
	if (lfd < 0)
		return cmd__fail("host", "cannot listen at %s: %s", path, strerror(-lfd));

	if ((rc = vloop__create(&loop))) {
		rc = cmd__fail("host", "cannot create the event loop: %s", strerror(-rc));
		goto err_listen;
	}
	rc = machine__create(&m, cfg);
	if (rc) {
		rc = cmd__fail("host", "cannot build the machine: %s", strerror(-rc));
		goto err_loop;
	}
	if ((rc = machine__start(m))) {
		rc = cmd__fail("host", "cannot start the NIC engines: %s", strerror(-rc));
		goto err_machine;
	}
	if ((rc = hv__create(&hv, m, loop, "/proc/self/exe"))) {
		rc = cmd__fail("host", "cannot start the hypervisor: %s", strerror(-rc));
		goto err_machine;
	}
	hv->dom0_config = dom0_config;
	if ((rc = control__create(&c, m)) || (control__set_hv(c, hv), 0) ||
	    (rc = control__attach(c, loop, lfd)) ||
	    (rc = vloop__add(loop, sfd, EPOLLIN, host_signal, loop))) {
		rc = cmd__fail("host", "cannot start the control server: %s", strerror(-rc));
		goto err_hv;
	}
	if ((rc = domain__create(hv, &d0, &dom0)) || (rc = domain__spawn(dom0))) {
		rc = cmd__fail("host", "cannot start dom0: %s", strerror(-rc));
		goto err_hv;
	}
	passthrough__adopt(hv, dom0);
	printf("vfnet host: machine running, control socket %s\n", path);
	fflush(stdout);
	rc = vloop__run(loop);
	rc = rc ? cmd__fail("host", "control loop failed: %s", strerror(-rc)) : EXIT_OK;
err_hv:
	/* The socket goes first: from here on a client finds no host rather than a dying one. */
	unlink(path);
	control__destroy(c);
	hv__destroy(hv);
err_machine:
	unlink(path);
	machine__destroy(m);
err_loop:
	vloop__destroy(loop);
err_listen:
	unlink(path);
	close(lfd);
	return rc;
}

static int host_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"wire0", required_argument, NULL, '0'},
		{"wire1", required_argument, NULL, '1'},
		{"dom0-memory", required_argument, NULL, 'm'},
		{"dom0-app", required_argument, NULL, 'a'},
		{"dom0-config", required_argument, NULL, 'c'},
		{"dom0-auto", required_argument, NULL, 'u'},
		{NULL, 0, NULL, 0},
	};
	struct machine_config cfg = {0};
	const char *path;
	struct signalfd_siginfo si;
	sigset_t sigs, old;
	int opt, sfd, rc;
	unsigned dom0_mib = 256;
	char *end, dom0_config[1024] = "";
	const char *dom0_auto = "pf0 pf1";
	size_t used = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			client__set_socket(optarg);
			break;
		case '0':
		case '1':
			cfg.wire[opt - '0'] = optarg;
			break;
		case 'm':
			errno = 0;
			dom0_mib = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || !dom0_mib || dom0_mib > HV_MAX_RAM_MIB)
				return cmd__usage("host", "--dom0-memory takes MiB, 1..%u",
						  HV_MAX_RAM_MIB);
			break;
		case 'a': {
			char err[APP_ERR_MAX];
			int n;

			if (app__check(vfnet_apps, optarg, err))
				return cmd__usage("host", "--dom0-app: %s", err);
			n = snprintf(dom0_config + used, sizeof(dom0_config) - used, "app=%s\n",
				     optarg);
			if (n < 0 || (size_t)n >= sizeof(dom0_config) - used)
				return cmd__usage("host", "--dom0-app: too many apps for dom0");
			used += (size_t)n;
			break;
		}
		case 'c': {
			size_t klen = strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789_");
			int n;

			if (!klen || optarg[klen] != '=' || strchr(optarg, '\n') || !strncmp(optarg, "app=", 4))
				return cmd__usage("host", "--dom0-config takes KEY=VALUE (KEY of a-z, 0-9, "
							  "_; not app: that is --dom0-app), not '%s'",
						  optarg);
			n = snprintf(dom0_config + used, sizeof(dom0_config) - used, "%s\n", optarg);
			if (n < 0 || (size_t)n >= sizeof(dom0_config) - used)
				return cmd__usage("host", "--dom0-config: dom0's configuration is full");
			used += (size_t)n;
			break;
		}
		case 'u':
			if (strlen(optarg) > 64 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789 ") != strlen(optarg))
				return cmd__usage("host", "--dom0-auto takes interface names, as "
							  "'pf0 pf1'");
			dom0_auto = optarg;
			break;
		case ':':
			return cmd__usage("host", "%s needs a value", argv[optind - 1]);
		default:
			return cmd__usage("host", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd__usage("host", "unexpected argument '%s'", argv[optind]);
	if (*dom0_auto) {
		int n = snprintf(dom0_config + used, sizeof(dom0_config) - used, "auto=%s\n",
				 dom0_auto);

		if (n < 0 || (size_t)n >= sizeof(dom0_config) - used)
			return cmd__usage("host", "--dom0-auto: dom0's configuration is full");
		used += (size_t)n;
	}
	if (!(path = client__socket()))
		return cmd__fail("host", "no control socket: XDG_RUNTIME_DIR is not set; use "
					 "--socket PATH or VFNET_SOCKET");

	/* Descriptors in flight to domains count against this limit: take all the kernel allows. */
	{
		struct rlimit rl;

		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	/* Blocked before any thread starts, so that every engine thread inherits the mask and
	 * the signals reach the control loop through the signalfd alone. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &sigs, &old))
		return cmd__fail("host", "cannot block SIGINT and SIGTERM");
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		rc = cmd__fail("host", "signalfd: %s", strerror(errno));
		goto out;
	}
	rc = host_serve(path, &cfg, sfd, dom0_mib, dom0_config);
	/* Take the signal that stopped us, so that unblocking it does not kill us after a clean
	 * teardown. */
	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		;
	close(sfd);
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

const struct cmd cmd_host = {
	.name = "host",
	.summary = "run the machine, serving its control socket",
	.run = host_run,
	.help = host_help,
};
