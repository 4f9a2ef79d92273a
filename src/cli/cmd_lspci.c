/* vfnet lspci: the machine's PCI functions, in lspci's formats. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/lspci.h"
#include "hw/machine.h"
#include "hw/pci/sriov.h"

static void lspci_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet lspci [--domain DOM] [-v|-vv|-vvv] [-k] [-n|-nn] [-D] [-t] [-j]\n"
	    "                   [-s [[BB]:][DD][.[F]]] [-d [VENDOR]:[DEVICE][:CLASS[:PROGIF]]]\n"
	    "                   [-x|-xxx|-xxxx]\n\n"
	    "List the machine's PCI functions the way lspci does. When a machine runs\n"
	    "(`vfnet host`) at the control socket (--socket before the command,\n"
	    "$VFNET_SOCKET, or the default), its functions are shown as they are now, read\n"
	    "by config cycles; otherwise (said on stderr) the machine as firmware leaves it\n"
	    "at power-on: host bridge, root port, the 82576's two PFs. VFs appear once SR-IOV\n"
	    "is enabled on a PF. A VF's own vendor and device registers read 0xFFFF; like\n"
	    "Linux's lspci, the listing names it by its PF's vendor and the VF Device ID of\n"
	    "the PF's SR-IOV capability (8086:10ca), while the -x dumps show the raw 0xFFFF.\n\n"
	    "options:\n"
	    "  --domain DOM  the view of domain DOM (a name or an id) of a running host: a\n"
	    "                guest sees its virtual bus 00 with the VFs assigned to it (8086:10CA\n"
	    "                at 00:04.0, ...), as vPCI emulates them; dom0 sees the physical bus\n"
	    "  -v            verbose: lspci's header, region and capability lines (-vv, -vvv:\n"
	    "                the registers too; PCIe's version-2 registers are not decoded)\n"
	    "  -k            the driver in use (mdd, vdd, or none) and the drivers that match\n"
	    "  -n, -nn       numeric ids; names and numeric ids\n"
	    "  -D            always show the PCI domain (0000:)\n"
	    "  -t            the bus tree\n"
	    "  -j            JSON: one object per function\n"
	    "  -s SLOT       only functions in SLOT: [[BB]:][DD][.[F]], hex, any part may be\n"
	    "                left out or '*' (-s 01:10, -s .2, -s 01:)\n"
	    "  -d ID         only functions with these ids: [VENDOR]:[DEVICE][:CLASS[:PROGIF]]\n"
	    "                (-d 8086:10ca, -d :10c9, -d ::0200)\n"
	    "  -x            hex dump of the first 64 bytes of config space\n"
	    "  -xxx          the first 256 bytes\n"
	    "  -xxxx         the whole 4096-byte extended config space\n\n"
	    "The -x dumps are in the format `lspci -F FILE` reads, so the real lspci can decode\n"
	    "them.\n\n"
	    "examples:\n"
	    "  vfnet lspci\n"
	    "  vfnet lspci -nn -s 01:00.0\n"
	    "  vfnet lspci -d :10ca -k\n"
	    "  vfnet lspci --domain guest1 -vv\n"
	    "  vfnet lspci -tv\n"
	    "  vfnet lspci --domain guest1 -xxxx > guest.txt && lspci -F guest.txt -vv\n"
	    "  vfnet --socket /tmp/m1.sock lspci -n\n"
	    "  vfnet lspci -xxxx > dump.txt && lspci -F dump.txt -vv\n");
}

struct lspci_run {
	struct lspci_opts o;
	bool tree, json;
	const char *domain;
	const char *slot_text; /* a whole BB:DD.F given to -s, for "no function at" */
	struct lspci_dev devs[LSPCI_MAX_DEVS];
	unsigned n;
	struct json_object *reply, *drivers, *funcs;
};

/* How many config bytes the options need: the tree reads the bridges' bus numbers. */
static unsigned config_bytes(const struct lspci_run *r)
{
	unsigned hex = r->o.hex ? (r->o.hex <= 2 ? 64 : r->o.hex == 3 ? 256 : 4096) : 0;

	if (r->o.verbose)
		return 4096;
	return hex ? hex : r->tree ? 64 : 0;
}

