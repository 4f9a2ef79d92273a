/*
 * vfnet domain: the process of one domain, started by `vfnet host` with its hypercall and service
 * sockets as descriptors 3 and 4. Not for people: it is how the machine runs dom0 and guests.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "apps/apps.h"
#include "cli/builtin.h"
#include "cli/cmd.h"
#include "os/runtime.h"
#include "vfnet/abi.h"

static void domain_help(FILE *out)
{
	fprintf(out, "usage: vfnet domain\n\n"
		     "The process of one domain (dom0 or a guest). `vfnet host` starts it for\n"
		     "`vfnet create` and for dom0, with its hypercall socket as descriptor 3; it is\n"
		     "not meant to be run by hand.\n");
}

static bool is_seqpacket(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) && type == SOCK_SEQPACKET;
}

static int domain_run(int argc, char **argv)
{
	static const struct os_builtin builtin = {
		.drivers = builtin_drivers,
		.apps = vfnet_apps,
		.xenbus_drivers = builtin_xenbus_drivers,
		.inits = builtin_inits,
	};

	if (argc > 1)
		return cmd__usage("domain", "unexpected argument '%s'", argv[1]);
	if (!is_seqpacket(VFNET_HC_FD) || !is_seqpacket(VFNET_EV_FD))
		return cmd__fail("domain", "no hypercall socket: domains are started by `vfnet "
					   "host` (see `vfnet create`)");
	return os__run(&builtin);
}

const struct cmd cmd_domain = {
	.name = "domain",
	.summary = "(internal) the process of one domain, started by the machine",
	.run = domain_run,
	.help = domain_help,
};
