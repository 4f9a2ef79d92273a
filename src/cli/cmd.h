/* The vfnet command: one entry per subcommand, one file per subcommand (cmd_NAME.c). */
#ifndef VFNET_CLI_CMD_H
#define VFNET_CLI_CMD_H

#include <stdio.h>

/* Exit statuses, as every subcommand uses them. */
#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

struct cmd {
	const char *name;
	const char *summary;                /* one line for `vfnet help` */
	int (*run)(int argc, char **argv);  /* argv[0] is the subcommand's name */
	void (*help)(FILE *out);            /* `vfnet CMD --help`: usage, options, examples */
};

extern const struct cmd cmd_host;
extern const struct cmd cmd_lspci;
extern const struct cmd cmd_iommu;
extern const struct cmd cmd_demo;
extern const struct cmd cmd_bench;
extern const struct cmd cmd_domain;
extern const struct cmd cmd_sriov;
extern const struct cmd cmd_ip;
extern const struct cmd cmd_top;
extern const struct cmd cmd_capture;
extern const struct cmd cmd_create;
extern const struct cmd cmd_destroy;
extern const struct cmd cmd_migrate;
extern const struct cmd cmd_list;
extern const struct cmd cmd_dmesg;
extern const struct cmd cmd_stats;
extern const struct cmd cmd_dom0;
extern const struct cmd cmd_pci_assignable_add;
extern const struct cmd cmd_pci_assignable_remove;
extern const struct cmd cmd_pci_assignable_list;
extern const struct cmd cmd_pci_attach;
extern const struct cmd cmd_pci_detach;
extern const struct cmd cmd_pci_list;
extern const struct cmd cmd_network_attach;
extern const struct cmd cmd_network_detach;
extern const struct cmd cmd_network_list;
extern const struct cmd cmd_xenstore_ls;
extern const struct cmd cmd_xenstore_read;
extern const struct cmd cmd_xenstore_write;
extern const struct cmd cmd_xenstore_rm;
extern const struct cmd cmd_brctl;
extern const struct cmd cmd_bridge;

/* One-line error to stderr, prefixed "vfnet CMD: ". Returns EXIT_FAIL. */
int cmd__fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: the message, then "try `vfnet CMD --help`". Returns EXIT_USAGE. */
int cmd__usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