static int hex_of(struct json_object *fo, const char *key, unsigned max, unsigned *out)
{
	struct json_object *v;
	const char *s;
	char *end;
	unsigned long x;

	if (!json_object_object_get_ex(fo, key, &v) || !json_object_is_type(v, json_type_string))
		return -EPROTO;
	s = json_object_get_string(v);
	errno = 0;
	x = strtoul(s, &end, 16);
	if (!*s || *end || errno || x > max)
		return -EPROTO;
	*out = (unsigned)x;
	return 0;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : NULL;
}

/* One function of the host's reply; -EPROTO if it is not what the host sends. */
static int dev_from_json(struct lspci_dev *d, struct json_object *fo, unsigned nbytes)
{
	struct json_object *v, *regs;
	unsigned class16, vendor, device, rev, progif = 0, sv, sd;

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(fo, json_type_object) || !(str_of(fo, "bdf")) ||
	    pci_rid__parse(str_of(fo, "bdf"), &d->id.rid) ||
	    hex_of(fo, "class", 0xffff, &class16) || hex_of(fo, "vendor", 0xffff, &vendor) ||
	    hex_of(fo, "device", 0xffff, &device) || hex_of(fo, "revision", 0xff, &rev))
		return -EPROTO;
	hex_of(fo, "progif", 0xff, &progif);
	d->id.class16 = (uint16_t)class16;
	d->id.vendor_id = (uint16_t)vendor;
	d->id.device_id = (uint16_t)device;
	d->id.rev = (uint8_t)rev;
	d->id.vendor = str_of(fo, "vendor_name");
	d->id.name = str_of(fo, "device_name");
	d->progif = (uint8_t)progif;
	if (!hex_of(fo, "subsystem_vendor", 0xffff, &sv) &&
	    !hex_of(fo, "subsystem_device", 0xffff, &sd)) {
		d->has_subsys = true;
		d->subsys_vendor = (uint16_t)sv;
		d->subsys_device = (uint16_t)sd;
		d->subsys_name = str_of(fo, "subsystem_name");
	}
	if (json_object_object_get_ex(fo, "regions", &regs) &&
	    json_object_is_type(regs, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(regs) && d->nregions < PCI_NUM_BARS;
		     i++) {
			struct json_object *ro = json_object_array_get_idx(regs, i);
			struct pci_region *r = &d->regions[d->nregions];
			const char *type = str_of(ro, "type");

			if (!json_object_object_get_ex(ro, "bar", &v) || !type)
				return -EPROTO;
			r->bar = (uint8_t)json_object_get_int(v);
			r->kind = !strcmp(type, "io")	   ? PCI_BAR_IO
				  : !strcmp(type, "mem64") ? PCI_BAR_MEM64
							   : PCI_BAR_MEM32;
			r->prefetch = json_object_object_get_ex(ro, "prefetchable", &v) &&
				      json_object_get_boolean(v);
			r->virt = json_object_object_get_ex(ro, "virtual", &v) &&
				  json_object_get_boolean(v);
			r->base = json_object_object_get_ex(ro, "base", &v)
				      ? json_object_get_uint64(v)
				      : 0;
			r->size = json_object_object_get_ex(ro, "size", &v)
				      ? json_object_get_uint64(v)
				      : 0;
			if (r->bar >= PCI_NUM_BARS)
				return -EPROTO;
			d->nregions++;
		}
	}
	if (nbytes) {
		const char *hex = str_of(fo, "config");
		size_t n = hex ? strlen(hex) / 2 : 0;

		if (!hex || strlen(hex) % 2 || n > nbytes || n > PCI_CFG_SIZE)
			return -EPROTO;
		for (size_t i = 0; i < n; i++) {
			unsigned b;

			if (sscanf(hex + 2 * i, "%2x", &b) != 1)
				return -EPROTO;
			d->cfg[i] = (uint8_t)b;
		}
		d->cfg_len = (unsigned)n;
	}
	return 0;
}

