/* Shared by lspci_show.c, lspci_caps.c and lspci_tree.c: config-space reads of a function. */
#ifndef VFNET_CLI_LSPCI_PRIV_H
#define VFNET_CLI_LSPCI_PRIV_H

#include "cli/lspci.h"

#define FLAG(x, bit) (((x) & (bit)) ? '+' : '-')

/* Bytes of @d's config space, little-endian; 0 past what is known (as lspci, which reads
 * only what it fetched). */
static inline unsigned lspci__b(const struct lspci_dev *d, unsigned off)
{
	return off < d->cfg_len ? d->cfg[off] : 0;
}

static inline unsigned lspci__w(const struct lspci_dev *d, unsigned off)
{
	return lspci__b(d, off) | lspci__b(d, off + 1) << 8;
}

static inline uint32_t lspci__l(const struct lspci_dev *d, unsigned off)
{
	return lspci__w(d, off) | (uint32_t)lspci__w(d, off + 2) << 16;
}

/* -v's capability lines (lspci_caps.c), PCIe's slot, root and version-2 registers at -vv
 * (lspci_pcie.c, @at: the capability's offset, @type: its port type). */
void lspci__caps(FILE *out, const struct lspci_dev *d, unsigned verbose);
void lspci__pcie_slot(FILE *out, const struct lspci_dev *d, unsigned at);
void lspci__pcie_root(FILE *out, const struct lspci_dev *d, unsigned at);
void lspci__pcie_dev2(FILE *out, const struct lspci_dev *d, unsigned at, unsigned type);
void lspci__pcie_link2(FILE *out, const struct lspci_dev *d, unsigned at, unsigned type);
/* A slot power limit as lspci prints it ("25W", ">600W"): a power limit value and scale. */
void lspci__power_limit(FILE *out, unsigned value, unsigned scale);

#endif
