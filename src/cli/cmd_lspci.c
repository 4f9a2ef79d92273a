/* vfnet lspci: the machine's PCI functions, in lspci's formats. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "hw/machine.h"
#include "hw/pci/dump.h"

static void lspci_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet lspci [-d DOM] [-n|-nn] [-s BB:DD.F] [-x|-xxx|-xxxx]\n\n"
		"List the machine's PCI functions the way lspci does. When a machine runs\n"
		"(`vfnet host`) at the control socket (--socket before the command,\n"
		"$VFNET_SOCKET, or the default), its functions are shown as they are now, read\n"
		"by config cycles; otherwise the machine is shown as firmware leaves it at\n"
		"power-on: host bridge, root port, the 82576's two PFs. VFs appear once SR-IOV\n"
		"is enabled on a PF.\n\n"
		"options:\n"
		"  -d DOM    the view of domain DOM (a name or an id) of a running host: a guest\n"
		"            sees its virtual bus 00 with the VFs assigned to it (8086:10CA at\n"
		"            00:04.0, ...), as vPCI emulates them; dom0 sees the physical bus\n"
		"  -n        numeric class, vendor and device ids\n"
		"  -nn       names and numeric ids\n"
		"  -s BDF    only the function at bus:device.function (e.g. 01:00.0)\n"
		"  -x        hex dump of the first 64 bytes of config space\n"
		"  -xxx      the first 256 bytes\n"
		"  -xxxx     the whole 4096-byte extended config space\n\n"
		"The -x dumps are in the format `lspci -F FILE` reads, so the real lspci can decode\n"
		"them:\n\n"
		"examples:\n"
		"  vfnet lspci\n"
		"  vfnet lspci -nn -s 01:00.0\n"
		"  vfnet lspci -d guest1 -xxxx > guest.txt && lspci -F guest.txt -vv\n"
		"  vfnet --socket /tmp/m1.sock lspci -n\n"
		"  vfnet lspci -xxxx > dump.txt && lspci -F dump.txt -vv\n");
}

struct lspci_sel {
	enum pci_names names;
	const char *domain;
	unsigned nbytes; /* 0: description lines only */
	bool have_sel;
	uint16_t sel;
};

static int hex_field(struct json_object *fo, const char *key, unsigned max, unsigned *out)
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

/* One function of the host's reply, printed as the power-on view prints it. */
static int lspci_remote_func(struct json_object *fo, const struct lspci_sel *ls, unsigned *shown)
{
	struct pci_ident id = {0};
	struct json_object *v;
	unsigned class16, vendor, device, rev;
	uint8_t cfg[PCI_CFG_SIZE];
	size_t n = 0;

	if (!json_object_is_type(fo, json_type_object) ||
	    !json_object_object_get_ex(fo, "bdf", &v) ||
	    pci_rid__parse(json_object_get_string(v), &id.rid) ||
	    hex_field(fo, "class", 0xffff, &class16) || hex_field(fo, "vendor", 0xffff, &vendor) ||
	    hex_field(fo, "device", 0xffff, &device) || hex_field(fo, "revision", 0xff, &rev))
		return -EPROTO;
	if (ls->have_sel && id.rid != ls->sel)
		return 0;
	id.class16 = (uint16_t)class16;
	id.vendor_id = (uint16_t)vendor;
	id.device_id = (uint16_t)device;
	id.rev = (uint8_t)rev;
	if (json_object_object_get_ex(fo, "vendor_name", &v))
		id.vendor = json_object_get_string(v);
	if (json_object_object_get_ex(fo, "device_name", &v))
		id.name = json_object_get_string(v);
	if (ls->nbytes) {
		const char *hex;

		if (!json_object_object_get_ex(fo, "config", &v))
			return -EPROTO;
		hex = json_object_get_string(v);
		n = strlen(hex) / 2;
		if (strlen(hex) % 2 || n > ls->nbytes)
			return -EPROTO;
		for (size_t i = 0; i < n; i++) {
			unsigned b;

			if (sscanf(hex + 2 * i, "%2x", &b) != 1)
				return -EPROTO;
			cfg[i] = (uint8_t)b;
		}
	}
	(*shown)++;
	pci_ident__line(stdout, &id, ls->names);
	putchar('\n');
	if (ls->nbytes) {
		pci_dump__rows(stdout, cfg, (unsigned)n);
		putchar('\n');
	}
	return 0;
}

