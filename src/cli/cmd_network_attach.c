/* vfnet network-attach: give a running guest a paravirtual NIC, as `xl network-attach`. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xlcfg.h"
#include "cli/xsctl.h"

#define ATTACH_HOTPLUG_MS 10000 /* libxl's hotplug timeout */
#define ATTACH_POLL_MS	  20

static void network_attach_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet network-attach DOM [mac=MAC] [bridge=BRIDGE] [devid=N] [KEY=VALUE...]\n\n"
	    "Give the running guest DOM (name or id) a new paravirtual network interface, as\n"
	    "`xl network-attach` does: the toolstack writes its frontend directory\n"
	    "/local/domain/DOMID/device/vif/DEVID and its backend directory\n"
	    "/local/domain/0/backend/vif/DOMID/DEVID in xenstore, dom0's netback makes\n"
	    "vifDOMID.DEVID on the bridge and the guest's netfront connects to it. As libxl,\n"
	    "the command waits (up to 10 s) for dom0's vif-bridge step (the backend's\n"
	    "hotplug-status); when it fails (a bridge dom0 does not have) the error says why\n"
	    "and the vif is removed again, exit status 1. Nothing is printed on success;\n"
	    "`vfnet network-list DOM` shows the new vif.\n"
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

/* The hotplug status of @dom's vif @devid from network-list: "" while it has none yet. */
static int hotplug(const char *dom, int devid, char *status, size_t n, char *be, size_t ben)
{
	struct json_object *req = ctl__req("network-list", "domain", dom), *reply, *vifs;
	int rc = client__call("network-attach", req, &reply);

	json_object_put(req);
	if (rc)
		return rc;
	status[0] = '\0';
	if (json_object_object_get_ex(reply, "vifs", &vifs) &&
	    json_object_is_type(vifs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(vifs); i++) {
			struct json_object *v = json_object_array_get_idx(vifs, i);

			if ((int)ctl__u64(v, "devid") != devid)
				continue;
			snprintf(status, n, "%s", ctl__str(v, "hotplug_status"));
			snprintf(be, ben, "%s", ctl__str(v, "be_path"));
		}
	json_object_put(reply);
	return EXIT_OK;
}

/*
 * As libxl adds a vif: wait for dom0's vif-bridge step (the backend's hotplug-status); when it
 * fails, say why (hotplug-error), take the device away again and fail.
 */
static int wait_hotplug(const char *dom, struct json_object *reply)
{
	struct json_object *req, *r;
	int devid = (int)ctl__u64(reply, "devid"), rc;
	char status[32], be[96] = "", path[128], *why = NULL;
	size_t len;

	for (int waited = 0;; waited += ATTACH_POLL_MS) {
		if ((rc = hotplug(dom, devid, status, sizeof(status), be, sizeof(be))))
			return rc;
		if (!strcmp(status, "connected"))
			return EXIT_OK;
		if (!strcmp(status, "error") || waited >= ATTACH_HOTPLUG_MS)
			break;
		usleep(ATTACH_POLL_MS * 1000);
	}
	snprintf(path, sizeof(path), "%s/hotplug-error", be);
	req = ctl__req("xenstore-read", "path", path);
	if (client__call("network-attach", req, &r) == EXIT_OK) {
		if (xsctl__value(r, &why, &len))
			why = NULL;
		json_object_put(r);
	}
	json_object_put(req);
	req = ctl__req("network-detach", "domain", dom);
	json_object_object_add(req, "devid", json_object_new_int(devid));
	json_object_object_add(req, "force", json_object_new_boolean(true));
	rc = ctl__call("network-attach", req);
	if (!strcmp(status, "error"))
		cmd__fail("network-attach", "dom0's vif-bridge step failed for vif %d: %s; %s",
			  devid, why ? why : "no hotplug-error",
			  rc ? "removing it failed too" : "removed it");
	else
		cmd__fail(
		    "network-attach",
		    "dom0 did not put vif %d on its bridge within %d s (no hotplug-status); %s",
		    devid, ATTACH_HOTPLUG_MS / 1000, rc ? "removing it failed too" : "removed it");
	free(why);
	return EXIT_FAIL;
}

static int network_attach_run(int argc, char **argv)
{
	struct json_object *req, *reply;
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
	rc = client__call("network-attach", req, &reply);
	json_object_put(req);
	if (!rc) {
		rc = wait_hotplug(argv[first], reply);
		json_object_put(reply);
	}
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
