/* vfnet: the command-line entry point. Dispatches to one subcommand per file. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/suggest.h"
#include "lib/compiler.h"

#ifndef VFNET_VERSION
#define VFNET_VERSION "unknown"
#endif

static const struct cmd *const cmds[] = {
	&cmd_host,
	&cmd_list,
	&cmd_create,
	&cmd_destroy,
	&cmd_migrate,
	&cmd_dmesg,
	&cmd_stats,
	&cmd_dom0,
	&cmd_pci_assignable_add,
	&cmd_pci_assignable_remove,
	&cmd_pci_assignable_list,
	&cmd_pci_attach,
	&cmd_pci_detach,
	&cmd_pci_list,
	&cmd_network_attach,
	&cmd_network_detach,
	&cmd_network_list,
	&cmd_xenstore_ls,
	&cmd_xenstore_read,
	&cmd_xenstore_write,
	&cmd_xenstore_rm,
	&cmd_brctl,
	&cmd_bridge,
	&cmd_lspci,
	&cmd_iommu,
	&cmd_sriov,
	&cmd_ip,
	&cmd_top,
	&cmd_capture,
	&cmd_bench,
	&cmd_demo,
};

static void usage(FILE *out)
{
	int w = 4; /* "help" */

	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
		if ((int)strlen(cmds[i]->name) > w)
			w = (int)strlen(cmds[i]->name);
	fprintf(out, "usage: vfnet [--socket PATH] COMMAND [ARGS...]\n"
		     "       vfnet help [COMMAND] | --version\n\n"
		     "SR-IOV networking as in Xen (Dong, Yu, Rose, WIOV 2008), run as Linux "
		     "processes.\n\n"
		     "  --socket PATH  the control socket of the machine (`vfnet host`) to talk to;\n"
		     "                 default $VFNET_SOCKET, else /run/vfnet/vfnet.sock as root,\n"
		     "                 else $XDG_RUNTIME_DIR/vfnet.sock\n\ncommands:\n");
	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(out, "  %-*s  %s\n", w, cmds[i]->name, cmds[i]->summary);
	fprintf(out, "  %-*s  %s\n", w, "help", "this list, or `vfnet help COMMAND` for one command");
	fprintf(out, "\n`vfnet COMMAND --help` shows a command's options and examples; "
		     "`man -l docs/vfnet.1` the manual.\n");
}

static const struct cmd *find(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

/* An unknown command, with the nearest known one if there is one. EXIT_USAGE. */
static int unknown(const char *name)
{
	const char *names[ARRAY_SIZE(cmds) + 1], *near;

	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
		names[i] = cmds[i]->name;
	names[ARRAY_SIZE(cmds)] = "help";
	near = suggest__nearest(name, strlen(name), names, ARRAY_SIZE(names));
	if (near)
		fprintf(stderr, "vfnet: unknown command '%s'; did you mean '%s'? (`vfnet help` "
				"lists them)\n",
			name, near);
	else
		fprintf(stderr, "vfnet: unknown command '%s'; `vfnet help` lists them\n", name);
	return EXIT_USAGE;
}

__attribute__((format(printf, 2, 0))) static void vreport(const char *cmd, const char *fmt,
								     va_list ap)
{
	fprintf(stderr, "vfnet %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cmd__fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int cmd__usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "try `vfnet %s --help`\n", cmd);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	/* Global options, before the subcommand. */
	while (argc >= 2 && !strncmp(argv[1], "--socket", 8)) {
		if (argv[1][8] == '=' && argv[1][9]) {
			client__set_socket(argv[1] + 9);
		} else if (argv[1][8] == '\0' && argc >= 3 && argv[2][0]) {
			client__set_socket(argv[2]);
			argc--;
			argv++;
		} else if (argv[1][8] == '\0' || argv[1][8] == '=') {
			fprintf(stderr, "vfnet: --socket needs a path; `vfnet help` shows usage\n");
			return EXIT_USAGE;
		} else {
			break;
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("vfnet %s\n", VFNET_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc > 2) {
			if (!strcmp(argv[2], "help")) {
				usage(stdout);
				return EXIT_OK;
			}
			if (!(c = find(argv[2])))
				return unknown(argv[2]);
			c->help(stdout);
			return EXIT_OK;
		}
		usage(stdout);
		return EXIT_OK;
	}
	/* Internal: the process of a domain, not listed in help. */
	if (!strcmp(argv[1], "domain"))
		return cmd_domain.run(argc - 1, argv + 1);
	if (!(c = find(argv[1])))
		return unknown(argv[1]);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			c->help(stdout);
			return EXIT_OK;
		}
	}
	return c->run(argc - 1, argv + 1);
}
