#include "hw/pci/cap.h"

#include <errno.h>

#include "lib/compiler.h"

static int link_std(struct pci_func *f, uint8_t off, uint8_t id, unsigned len)
{
	if (off < 0x40 || (off & 3) || off + len > PCI_CFG_STD_SIZE || (f->cap_tail && off <= f->cap_tail))
		return -EINVAL;
	pci_func__set(f, off, 1, id);
	pci_func__set(f, off + 1, 1, 0);
	if (f->cap_tail)
		pci_func__set(f, f->cap_tail + 1, 1, off);
	else
		pci_func__set(f, PCI_CAPABILITY_LIST, 1, off);
	f->cap_tail = off;
	pci_func__set(f, PCI_STATUS, 2, pci_func__get(f, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
	return 0;
}

int pci_cap__link_ext(struct pci_func *f, uint16_t off, uint16_t id, uint8_t ver)
{
	if (f->size != PCI_CFG_SIZE || off < PCI_CFG_STD_SIZE || off >= PCI_CFG_SIZE || (off & 3) ||
	    (f->ecap_tail && off <= f->ecap_tail))
		return -EINVAL;
	pci_func__set(f, off, 4, (uint32_t)id | (uint32_t)ver << 16);
	if (f->ecap_tail) {
		uint32_t h = pci_func__get(f, f->ecap_tail, 4);

		pci_func__set(f, f->ecap_tail, 4, (h & 0xfffff) | (uint32_t)off << 20);
	}
	f->ecap_tail = off;
	return 0;
}

int pci_cap__add_pm(struct pci_func *f, uint8_t off)
{
	int rc = link_std(f, off, PCI_CAP_ID_PM, PCI_PM_SIZEOF);

	if (rc)
		return rc;
	/* Version 3 (PM 1.2), DSI, PME from D0, D3hot and D3cold, as the 82576 reports. */
	pci_func__set(f, off + PCI_PM_PMC, 2,
		      3 | PCI_PM_CAP_DSI | PCI_PM_CAP_PME_D0 | PCI_PM_CAP_PME_D3hot |
			      PCI_PM_CAP_PME_D3cold);
	pci_func__set(f, off + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET | 1 << 13);
	pci_func__set_wmask(f, off + PCI_PM_CTRL, 2,
			    PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_ENABLE |
				    PCI_PM_CTRL_DATA_SEL_MASK);
	pci_func__set_w1cmask(f, off + PCI_PM_CTRL, 2, PCI_PM_CTRL_PME_STATUS);
	return 0;
}

int pci_cap__add_msi(struct pci_func *f, uint8_t off, unsigned vectors)
{
	unsigned mmc = 0;
	int rc;

	while ((1u << mmc) < vectors)
		mmc++;
	if (vectors == 0 || (1u << mmc) != vectors || mmc > 5)
		return -EINVAL;
	rc = link_std(f, off, PCI_CAP_ID_MSI, 0x18);
	if (rc)
		return rc;
	pci_func__set(f, off + PCI_MSI_FLAGS, 2,
		      mmc << 1 | PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	pci_func__set_wmask(f, off + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	pci_func__set_wmask(f, off + PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
	pci_func__set_wmask(f, off + PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
	pci_func__set_wmask(f, off + PCI_MSI_DATA_64, 2, 0xffff);
	pci_func__set_wmask(f, off + PCI_MSI_MASK_64, 4, (uint32_t)((1ull << vectors) - 1));
	return 0;
}

int pci_cap__add_msix(struct pci_func *f, uint8_t off, unsigned vectors, unsigned bir,
		      uint32_t table_off, uint32_t pba_off)
{
	int rc;

	if (vectors == 0 || vectors > 2048 || bir > 5 || (table_off & 7) || (pba_off & 7))
		return -EINVAL;
	rc = link_std(f, off, PCI_CAP_ID_MSIX, PCI_CAP_MSIX_SIZEOF);
	if (rc)
		return rc;
	pci_func__set(f, off + PCI_MSIX_FLAGS, 2, vectors - 1);
	pci_func__set_wmask(f, off + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_func__set(f, off + PCI_MSIX_TABLE, 4, table_off | bir);
	pci_func__set(f, off + PCI_MSIX_PBA, 4, pba_off | bir);
	return 0;
}

int pci_cap__add_pcie(struct pci_func *f, uint8_t off, const struct pcie_cap_cfg *c)
{
	bool port = c->type == PCIE_ROOT_PORT;
	uint32_t devcap;
	int rc;

	if (f->size != PCI_CFG_SIZE)
		return -EINVAL;
	rc = link_std(f, off, PCI_CAP_ID_EXP, PCI_CAP_EXP_ENDPOINT_SIZEOF_V2);
	if (rc)
		return rc;
	f->pcie = off;
	pci_func__set(f, off + PCI_EXP_FLAGS, 2,
		      2 | c->type << 4 | (port ? PCI_EXP_FLAGS_SLOT : 0));
	devcap = (c->max_payload & PCI_EXP_DEVCAP_PAYLOAD) | PCI_EXP_DEVCAP_RBER;
	if (c->flr)
		devcap |= PCI_EXP_DEVCAP_FLR;
	pci_func__set(f, off + PCI_EXP_DEVCAP, 4, devcap);
	/* Linux's defaults at reset: relaxed ordering, no snoop, 512-byte read requests. */
	pci_func__set(f, off + PCI_EXP_DEVCTL, 2,
		      PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN | 2 << 12);
	pci_func__set_wmask(f, off + PCI_EXP_DEVCTL, 2, 0x7fff);
	pci_func__set_w1cmask(f, off + PCI_EXP_DEVSTA, 2,
			      PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |
				      PCI_EXP_DEVSTA_URD);
	pci_func__set(f, off + PCI_EXP_LNKCAP, 4,
		      c->speed | c->width << 4 | PCI_EXP_LNKCAP_ASPMS |
			      (port ? PCI_EXP_LNKCAP_DLLLARC : 0) | c->port << 24);
	pci_func__set_wmask(f, off + PCI_EXP_LNKCTL, 2,
			    PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB | PCI_EXP_LNKCTL_CCC |
				    PCI_EXP_LNKCTL_ES);
	pci_func__set(f, off + PCI_EXP_LNKSTA, 2,
		      c->speed | c->width << 4 | PCI_EXP_LNKSTA_SLC |
			      (port ? PCI_EXP_LNKSTA_DLLLA : 0));
	if (port) {
		pci_func__set(f, off + PCI_EXP_SLTCAP, 4, (uint32_t)c->port << 19);
		pci_func__set_wmask(f, off + PCI_EXP_RTCTL, 2, 0x1f);
	}
	pci_func__set(f, off + PCI_EXP_DEVCAP2, 4,
		      PCI_EXP_DEVCAP2_COMP_TMOUT_DIS | 0xf |
			      (c->ari_forward ? PCI_EXP_DEVCAP2_ARI : 0));
	pci_func__set_wmask(f, off + PCI_EXP_DEVCTL2, 2,
			    PCI_EXP_DEVCTL2_COMP_TIMEOUT | PCI_EXP_DEVCTL2_COMP_TMOUT_DIS |
				    (c->ari_forward ? PCI_EXP_DEVCTL2_ARI : 0));
	pci_func__set(f, off + PCI_EXP_LNKCTL2, 2, c->speed);
	pci_func__set_wmask(f, off + PCI_EXP_LNKCTL2, 2, PCI_EXP_LNKCTL2_TLS);
	return 0;
}

int pci_cap__add_aer(struct pci_func *f, uint16_t off)
{
	int rc = pci_cap__link_ext(f, off, PCI_EXT_CAP_ID_ERR, 1);

	if (rc)
		return rc;
	pci_func__set_w1cmask(f, off + PCI_ERR_UNCOR_STATUS, 4, 0x03fff030);
	pci_func__set_wmask(f, off + PCI_ERR_UNCOR_MASK, 4, 0x03fff030);
	/* Spec defaults: DLP, surprise down, flow control, receiver overflow, malformed TLP fatal. */
	pci_func__set(f, off + PCI_ERR_UNCOR_SEVER, 4, 0x00062030);
	pci_func__set_wmask(f, off + PCI_ERR_UNCOR_SEVER, 4, 0x03fff030);
	pci_func__set_w1cmask(f, off + PCI_ERR_COR_STATUS, 4, 0x0000f1c1);
	pci_func__set(f, off + PCI_ERR_COR_MASK, 4, PCI_ERR_COR_ADV_NFAT);
	pci_func__set_wmask(f, off + PCI_ERR_COR_MASK, 4, 0x0000f1c1);
	pci_func__set(f, off + PCI_ERR_CAP, 4, PCI_ERR_CAP_ECRC_GENC | PCI_ERR_CAP_ECRC_CHKC);
	pci_func__set_wmask(f, off + PCI_ERR_CAP, 4, PCI_ERR_CAP_ECRC_GENE | PCI_ERR_CAP_ECRC_CHKE);
	return 0;
}

int pci_cap__add_dsn(struct pci_func *f, uint16_t off, uint64_t serial)
{
	int rc = pci_cap__link_ext(f, off, PCI_EXT_CAP_ID_DSN, 1);

	if (rc)
		return rc;
	pci_func__set(f, off + 4, 4, (uint32_t)serial);
	pci_func__set(f, off + 8, 4, (uint32_t)(serial >> 32));
	return 0;
}

int pci_cap__add_ari(struct pci_func *f, uint16_t off, uint8_t next_fn)
{
	int rc = pci_cap__link_ext(f, off, PCI_EXT_CAP_ID_ARI, 1);

	if (rc)
		return rc;
	pci_func__set(f, off + PCI_ARI_CAP, 2, (uint16_t)next_fn << 8);
	return 0;
}

uint8_t pci_cap__find(const struct pci_func *f, uint8_t id)
{
	uint8_t off = (uint8_t)pci_func__get(f, PCI_CAPABILITY_LIST, 1);

	/* Bounded walk: a loop in the list cannot hang us. */
	for (unsigned n = 0; off >= 0x40 && n < 48; n++) {
		if (pci_func__get(f, off, 1) == id)
			return off;
		off = (uint8_t)(pci_func__get(f, off + 1, 1) & ~3u);
	}
	return 0;
}

uint16_t pci_cap__find_ext(const struct pci_func *f, uint16_t id)
{
	unsigned off = PCI_CFG_STD_SIZE;

	for (unsigned n = 0; f->size == PCI_CFG_SIZE && off >= PCI_CFG_STD_SIZE && n < 960; n++) {
		uint32_t h = pci_func__get(f, off, 4);

		if (h == 0 || h == 0xffffffff)
			break;
		if ((h & 0xffff) == id)
			return (uint16_t)off;
		off = (h >> 20) & ~3u;
	}
	return 0;
}