static int gather_remote(struct lspci_run *r, int fd, const char *path)
{
	struct json_object *req = json_object_new_object(), *v;
	unsigned nbytes = config_bytes(r);
	int rc;

	json_object_object_add(req, "op", json_object_new_string("lspci"));
	if (nbytes)
		json_object_object_add(req, "config", json_object_new_int((int)nbytes));
	if (r->domain)
		json_object_object_add(req, "domain", json_object_new_string(r->domain));
	rc = client__request(fd, req, &r->reply);
	json_object_put(req);
	if (rc)
		return cmd__fail("lspci", "no reply from the vfnet host at %s: %s", path,
				 rc == -EPROTO ? "not a JSON object" : strerror(-rc));
	if (!json_object_object_get_ex(r->reply, "ok", &v) || !json_object_get_boolean(v))
		return cmd__fail("lspci", "the host refused: %s",
				 str_of(r->reply, "error") ? str_of(r->reply, "error")
							   : "no reason given");
	if (!json_object_object_get_ex(r->reply, "functions", &r->funcs) ||
	    !json_object_is_type(r->funcs, json_type_array))
		return cmd__fail("lspci", "the host at %s sent no function list", path);
	for (size_t i = 0; i < json_object_array_length(r->funcs); i++) {
		if (r->n == LSPCI_MAX_DEVS ||
		    dev_from_json(&r->devs[r->n++], json_object_array_get_idx(r->funcs, i), nbytes))
			return cmd__fail("lspci", "the host at %s sent a malformed function", path);
	}
	return EXIT_OK;
}

/* The machine as it powers on, built here: what the host would report before anyone wrote. */
static int gather_poweron(struct lspci_run *r, struct machine **mp)
{
	struct pci_func *funcs[LSPCI_MAX_DEVS];
	unsigned n;
	int rc = machine__create(mp, NULL);

	if (rc)
		return cmd__fail("lspci", "cannot build the machine: %s", strerror(-rc));
	n = pci_topo__list(&(*mp)->pci, funcs, LSPCI_MAX_DEVS);
	for (unsigned i = 0; i < n; i++)
		lspci_dev__from_func(&r->devs[r->n++], funcs[i]);
	return EXIT_OK;
}

/* -k: the drivers of the domain shown (dom0 for the physical view), matched by slot. */
static void gather_drivers(struct lspci_run *r)
{
	struct json_object *req = json_object_new_object(), *devices;

	json_object_object_add(req, "op", json_object_new_string("pci-drivers"));
	if (client__domain_call("lspci", r->domain ? r->domain : "0", req, &r->drivers)) {
		json_object_put(req);
		return; /* said on stderr; the listing goes on without the driver lines */
	}
	json_object_put(req);
	if (!json_object_object_get_ex(r->drivers, "devices", &devices))
		return;
	for (unsigned i = 0; i < r->n; i++) {
		struct lspci_dev *d = &r->devs[i];
		char bdf[8];

		pci_rid__str(d->id.rid, bdf);
		for (size_t k = 0; k < json_object_array_length(devices); k++) {
			struct json_object *o = json_object_array_get_idx(devices, k), *mods;
			const char *slot = str_of(o, "slot");

			if (!slot || strcmp(slot, bdf))
				continue;
			d->driver = str_of(o, "driver");
			if (json_object_object_get_ex(o, "modules", &mods))
				for (size_t m = 0; m < json_object_array_length(mods) &&
						   d->nmodules < LSPCI_MAX_MODULES;
				     m++)
					d->modules[d->nmodules++] = json_object_get_string(
					    json_object_array_get_idx(mods, m));
		}
	}
}

static void add_hex(struct json_object *o, const char *key, unsigned digits, unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", (int)digits, v);
	json_object_object_add(o, key, json_object_new_string(buf));
}

