/* lspci's per-device output (pciutils lspci.c: show_terse, show_verbose, show_kernel). */
#include <inttypes.h>
#include <linux/pci_regs.h>

#include "cli/lspci_priv.h"

static const char *devsel(unsigned status)
{
	switch (status & PCI_STATUS_DEVSEL_MASK) {
	case PCI_STATUS_DEVSEL_SLOW:
		return "slow";
	case PCI_STATUS_DEVSEL_MEDIUM:
		return "medium";
	case PCI_STATUS_DEVSEL_FAST:
		return "fast";
	default:
		return "??";
	}
}

static void subsystem(FILE *out, const struct lspci_dev *d, enum pci_names names)
{
	/* the subsystem vendor's name: the machine's functions are their vendor's boards */
	const char *vendor =
	    d->subsys_vendor == d->id.vendor_id && d->id.vendor ? d->id.vendor : "Unknown vendor";

	fputs("\tSubsystem: ", out);
	switch (names) {
	case PCI_NAMES_NUMERIC:
		fprintf(out, "%04x:%04x\n", d->subsys_vendor, d->subsys_device);
		break;
	case PCI_NAMES_BOTH:
		fprintf(out, "%s %s [%04x:%04x]\n", vendor,
			d->subsys_name ? d->subsys_name : "Device", d->subsys_vendor,
			d->subsys_device);
		break;
	default:
		if (d->subsys_name)
			fprintf(out, "%s %s\n", vendor, d->subsys_name);
		else
			fprintf(out, "%s Device %04x\n", vendor, d->subsys_device);
	}
}

static void terse(FILE *out, const struct lspci_dev *d, const struct lspci_opts *o)
{
	if (o->domains)
		fputs("0000:", out);
	pci_ident__line(out, &d->id, o->names);
	if (o->verbose) {
		const char *name = pci_progif__name(d->id.class16, d->progif);

		if (d->progif || name) {
			fprintf(out, " (prog-if %02x", d->progif);
			if (name)
				fprintf(out, " [%s]", name);
			fputc(')', out);
		}
	}
	fputc('\n', out);
	if ((o->verbose || o->kernel) && d->has_subsys && d->subsys_vendor &&
	    d->subsys_vendor != 0xffff)
		subsystem(out, d, o->names);
}

static void show_size(FILE *out, uint64_t x)
{
	static const char *const suffix[] = {"", "K", "M", "G", "T"};
	unsigned i;

	if (!x)
		return;
	for (i = 0; i < 4 && !(x % 1024); i++)
		x /= 1024;
	fprintf(out, " [size=%u%s]", (unsigned)x, suffix[i]);
}

/* show_bases, as lspci has it on Linux: the OS's regions, with their sizes, "virtual" for a
 * region the OS knows whose BAR registers read zero (a VF's). */
static void bases(FILE *out, const struct lspci_dev *d, unsigned count, unsigned verbose)
{
	unsigned cmd = lspci__w(d, PCI_COMMAND);

	for (unsigned i = 0; i < d->nregions; i++) {
		const struct pci_region *r = &d->regions[i];
		bool virt = r->virt && r->base;

		if (r->bar >= count)
			continue;
		if (verbose > 1)
			fprintf(out, "\tRegion %u: ", r->bar);
		else
			fputc('\t', out);
		if (r->kind == PCI_BAR_IO) {
			fputs("I/O ports at ", out);
			if (r->base || (cmd & PCI_COMMAND_IO))
				fprintf(out, "%04" PRIx64, r->base);
			else
				fputs("<unassigned>", out);
			if (virt)
				fputs(" [virtual]", out);
			else if (!(cmd & PCI_COMMAND_IO))
				fputs(" [disabled]", out);
		} else {
			fputs("Memory at ", out);
			if (r->base)
				fprintf(out, "%08" PRIx64, r->base);
			else
				fputs("<unassigned>", out);
			fprintf(out, " (%s, %sprefetchable)",
				r->kind == PCI_BAR_MEM64 ? "64-bit" : "32-bit",
				r->prefetch ? "" : "non-");
			if (virt)
				fputs(" [virtual]", out);
			else if (!(cmd & PCI_COMMAND_MEMORY))
				fputs(" [disabled]", out);
		}
		show_size(out, r->size);
		fputc('\n', out);
	}
}

