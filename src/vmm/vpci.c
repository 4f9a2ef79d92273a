#include "vmm/vpci.h"

#include <errno.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/log.h"

/* Command bits the guest owns virtually: a VF decodes memory through the PF's VF MSE, has no
 * I/O space and no INTx (SR-IOV 1.1 3.4.1.3 and 3.4.1.18). */
#define CMD_VIRT     (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE)
#define MSIX_VIRT    (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)
#define BAR_FLAGS    0xfu
#define STD_CAPS_MAX ((PCI_CFG_STD_SIZE - PCI_STD_HEADER_SIZEOF) / 4)

enum field_kind {
	F_CONST, /* fixed value (field.val), writes dropped */
	F_VENDOR,
	F_DEVICE,
	F_COMMAND,
	F_CACHE_LINE,
	F_BAR,
	F_IRQ_LINE,
	F_MSIX_CTRL,
	F_DEVCTL,
};

enum bar_kind { BAR_NONE, BAR_32, BAR_64_LO, BAR_64_HI };

static int phys_read(struct vpci_dev *d, unsigned off, unsigned size, uint32_t *val)
{
	return d->phys->read(d->phys_opaque, off, size, val);
}

static int phys_write(struct vpci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	return d->phys->write(d->phys_opaque, off, size, val);
}

static bool access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE && !(off & (size - 1));
}

static struct vpci_field *field_add(struct vpci_dev *d, unsigned off, unsigned size,
				    enum field_kind kind, uint32_t val)
{
	struct vpci_field *f;

	if (d->nfields >= VPCI_MAX_FIELDS || off + size > PCI_CFG_SIZE)
		return NULL;
	for (unsigned i = 0; i < size; i++)
		if (d->map[off + i])
			return NULL;
	f = &d->field[d->nfields++];
	*f = (struct vpci_field){.off = (uint16_t)off, .size = (uint8_t)size,
				 .kind = (uint8_t)kind, .val = val};
	memset(&d->map[off], (int)d->nfields, size);
	return f;
}

static int check_bars(const struct vpci_dev_config *cfg)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		uint64_t size = cfg->bar_size[i], gpa = cfg->bar_gpa[i];
		uint32_t flags = cfg->bar_flags[i];

		if (!size) {
			if (gpa || flags)
				return -EINVAL;
			continue;
		}
		if (size < 16 || (size & (size - 1)) || (gpa & (size - 1)) ||
		    (flags & ~BAR_FLAGS) || (flags & PCI_BASE_ADDRESS_SPACE_IO))
			return -EINVAL;
		switch (flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK) {
		case PCI_BASE_ADDRESS_MEM_TYPE_32:
			if (gpa + size > BIT64(32))
				return -EINVAL;
			break;
		case PCI_BASE_ADDRESS_MEM_TYPE_64:
			/* The next index is the upper half: it must not be described itself. */
			if (i + 1 >= PCI_NUM_BARS || cfg->bar_size[i + 1] || cfg->bar_gpa[i + 1] ||
			    cfg->bar_flags[i + 1])
				return -EINVAL;
			i++;
			break;
		default: /* below 1 MiB (PCI 2.x) or reserved */
			return -EINVAL;
		}
	}
	return 0;
}

static void setup_bars(struct vpci_dev *d)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		uint64_t mask = ~(d->cfg.bar_size[i] - 1);

		if (!d->cfg.bar_size[i])
			continue;
		d->bar_wmask[i] = (uint32_t)mask;
		if ((d->cfg.bar_flags[i] & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
		    PCI_BASE_ADDRESS_MEM_TYPE_64) {
			d->bar_kind[i] = BAR_64_LO;
			d->bar_kind[i + 1] = BAR_64_HI;
			d->bar_wmask[i + 1] = (uint32_t)(mask >> 32);
			i++;
		} else {
			d->bar_kind[i] = BAR_32;
		}
	}
}

