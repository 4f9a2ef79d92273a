/* vfnet host: the machine as a long-running process, served on its control socket. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "hw/machine.h"
#include "vmm/control.h"

static void host_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet host [--socket PATH] [--wire0 SPEC] [--wire1 SPEC]\n\n"
		"Run the machine: build it (host bridge, root port, 82576, IOMMU), start the NIC's\n"
		"engine threads and serve its control socket until a shutdown request, SIGINT or\n"
		"SIGTERM; then stop everything and remove the socket. It runs in the foreground;\n"
		"start it with & (or under a service manager) to keep it running.\n\n"
		"options:\n"
		"  --socket PATH  the control socket (default: $VFNET_SOCKET, else\n"
		"                 /run/vfnet/vfnet.sock as root, else $XDG_RUNTIME_DIR/vfnet.sock);\n"
		"                 its directory is created; a live host there is not replaced\n"
		"  --wire0 SPEC   what port 0 is connected to (default cable)\n"
		"  --wire1 SPEC   the same for port 1\n\n"
		"wires: cable (port 0 <-> port 1), loop, null, pcap:FILE, tap:NAME,\n"
		"       afpacket:IFNAME, peer:LOCAL,REMOTE\n\n"
		"examples:\n"
		"  vfnet host &\n"
		"  vfnet host --socket /tmp/m1.sock --wire0 loop --wire1 pcap:/tmp/p1.pcap &\n"
		"  vfnet --socket /tmp/m1.sock lspci\n");
}

static int host_serve(const char *path, const struct machine_config *cfg, int sfd)
{
	struct machine *m;
	struct control *c;
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

	rc = machine__create(&m, cfg);
	if (rc) {
		rc = cmd__fail("host", "cannot build the machine: %s", strerror(-rc));
		goto err_listen;
	}
	if ((rc = machine__start(m))) {
		rc = cmd__fail("host", "cannot start the NIC engines: %s", strerror(-rc));
		goto err_machine;
	}
	if ((rc = control__create(&c, m))) {
		rc = cmd__fail("host", "cannot start the control server: %s", strerror(-rc));
		goto err_machine;
	}
	printf("vfnet host: machine running, control socket %s\n", path);
	fflush(stdout);
	rc = control__serve(c, lfd, sfd);
	rc = rc ? cmd__fail("host", "control socket failed: %s", strerror(-rc)) : EXIT_OK;
	control__destroy(c);
err_machine:
	/* The socket goes first: from here on a client finds no host rather than a dying one. */
	unlink(path);
	machine__destroy(m);
	close(lfd);
	return rc;
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
		{NULL, 0, NULL, 0},
	};
	struct machine_config cfg = {0};
	const char *path;
	struct signalfd_siginfo si;
	sigset_t sigs, old;
	int opt, sfd, rc;

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
		case ':':
			return cmd__usage("host", "%s needs a value", argv[optind - 1]);
		default:
			return cmd__usage("host", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd__usage("host", "unexpected argument '%s'", argv[optind]);
	if (!(path = client__socket()))
		return cmd__fail("host", "no control socket: XDG_RUNTIME_DIR is not set; use "
					 "--socket PATH or VFNET_SOCKET");

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
	rc = host_serve(path, &cfg, sfd);
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
