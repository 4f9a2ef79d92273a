/* vfnet create: start a guest from an xl.cfg-style file, as `xl create`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "cli/builtin.h"
#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "cli/xlcfg.h"
#include "hw/pci/topology.h"

static void create_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet create [-q] [-n] FILE [KEY=VALUE...]\n\n"
		"Start a guest from the configuration FILE, in the syntax of Xen's xl.cfg, as\n"
		"`xl create` does. KEY=VALUE arguments replace the file's values, in the file's\n"
		"grammar, where a bare word is a string as for xl (name=vm2). Like xl, it says\n"
		"\"Parsing config from FILE\" on stderr; errors in the file name FILE:LINE:COLUMN.\n"
		"The apps' options are checked before the guest starts, with the app's message.\n\n"
		"keys:\n"
		"  name = 'vm1'        mandatory, unique on the host\n"
		"  memory = 64         MiB of guest RAM\n"
		"  pci = [ '01:10.0', '01:10.2,seize=1' ]\n"
		"                      VFs to pass through; each must be assignable\n"
		"                      (`vfnet pci-assignable-add`) or say seize=1;\n"
		"                      driver=NAME binds the guest's driver NAME to it\n"
		"                      instead of the one its id matches (vfnet's own, as\n"
		"                      Linux's driver_override): vdd, or hostile, which\n"
		"                      attacks the machine on request (containment tests)\n"
		"  vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0', '' ]\n"
		"                      paravirtual NICs: netfront in the guest, netback and\n"
		"                      the bridge in dom0; mac, bridge, devid used; vifname,\n"
		"                      ip, mtu, rate, script, model, type ignored with a warning\n"
		"  on_crash = 'destroy' what the host does when the guest's process dies other\n"
		"                      than by destroy: destroy, restart (again, with its VFs;\n"
		"                      not when it crashed within 2 s of starting) or preserve\n"
		"                      (kept in the list as crashed, with its log, until destroy)\n"
		"  app = [ 'SPEC' ]    vfnet's own: workloads the guest runs on its netdevs\n"
		"  ip = 'A.B.C.D/P'    vfnet's own: the guest's address, for its apps\n"
		"  pci_seize, pci_msitranslate, pci_permissive, pci_power_mgmt   defaults of\n"
		"                      the pci entries, as in xl\n"
		"The other keys of xl.cfg (maxmem, vcpus above 1, type, kernel, disk,\n"
		"on_reboot, uuid, ...) are accepted with one warning line each,\n"
		"FILE:LINE: warning: KEY ignored: why. A key that is none of them is an error,\n"
		"with the nearest key when it looks like a typo (memroy: did you mean memory).\n"
		"Not supported yet: a vif backend other than dom0, a pci entry's @VSLOT (use\n"
		"`vfnet pci-attach` after create), permissive=1, power_mgmt=1.\n\n"
		"options:\n"
		"  -q        quiet: no \"Parsing config from\" line (warnings are still printed)\n"
		"  -n        dry run: check the file and print the request that would be sent\n\n"
		"examples:\n"
		"  vfnet create vm1.cfg\n"
		"  vfnet create vm1.cfg name=vm2 memory=128\n"
		"  vfnet create -n vm1.cfg\n");
}

/* The runtime configuration the domain reads at boot: one KEY=VALUE a line. */
static char *runtime_config(const struct xlcfg *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (unsigned i = 0; i < cfg->nr_app; i++)
		fprintf(f, "app=%s\n", cfg->app[i]);
	if (cfg->has_ip)
		fprintf(f, "ip=%s\n", cfg->ip);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The apps, checked as the domain will parse them, so that a typo fails here and not in the
 * guest's log. */
static int check_apps(const struct xlcfg *cfg)
{
	for (unsigned i = 0; i < cfg->nr_app; i++) {
		char err[APP_ERR_MAX], known[128] = "";
		size_t n = 0;

		if (!app__check(vfnet_apps, cfg->app[i], err))
			continue;
		const char *where = cfg->app_at[i].cmdline ? "<command line>" : cfg->file;

		if (strncmp(err, "unknown app", 11))
			return cmd__fail("create", "%s:%u:%u: app '%s': %s", where,
					 cfg->app_at[i].line, cfg->app_at[i].col, cfg->app[i], err);
		for (const struct app_type *const *t = vfnet_apps; *t && n < sizeof(known); t++)
			n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "",
					      (*t)->name);
		return cmd__fail("create", "%s:%u:%u: app '%s': %s (apps built in: %s)", where,
				 cfg->app_at[i].line, cfg->app_at[i].col, cfg->app[i], err,
				 n ? known : "none yet");
	}
	return EXIT_OK;
}

static bool builtin_driver(const char *name)
{
	for (struct pci_driver *const *d = builtin_drivers; *d; d++)
		if (!strcmp((*d)->name, name))
			return true;
	return false;
}

