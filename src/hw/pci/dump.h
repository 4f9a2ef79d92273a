/*
 * lspci's output formats for the machine's functions: the one-line description
 * ("01:00.0 Ethernet controller: Intel Corporation 82576 ... (rev 01)") and the hex dump of
 * -x / -xxx / -xxxx, byte for byte the format that `lspci -F FILE` reads back.
 */
#ifndef VFNET_HW_PCI_DUMP_H
#define VFNET_HW_PCI_DUMP_H

#include <stdio.h>

#include "hw/pci/config.h"

enum pci_names { PCI_NAMES_TEXT, PCI_NAMES_NUMERIC, PCI_NAMES_BOTH }; /* lspci, -n, -nn */

/* Vendor and device as software identifies them (a VF's come from its PF). */
uint16_t pci_func__vendor(const struct pci_func *f);
uint16_t pci_func__device(const struct pci_func *f);
const char *pci_class__name(uint16_t class16);

/* lspci's name of a programming interface (-v: "(prog-if 00 [Normal decode])"), or NULL. */
const char *pci_progif__name(uint16_t class16, uint8_t progif);

/*
 * A BAR as the OS knows it (Linux's sysfs resource file, which lspci -v reads): base, size and
 * type. A VF's BAR registers read zero; its regions are slices of its PF's VF BARs, which an OS
 * lists as "virtual".
 */
struct pci_region {
	uint8_t bar;
	enum pci_bar_kind kind;
	bool prefetch, virt;
	uint64_t base, size;
};
/* @f's regions into @out (PCI_NUM_BARS entries at most); how many. */
unsigned pci_func__regions(const struct pci_func *f, struct pci_region *out);

/* What the description line shows, as software read it (a VF's ids are its PF's). */
struct pci_ident {
	uint16_t rid, class16, vendor_id, device_id;
	uint8_t rev;
	const char *vendor, *name; /* NULL: lspci's "Unknown vendor", "Device" */
};

/* @f's ident as software reads it. */
struct pci_ident pci_func__ident(const struct pci_func *f);
/* The description line from an ident, without a newline: how a tool without the machine's
 * functions at hand (a client of a running machine) prints the same line. */
void pci_ident__line(FILE *out, const struct pci_ident *id, enum pci_names names);
/* nbytes of config space in rows of 16 ("00: 86 80 ..."), as -x and lspci -F have them. */
void pci_dump__rows(FILE *out, const uint8_t *cfg, unsigned nbytes);

/* The description line, without a newline. */
void pci_dump__line(FILE *out, const struct pci_func *f, enum pci_names names);
/* The description line, then nbytes (64, 256 or 4096) of config space in rows of 16, then a
 * blank line. A conventional function's dump stops at 256 bytes. */
void pci_dump__hex(FILE *out, const struct pci_func *f, enum pci_names names, unsigned nbytes);

#endif
