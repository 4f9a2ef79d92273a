/*
 * The trapped MSI-X table (BAR3) of a function: what the owner writes is kept here, and the
 * physical entry is written in remappable format for a posted interrupt-remapping entry (source
 * id = the function's RID, destination = the owner's shared page, vector = the entry's data),
 * or left masked when the message is not one this platform delivers.
 *
 * Every physical access runs on the NIC engine of the function's port, so each is a round trip
 * of the control thread to that thread: the accesses one trapped write needs go in one call.
 */
#include <errno.h>

#include "hw/iommu/irte.h"
#include "lib/log.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/passthrough.h"
#include "vmm/passthrough_priv.h"

#define MSIX_ENTRY_SIZE 16
#define MSI_ADDR_WINDOW 0xfee00000u

struct mmio_op {
	uint32_t off, val; /* BAR3 offset, 32-bit write */
};

struct mmio_batch {
	struct e82576 *nic;
	struct pci_func *fn;
	const struct mmio_op *ops;
	unsigned n;
	int rc;
};

static void batch_on_engine(void *arg)
{
	struct mmio_batch *b = arg;

	for (unsigned i = 0; i < b->n; i++) {
		uint64_t v = b->ops[i].val;
		int rc = e82576__mmio(b->nic, b->fn, 3, b->ops[i].off, 4, true, &v);

		if (rc && !b->rc)
			b->rc = rc;
	}
}

/* Writes to the physical table, in order, in one trip to the engine. */
static int phys_writes(struct hv *hv, struct hv_func *f, const struct mmio_op *ops, unsigned n)
{
	struct mmio_batch b = {.nic = hv->m->nic, .fn = f->fn, .ops = ops, .n = n};
	int rc = n ? e82576__call(hv->m->nic, f->port, batch_on_engine, &b) : 0;

	return rc ? rc : b.rc;
}

struct mmio_read {
	struct e82576 *nic;
	struct pci_func *fn;
	uint64_t off, val;
	unsigned size;
	int rc;
};

static void read_on_engine(void *arg)
{
	struct mmio_read *r = arg;

	r->rc = e82576__mmio(r->nic, r->fn, 3, r->off, r->size, false, &r->val);
}

static int phys_read(struct hv *hv, struct hv_func *f, uint64_t off, unsigned size, uint64_t *val)
{
	struct mmio_read r = {.nic = hv->m->nic, .fn = f->fn, .off = off, .size = size};
	int rc = e82576__call(hv->m->nic, f->port, read_on_engine, &r);

	*val = r.val;
	return rc ? rc : r.rc;
}

void pt_msix__phys_control(struct hv *hv, struct hv_func *f, bool enable, bool masked)
{
	machine__cfg_update(hv->m, f->rid, E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2,
			    PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
			    (enable ? PCI_MSIX_FLAGS_ENABLE : 0) | (masked ? PCI_MSIX_FLAGS_MASKALL : 0));
}

static void msix_unbind(struct hv *hv, struct hv_func *f, unsigned i)
{
	struct hv_msix_entry *e = &f->msix[i];

	if (e->irte < 0)
		return;
	ir_table__clear(&hv->irt, (unsigned)e->irte);
	hv__irte_free(hv, (unsigned)e->irte);
	e->irte = -1;
}

