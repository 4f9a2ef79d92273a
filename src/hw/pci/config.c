#include "hw/pci/config.h"

#include <errno.h>
#include <string.h>

#include "hw/pci/sriov.h"
#include "lib/compiler.h"

uint32_t pci_func__get(const struct pci_func *f, unsigned off, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

static void put_bytes(uint8_t *a, unsigned off, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++)
		a[off + i] = (uint8_t)(val >> (8 * i));
}

void pci_func__set(struct pci_func *f, unsigned off, unsigned size, uint32_t val)
{
	put_bytes(f->cfg, off, size, val);
}

void pci_func__set_wmask(struct pci_func *f, unsigned off, unsigned size, uint32_t mask)
{
	put_bytes(f->wmask, off, size, mask);
}

void pci_func__set_w1cmask(struct pci_func *f, unsigned off, unsigned size, uint32_t mask)
{
	put_bytes(f->w1cmask, off, size, mask);
}

void pci_func__init(struct pci_func *f, uint16_t rid, uint8_t type, uint16_t vendor,
		    uint16_t device, uint8_t rev, uint32_t class24, bool pcie)
{
	memset(f, 0, sizeof(*f));
	f->rid = rid;
	f->present = true;
	f->size = pcie ? PCI_CFG_SIZE : PCI_CFG_STD_SIZE;
	pci_func__set(f, PCI_VENDOR_ID, 2, vendor);
	pci_func__set(f, PCI_DEVICE_ID, 2, device);
	pci_func__set(f, PCI_REVISION_ID, 1, rev);
	pci_func__set(f, PCI_CLASS_PROG, 1, class24 & 0xff);
	pci_func__set(f, PCI_CLASS_DEVICE, 2, class24 >> 8);
	pci_func__set(f, PCI_HEADER_TYPE, 1, type);

	pci_func__set_wmask(f, PCI_COMMAND, 2,
			    PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				    PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
				    PCI_COMMAND_INTX_DISABLE);
	/* Error bits of Status are RW1C (PCI 3.0 6.2.3). */
	pci_func__set_w1cmask(f, PCI_STATUS, 2,
			      PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
				      PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
				      PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
	pci_func__set_wmask(f, PCI_CACHE_LINE_SIZE, 1, 0xff);
	pci_func__set_wmask(f, PCI_INTERRUPT_LINE, 1, 0xff);
	if (type == PCI_HEADER_TYPE_BRIDGE) {
		pci_func__set_wmask(f, PCI_PRIMARY_BUS, 3, 0xffffff);
		pci_func__set_wmask(f, PCI_SEC_LATENCY_TIMER, 1, 0xff);
		pci_func__set_wmask(f, PCI_MEMORY_BASE, 4, 0xfff0fff0);
		pci_func__set_wmask(f, PCI_PREF_MEMORY_BASE, 4, 0xfff0fff0);
		pci_func__set(f, PCI_PREF_MEMORY_BASE, 4, 0x00010001); /* 64-bit prefetchable */
		pci_func__set_wmask(f, PCI_PREF_BASE_UPPER32, 4, 0xffffffff);
		pci_func__set_wmask(f, PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff);
		pci_func__set_wmask(f, PCI_BRIDGE_CONTROL, 2,
				    PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |
					    PCI_BRIDGE_CTL_BUS_RESET);
	} else {
		pci_func__set_wmask(f, PCI_LATENCY_TIMER, 1, 0xff);
	}
}

void pci_func__seal(struct pci_func *f)
{
	memcpy(f->poweron, f->cfg, sizeof(f->cfg));
}

int pci_func__add_bar(struct pci_func *f, unsigned bar, enum pci_bar_kind kind, uint64_t size,
		      bool prefetch)
{
	unsigned max = (pci_func__get(f, PCI_HEADER_TYPE, 1) & 0x7f) == PCI_HEADER_TYPE_BRIDGE ? 2
											       : 6;
	unsigned off = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint32_t flags;
	uint64_t mask;

	if (bar >= max || (kind == PCI_BAR_MEM64 && bar + 1 >= max) || size < 16 ||
	    (size & (size - 1)))
		return -EINVAL;
	mask = ~(size - 1);
	switch (kind) {
	case PCI_BAR_IO:
		if (size < 4 || size > 256)
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_SPACE_IO;
		pci_func__set_wmask(f, off, 4, (uint32_t)mask & 0xffff);
		break;
	case PCI_BAR_MEM32:
		flags = PCI_BASE_ADDRESS_MEM_TYPE_32 | (prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
		pci_func__set_wmask(f, off, 4, (uint32_t)mask);
		break;
	case PCI_BAR_MEM64:
		flags = PCI_BASE_ADDRESS_MEM_TYPE_64 | (prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
		pci_func__set_wmask(f, off, 4, (uint32_t)mask);
		pci_func__set_wmask(f, off + 4, 4, (uint32_t)(mask >> 32));
		break;
	default:
		return -EINVAL;
	}
	pci_func__set(f, off, 4, flags);
	f->bar[bar] = (struct pci_bar_info){.kind = kind, .prefetch = prefetch, .size = size};
	return 0;
}

uint64_t pci_func__bar_addr(const struct pci_func *f, unsigned bar)
{
	unsigned off = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint32_t lo;

	if (bar >= PCI_NUM_BARS)
		return 0;
	lo = pci_func__get(f, off, 4);
	switch (f->bar[bar].kind) {
	case PCI_BAR_IO:
		return lo & PCI_BASE_ADDRESS_IO_MASK;
	case PCI_BAR_MEM32:
		return lo & PCI_BASE_ADDRESS_MEM_MASK;
	case PCI_BAR_MEM64:
		return (lo & PCI_BASE_ADDRESS_MEM_MASK) | (uint64_t)pci_func__get(f, off + 4, 4) << 32;
	default:
		return 0;
	}
}

static int check_access(const struct pci_func *f, unsigned off, unsigned size)
{
	if ((size != 1 && size != 2 && size != 4) || off >= PCI_CFG_SIZE || (off & (size - 1)))
		return -EINVAL;
	return 0;
}

int pci_func__cfg_read(struct pci_func *f, unsigned off, unsigned size, uint32_t *val)
{
	int rc = check_access(f, off, size);

	if (rc) {
		*val = ~0u;
		return rc;
	}
	*val = off < f->size ? pci_func__get(f, off, size) : 0;
	return 0;
}

int pci_func__cfg_write(struct pci_func *f, unsigned off, unsigned size, uint32_t val)
{
	uint32_t old;
	int rc = check_access(f, off, size);

	if (rc)
		return rc;
	if (off >= f->size)
		return 0;
	old = pci_func__get(f, off, size);
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i)), wm = f->wmask[off + i],
			w1c = f->w1cmask[off + i], cur = f->cfg[off + i];

		cur = (uint8_t)((cur & ~wm) | (b & wm));
		cur &= (uint8_t)~(b & w1c);
		f->cfg[off + i] = cur;
	}
	if (f->sriov)
		pci_sriov__cfg_write(f, off, size, old, val);
	/* Initiate FLR reads as zero; the write itself starts the reset (PCIe 6.6.2). */
	if (f->pcie && (pci_func__get(f, f->pcie + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR) &&
	    off <= f->pcie + PCI_EXP_DEVCTL + 1u && off + size > f->pcie + PCI_EXP_DEVCTL + 1u &&
	    ((val >> (8 * (f->pcie + PCI_EXP_DEVCTL + 1 - off))) & (PCI_EXP_DEVCTL_BCR_FLR >> 8))) {
		pci_func__flr(f);
		return 0;
	}
	if (f->ops && f->ops->cfg_write)
		f->ops->cfg_write(f, off, size, old, pci_func__get(f, off, size));
	return 0;
}

void pci_func__reset_config(struct pci_func *f)
{
	memcpy(f->cfg, f->poweron, sizeof(f->cfg));
}

void pci_func__flr(struct pci_func *f)
{
	pci_func__reset_config(f);
	if (f->sriov)
		pci_sriov__reset(f);
	if (f->ops && f->ops->flr)
		f->ops->flr(f);
}