/*
 * The type-0 header. What is not here reads as the VF's physical value: Status, Revision,
 * Class, Latency Timer, CardBus CIS, Subsystem ids, Min_Gnt/Max_Lat.
 */
static int header_fields(struct vpci_dev *d)
{
	static const struct {
		uint8_t off, size, kind;
	} hdr[] = {
		{PCI_VENDOR_ID, 2, F_VENDOR},
		{PCI_DEVICE_ID, 2, F_DEVICE},
		{PCI_COMMAND, 2, F_COMMAND},
		{PCI_CACHE_LINE_SIZE, 1, F_CACHE_LINE},
		{PCI_HEADER_TYPE, 1, F_CONST}, /* type 0, not multi-function */
		{PCI_BIST, 1, F_CONST},
		{PCI_BASE_ADDRESS_0, 4, F_BAR},
		{PCI_BASE_ADDRESS_1, 4, F_BAR},
		{PCI_BASE_ADDRESS_2, 4, F_BAR},
		{PCI_BASE_ADDRESS_3, 4, F_BAR},
		{PCI_BASE_ADDRESS_4, 4, F_BAR},
		{PCI_BASE_ADDRESS_5, 4, F_BAR},
		{PCI_ROM_ADDRESS, 4, F_CONST},
		{PCI_INTERRUPT_LINE, 1, F_IRQ_LINE},
		{PCI_INTERRUPT_PIN, 1, F_CONST}, /* no INTx */
	};

	for (unsigned i = 0; i < ARRAY_SIZE(hdr); i++)
		if (!field_add(d, hdr[i].off, hdr[i].size, hdr[i].kind, 0))
			return -EIO;
	return 0;
}

/*
 * The standard list, as the guest will see it: each header is copied into a constant field.
 * A link that points into the header, beyond 0xff or back into the list ends the list there.
 */
static int std_caps(struct vpci_dev *d)
{
	struct vpci_field *ptr_field, *prev = NULL;
	uint32_t status, v;
	unsigned ptr = 0;
	int rc;

	if ((rc = phys_read(d, PCI_STATUS, 2, &status)))
		return rc;
	if (status & PCI_STATUS_CAP_LIST) {
		if ((rc = phys_read(d, PCI_CAPABILITY_LIST, 1, &v)))
			return rc;
		ptr = v & ~3u;
	}
	ptr_field = field_add(d, PCI_CAPABILITY_LIST, 1, F_CONST, ptr);
	if (!ptr_field)
		return -EIO;
	for (unsigned n = 0; ptr; n++) {
		struct vpci_field *f;
		unsigned id, next;

		if (ptr < PCI_STD_HEADER_SIZEOF || ptr >= PCI_CFG_STD_SIZE || d->map[ptr] ||
		    n >= STD_CAPS_MAX) {
			pr_debug("vpci", "capability list cut at a bad link to %#x", ptr);
			if (prev)
				prev->val &= 0xff;
			else
				ptr_field->val = 0;
			break;
		}
		if ((rc = phys_read(d, ptr, 2, &v)))
			return rc;
		id = v & 0xff;
		next = (v >> 8) & ~3u;
		f = field_add(d, ptr, 2, F_CONST, id | next << 8);
		if (!f)
			return -EIO;
		/* The first of each, as Linux finds it, if its registers fit in the header. */
		if (id == PCI_CAP_ID_MSIX && !d->msix_cap &&
		    ptr + PCI_CAP_MSIX_SIZEOF <= PCI_CFG_STD_SIZE)
			d->msix_cap = (uint8_t)ptr;
		if (id == PCI_CAP_ID_EXP && !d->pcie_cap &&
		    ptr + PCI_EXP_DEVCTL + 2 <= PCI_CFG_STD_SIZE)
			d->pcie_cap = (uint8_t)ptr;
		prev = f;
		ptr = next;
	}
	return 0;
}

