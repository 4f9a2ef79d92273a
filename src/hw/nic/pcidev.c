#include "hw/nic/pcidev.h"

#include "hw/pci/cap.h"
#include "lib/compiler.h"

void e82576_pci__layout(const struct pci_func *pf, unsigned numvfs, bool ari, uint16_t *offset,
			uint16_t *stride)
{
	/* The 82576 puts its VFs at device 0x10 of the PF's bus when the hierarchy is ARI
	 * capable, else one bus up (offset 0x180); both ports interleave with stride 2. */
	*offset = ari ? E82576_VF_OFFSET_ARI : E82576_VF_OFFSET;
	*stride = E82576_VF_STRIDE;
}

static const struct pci_sriov_ops e82576_sriov_ops = {
	.layout = e82576_pci__layout,
};

static int init_vf(struct pci_func *vf, uint16_t rid)
{
	const struct pcie_cap_cfg pcie = {.type = PCIE_ENDPOINT, .flr = true, .speed = 1,
					  .width = 4, .max_payload = 2};
	int rc;

	pci_func__init(vf, rid, PCI_HEADER_TYPE_NORMAL, 0xffff, 0xffff, E82576_REV,
		       PCI_CLASS_NETWORK_ETHERNET << 8, true);
	vf->vendor = "Intel Corporation";
	vf->name = "82576 Virtual Function";
	/* VFs decode memory through VF MSE in the PF: I/O and Memory Space are RO zero, and so is
	 * INTx Disable (VFs have no INTx). Only Bus Master and the error enables remain. */
	pci_func__set_wmask(vf, PCI_COMMAND, 2,
			    PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR);
	pci_func__set(vf, PCI_SUBSYSTEM_VENDOR_ID, 2, E82576_VENDOR);
	pci_func__set(vf, PCI_SUBSYSTEM_ID, 2, E82576_SUBSYS);
	pci_func__set_wmask(vf, PCI_INTERRUPT_LINE, 1, 0);
	if ((rc = pci_cap__add_msix(vf, E82576_CAP_MSIX, E82576_VF_MSIX_VECTORS, 3, 0,
				    E82576_MSIX_PBA_OFFSET)) ||
	    (rc = pci_cap__add_pcie(vf, E82576_CAP_PCIE, &pcie)) ||
	    (rc = pci_cap__add_aer(vf, E82576_ECAP_AER)) ||
	    (rc = pci_cap__add_ari(vf, E82576_ECAP_ARI, 0)))
		return rc;
	pci_func__seal(vf);
	return 0;
}

static int init_pf(struct e82576_pci *d, unsigned port, uint16_t rid, uint64_t serial)
{
	const struct pcie_cap_cfg pcie = {.type = PCIE_ENDPOINT, .flr = true, .speed = 1,
					  .width = 4, .max_payload = 2};
	const struct pci_sriov_cfg sriov = {
		.initial_vfs = E82576_MAX_VFS,
		.total_vfs = E82576_MAX_VFS,
		.vf_device = E82576_DEV_VF,
		.func_dep_link = (uint8_t)port,
		.supported_page_sizes = 0x553,
		.vf_bar = {[0] = {PCI_BAR_MEM64, false, E82576_VF_BAR_SIZE},
			   [3] = {PCI_BAR_MEM64, false, E82576_VF_BAR_SIZE}},
		.ops = &e82576_sriov_ops,
	};
	struct pci_func *pf = &d->pf[port];
	int rc;

	pci_func__init(pf, rid, PCI_HEADER_TYPE_NORMAL | 0x80, E82576_VENDOR, E82576_DEV_PF,
		       E82576_REV, PCI_CLASS_NETWORK_ETHERNET << 8, true);
	pf->vendor = "Intel Corporation";
	pf->name = "82576 Gigabit Network Connection";
	pf->subsys_name = "Gigabit ET Dual Port Server Adapter"; /* 8086:10c9 8086:a03c */
	pci_func__set(pf, PCI_SUBSYSTEM_VENDOR_ID, 2, E82576_VENDOR);
	pci_func__set(pf, PCI_SUBSYSTEM_ID, 2, E82576_SUBSYS);
	pci_func__set(pf, PCI_INTERRUPT_PIN, 1, port + 1); /* INTA on port 0, INTB on port 1 */
	if ((rc = pci_func__add_bar(pf, 0, PCI_BAR_MEM32, E82576_PF_BAR0_SIZE, false)) ||
	    (rc = pci_func__add_bar(pf, 2, PCI_BAR_IO, E82576_PF_BAR2_SIZE, false)) ||
	    (rc = pci_func__add_bar(pf, 3, PCI_BAR_MEM32, E82576_PF_BAR3_SIZE, false)) ||
	    (rc = pci_cap__add_pm(pf, E82576_CAP_PM)) ||
	    (rc = pci_cap__add_msi(pf, E82576_CAP_MSI, 1)) ||
	    (rc = pci_cap__add_msix(pf, E82576_CAP_MSIX, E82576_PF_MSIX_VECTORS, 3, 0,
				    E82576_MSIX_PBA_OFFSET)) ||
	    (rc = pci_cap__add_pcie(pf, E82576_CAP_PCIE, &pcie)) ||
	    (rc = pci_cap__add_aer(pf, E82576_ECAP_AER)) ||
	    (rc = pci_cap__add_dsn(pf, E82576_ECAP_DSN, serial)) ||
	    (rc = pci_cap__add_ari(pf, E82576_ECAP_ARI, port + 1 < E82576_PORTS ? port + 1 : 0)))
		return rc;
	for (unsigned i = 0; i < E82576_MAX_VFS; i++)
		if ((rc = init_vf(&d->vf[port][i], 0)))
			return rc;
	if ((rc = pci_sriov__init(pf, &d->sriov[port], E82576_ECAP_SRIOV, &sriov, d->vf[port])))
		return rc;
	pci_func__seal(pf);
	return 0;
}

int e82576_pci__init(struct e82576_pci *d, uint8_t bus, uint8_t dev, uint64_t serial)
{
	int rc;

	for (unsigned port = 0; port < E82576_PORTS; port++)
		if ((rc = init_pf(d, port, PCI_RID(bus, dev << 3 | port), serial)))
			return rc;
	/* Port 1 follows port 0's ARI Capable Hierarchy bit (SR-IOV 1.1 3.3.3.5). */
	return pci_sriov__follow(&d->sriov[1], &d->sriov[0]);
}
