/* vfnet network-attach: give a running guest a paravirtual NIC, as `xl network-attach`. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xlcfg.h"

static void network_attach_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet network-attach DOM [mac=MAC] [bridge=BRIDGE] [devid=N] [KEY=VALUE...]\n\n"
	    "Give the running guest DOM (name or id) a new paravirtual network interface, as\n"
	    "`xl network-attach` does: the toolstack writes its frontend directory\n"
	    "/local/domain/DOMID/device/vif/DEVID and its backend directory\n"
	    "/local/domain/0/backend/vif/DOMID/DEVID in xenstore, dom0's netback makes\n"
	    "vifDOMID.DEVID on the bridge and the guest's netfront connects to it. Nothing is\n"
	    "printed on success; `vfnet network-list DOM` shows the new vif.\n"
	    "The arguments are the keys of xl's vif spec (xl-network-configuration(5)):\n"
	    "  mac=MAC        the guest's address (default: random, in Xen's 00:16:3e)\n"
	    "  bridge=BRIDGE  dom0's bridge (default xenbr0)\n"
	    "  devid=N        the device's number, 0..7 (default: the lowest free)\n"
	    "  backend=Domain-0 is accepted; vifname, ip, mtu, rate, script, model and type\n"
	    "  are accepted and ignored with a warning. Arguments may also be given as one\n"
	    "  spec, mac=MAC,bridge=BRIDGE.\n\n"
	    "examples:\n"
	    "  vfnet network-attach vm1\n"
	    "  vfnet network-attach vm1 mac=00:16:3e:01:02:03 bridge=xenbr1\n"
	    "  vfnet network-attach 2 devid=3\n");
}

static int network_attach_run(int argc, char **argv)
{
	struct json_object *req;
	struct xlcfg_vif vif;
	char msg[160], *spec;
	size_t len = 1;
	int first, rc;

	if ((rc = ctl__args("network-attach", argc, argv, NULL, 1, argc, "DOM", &first)))
		return rc;
	/* xl takes one key a word: the words are one vif spec. */
	for (int i = first + 1; i < argc; i++) {
		for (const char *c = argv[i]; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return cmd__fail("network-attach",
						 "argument %d holds a control "
						 "character",
						 i - first);
		len += strlen(argv[i]) + 1;
	}
	if (!(spec = malloc(len)))
		return cmd__fail("network-attach", "out of memory");
	spec[0] = '\0';
	for (int i = first + 1; i < argc; i++) {
		if (i > first + 1)
			strcat(spec, ",");
		strcat(spec, argv[i]);
	}
	if (xlcfg_vif__parse(&vif, spec, msg, sizeof(msg))) {
		rc = cmd__fail("network-attach", "vif '%s': %s", spec, msg);
		goto out;
	}
	req = ctl__req("network-attach", "domain", argv[first]);
	if ((rc = ctl__vif("network-attach", &vif, spec, req))) {
		json_object_put(req);
		goto out;
	}
	rc = ctl__call("network-attach", req);
out:
	free(spec);
	return rc;
}

const struct cmd cmd_network_attach = {
    .name = "network-attach",
    .summary = "give a running guest a paravirtual NIC (a vif)",
    .run = network_attach_run,
    .help = network_attach_help,
};
