#include "hw/pci/topology.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/pci/sriov.h"
#include "lib/compiler.h"

int pci_topo__add(struct pci_topo *t, struct pci_func *f)
{
	if (t->nfuncs == PCI_TOPO_MAX_FUNCS)
		return -ENOSPC;
	for (unsigned i = 0; i < t->nfuncs; i++)
		if (t->funcs[i]->rid == f->rid)
			return -EEXIST;
	t->funcs[t->nfuncs++] = f;
	return 0;
}

static bool is_bridge(const struct pci_func *f)
{
	return (pci_func__get(f, PCI_HEADER_TYPE, 1) & 0x7f) == PCI_HEADER_TYPE_BRIDGE;
}

static bool ari_forwarding(const struct pci_func *port)
{
	return port->pcie &&
	       (pci_func__get(port, port->pcie + PCI_EXP_DEVCTL2, 2) & PCI_EXP_DEVCTL2_ARI);
}

/* Which port of bus 0 forwards config cycles for bus, or NULL. */
static const struct pci_func *upstream_port(const struct pci_topo *t, uint8_t bus)
{
	for (unsigned i = 0; i < t->nfuncs; i++) {
		const struct pci_func *f = t->funcs[i];
		uint8_t sec, sub;

		if (PCI_RID_BUS(f->rid) != 0 || !is_bridge(f))
			continue;
		sec = (uint8_t)pci_func__get(f, PCI_SECONDARY_BUS, 1);
		sub = (uint8_t)pci_func__get(f, PCI_SUBORDINATE_BUS, 1);
		if (sec && bus >= sec && bus <= sub)
			return f;
	}
	return NULL;
}

struct pci_func *pci_topo__route(const struct pci_topo *t, uint16_t rid)
{
	uint8_t bus = PCI_RID_BUS(rid);

	if (bus != 0) {
		const struct pci_func *port = upstream_port(t, bus);

		if (!port)
			return NULL;
		/* A non-ARI downstream port turns only device 0 into a Type 0 cycle. */
		if (bus == pci_func__get(port, PCI_SECONDARY_BUS, 1) && PCI_RID_DEV(rid) != 0 &&
		    !ari_forwarding(port))
			return NULL;
	}
	for (unsigned i = 0; i < t->nfuncs; i++) {
		struct pci_func *f = t->funcs[i], *vf;

		if (f->rid == rid && f->present)
			return f;
		if (f->sriov && (vf = pci_sriov__vf_by_rid(f, rid)))
			return vf;
	}
	return NULL;
}

int pci_topo__cfg_read(const struct pci_topo *t, uint16_t rid, unsigned off, unsigned size,
		       uint32_t *val)
{
	struct pci_func *f = pci_topo__route(t, rid);
	int rc;

	if (!f) {
		rc = pci_func__cfg_read(&(struct pci_func){.size = 0}, off, size, val);
		if (rc)
			return rc;
		*val = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
		return -ENODEV;
	}
	return pci_func__cfg_read(f, off, size, val);
}

int pci_topo__cfg_write(const struct pci_topo *t, uint16_t rid, unsigned off, unsigned size,
			uint32_t val)
{
	struct pci_func *f = pci_topo__route(t, rid);

	if (!f)
		return -ENODEV;
	return pci_func__cfg_write(f, off, size, val);
}

static int by_rid(const void *a, const void *b)
{
	const struct pci_func *x = *(struct pci_func *const *)a, *y = *(struct pci_func *const *)b;

	return (int)x->rid - (int)y->rid;
}

unsigned pci_topo__list(const struct pci_topo *t, struct pci_func **out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->nfuncs; i++) {
		struct pci_func *f = t->funcs[i];

		if (f->present && pci_topo__route(t, f->rid) == f && n < max)
			out[n++] = f;
		for (unsigned v = 0; f->sriov && v < f->sriov->total; v++) {
			struct pci_func *vf = &f->sriov->vfs[v];

			if (vf->present && pci_topo__route(t, vf->rid) == vf && n < max)
				out[n++] = vf;
		}
	}
	qsort(out, n, sizeof(*out), by_rid);
	return n;
}

const char *pci_rid__str(uint16_t rid, char *buf)
{
	snprintf(buf, 8, "%02x:%02x.%x", PCI_RID_BUS(rid), PCI_RID_DEV(rid), PCI_RID_FN(rid));
	return buf;
}

static int hex_field(const char **p, unsigned digits, unsigned *out)
{
	unsigned v = 0;

	for (unsigned i = 0; i < digits; i++) {
		char c = (*p)[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*p += digits;
	*out = v;
	return 0;
}

int pci_rid__parse(const char *s, uint16_t *rid)
{
	unsigned dom = 0, bus, dev, fn;

	if (!s)
		return -EINVAL;
	/* Exactly [DDDD:]BB:DD.F in hex, as lspci prints it. */
	if (strlen(s) == 12 && (hex_field(&s, 4, &dom) || *s++ != ':' || dom != 0))
		return -EINVAL;
	if (strlen(s) != 7 || hex_field(&s, 2, &bus) || *s++ != ':' || hex_field(&s, 2, &dev) ||
	    *s++ != '.' || hex_field(&s, 1, &fn) || dev > 0x1f || fn > 7)
		return -EINVAL;
	*rid = (uint16_t)(bus << 8 | dev << 3 | fn);
	return 0;
}