static void show_range(FILE *out, const char *what, uint64_t base, uint64_t limit, unsigned bits,
		       unsigned verbose)
{
	fprintf(out, "\t%s:", what);
	if (base <= limit || verbose > 2)
		fprintf(out, " %0*" PRIx64 "-%0*" PRIx64, (int)(bits + 3) / 4, base,
			(int)(bits + 3) / 4, limit);
	if (base <= limit)
		show_size(out, limit - base + 1);
	else
		fputs(" [disabled]", out);
	if (bits)
		fprintf(out, " [%u-bit]", bits);
	fputc('\n', out);
}

/* show_htype1's windows, decoded from the bridge's registers. */
static void bridge(FILE *out, const struct lspci_dev *d, unsigned verbose)
{
	unsigned io_base = lspci__b(d, PCI_IO_BASE), io_limit = lspci__b(d, PCI_IO_LIMIT);
	unsigned io_type = io_base & PCI_IO_RANGE_TYPE_MASK;
	unsigned mem_base = lspci__w(d, PCI_MEMORY_BASE), mem_limit = lspci__w(d, PCI_MEMORY_LIMIT);
	unsigned pref_base = lspci__w(d, PCI_PREF_MEMORY_BASE);
	unsigned pref_limit = lspci__w(d, PCI_PREF_MEMORY_LIMIT);
	unsigned pref_type = pref_base & PCI_PREF_RANGE_TYPE_MASK;
	unsigned sec = lspci__w(d, PCI_SEC_STATUS), brc = lspci__w(d, PCI_BRIDGE_CONTROL);

	bases(out, d, 2, verbose);
	fprintf(out, "\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%u\n",
		lspci__b(d, PCI_PRIMARY_BUS), lspci__b(d, PCI_SECONDARY_BUS),
		lspci__b(d, PCI_SUBORDINATE_BUS), lspci__b(d, PCI_SEC_LATENCY_TIMER));
	if (io_type != (io_limit & PCI_IO_RANGE_TYPE_MASK) ||
	    (io_type != PCI_IO_RANGE_TYPE_16 && io_type != PCI_IO_RANGE_TYPE_32)) {
		fprintf(out, "\t!!! Unknown I/O range types %x/%x\n", io_base, io_limit);
	} else {
		uint64_t b = (uint64_t)(io_base & PCI_IO_RANGE_MASK) << 8;
		uint64_t l = (uint64_t)(io_limit & PCI_IO_RANGE_MASK) << 8;

		if (io_type == PCI_IO_RANGE_TYPE_32) {
			b |= (uint64_t)lspci__w(d, PCI_IO_BASE_UPPER16) << 16;
			l |= (uint64_t)lspci__w(d, PCI_IO_LIMIT_UPPER16) << 16;
		}
		show_range(out, "I/O behind bridge", b, l + 0xfff,
			   io_type == PCI_IO_RANGE_TYPE_32 ? 32 : 16, verbose);
	}
	if ((mem_base & PCI_MEMORY_RANGE_TYPE_MASK) != (mem_limit & PCI_MEMORY_RANGE_TYPE_MASK) ||
	    (mem_base & PCI_MEMORY_RANGE_TYPE_MASK))
		fprintf(out, "\t!!! Unknown memory range types %x/%x\n", mem_base, mem_limit);
	else
		show_range(
		    out, "Memory behind bridge", (uint64_t)(mem_base & PCI_MEMORY_RANGE_MASK) << 16,
		    ((uint64_t)(mem_limit & PCI_MEMORY_RANGE_MASK) << 16) + 0xfffff, 32, verbose);
	if (pref_type != (pref_limit & PCI_PREF_RANGE_TYPE_MASK) ||
	    (pref_type != PCI_PREF_RANGE_TYPE_32 && pref_type != PCI_PREF_RANGE_TYPE_64)) {
		fprintf(out, "\t!!! Unknown prefetchable memory range types %x/%x\n", pref_base,
			pref_limit);
	} else {
		uint64_t b = (uint64_t)(pref_base & PCI_PREF_RANGE_MASK) << 16;
		uint64_t l = (uint64_t)(pref_limit & PCI_PREF_RANGE_MASK) << 16;

		if (pref_type == PCI_PREF_RANGE_TYPE_64) {
			b |= (uint64_t)lspci__l(d, PCI_PREF_BASE_UPPER32) << 32;
			l |= (uint64_t)lspci__l(d, PCI_PREF_LIMIT_UPPER32) << 32;
		}
		show_range(out, "Prefetchable memory behind bridge", b, l + 0xfffff,
			   pref_type == PCI_PREF_RANGE_TYPE_64 ? 64 : 32, verbose);
	}
	if (verbose > 1)
		fprintf(
		    out,
		    "\tSecondary status: 66MHz%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c "
		    "<TAbort%c <MAbort%c <SERR%c <PERR%c\n",
		    FLAG(sec, PCI_STATUS_66MHZ), FLAG(sec, PCI_STATUS_FAST_BACK),
		    FLAG(sec, PCI_STATUS_PARITY), devsel(sec),
		    FLAG(sec, PCI_STATUS_SIG_TARGET_ABORT), FLAG(sec, PCI_STATUS_REC_TARGET_ABORT),
		    FLAG(sec, PCI_STATUS_REC_MASTER_ABORT), FLAG(sec, PCI_STATUS_SIG_SYSTEM_ERROR),
		    FLAG(sec, PCI_STATUS_DETECTED_PARITY));
	if (verbose > 1)
		fprintf(out,
			"\tBridgeCtl: Parity%c SERR%c NoISA%c VGA%c VGA16%c MAbort%c >Reset%c "
			"FastB2B%c\n\t\tPriDiscTmr%c SecDiscTmr%c DiscTmrStat%c DiscTmrSERREn%c\n",
			FLAG(brc, PCI_BRIDGE_CTL_PARITY), FLAG(brc, PCI_BRIDGE_CTL_SERR),
			FLAG(brc, PCI_BRIDGE_CTL_ISA), FLAG(brc, PCI_BRIDGE_CTL_VGA),
			FLAG(brc, 0x10 /* VGA 16-bit decode */),
			FLAG(brc, PCI_BRIDGE_CTL_MASTER_ABORT), FLAG(brc, PCI_BRIDGE_CTL_BUS_RESET),
			FLAG(brc, PCI_BRIDGE_CTL_FAST_BACK), FLAG(brc, 0x100), FLAG(brc, 0x200),
			FLAG(brc, 0x400), FLAG(brc, 0x800));
}