/* The extended list from 0x100, the same way; a header of 0 or ~0 ends it. */
static int ext_caps(struct vpci_dev *d)
{
	struct vpci_field *prev = NULL;
	unsigned ptr = PCI_CFG_STD_SIZE;
	int rc;

	for (unsigned n = 0; ptr; n++) {
		struct vpci_field *f;
		uint32_t hdr = 0;
		bool bad = ptr < PCI_CFG_STD_SIZE || d->map[ptr] || n >= VPCI_MAX_ECAPS;

		if (!bad && (rc = phys_read(d, ptr, 4, &hdr)))
			return rc;
		if (bad || hdr == 0 || hdr == ~0u) {
			if (prev) {
				pr_debug("vpci", "extended capability list cut at %#x", ptr);
				prev->val &= 0xfffff;
			}
			break;
		}
		f = field_add(d, ptr, 4, F_CONST, hdr);
		if (!f)
			return -EIO;
		prev = f;
		ptr = PCI_EXT_CAP_NEXT(hdr);
	}
	return 0;
}

int vpci__init(struct vpci_dev *d, const struct vpci_dev_config *cfg,
	       const struct vpci_phys_ops *phys, void *phys_opaque,
	       const struct vpci_msix_ops *msix, void *msix_opaque)
{
	uint32_t devcap;
	int rc;

	if (!d || !cfg || !phys || !phys->read || !phys->write || check_bars(cfg))
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->phys = phys;
	d->phys_opaque = phys_opaque;
	d->msix = msix;
	d->msix_opaque = msix_opaque;
	setup_bars(d);
	if ((rc = header_fields(d)) || (rc = std_caps(d)))
		return rc;
	if (d->pcie_cap && (rc = ext_caps(d)))
		return rc;
	if (d->msix_cap && !field_add(d, d->msix_cap + PCI_MSIX_FLAGS, 2, F_MSIX_CTRL, 0))
		return -EIO;
	if (d->pcie_cap) {
		if ((rc = phys_read(d, d->pcie_cap + PCI_EXP_DEVCAP, 4, &devcap)))
			return rc;
		d->flr_capable = devcap & PCI_EXP_DEVCAP_FLR;
		if (!field_add(d, d->pcie_cap + PCI_EXP_DEVCTL, 2, F_DEVCTL, 0))
			return -EIO;
	}
	vpci__reset(d);
	return 0;
}

void vpci__reset(struct vpci_dev *d)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		switch (d->bar_kind[i]) {
		case BAR_32:
		case BAR_64_LO:
			d->bar[i] = (uint32_t)d->cfg.bar_gpa[i] | d->cfg.bar_flags[i];
			break;
		case BAR_64_HI:
			d->bar[i] = (uint32_t)(d->cfg.bar_gpa[i - 1] >> 32);
			break;
		default:
			d->bar[i] = 0;
		}
	}
	d->cmd = 0;
	d->bus_master = false;
	d->cache_line = 0;
	d->irq_line = 0;
	d->msix_enable = false;
	d->msix_masked = false;
}

static unsigned bar_index(const struct vpci_field *f)
{
	return (f->off - PCI_BASE_ADDRESS_0) / 4;
}

static int field_read(struct vpci_dev *d, const struct vpci_field *f, uint32_t *v)
{
	int rc = 0;

	switch (f->kind) {
	case F_VENDOR:
		*v = d->cfg.vendor;
		break;
	case F_DEVICE:
		*v = d->cfg.device;
		break;
	case F_COMMAND:
		/* The VF's own bits (Bus Master, error enables) with the guest's virtual ones. */
		if (!(rc = phys_read(d, f->off, 2, v)))
			*v = (*v & ~CMD_VIRT) | d->cmd;
		break;
	case F_CACHE_LINE:
		*v = d->cache_line;
		break;
	case F_BAR:
		*v = d->bar[bar_index(f)];
		break;
	case F_IRQ_LINE:
		*v = d->irq_line;
		break;
	case F_MSIX_CTRL:
		if (!(rc = phys_read(d, f->off, 2, v)))
			*v = (*v & ~MSIX_VIRT) | (d->msix_enable ? PCI_MSIX_FLAGS_ENABLE : 0) |
			     (d->msix_masked ? PCI_MSIX_FLAGS_MASKALL : 0);
		break;
	case F_DEVCTL:
		/* Initiate FLR always reads 0 (PCIe 3.0 7.8.4). */
		if (!(rc = phys_read(d, f->off, 2, v)))
			*v &= ~(uint32_t)PCI_EXP_DEVCTL_BCR_FLR;
		break;
	default:
		*v = f->val;
	}
	return rc;
}

