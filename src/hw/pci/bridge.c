#include "hw/pci/bridge.h"

#include "hw/pci/cap.h"

int pci_bridge__init_host(struct pci_func *f, uint16_t rid, const struct pci_id *id)
{
	pci_func__init(f, rid, PCI_HEADER_TYPE_NORMAL, id->vendor, id->device, id->rev,
		       PCI_CLASS_BRIDGE_HOST << 8, false);
	f->vendor = id->vendor_name;
	f->name = id->name;
	pci_func__seal(f);
	return 0;
}

int pci_bridge__init_root_port(struct pci_func *f, uint16_t rid, const struct pci_id *id,
			       unsigned port, bool ari)
{
	const struct pcie_cap_cfg pcie = {
		.type = PCIE_ROOT_PORT, .ari_forward = ari, .speed = 2, .width = 4,
		.port = port, .max_payload = 1,
	};
	int rc;

	pci_func__init(f, rid, PCI_HEADER_TYPE_BRIDGE, id->vendor, id->device, id->rev,
		       PCI_CLASS_BRIDGE_PCI << 8, true);
	f->vendor = id->vendor_name;
	f->name = id->name;
	/* I/O window: 4 KiB granularity, 32-bit decode (the upper halves are writable). */
	pci_func__set(f, PCI_IO_BASE, 2, 0x0101);
	pci_func__set_wmask(f, PCI_IO_BASE, 2, 0xf0f0);
	pci_func__set_wmask(f, PCI_IO_BASE_UPPER16, 4, 0xffffffff);
	pci_func__set(f, PCI_INTERRUPT_PIN, 1, 1);
	if ((rc = pci_cap__add_msi(f, 0x60, 1)) || (rc = pci_cap__add_pcie(f, 0x90, &pcie)) ||
	    (rc = pci_cap__add_pm(f, 0xe0)) || (rc = pci_cap__add_aer(f, 0x100)))
		return rc;
	pci_func__seal(f);
	return 0;
}