static int lspci_remote(int fd, const char *path, const struct lspci_sel *ls, unsigned *shown)
{
	struct json_object *req = json_object_new_object(), *reply = NULL, *v, *funcs;
	int rc;

	json_object_object_add(req, "op", json_object_new_string("lspci"));
	if (ls->nbytes)
		json_object_object_add(req, "config", json_object_new_int((int)ls->nbytes));
	if (ls->domain)
		json_object_object_add(req, "domain", json_object_new_string(ls->domain));
	rc = client__request(fd, req, &reply);
	json_object_put(req);
	if (rc) {
		return cmd__fail("lspci", "no reply from the vfnet host at %s: %s", path,
				 rc == -EPROTO ? "not a JSON object" : strerror(-rc));
	}
	if (!json_object_object_get_ex(reply, "ok", &v) || !json_object_get_boolean(v)) {
		rc = cmd__fail("lspci", "the host refused: %s",
			       json_object_object_get_ex(reply, "error", &v)
				       ? json_object_get_string(v)
				       : "no reason given");
		goto out;
	}
	if (!json_object_object_get_ex(reply, "functions", &funcs) ||
	    !json_object_is_type(funcs, json_type_array)) {
		rc = cmd__fail("lspci", "the host at %s sent no function list", path);
		goto out;
	}
	rc = EXIT_OK;
	for (size_t i = 0; i < json_object_array_length(funcs); i++) {
		if (lspci_remote_func(json_object_array_get_idx(funcs, i), ls, shown)) {
			rc = cmd__fail("lspci", "the host at %s sent a malformed function", path);
			break;
		}
	}
out:
	json_object_put(reply);
	return rc;
}

static int lspci_run(int argc, char **argv)
{
	struct pci_func *funcs[PCI_TOPO_MAX_FUNCS * (1 + E82576_MAX_VFS)];
	struct machine *m;
	enum pci_names names = PCI_NAMES_TEXT;
	unsigned hex = 0, n, shown = 0;
	uint16_t sel = 0;
	bool have_sel = false;
	const char *path, *domain = NULL;
	int opt, rc, fd;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+nxs:d:")) != -1) {
		switch (opt) {
		case 'd':
			domain = optarg;
			break;
		case 'n':
			names = names == PCI_NAMES_TEXT ? PCI_NAMES_NUMERIC : PCI_NAMES_BOTH;
			break;
		case 'x':
			hex++;
			break;
		case 's':
			if (pci_rid__parse(optarg, &sel))
				return cmd__usage("lspci", "bad slot '%s': expected BB:DD.F, e.g. 01:00.0",
						  optarg);
			have_sel = true;
			break;
		default:
			if (optopt == 's')
				return cmd__usage("lspci", "-s needs a slot, e.g. -s 01:00.0");
			if (optopt == 'd')
				return cmd__usage("lspci", "-d needs a domain, e.g. -d guest1");
			return cmd__usage("lspci", "unknown option '-%c'", optopt);
		}
	}
	if (optind < argc)
		return cmd__usage("lspci", "unexpected argument '%s'", argv[optind]);
	if (hex > 4)
		return cmd__usage("lspci", "use -x, -xxx or -xxxx");

	/* A running machine, if one answers; otherwise the machine as it powers on. */
	path = client__socket();
	fd = path ? client__connect(path) : -ENOENT;
	if (fd >= 0) {
		struct lspci_sel ls = {
			.names = names,
			/* As lspci: -x and -xx show 64 bytes, -xxx 256, -xxxx 4096. */
			.nbytes = !hex ? 0 : hex <= 2 ? 64 : hex == 3 ? 256 : 4096,
			.have_sel = have_sel,
			.sel = sel,
			.domain = domain,
		};

		rc = lspci_remote(fd, path, &ls, &shown);
		close(fd);
		if (rc)
			return rc;
		goto done;
	}
	if (fd != -ENOENT && fd != -ECONNREFUSED && fd != -ENOTDIR)
		return cmd__fail("lspci", "cannot reach the vfnet host at %s: %s", path,
				 strerror(-fd));
	if (domain)
		return cmd__fail("lspci", "no vfnet host at %s: start one with `vfnet host` (-d "
					  "shows a running domain's view)", path ? path : "(no socket)");

	rc = machine__create(&m, NULL);
	if (rc)
		return cmd__fail("lspci", "cannot build the machine: %s", strerror(-rc));
	n = pci_topo__list(&m->pci, funcs, sizeof(funcs) / sizeof(funcs[0]));
	for (unsigned i = 0; i < n; i++) {
		if (have_sel && funcs[i]->rid != sel)
			continue;
		shown++;
		if (hex) {
			/* As lspci: -x and -xx show 64 bytes, -xxx 256, -xxxx 4096. */
			pci_dump__hex(stdout, funcs[i], names, hex <= 2 ? 64 : hex == 3 ? 256 : 4096);
		} else {
			pci_dump__line(stdout, funcs[i], names);
			putchar('\n');
		}
	}
	machine__destroy(m);
done:
	if (have_sel && !shown) {
		char bdf[8];

		return cmd__fail("lspci", "no function at %s; `vfnet lspci` lists them",
				 pci_rid__str(sel, bdf));
	}
	return EXIT_OK;
}

const struct cmd cmd_lspci = {
	.name = "lspci",
	.summary = "list the machine's PCI functions (lspci's formats; -xxxx for lspci -F)",
	.run = lspci_run,
	.help = lspci_help,
};