/* Bus Master is the one Command bit that goes to the VF; nothing else in the register moves. */
static int command_write(struct vpci_dev *d, const struct vpci_field *f, uint32_t val,
			 uint32_t mask)
{
	uint32_t phys, next;
	int rc;

	if ((rc = phys_read(d, f->off, 2, &phys)))
		return rc;
	next = (((phys & ~CMD_VIRT) | d->cmd) & ~mask) | (val & mask);
	if ((next ^ phys) & PCI_COMMAND_MASTER) {
		rc = phys_write(d, f->off, 2,
				(phys & ~PCI_COMMAND_MASTER) | (next & PCI_COMMAND_MASTER));
		if (rc)
			return rc;
	}
	d->bus_master = next & PCI_COMMAND_MASTER;
	d->cmd = (uint16_t)(next & CMD_VIRT);
	return 1;
}

static int msix_write(struct vpci_dev *d, uint32_t val, uint32_t mask)
{
	uint32_t cur = (d->msix_enable ? PCI_MSIX_FLAGS_ENABLE : 0) |
		       (d->msix_masked ? PCI_MSIX_FLAGS_MASKALL : 0),
		 next = (cur & ~mask) | (val & mask);

	if (!(mask & MSIX_VIRT))
		return 0;
	if ((next ^ cur) & MSIX_VIRT) {
		d->msix_enable = next & PCI_MSIX_FLAGS_ENABLE;
		d->msix_masked = next & PCI_MSIX_FLAGS_MASKALL;
		if (d->msix && d->msix->control)
			d->msix->control(d->msix_opaque, d->msix_enable, d->msix_masked);
	}
	return 1;
}

/* Initiate FLR is the only writable bit of Device Control; the rest of it stays as it is. */
static int devctl_write(struct vpci_dev *d, const struct vpci_field *f, uint32_t val,
			uint32_t mask)
{
	uint32_t cur;
	int rc;

	if (!d->flr_capable || !(mask & val & PCI_EXP_DEVCTL_BCR_FLR))
		return 0;
	if ((rc = phys_read(d, f->off, 2, &cur)) ||
	    (rc = phys_write(d, f->off, 2, cur | PCI_EXP_DEVCTL_BCR_FLR)))
		return rc;
	vpci__reset(d);
	if (d->msix && d->msix->control)
		d->msix->control(d->msix_opaque, false, false);
	return 1;
}

static int bar_write(struct vpci_dev *d, const struct vpci_field *f, uint32_t val, uint32_t mask)
{
	unsigned i = bar_index(f);
	uint32_t wm = d->bar_wmask[i];

	if (d->bar_kind[i] == BAR_NONE)
		return 0;
	/* Address bits below the size are read-only zero: that is what makes sizing work. */
	val = (d->bar[i] & ~mask) | (val & mask);
	d->bar[i] = (d->bar[i] & ~wm) | (val & wm);
	return 1;
}

/* One field's share of a write: val and mask in the field's own bit positions. Returns 1 if the
 * field took the write, 0 if it is read-only, or a negative errno. */