/* What the host cannot do yet, refused rather than ignored. */
static int check_supported(const struct xlcfg *cfg)
{
	for (unsigned i = 0; i < cfg->nr_pci; i++) {
		const struct xlcfg_pci *p = &cfg->pci[i];
		char b[16], spec[24];
		int rc;

		snprintf(spec, sizeof(spec), "%s", pci_rid__str(p->bdf, b));
		if ((rc = ctl__pci_supported("create", p, spec)))
			return rc;
		if (p->driver[0] && !builtin_driver(p->driver)) {
			char known[128] = "";
			size_t n = 0;

			for (struct pci_driver *const *d = builtin_drivers; *d && n < sizeof(known);
			     d++)
				n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s",
						      n ? ", " : "", (*d)->name);
			return cmd__fail("create", "%s: pci '%s': driver '%s' is not built in "
						   "(drivers: %s)",
					 cfg->file, b, p->driver, known);
		}
		if (p->vslot > 0)
			return cmd__fail("create",
					 "pci '%s@%02x': a virtual slot at create is not "
					 "supported yet: leave @%02x out, or `vfnet "
					 "pci-attach %s %s@%02x` after create",
					 b, p->vslot, p->vslot, cfg->name, b, p->vslot);
	}
	return EXIT_OK;
}

/* The request of create; NULL after printing why when a vif is refused (ctl__vif). */
static struct json_object *create_req(const struct xlcfg *cfg, const char *config)
{
	struct json_object *req = ctl__req("create", "name", cfg->name), *pci, *vifs;

	static const char *const on_crash[] = {
		[XLCFG_CRASH_DESTROY] = "destroy",
		[XLCFG_CRASH_RESTART] = "restart",
		[XLCFG_CRASH_PRESERVE] = "preserve",
	};

	json_object_object_add(req, "memory", json_object_new_int((int)cfg->memory_mib));
	if (cfg->on_crash != XLCFG_CRASH_DESTROY)
		json_object_object_add(req, "on_crash",
				       json_object_new_string(on_crash[cfg->on_crash]));
	if (config && *config)
		json_object_object_add(req, "config", json_object_new_string(config));
	if (cfg->nr_pci) {
		pci = json_object_new_array();
		for (unsigned i = 0; i < cfg->nr_pci; i++) {
			struct json_object *bdf, *e;
			char b[16];

			bdf = json_object_new_string(pci_rid__str(cfg->pci[i].bdf, b));
			if (cfg->pci[i].driver[0]) {
				e = json_object_new_object();
				json_object_object_add(e, "bdf", bdf);
				json_object_object_add(e, "driver",
						       json_object_new_string(cfg->pci[i].driver));
			} else {
				e = bdf;
			}
			json_object_array_add(pci, e);
		}
		json_object_object_add(req, "pci", pci);
	}
	if (cfg->nr_vif) {
		vifs = json_object_new_array();
		json_object_object_add(req, "vif", vifs);
		for (unsigned i = 0; i < cfg->nr_vif; i++) {
			struct json_object *o = json_object_new_object();

			json_object_array_add(vifs, o);
			if (ctl__vif("create", &cfg->vif[i], cfg->vif[i].spec, o)) {
				json_object_put(req);
				return NULL;
			}
		}
	}
	return req;
}

static int create_run(int argc, char **argv)
{
	struct json_object *req, *reply;
	struct xlcfg cfg;
	bool quiet = false, dry = false;
	char err[512], *config = NULL;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "qn")) != -1) {
		if (opt == 'q')
			quiet = true;
		else if (opt == 'n')
			dry = true;
		else
			return cmd__usage("create", "unknown option '-%c'", optopt);
	}
	if (optind == argc)
		return cmd__usage("create",
				  "missing FILE: a domain configuration in xl.cfg syntax");
	if (!quiet)
		fprintf(stderr, "Parsing config from %s\n", argv[optind]);
	if (xlcfg__load(&cfg, argv[optind], err, sizeof(err))) {
		rc = cmd__fail("create", "%s", err);
		goto out;
	}
	for (int i = optind + 1; i < argc; i++) {
		if (xlcfg__override(&cfg, argv[i], err, sizeof(err))) {
			rc = cmd__fail("create", "%s", err);
			goto out;
		}
	}
	if (xlcfg__finish(&cfg, err, sizeof(err))) {
		rc = cmd__fail("create", "%s", err);
		goto out;
	}
	for (unsigned i = 0; i < cfg.nr_warn; i++)
		fprintf(stderr, "%s\n", cfg.warn[i]);
	if (cfg.warn_lost)
		fprintf(stderr, "(%u more warnings)\n", cfg.warn_lost);
	if ((rc = check_supported(&cfg)) || (rc = check_apps(&cfg)))
		goto out;
	if (!(config = runtime_config(&cfg))) {
		rc = cmd__fail("create", "out of memory");
		goto out;
	}
	if (!(req = create_req(&cfg, config))) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (dry) {
		printf("%s\n", json_object_to_json_string_ext(
				   req, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(req);
		goto out;
	}
	/* As xl: seize=1 leaves the function assignable even if the create then fails. */
	for (unsigned i = 0; i < cfg.nr_pci && !rc; i++)
		if (cfg.pci[i].seize)
			rc = ctl__seize("create", cfg.pci[i].bdf);
	if (!rc && !(rc = client__call("create", req, &reply)))
		json_object_put(reply);
	json_object_put(req);
out:
	free(config);
	xlcfg__free(&cfg);
	return rc;
}

const struct cmd cmd_create = {
    .name = "create",
    .summary = "start a guest from an xl.cfg-style file",
    .run = create_run,
    .help = create_help,
};
