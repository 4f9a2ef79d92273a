/*
 * lspci -t: the bus tree drawn as pciutils' ls-tree.c draws it. Bridges (header type 1) own
 * the buses from their secondary to their subordinate number; a device sits on the bus of its
 * RID under the narrowest bridge whose range holds it; the host bridge holds bus 00.
 */
#include <linux/pci_regs.h>
#include <string.h>

#include "cli/lspci_priv.h"

#define MAX_BUSES (LSPCI_MAX_DEVS + 1)
#define LINE_MAX  1024

struct tree_bus {
	unsigned number;
	int devs[LSPCI_MAX_DEVS]; /* indexes into the device array, in RID order */
	unsigned ndevs;
};

struct tree_bridge {
	int dev; /* -1: the host bridge */
	unsigned secondary, subordinate;
	struct tree_bus buses[4];
	unsigned nbuses;
};

struct tree {
	const struct lspci_dev *devs;
	const struct lspci_opts *o;
	struct tree_bridge br[LSPCI_MAX_DEVS + 1];
	unsigned nbr;
	char line[LINE_MAX];
};

static struct tree_bus *bus_of(struct tree_bridge *b, unsigned number, bool add)
{
	for (unsigned i = 0; i < b->nbuses; i++)
		if (b->buses[i].number == number)
			return &b->buses[i];
	if (!add || b->nbuses == sizeof(b->buses) / sizeof(b->buses[0]))
		return NULL;
	b->buses[b->nbuses] = (struct tree_bus){.number = number};
	return &b->buses[b->nbuses++];
}

/* The narrowest bridge whose range holds @bus (0: the host bridge). */
static int holder(const struct tree *t, unsigned bus)
{
	int best = 0;

	for (unsigned i = 1; i < t->nbr; i++)
		if (t->br[i].secondary <= bus && bus <= t->br[i].subordinate &&
		    (best == 0 || t->br[i].subordinate - t->br[i].secondary <
				      t->br[best].subordinate - t->br[best].secondary))
			best = (int)i;
	return best;
}

static int bridge_of_dev(const struct tree *t, int dev)
{
	for (unsigned i = 1; i < t->nbr; i++)
		if (t->br[i].dev == dev)
			return (int)i;
	return -1;
}

static bool dev_shown(const struct tree *t, int dev);

static bool bus_shown(const struct tree *t, const struct tree_bus *bus)
{
	for (unsigned i = 0; i < bus->ndevs; i++)
		if (dev_shown(t, bus->devs[i]))
			return true;
	return false;
}

/* check_dev_filter: the device matches, or something below it does. */
static bool dev_shown(const struct tree *t, int dev)
{
	int b;

	if (!t->o->filtered || lspci_filter__match(&t->o->filter, &t->devs[dev]))
		return true;
	if ((b = bridge_of_dev(t, dev)) < 0)
		return false;
	for (unsigned i = 0; i < t->br[b].nbuses; i++)
		if (bus_shown(t, &t->br[b].buses[i]))
			return true;
	return false;
}

/* print_it: the line, then the same line blanked for the next one, '+' and '|' kept as '|'. */
static void emit(struct tree *t, FILE *out, char *p)
{
	*p = '\0';
	fprintf(out, "%s\n", t->line);
	for (p = t->line; *p; p++)
		*p = (*p == '+' || *p == '|') ? '|' : ' ';
}

static char *put(struct tree *t, char *p, const char *s)
{
	size_t room = (size_t)(t->line + LINE_MAX - 1 - p), n = strlen(s);

	if (n > room)
		n = room;
	memcpy(p, s, n);
	return p + n;
}

static void show_bridge(struct tree *t, FILE *out, int b, char *p);

static void show_dev(struct tree *t, FILE *out, int dev, char *p)
{
	const struct lspci_dev *d = &t->devs[dev];
	char buf[160];
	int b = bridge_of_dev(t, dev);

	snprintf(buf, sizeof(buf), "%02x.%x", PCI_RID_DEV(d->id.rid), PCI_RID_FN(d->id.rid));
	p = put(t, p, buf);
	if (b >= 0) {
		const struct tree_bridge *br = &t->br[b];

		if (br->secondary == 0)
			snprintf(buf, sizeof(buf), "-");
		else if (br->secondary == br->subordinate)
			snprintf(buf, sizeof(buf), "-[%02x]-", br->secondary);
		else
			snprintf(buf, sizeof(buf), "-[%02x-%02x]-", br->secondary, br->subordinate);
		show_bridge(t, out, b, put(t, p, buf));
		return;
	}
	if (t->o->verbose) {
		snprintf(buf, sizeof(buf), "  %s %s",
			 d->id.vendor ? d->id.vendor : "Unknown vendor",
			 d->id.name ? d->id.name : "Device");
		p = put(t, p, buf);
	}
	emit(t, out, p);
}