/* -j: one object per function, with the ids lspci -n shows and what the other options add. */
static void print_json(const struct lspci_run *r)
{
	struct json_object *arr = json_object_new_array();

	for (unsigned i = 0; i < r->n; i++) {
		const struct lspci_dev *d = &r->devs[i];
		struct json_object *o = json_object_new_object();
		char bdf[8], slot[16];

		if (!lspci_filter__match(&r->o.filter, d))
			continue;
		snprintf(slot, sizeof(slot), "%s%s", r->o.domains ? "0000:" : "",
			 pci_rid__str(d->id.rid, bdf));
		json_object_object_add(o, "slot", json_object_new_string(slot));
		add_hex(o, "class", 4, d->id.class16);
		json_object_object_add(o, "class_name",
				       json_object_new_string(pci_class__name(d->id.class16)));
		add_hex(o, "vendor", 4, d->id.vendor_id);
		if (d->id.vendor)
			json_object_object_add(o, "vendor_name",
					       json_object_new_string(d->id.vendor));
		add_hex(o, "device", 4, d->id.device_id);
		if (d->id.name)
			json_object_object_add(o, "device_name",
					       json_object_new_string(d->id.name));
		add_hex(o, "revision", 2, d->id.rev);
		add_hex(o, "progif", 2, d->progif);
		if (d->has_subsys) {
			add_hex(o, "subsystem_vendor", 4, d->subsys_vendor);
			add_hex(o, "subsystem_device", 4, d->subsys_device);
			if (d->subsys_name)
				json_object_object_add(o, "subsystem_name",
						       json_object_new_string(d->subsys_name));
		}
		if (r->o.verbose) {
			struct json_object *regs = json_object_new_array();

			for (unsigned k = 0; k < d->nregions; k++) {
				const struct pci_region *g = &d->regions[k];
				struct json_object *ro = json_object_new_object();

				json_object_object_add(ro, "bar", json_object_new_int(g->bar));
				json_object_object_add(
				    ro, "type",
				    json_object_new_string(g->kind == PCI_BAR_IO      ? "io"
							   : g->kind == PCI_BAR_MEM64 ? "mem64"
										      : "mem32"));
				json_object_object_add(ro, "base", json_object_new_uint64(g->base));
				json_object_object_add(ro, "size", json_object_new_uint64(g->size));
				json_object_object_add(ro, "prefetchable",
						       json_object_new_boolean(g->prefetch));
				json_object_object_add(ro, "virtual",
						       json_object_new_boolean(g->virt));
				json_object_array_add(regs, ro);
			}
			json_object_object_add(o, "regions", regs);
		}
		if (r->o.kernel || r->o.verbose) {
			struct json_object *mods = json_object_new_array();

			json_object_object_add(
			    o, "driver", d->driver ? json_object_new_string(d->driver) : NULL);
			for (unsigned k = 0; k < d->nmodules; k++)
				json_object_array_add(mods, json_object_new_string(d->modules[k]));
			json_object_object_add(o, "modules", mods);
		}
		if (r->o.hex) {
			unsigned n = r->o.hex <= 2 ? 64 : r->o.hex == 3 ? 256 : 4096;
			char *hex;

			n = n < d->cfg_len ? n : d->cfg_len;
			hex = malloc(2 * n + 1);
			if (hex) {
				for (unsigned k = 0; k < n; k++)
					snprintf(hex + 2 * k, 3, "%02x", d->cfg[k]);
				hex[2 * n] = '\0';
				json_object_object_add(o, "config", json_object_new_string(hex));
				free(hex);
			}
		}
		json_object_array_add(arr, o);
	}
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

static int by_rid(const void *a, const void *b)
{
	return (int)((const struct lspci_dev *)a)->id.rid -
	       (int)((const struct lspci_dev *)b)->id.rid;
}

static int parse_args(int argc, char **argv, struct lspci_run *r)
{
	static const struct option longopts[] = {
	    {"domain", required_argument, NULL, 'O'},
	    {NULL, 0, NULL, 0},
	};
	const char *msg;
	int opt;

	optind = 1;
	opterr = 0;
	lspci_filter__init(&r->o.filter);
	while ((opt = getopt_long(argc, argv, "+nvxkDtjs:d:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'O':
			r->domain = optarg;
			break;
		case 'n':
			r->o.names =
			    r->o.names == PCI_NAMES_TEXT ? PCI_NAMES_NUMERIC : PCI_NAMES_BOTH;
			break;
		case 'v':
			r->o.verbose++;
			break;
		case 'x':
			r->o.hex++;
			break;
		case 'k':
			r->o.kernel = true;
			break;
		case 'D':
			r->o.domains = true;
			break;
		case 't':
			r->tree = true;
			break;
		case 'j':
			r->json = true;
			break;
		case 's':
			if ((msg = lspci_filter__slot(&r->o.filter, optarg)))
				return cmd__usage("lspci",
						  "-s: %s (\"%s\"; e.g. 01:00.0, 01:10, .2)", msg,
						  optarg);
			r->o.filtered = true;
			if (r->o.filter.bus >= 0 && r->o.filter.slot >= 0 && r->o.filter.func >= 0)
				r->slot_text = optarg;
			break;
		case 'd':
			if ((msg = lspci_filter__id(&r->o.filter, optarg)))
				return cmd__usage("lspci",
						  "-d: %s (\"%s\"): -d is lspci's "
						  "[VENDOR]:[DEVICE][:CLASS] filter; a domain's "
						  "view is --domain %s",
						  msg, optarg, optarg);
			r->o.filtered = true;
			break;
		default:
			if (optopt == 'O')
				return cmd__usage("lspci",
						  "--domain needs a domain, e.g. --domain guest1");
			if (optopt == 's' || optopt == 'd')
				return cmd__usage("lspci", "-%c needs an argument", optopt);
			if (optopt)
				return cmd__usage("lspci", "unknown option '-%c'", optopt);
			return cmd__usage("lspci", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd__usage("lspci", "unexpected argument '%s'", argv[optind]);
	if (r->o.hex > 4)
		return cmd__usage("lspci", "use -x, -xxx or -xxxx");
	if (r->o.verbose > 3)
		r->o.verbose = 3;
	return EXIT_OK;
}

static int lspci_run(int argc, char **argv)
{
	static struct lspci_run r;
	struct machine *m = NULL;
	const char *path;
	unsigned shown = 0;
	int rc, fd;

	memset(&r, 0, sizeof(r));
	if ((rc = parse_args(argc, argv, &r)))
		return rc;

	/* A running machine, if one answers; otherwise the machine as it powers on. */
	path = client__socket();
	fd = path ? client__connect(path) : -ENOENT;
	if (fd >= 0) {
		rc = gather_remote(&r, fd, path);
		close(fd);
		if (!rc && (r.o.kernel || r.o.verbose))
			gather_drivers(&r);
	} else if (fd != -ENOENT && fd != -ECONNREFUSED && fd != -ENOTDIR) {
		return cmd__fail("lspci", "cannot reach the vfnet host at %s: %s", path,
				 strerror(-fd));
	} else if (r.domain) {
		return cmd__fail("lspci",
				 "no vfnet host at %s: start one with `vfnet host` "
				 "(--domain shows a running domain's view)",
				 path ? path : "(no socket)");
	} else {
		fprintf(stderr,
			"vfnet lspci: no vfnet host at %s: showing the machine as it powers "
			"on (no drivers, no VFs)\n",
			path ? path : "(no socket)");
		rc = gather_poweron(&r, &m);
	}
	if (rc)
		goto out;
	qsort(r.devs, r.n, sizeof(r.devs[0]), by_rid);
	for (unsigned i = 0; i < r.n; i++)
		shown += lspci_filter__match(&r.o.filter, &r.devs[i]);
	if (r.json)
		print_json(&r);
	else if (r.tree)
		lspci__tree(stdout, r.devs, r.n, &r.o);
	else
		for (unsigned i = 0; i < r.n; i++)
			if (lspci_filter__match(&r.o.filter, &r.devs[i]))
				lspci__show(stdout, &r.devs[i], &r.o);
	/* unlike lspci, a whole slot that matches nothing is an error: it was named */
	if (r.slot_text && !shown)
		rc = cmd__fail("lspci", "no function at %s; `vfnet lspci` lists them", r.slot_text);
out:
	json_object_put(r.drivers);
	json_object_put(r.reply);
	if (m)
		machine__destroy(m);
	return rc;
}

const struct cmd cmd_lspci = {
    .name = "lspci",
    .summary = "the machine's PCI functions in lspci's formats (-v, -k, -t, -s, -d, -xxxx, -j)",
    .run = lspci_run,
    .help = lspci_help,
};