/* The physical writes that bring entry @i in line with what the owner wrote (0 to 4 of them). */
static unsigned msix_apply(struct hv *hv, struct hv_func *f, unsigned i, struct mmio_op *ops)
{
	struct hv_msix_entry *e = &f->msix[i];
	struct domain *d = f->owner >= 0 ? hv__domain(hv, (unsigned)f->owner) : NULL;
	uint32_t base = i * MSIX_ENTRY_SIZE, data;
	uint8_t vector = (uint8_t)e->data;
	struct irte irte;
	uint64_t addr;

	if ((e->ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT) || !d) {
		ops[0] = (struct mmio_op){base + PCI_MSIX_ENTRY_VECTOR_CTRL,
					  PCI_MSIX_ENTRY_CTRL_MASKBIT};
		return 1;
	}
	if (vector < VFNET_VEC_FIRST || (e->addr_lo & 0xfff00000u) != MSI_ADDR_WINDOW ||
	    e->addr_hi) {
		/* Not a message this platform delivers: the entry stays masked, as Xen refuses
		 * an address outside the MSI window. */
		f->irq_refused++;
		pr_debug("vmm", "dom%d %04x: MSI-X entry %u refused (address %08x, vector %u)",
			 f->owner, f->rid, i, e->addr_lo, vector);
		ops[0] = (struct mmio_op){base + PCI_MSIX_ENTRY_VECTOR_CTRL,
					  PCI_MSIX_ENTRY_CTRL_MASKBIT};
		return 1;
	}
	if (e->irte < 0) {
		int idx = hv__irte_alloc(hv);

		if (idx < 0) {
			f->irq_refused++;
			return 0;
		}
		e->irte = idx;
	}
	irte = (struct irte){
		.present = true,
		.posted = true,
		.vector = vector,
		.pda = d->ram_maddr + VFNET_SHARED_PAGE,
		.sid = f->rid,
		.svt = IRTE_SVT_RID,
	};
	if (ir_table__set(&hv->irt, (unsigned)e->irte, &irte)) {
		f->irq_refused++;
		return 0;
	}
	irte__msi_message((unsigned)e->irte, &addr, &data);
	ops[0] = (struct mmio_op){base + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)addr};
	ops[1] = (struct mmio_op){base + PCI_MSIX_ENTRY_UPPER_ADDR, (uint32_t)(addr >> 32)};
	ops[2] = (struct mmio_op){base + PCI_MSIX_ENTRY_DATA, data};
	ops[3] = (struct mmio_op){base + PCI_MSIX_ENTRY_VECTOR_CTRL, 0};
	return 4;
}

void pt_msix__reset(struct hv *hv, struct hv_func *f)
{
	struct mmio_op ops[E82576_PF_MSIX_VECTORS];

	/* Masked first: an entry's remappable message must not outlive its IRTE. */
	for (unsigned i = 0; i < f->msix_nr; i++)
		ops[i] = (struct mmio_op){i * MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL,
					  PCI_MSIX_ENTRY_CTRL_MASKBIT};
	if (f->present)
		phys_writes(hv, f, ops, f->msix_nr);
	for (unsigned i = 0; i < f->msix_nr; i++) {
		msix_unbind(hv, f, i);
		f->msix[i] = (struct hv_msix_entry){.ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT, .irte = -1};
	}
	f->msix_enabled = f->msix_masked = false;
}

int pt_msix__access(struct hv *hv, struct hv_func *f, uint32_t off, unsigned width, bool write,
		    uint64_t *value)
{
	unsigned table = f->msix_nr * MSIX_ENTRY_SIZE;

	if (off < table) {
		struct hv_msix_entry *e = &f->msix[off / MSIX_ENTRY_SIZE];
		uint32_t *field[4] = {&e->addr_lo, &e->addr_hi, &e->data, &e->ctrl};
		unsigned w = (off % MSIX_ENTRY_SIZE) / 4;
		struct mmio_op ops[4];

		if (width == 8 && w % 2)
			return -EINVAL;
		if (!write) {
			*value = *field[w] | (width == 8 ? (uint64_t)*field[w + 1] << 32 : 0);
			return 0;
		}
		*field[w] = (uint32_t)*value;
		if (width == 8)
			*field[w + 1] = (uint32_t)(*value >> 32);
		e->ctrl &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
		phys_writes(hv, f, ops, msix_apply(hv, f, off / MSIX_ENTRY_SIZE, ops));
		return 0;
	}
	if (off >= E82576_MSIX_PBA_OFFSET && off < E82576_MSIX_PBA_OFFSET + 8) {
		if (write)
			return 0; /* read-only */
		return phys_read(hv, f, off, width, value);
	}
	if (!write)
		*value = 0;
	return 0;
}

void pt_msix__guest_control(void *opaque, bool enable, bool masked)
{
	struct hv_func *f = opaque;

	f->msix_enabled = enable;
	f->msix_masked = masked;
	pt_msix__phys_control(f->hv, f, enable, masked);
}
