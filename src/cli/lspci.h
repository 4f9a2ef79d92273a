/*
 * `vfnet lspci`'s pieces that need no machine: a function as the tool knows it (identity,
 * config bytes, the OS's regions, the driver), pciutils' device filters (-s, -d), and its output
 * formats (the terse line, -v/-vv/-vvv, -k, -t, -x), written after pciutils' lspci.c, ls-caps.c,
 * ls-ecaps.c and ls-tree.c so that real lspci and vfnet print the same lines.
 */
#ifndef VFNET_CLI_LSPCI_H
#define VFNET_CLI_LSPCI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/pci/dump.h"

#define LSPCI_MAX_DEVS	  64
#define LSPCI_MAX_MODULES 4

struct lspci_dev {
	struct pci_ident id; /* rid, class, ids (a VF's from its PF), revision, names */
	uint8_t progif;
	bool has_subsys; /* header type 0: the subsystem ids at 0x2c */
	uint16_t subsys_vendor, subsys_device;
	const char *subsys_name;
	uint8_t cfg[PCI_CFG_SIZE];
	unsigned cfg_len; /* config bytes known: 0 (description only), 64, 256, 4096 */
	struct pci_region regions[PCI_NUM_BARS];
	unsigned nregions;
	const char *driver; /* -k: the driver bound in the domain shown, or NULL */
	const char *modules[LSPCI_MAX_MODULES]; /* -k: the drivers that match its ids */
	unsigned nmodules;
};

/* pciutils' struct pci_filter: -1 for "any". */
struct lspci_filter {
	int domain, bus, slot, func;
	int vendor, device, class16, progif;
	unsigned class_mask;
};

struct lspci_opts {
	enum pci_names names; /* -n, -nn */
	unsigned verbose;     /* -v, -vv, -vvv */
	unsigned hex;	      /* -x, -xxx, -xxxx: 64, 256, 4096 bytes */
	bool kernel;	      /* -k */
	bool domains;	      /* -D */
	struct lspci_filter filter;
	bool filtered; /* -s or -d given */
};

/* @d as software sees @f of a machine at hand (no driver: a power-on machine has none). */
void lspci_dev__from_func(struct lspci_dev *d, const struct pci_func *f);

void lspci_filter__init(struct lspci_filter *f);
/* -s [[[[<domain>]:]<bus>]:][<slot>][.[<func>]] and -d [<vendor>]:[<device>][:<class>[:<prog-if>]],
 * each field hex or '*' (and x digits in a class): NULL, or pciutils' message. */
const char *lspci_filter__slot(struct lspci_filter *f, const char *s);
const char *lspci_filter__id(struct lspci_filter *f, const char *s);
bool lspci_filter__match(const struct lspci_filter *f, const struct lspci_dev *d);

/* One function as lspci shows it with @o: the line, -v/-k lines, -x rows, the blank line. */
void lspci__show(FILE *out, const struct lspci_dev *d, const struct lspci_opts *o);
/* -t: the bus tree of @devs (sorted by RID, config bytes 0..63 known), pruned by the filter. */
void lspci__tree(FILE *out, const struct lspci_dev *devs, unsigned n, const struct lspci_opts *o);

#endif