static void show_bus(struct tree *t, FILE *out, const struct tree_bus *bus, char *p)
{
	bool empty = true;

	if (!bus->ndevs) {
		emit(t, out, p);
		return;
	}
	if (bus->ndevs == 1) {
		if (dev_shown(t, bus->devs[0]))
			show_dev(t, out, bus->devs[0], put(t, p, "--"));
		else
			emit(t, out, p);
		return;
	}
	for (unsigned i = 0; i + 1 < bus->ndevs; i++)
		if (dev_shown(t, bus->devs[i])) {
			show_dev(t, out, bus->devs[i], put(t, p, "+-"));
			empty = false;
		}
	if (dev_shown(t, bus->devs[bus->ndevs - 1])) {
		show_dev(t, out, bus->devs[bus->ndevs - 1], put(t, p, "\\-"));
		empty = false;
	}
	if (empty)
		emit(t, out, p);
}

static void show_bridge(struct tree *t, FILE *out, int b, char *p)
{
	struct tree_bridge *br = &t->br[b];
	char buf[32];
	bool empty = true;

	p = put(t, p, "-");
	if (br->nbuses == 1) {
		if (bus_shown(t, &br->buses[0])) {
			if (b == 0) {
				snprintf(buf, sizeof(buf), "[0000:%02x]-", br->buses[0].number);
				p = put(t, p, buf);
			}
			show_bus(t, out, &br->buses[0], p);
		} else {
			emit(t, out, p);
		}
		return;
	}
	for (unsigned i = 0; i < br->nbuses; i++) {
		if (!bus_shown(t, &br->buses[i]))
			continue;
		snprintf(buf, sizeof(buf), "%s-[0000:%02x]-", i + 1 < br->nbuses ? "+" : "\\",
			 br->buses[i].number);
		show_bus(t, out, &br->buses[i], put(t, p, buf));
		empty = false;
	}
	if (empty)
		emit(t, out, p);
}

void lspci__tree(FILE *out, const struct lspci_dev *devs, unsigned n, const struct lspci_opts *o)
{
	static struct tree t;

	memset(&t, 0, sizeof(t));
	t.devs = devs;
	t.o = o;
	t.br[0] = (struct tree_bridge){.dev = -1, .secondary = 0, .subordinate = 0xff};
	t.nbr = 1;
	for (unsigned i = 0; i < n && t.nbr < sizeof(t.br) / sizeof(t.br[0]); i++)
		if ((devs[i].id.class16 >> 8) == 0x06 /* bridge */ &&
		    (lspci__b(&devs[i], PCI_HEADER_TYPE) & 0x7f) == PCI_HEADER_TYPE_BRIDGE)
			t.br[t.nbr++] = (struct tree_bridge){
			    .dev = (int)i,
			    .secondary = lspci__b(&devs[i], PCI_SECONDARY_BUS),
			    .subordinate = lspci__b(&devs[i], PCI_SUBORDINATE_BUS),
			};
	/* each bridge's secondary bus first, then the buses its devices are found on */
	for (unsigned i = 0; i < t.nbr; i++)
		bus_of(&t.br[i], t.br[i].secondary, true);
	for (unsigned i = 0; i < n; i++) {
		unsigned busnr = PCI_RID_BUS(devs[i].id.rid);
		int b = 0;
		struct tree_bus *bus;

		/* the bridge that has this bus, else the narrowest whose range holds it */
		for (b = 0; b < (int)t.nbr && !bus_of(&t.br[b], busnr, false); b++)
			;
		if (b == (int)t.nbr)
			b = holder(&t, busnr);
		bus = bus_of(&t.br[b], busnr, true);
		if (bus && bus->ndevs < LSPCI_MAX_DEVS)
			bus->devs[bus->ndevs++] = (int)i;
	}
	show_bridge(&t, out, 0, t.line);
}
