/* vfnet lspci: the machine's PCI functions, in lspci's formats. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "hw/machine.h"
#include "hw/pci/dump.h"

static void lspci_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet lspci [-n|-nn] [-s BB:DD.F] [-x|-xxx|-xxxx]\n\n"
		"List the machine's PCI functions the way lspci does. The machine is shown as\n"
		"firmware leaves it at power-on: host bridge, root port, the 82576's two PFs;\n"
		"VFs appear once SR-IOV is enabled on a PF.\n\n"
		"options:\n"
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
		"  vfnet lspci -xxxx > dump.txt && lspci -F dump.txt -vv\n");
}

static int lspci_run(int argc, char **argv)
{
	struct pci_func *funcs[PCI_TOPO_MAX_FUNCS * (1 + E82576_MAX_VFS)];
	struct machine *m;
	enum pci_names names = PCI_NAMES_TEXT;
	unsigned hex = 0, n, shown = 0;
	uint16_t sel = 0;
	bool have_sel = false;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+nxs:")) != -1) {
		switch (opt) {
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
			return cmd__usage("lspci", "unknown option '-%c'", optopt);
		}
	}
	if (optind < argc)
		return cmd__usage("lspci", "unexpected argument '%s'", argv[optind]);
	if (hex > 4)
		return cmd__usage("lspci", "use -x, -xxx or -xxxx");

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