static void verbose_lines(FILE *out, const struct lspci_dev *d, const struct lspci_opts *o)
{
	unsigned htype = lspci__b(d, PCI_HEADER_TYPE) & 0x7f, cmd = lspci__w(d, PCI_COMMAND);
	unsigned status = lspci__w(d, PCI_STATUS), irq = lspci__b(d, PCI_INTERRUPT_LINE);
	unsigned pin = lspci__b(d, PCI_INTERRUPT_PIN), bist = lspci__b(d, PCI_BIST);
	unsigned min_gnt = htype == PCI_HEADER_TYPE_NORMAL ? lspci__b(d, PCI_MIN_GNT) : 0;
	unsigned max_lat = htype == PCI_HEADER_TYPE_NORMAL ? lspci__b(d, PCI_MAX_LAT) : 0;

	if (o->verbose > 1) {
		fprintf(
		    out,
		    "\tControl: I/O%c Mem%c BusMaster%c SpecCycle%c MemWINV%c VGASnoop%c ParErr%c "
		    "Stepping%c SERR%c FastB2B%c DisINTx%c\n",
		    FLAG(cmd, PCI_COMMAND_IO), FLAG(cmd, PCI_COMMAND_MEMORY),
		    FLAG(cmd, PCI_COMMAND_MASTER), FLAG(cmd, PCI_COMMAND_SPECIAL),
		    FLAG(cmd, PCI_COMMAND_INVALIDATE), FLAG(cmd, PCI_COMMAND_VGA_PALETTE),
		    FLAG(cmd, PCI_COMMAND_PARITY), FLAG(cmd, PCI_COMMAND_WAIT),
		    FLAG(cmd, PCI_COMMAND_SERR), FLAG(cmd, PCI_COMMAND_FAST_BACK),
		    FLAG(cmd, PCI_COMMAND_INTX_DISABLE));
		fprintf(out,
			"\tStatus: Cap%c 66MHz%c UDF%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c "
			"<TAbort%c <MAbort%c >SERR%c <PERR%c INTx%c\n",
			FLAG(status, PCI_STATUS_CAP_LIST), FLAG(status, PCI_STATUS_66MHZ),
			FLAG(status, PCI_STATUS_UDF), FLAG(status, PCI_STATUS_FAST_BACK),
			FLAG(status, PCI_STATUS_PARITY), devsel(status),
			FLAG(status, PCI_STATUS_SIG_TARGET_ABORT),
			FLAG(status, PCI_STATUS_REC_TARGET_ABORT),
			FLAG(status, PCI_STATUS_REC_MASTER_ABORT),
			FLAG(status, PCI_STATUS_SIG_SYSTEM_ERROR),
			FLAG(status, PCI_STATUS_DETECTED_PARITY),
			FLAG(status, PCI_STATUS_INTERRUPT));
		if (cmd & PCI_COMMAND_MASTER) {
			unsigned cache_line = lspci__b(d, PCI_CACHE_LINE_SIZE);

			fprintf(out, "\tLatency: %u", lspci__b(d, PCI_LATENCY_TIMER));
			if (min_gnt || max_lat) {
				fputs(" (", out);
				if (min_gnt)
					fprintf(out, "%uns min", min_gnt * 250);
				if (min_gnt && max_lat)
					fputs(", ", out);
				if (max_lat)
					fprintf(out, "%uns max", max_lat * 250);
				fputc(')', out);
			}
			if (cache_line)
				fprintf(out, ", Cache Line Size: %u bytes", cache_line * 4);
			fputc('\n', out);
		}
		if (pin || irq)
			fprintf(out, "\tInterrupt: pin %c routed to IRQ %u\n",
				pin ? 'A' + (int)pin - 1 : '?', irq);
	} else {
		fputs("\tFlags: ", out);
		if (cmd & PCI_COMMAND_MASTER)
			fputs("bus master, ", out);
		if (cmd & PCI_COMMAND_VGA_PALETTE)
			fputs("VGA palette snoop, ", out);
		if (cmd & PCI_COMMAND_WAIT)
			fputs("stepping, ", out);
		if (cmd & PCI_COMMAND_FAST_BACK)
			fputs("fast Back2Back, ", out);
		if (status & PCI_STATUS_66MHZ)
			fputs("66MHz, ", out);
		if (status & PCI_STATUS_UDF)
			fputs("user-definable features, ", out);
		fprintf(out, "%s devsel", devsel(status));
		if (cmd & PCI_COMMAND_MASTER)
			fprintf(out, ", latency %u", lspci__b(d, PCI_LATENCY_TIMER));
		if (irq)
			fprintf(out, ", IRQ %u", irq);
		fputc('\n', out);
	}
	if (bist & PCI_BIST_CAPABLE) {
		if (bist & PCI_BIST_START)
			fputs("\tBIST is running\n", out);
		else
			fprintf(out, "\tBIST result: %02x\n", bist & PCI_BIST_CODE_MASK);
	}
	if (htype == PCI_HEADER_TYPE_NORMAL)
		bases(out, d, 6, o->verbose);
	else if (htype == PCI_HEADER_TYPE_BRIDGE)
		bridge(out, d, o->verbose);
	else
		fprintf(out, "\t!!! Unknown header type %02x\n", htype);
	lspci__caps(out, d, o->verbose);
}

void lspci__show(FILE *out, const struct lspci_dev *d, const struct lspci_opts *o)
{
	terse(out, d, o);
	if (o->verbose && d->cfg_len >= 64)
		verbose_lines(out, d, o);
	if (o->kernel || o->verbose) {
		if (d->driver)
			fprintf(out, "\tKernel driver in use: %s\n", d->driver);
		for (unsigned i = 0; i < d->nmodules; i++)
			fprintf(out, "%s %s", i ? "," : "\tKernel modules:", d->modules[i]);
		if (d->nmodules)
			fputc('\n', out);
	}
	if (o->hex) {
		unsigned n = o->hex <= 2 ? 64 : o->hex == 3 ? 256 : 4096;

		pci_dump__rows(out, d->cfg, n < d->cfg_len ? n : d->cfg_len);
	}
	if (o->verbose || o->hex)
		fputc('\n', out);
}
