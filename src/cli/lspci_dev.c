/* A function of a machine at hand (the power-on view, tests) as `vfnet lspci` shows it. */
#include <string.h>

#include "cli/lspci.h"

void lspci_dev__from_func(struct lspci_dev *d, const struct pci_func *f)
{
	memset(d, 0, sizeof(*d));
	d->id = pci_func__ident(f);
	d->progif = (uint8_t)pci_func__get(f, PCI_CLASS_PROG, 1);
	if ((pci_func__get(f, PCI_HEADER_TYPE, 1) & 0x7f) == PCI_HEADER_TYPE_NORMAL) {
		d->has_subsys = true;
		d->subsys_vendor = (uint16_t)pci_func__get(f, PCI_SUBSYSTEM_VENDOR_ID, 2);
		d->subsys_device = (uint16_t)pci_func__get(f, PCI_SUBSYSTEM_ID, 2);
		d->subsys_name = f->subsys_name;
	}
	d->nregions = pci_func__regions(f, d->regions);
	memcpy(d->cfg, f->cfg, f->size);
	d->cfg_len = f->size;
}