static int field_write(struct vpci_dev *d, const struct vpci_field *f, uint32_t val,
		       uint32_t mask)
{
	switch (f->kind) {
	case F_COMMAND:
		return command_write(d, f, val, mask);
	case F_CACHE_LINE:
		d->cache_line = (uint8_t)val;
		return 1;
	case F_IRQ_LINE:
		d->irq_line = (uint8_t)val;
		return 1;
	case F_BAR:
		return bar_write(d, f, val, mask);
	case F_MSIX_CTRL:
		return msix_write(d, val, mask);
	case F_DEVCTL:
		return devctl_write(d, f, val, mask);
	default:
		return 0;
	}
}

static int bad_access(struct vpci_dev *d, const char *what, unsigned off, unsigned size)
{
	d->stats.bad_accesses++;
	pr_debug("vpci", "refused %s of %u bytes at %#x", what, size, off);
	return -EINVAL;
}

int vpci__read(struct vpci_dev *d, unsigned off, unsigned size, uint32_t *val)
{
	uint32_t phys = 0, v = 0;
	bool pass = false;
	int rc;

	*val = ~0u;
	if (!access_ok(off, size))
		return bad_access(d, "read", off, size);
	for (unsigned i = 0; i < size; i++)
		pass |= !d->map[off + i];
	if (pass && (rc = phys_read(d, off, size, &phys)))
		return rc;
	for (unsigned i = 0; i < size;) {
		const struct vpci_field *f;
		uint32_t fv;

		if (!d->map[off + i]) {
			v |= phys & 0xffu << 8 * i;
			i++;
			continue;
		}
		f = &d->field[d->map[off + i] - 1];
		if ((rc = field_read(d, f, &fv)))
			return rc;
		for (; i < size && off + i < f->off + f->size; i++)
			v |= ((fv >> 8 * (off + i - f->off)) & 0xff) << 8 * i;
	}
	d->stats.reads++;
	*val = v;
	return 0;
}

int vpci__write(struct vpci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	bool taken = false;
	int rc;

	if (!access_ok(off, size))
		return bad_access(d, "write", off, size);
	d->stats.writes++;
	for (unsigned i = 0; i < size;) {
		const struct vpci_field *f;
		uint32_t fval = 0, fmask = 0;

		if (!d->map[off + i]) {
			i++;
			continue;
		}
		f = &d->field[d->map[off + i] - 1];
		for (; i < size && off + i < f->off + f->size; i++) {
			unsigned shift = 8 * (off + i - f->off);

			fval |= ((val >> 8 * i) & 0xff) << shift;
			fmask |= 0xffu << shift;
		}
		if ((rc = field_write(d, f, fval, fmask)) < 0)
			return rc;
		taken |= rc;
	}
	if (!taken) {
		d->stats.dropped_writes++;
		pr_debug("vpci", "dropped write of %#x (%u bytes) to read-only %#x", val, size,
			 off);
	}
	return 0;
}

uint64_t vpci__bar_gpa(const struct vpci_dev *d, unsigned bar)
{
	if (bar >= PCI_NUM_BARS)
		return 0;
	switch (d->bar_kind[bar]) {
	case BAR_32:
		return d->bar[bar] & PCI_BASE_ADDRESS_MEM_MASK;
	case BAR_64_LO:
		return (d->bar[bar] & PCI_BASE_ADDRESS_MEM_MASK) | (uint64_t)d->bar[bar + 1] << 32;
	default:
		return 0;
	}
}

bool vpci__memory_enabled(const struct vpci_dev *d)
{
	return d->cmd & PCI_COMMAND_MEMORY;
}

bool vpci__bus_master(const struct vpci_dev *d)
{
	return d->bus_master;
}

bool vpci__msix_enabled(const struct vpci_dev *d)
{
	return d->msix_enable;
}

bool vpci__msix_masked(const struct vpci_dev *d)
{
	return d->msix_masked;
}

const struct vpci_stats *vpci__stats(const struct vpci_dev *d)
{
	return &d->stats;
}
