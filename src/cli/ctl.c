#include "cli/ctl.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/xlcfg.h"
#include "hw/pci/topology.h"

int ctl__args(const char *cmd, int argc, char **argv, bool *json, int min, int max,
	      const char *what, int *first)
{
	int opt, n;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, json ? "j" : "")) != -1) {
		if (opt == 'j' && json)
			*json = true;
		else
			return cmd__usage(cmd, "unknown option '-%c'", optopt);
	}
	n = argc - optind;
	if (n < min)
		return cmd__usage(cmd, "missing %s", what);
	if (n > max)
		return cmd__usage(cmd, "unexpected argument '%s'", argv[optind + max]);
	*first = optind;
	return EXIT_OK;
}

struct json_object *ctl__req(const char *op, const char *key, const char *val)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "op", json_object_new_string(op));
	if (key)
		json_object_object_add(req, key, json_object_new_string(val));
	return req;
}

int ctl__bdf(const char *cmd, const char *arg, uint16_t *rid)
{
	struct xlcfg_pci pci;
	char msg[160];

	/* The spec parser's checks and messages, without its options. */
	if (strpbrk(arg, ",@=") || !*arg)
		return cmd__fail(cmd, "'%s' is not a PCI address [0000:]BB:DD.F (e.g. 01:10.0)",
				 arg);
	if (xlcfg_pci__parse(&pci, arg, msg, sizeof(msg)))
		return cmd__fail(cmd, "%s", msg);
	*rid = pci.bdf;
	return EXIT_OK;
}

int ctl__pci_supported(const char *cmd, const struct xlcfg_pci *pci, const char *spec)
{
	if (pci->permissive)
		return cmd__fail(cmd,
				 "pci '%s': permissive=1 is not supported: vfnet's vPCI "
				 "passes config space through by a fixed per-field policy",
				 spec);
	if (pci->power_mgmt)
		return cmd__fail(cmd,
				 "pci '%s': power_mgmt=1 is not supported: a vfnet VF has "
				 "no power states",
				 spec);
	return EXIT_OK;
}

int ctl__vif(const char *cmd, const struct xlcfg_vif *vif, const char *spec,
	     struct json_object *req)
{
	const struct {
		const char *key, *given, *why;
	} ignored[] = {
	    {"vifname", vif->vifname, "vfnet's netback names each vif vif<domid>.<devid>"},
	    {"ip", vif->ip,
	     "it is for the vif-route and vif-nat scripts; vfnet's vifs are bridged"},
	    {"mtu", vif->mtu ? "mtu" : "", "vfnet's netback does not set a vif's MTU"},
	    {"rate", vif->rate, "vfnet's netback has no rate limit"},
	    {"script", vif->script, "vfnet's dom0 puts each vif on its bridge, as vif-bridge does"},
	    {"model", vif->model, "vfnet emulates no NIC: a vif is paravirtual only"},
	    {"type", vif->type, "vfnet emulates no NIC: a vif is paravirtual only"},
	};
	char mac[18];

	if (vif->backend[0] && strcmp(vif->backend, "Domain-0") && strcmp(vif->backend, "0"))
		return cmd__fail(cmd,
				 "vif '%s': backend '%s' is not supported: vfnet's vifs are "
				 "served by dom0 (Domain-0), there are no driver domains",
				 spec, vif->backend);
	for (unsigned i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (ignored[i].given[0])
			fprintf(stderr, "vfnet %s: warning: vif '%s': %s ignored: %s\n", cmd, spec,
				ignored[i].key, ignored[i].why);
	if (vif->has_mac) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", vif->mac[0],
			 vif->mac[1], vif->mac[2], vif->mac[3], vif->mac[4], vif->mac[5]);
		json_object_object_add(req, "mac", json_object_new_string(mac));
	}
	if (vif->bridge[0])
		json_object_object_add(req, "bridge", json_object_new_string(vif->bridge));
	if (vif->devid >= 0)
		json_object_object_add(req, "devid", json_object_new_int(vif->devid));
	return EXIT_OK;
}

int ctl__seize(const char *cmd, uint16_t rid)
{
	char b[16];

	return ctl__call(cmd, ctl__req("pci-assignable-add", "bdf", pci_rid__str(rid, b)));
}

int ctl__call(const char *cmd, struct json_object *req)
{
	struct json_object *reply;
	int rc = client__call(cmd, req, &reply);

	json_object_put(req);
	if (!rc)
		json_object_put(reply);
	return rc;
}

void ctl__print_json(struct json_object *reply)
{
	json_object_object_del(reply, "ok");
	printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
}

const char *ctl__str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

uint64_t ctl__u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}
