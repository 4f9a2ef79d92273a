/* lspci's -s and -d filters, with pciutils' syntax and messages (lib/filter.c). */
#include "cli/lspci.h"

#include <string.h>

#define FIELD_MAX 64

void lspci_filter__init(struct lspci_filter *f)
{
	*f = (struct lspci_filter){.domain = -1,
				   .bus = -1,
				   .slot = -1,
				   .func = -1,
				   .vendor = -1,
				   .device = -1,
				   .class16 = -1,
				   .progif = -1,
				   .class_mask = ~0u};
}

/* Split @s at @sep into at most @max fields (NULL past the last); false if there are more. */
static bool split(char *s, int sep, char **fields, unsigned max)
{
	unsigned i = 0;

	for (;;) {
		if (i == max)
			return false;
		fields[i++] = s;
		s = strchr(s, sep);
		if (!s)
			break;
		*s++ = '\0';
	}
	while (i < max)
		fields[i++] = NULL;
	return true;
}

static bool defined(const char *field)
{
	return field && field[0] && strcmp(field, "*");
}

/* A hex field no greater than @max; with @mask, 'x' digits match anything. An absent or '*'
 * field keeps the default. */
static bool hex_field(const char *s, int *out, unsigned *mask, unsigned max)
{
	unsigned v = 0, m = ~0u, bound = 0;

	if (!defined(s))
		return true;
	for (; *s; s++) {
		unsigned d;

		if ((*s == 'x' || *s == 'X') && mask) {
			v <<= 4;
			bound = bound << 4 | 1;
			m <<= 4;
		} else {
			if (*s >= '0' && *s <= '9')
				d = (unsigned)(*s - '0');
			else if (*s >= 'a' && *s <= 'f')
				d = (unsigned)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F')
				d = (unsigned)(*s - 'A' + 10);
			else
				return false;
			v = v << 4 | d;
			bound = bound << 4 | d;
			m = m << 4 | 0xf;
		}
		if (bound > max)
			return false;
	}
	*out = (int)v;
	if (mask)
		*mask = m;
	return true;
}

const char *lspci_filter__slot(struct lspci_filter *f, const char *str)
{
	char buf[FIELD_MAX], *fields[3], *sub[2];
	unsigned i = 0;

	if (strlen(str) >= sizeof(buf))
		return "Expression too long";
	strcpy(buf, str);
	if (!split(buf, ':', fields, 3))
		return "Too many fields";
	if (fields[2]) {
		if (!hex_field(fields[0], &f->domain, NULL, 0x7fffffff))
			return "Invalid domain number";
		i++;
	}
	if (fields[i + 1]) {
		if (!hex_field(fields[i], &f->bus, NULL, 0xff))
			return "Invalid bus number";
		i++;
	}
	if (defined(fields[i])) {
		if (!split(fields[i], '.', sub, 2))
			return "Invalid slot/function number";
		if (!hex_field(sub[0], &f->slot, NULL, 0x1f))
			return "Invalid slot number";
		if (!hex_field(sub[1], &f->func, NULL, 7))
			return "Invalid function number";
	}
	return NULL;
}

const char *lspci_filter__id(struct lspci_filter *f, const char *str)
{
	char buf[FIELD_MAX], *fields[4];

	if (strlen(str) >= sizeof(buf))
		return "Expression too long";
	strcpy(buf, str);
	if (!split(buf, ':', fields, 4))
		return "Too many fields";
	if (!fields[1])
		return "At least two fields must be given";
	if (!hex_field(fields[0], &f->vendor, NULL, 0xffff))
		return "Invalid vendor ID";
	if (!hex_field(fields[1], &f->device, NULL, 0xffff))
		return "Invalid device ID";
	if (!hex_field(fields[2], &f->class16, &f->class_mask, 0xffff))
		return "Invalid class code";
	if (!hex_field(fields[3], &f->progif, NULL, 0xff))
		return "Invalid programming interface code";
	return NULL;
}

bool lspci_filter__match(const struct lspci_filter *f, const struct lspci_dev *d)
{
	int bus = PCI_RID_BUS(d->id.rid), dev = PCI_RID_DEV(d->id.rid), fn = PCI_RID_FN(d->id.rid);

	if ((f->domain >= 0 && f->domain != 0) || (f->bus >= 0 && f->bus != bus) ||
	    (f->slot >= 0 && f->slot != dev) || (f->func >= 0 && f->func != fn))
		return false;
	if ((f->vendor >= 0 && f->vendor != d->id.vendor_id) ||
	    (f->device >= 0 && f->device != d->id.device_id))
		return false;
	if (f->class16 >= 0 && ((unsigned)f->class16 ^ d->id.class16) & f->class_mask)
		return false;
	if (f->progif >= 0 && f->progif != d->progif)
		return false;
	return true;
}
