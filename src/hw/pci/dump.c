#include "hw/pci/dump.h"

#include "hw/pci/sriov.h"
#include "hw/pci/topology.h"
#include "lib/compiler.h"

uint16_t pci_func__vendor(const struct pci_func *f)
{
	/* A VF reads 0xFFFF; software takes its PF's vendor (Linux pci_iov_scan_device). */
	return (uint16_t)pci_func__get(f->pf ? f->pf : f, PCI_VENDOR_ID, 2);
}

uint16_t pci_func__device(const struct pci_func *f)
{
	if (f->pf)
		return (uint16_t)pci_func__get(f->pf, f->pf->sriov->cap + PCI_SRIOV_VF_DID, 2);
	return (uint16_t)pci_func__get(f, PCI_DEVICE_ID, 2);
}

const char *pci_class__name(uint16_t class16)
{
	static const struct {
		uint16_t class16;
		const char *name;
	} classes[] = {
		{0x0200, "Ethernet controller"}, {0x0280, "Network controller"},
		{0x0600, "Host bridge"},         {0x0604, "PCI bridge"},
		{0x0880, "System peripheral"},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(classes); i++)
		if (classes[i].class16 == class16)
			return classes[i].name;
	return "Class";
}

const char *pci_progif__name(uint16_t class16, uint8_t progif)
{
	if (class16 == 0x0604)
		return progif == 0 ? "Normal decode" : progif == 1 ? "Subtractive decode" : NULL;
	return NULL;
}

unsigned pci_func__regions(const struct pci_func *f, struct pci_region *out)
{
	unsigned n = 0;

	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar_info *bi = f->pf ? &f->pf->sriov->vf_bar[b] : &f->bar[b];

		if (bi->kind == PCI_BAR_NONE)
			continue;
		out[n++] = (struct pci_region){
			.bar = (uint8_t)b,
			.kind = bi->kind,
			.prefetch = bi->prefetch,
			.virt = f->pf != NULL,
			.base = f->pf ? pci_sriov__vf_bar_addr(f->pf, f->vf_index, b)
				      : pci_func__bar_addr(f, b),
			.size = f->pf ? pci_sriov__vf_bar_size(f->pf, b) : bi->size,
		};
	}
	return n;
}

void pci_ident__line(FILE *out, const struct pci_ident *id, enum pci_names names)
{
	char bdf[8];

	pci_rid__str(id->rid, bdf);
	switch (names) {
	case PCI_NAMES_NUMERIC:
		fprintf(out, "%s %04x: %04x:%04x", bdf, id->class16, id->vendor_id, id->device_id);
		break;
	case PCI_NAMES_BOTH:
		fprintf(out, "%s %s [%04x]: %s %s [%04x:%04x]", bdf, pci_class__name(id->class16),
			id->class16, id->vendor ? id->vendor : "Unknown vendor",
			id->name ? id->name : "Device", id->vendor_id, id->device_id);
		break;
	default:
		fprintf(out, "%s %s: %s %s", bdf, pci_class__name(id->class16),
			id->vendor ? id->vendor : "Unknown vendor", id->name ? id->name : "Device");
	}
	if (id->rev)
		fprintf(out, " (rev %02x)", id->rev);
}

struct pci_ident pci_func__ident(const struct pci_func *f)
{
	return (struct pci_ident){
	    .rid = f->rid,
	    .class16 = (uint16_t)pci_func__get(f, PCI_CLASS_DEVICE, 2),
	    .vendor_id = pci_func__vendor(f),
	    .device_id = pci_func__device(f),
	    .rev = (uint8_t)pci_func__get(f, PCI_REVISION_ID, 1),
	    .vendor = f->vendor,
	    .name = f->name,
	};
}

void pci_dump__line(FILE *out, const struct pci_func *f, enum pci_names names)
{
	struct pci_ident id = pci_func__ident(f);

	pci_ident__line(out, &id, names);
}

void pci_dump__rows(FILE *out, const uint8_t *cfg, unsigned nbytes)
{
	for (unsigned row = 0; row < nbytes; row += 16) {
		fprintf(out, "%02x:", row);
		for (unsigned i = 0; i < 16 && row + i < nbytes; i++)
			fprintf(out, " %02x", cfg[row + i]);
		fputc('\n', out);
	}
}

void pci_dump__hex(FILE *out, const struct pci_func *f, enum pci_names names, unsigned nbytes)
{
	nbytes = MIN(nbytes, f->size);
	pci_dump__line(out, f, names);
	fputc('\n', out);
	pci_dump__rows(out, f->cfg, nbytes);
	fputc('\n', out);
}
