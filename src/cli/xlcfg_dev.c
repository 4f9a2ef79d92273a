/*
 * The device spec strings of xl.cfg: PCI_SPEC_STRING (xl-pci-configuration(5)) and the vif spec
 * (xl-network-configuration(5)), restricted to what vfnet implements. Both are comma-separated
 * KEY=VALUE lists; each key at most once, an empty value means the default.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/suggest.h"
#include "cli/xlcfg.h"
#include "lib/compiler.h"

#define SHOW 40 /* bytes of a rejected value quoted in a message */

struct tok {
	const char *s;
	size_t n;
};

__attribute__((format(printf, 3, 4))) static int bad(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	/* values may hold a newline (the \n escape): keep the message on one line */
	for (char *c = msg; msglen && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -EINVAL;
}

static int show(struct tok t)
{
	return (int)MIN(t.n, SHOW);
}

static bool tok_is(struct tok t, const char *word)
{
	return t.n == strlen(word) && !memcmp(t.s, word, t.n);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned int hex_val(char c)
{
	return c <= '9' ? (unsigned int)(c - '0') : (unsigned int)((c | 0x20) - 'a' + 10);
}

/* 1..4 hex digits: 0 and *v, or -1. */
static int hex_num(struct tok t, unsigned int *v)
{
	if (!t.n || t.n > 4)
		return -1;
	*v = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (!is_hex(t.s[i]))
			return -1;
		*v = *v << 4 | hex_val(t.s[i]);
	}
	return 0;
}

/* 1..9 decimal digits: 0 and *v, or -1. */
static int dec_num(struct tok t, unsigned int *v)
{
	if (!t.n || t.n > 9)
		return -1;
	*v = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.s[i] < '0' || t.s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned int)(t.s[i] - '0');
	}
	return 0;
}

/* Copy a value into a field of @size bytes (NUL included): 0, or -1 if it does not fit. */
static int copy(char *dst, size_t size, struct tok t)
{
	if (t.n >= size)
		return -1;
	memcpy(dst, t.s, t.n);
	dst[t.n] = '\0';
	return 0;
}

static bool all_of(struct tok t, const char *extra)
{
	for (size_t i = 0; i < t.n; i++) {
		char c = t.s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
		    !strchr(extra, c))
			return false;
	}
	return true;
}

bool xlcfg__name_ok(const char *s)
{
	struct tok t = {s, strlen(s)};

	return t.n >= 1 && t.n <= XLCFG_NAME_MAX && s[0] != '-' && all_of(t, "_.-");
}

/* Decimal 0..255, no leading zeros; advances *p. */
static int octet(const char **p, unsigned int max, unsigned int *v)
{
	const char *s = *p;
	unsigned int n = 0;

	*v = 0;
	while (s[n] >= '0' && s[n] <= '9' && n < 4)
		*v = *v * 10 + (unsigned int)(s[n++] - '0');
	if (!n || n > 3 || (n > 1 && s[0] == '0') || *v > max)
		return -1;
	*p = s + n;
	return 0;
}

int xlcfg_ipv4__parse(const char *s, uint8_t addr[4], int *prefix)
{
	unsigned int v;

	for (int i = 0; i < 4; i++) {
		if (i && *s++ != '.')
			return -EINVAL;
		if (octet(&s, 255, &v))
			return -EINVAL;
		addr[i] = (uint8_t)v;
	}
	*prefix = -1;
	if (*s == '/') {
		s++;
		if (octet(&s, 32, &v))
			return -EINVAL;
		*prefix = (int)v;
	}
	return *s ? -EINVAL : 0;
}

/* ---- PCI_SPEC_STRING ------------------------------------------------------------------------ */

enum {
	PCI_BDF = 1u << 4, /* the low bits are XLCFG_PCI_* */
	PCI_VSLOT = 1u << 5,
	PCI_DRIVER = 1u << 6,
};

static const struct {
	const char *key;
	unsigned int bit;
} pci_keys[] = {
	{"bdf", PCI_BDF},
	{"vslot", PCI_VSLOT},
	{"permissive", XLCFG_PCI_PERMISSIVE},
	{"seize", XLCFG_PCI_SEIZE},
	{"msitranslate", XLCFG_PCI_MSITRANSLATE},
	{"power_mgmt", XLCFG_PCI_POWER_MGMT},
	{"driver", PCI_DRIVER}, /* vfnet's own: a guest driver by name, as driver_override */
};

/* A spec being parsed: where the message goes, and where in the spec the fault is. */
struct pspec {
	const char *spec;
	char *msg;
	size_t msglen;
	size_t off; /* of the token a message is about */
};

__attribute__((format(printf, 3, 4))) static int pbad(struct pspec *ps, const char *at,
						      const char *fmt, ...)
{
	va_list ap;

	ps->off = (size_t)(at - ps->spec);
	va_start(ap, fmt);
	vsnprintf(ps->msg, ps->msglen, fmt, ap);
	va_end(ap);
	for (char *c = ps->msg; ps->msglen && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -EINVAL;
}

/* [DDDD:]BB:DD.F */
static int pci_bdf(struct xlcfg_pci *pci, struct tok t, struct pspec *ps)
{
	const char *end = t.s + t.n, *dot = NULL;
	struct tok field[3], tdom = {t.s, 0}, tbus, tdev, tfn;
	unsigned int nf = 0, dom = 0, bus, dev, fn;
	bool ok = true;

	/* the colon-separated fields: BB, DD.F or DDDD, BB, DD.F */
	for (const char *s = t.s;;) {
		const char *colon = memchr(s, ':', (size_t)(end - s));

		if (nf == ARRAY_SIZE(field)) {
			ok = false;
			break;
		}
		field[nf++] = (struct tok){s, colon ? (size_t)(colon - s) : (size_t)(end - s)};
		if (!colon)
			break;
		s = colon + 1;
	}
	ok = ok && nf >= 2;
	if (ok) {
		struct tok last = field[nf - 1];

		dot = memchr(last.s, '.', last.n);
		ok = dot != NULL;
		if (ok) {
			tdev = (struct tok){last.s, (size_t)(dot - last.s)};
			tfn = (struct tok){dot + 1, (size_t)(last.s + last.n - dot - 1)};
			tbus = field[nf - 2];
			if (nf == 3)
				tdom = field[0];
		}
	}
	if (ok && tok_is(tfn, "*"))
		return pbad(ps, tfn.s, "function '*' (all functions) is not supported by vfnet");
	if (!ok || (nf == 3 && hex_num(tdom, &dom)) || hex_num(tbus, &bus) || hex_num(tdev, &dev) ||
	    hex_num(tfn, &fn))
		return pbad(ps, t.s, "'%.*s' is not a PCI address [DDDD:]BB:DD.F", show(t), t.s);
	if (dom)
		return pbad(ps, tdom.s,
			    "PCI domain %04x does not exist: vfnet has domain 0000 only", dom);
	if (bus > 0xff)
		return pbad(ps, tbus.s, "bus %x is out of range 00-ff", bus);
	if (dev > 0x1f)
		return pbad(ps, tdev.s, "device %x is out of range 00-1f", dev);
	if (fn > 7)
		return pbad(ps, tfn.s, "function %x is out of range 0-7", fn);
	pci->bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
	return 0;
}

/* Hex, with or without 0x, 0x01..0x1f: slot 0 is the guest's host bridge. */
static int pci_vslot(struct xlcfg_pci *pci, struct tok t, struct pspec *ps)
{
	struct tok h = t;
	unsigned int v;

	if (h.n > 2 && h.s[0] == '0' && (h.s[1] == 'x' || h.s[1] == 'X')) {
		h.s += 2;
		h.n -= 2;
	}
	if (hex_num(h, &v))
		return pbad(ps, t.s, "vslot '%.*s' is not a hex number", show(t), t.s);
	if (v < 0x01 || v > 0x1f)
		return pbad(ps, t.s, "vslot 0x%x is out of range 0x01-0x1f", v);
	pci->vslot = (int)v;
	return 0;
}

static int pci_param(struct xlcfg_pci *pci, unsigned int *seen, struct tok key, struct tok val,
		     struct pspec *ps)
{
	const char *names[ARRAY_SIZE(pci_keys)], *near;
	unsigned int bit = 0;
	const char *name = NULL;

	for (unsigned int i = 0; i < ARRAY_SIZE(pci_keys); i++) {
		names[i] = pci_keys[i].key;
		if (tok_is(key, pci_keys[i].key)) {
			bit = pci_keys[i].bit;
			name = pci_keys[i].key;
		}
	}
	if (!bit) {
		near = suggest__nearest(key.s, key.n, names, ARRAY_SIZE(names));
		if (near)
			return pbad(ps, key.s, "key '%.*s' is not supported by vfnet; did you mean "
					       "'%s'?",
				    show(key), key.s, near);
		return pbad(ps, key.s, "key '%.*s' is not supported by vfnet", show(key), key.s);
	}
	if (*seen & bit)
		return pbad(ps, key.s, "'%s' given twice", name);
	*seen |= bit;
	if (!val.n)
		return 0; /* the default */
	if (bit == PCI_BDF)
		return pci_bdf(pci, val, ps);
	if (bit == PCI_VSLOT)
		return pci_vslot(pci, val, ps);
	if (bit == PCI_DRIVER) {
		if (!all_of(val, "_-") || copy(pci->driver, sizeof(pci->driver), val))
			return pbad(ps, val.s, "driver '%.*s' is not a driver's name ([a-z0-9_-], "
					       "1..31)", show(val), val.s);
		for (size_t i = 0; i < val.n; i++)
			if (val.s[i] >= 'A' && val.s[i] <= 'Z')
				return pbad(ps, val.s, "driver '%.*s': names are lower case",
					    show(val), val.s);
		return 0;
	}
	if (!tok_is(val, "0") && !tok_is(val, "1"))
		return pbad(ps, val.s, "%s must be 0 or 1, not '%.*s'", name, show(val), val.s);
	pci->given |= bit;
	switch (bit) {
	case XLCFG_PCI_PERMISSIVE:
		pci->permissive = val.s[0] == '1';
		break;
	case XLCFG_PCI_SEIZE:
		pci->seize = val.s[0] == '1';
		break;
	case XLCFG_PCI_MSITRANSLATE:
		pci->msitranslate = val.s[0] == '1';
		break;
	default:
		pci->power_mgmt = val.s[0] == '1';
	}
	return 0;
}

int xlcfg_pci__parse_at(struct xlcfg_pci *pci, const char *spec, char *msg, size_t msglen,
			size_t *off)
{
	struct pspec ps = {.spec = spec, .msg = msg, .msglen = msglen};
	unsigned int seen = 0;
	const char *p = spec;
	int ret;

	memset(pci, 0, sizeof(*pci));
	pci->vslot = -1;
	if (off)
		*off = 0;
	if (!*spec)
		return pbad(&ps, spec, "no PCI address given");
	for (bool first = true;; first = false) {
		const char *comma = strchr(p, ',');
		struct tok t = {p, comma ? (size_t)(comma - p) : strlen(p)};
		const char *eq = memchr(t.s, '=', t.n), *at;

		if (!t.n) {
			ret = pbad(&ps, t.s, "empty parameter (two commas, or one at the end)");
		} else if (eq) {
			struct tok key = {t.s, (size_t)(eq - t.s)};
			struct tok val = {eq + 1, (size_t)(t.s + t.n - eq - 1)};

			ret = pci_param(pci, &seen, key, val, &ps);
		} else if (first) {
			/* BDF[@VSLOT] */
			at = memchr(t.s, '@', t.n);
			seen |= PCI_BDF | (at ? PCI_VSLOT : 0);
			ret = pci_bdf(pci, (struct tok){t.s, at ? (size_t)(at - t.s) : t.n}, &ps);
			if (!ret && at)
				ret = pci_vslot(pci,
						(struct tok){at + 1, (size_t)(t.s + t.n - at - 1)},
						&ps);
		} else {
			ret = pbad(&ps, t.s, "'%.*s' is not KEY=VALUE", show(t), t.s);
		}
		if (ret) {
			if (off)
				*off = ps.off;
			return ret;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	if (!(seen & PCI_BDF))
		return pbad(&ps, spec, "no PCI address given: BB:DD.F or bdf=BB:DD.F");
	return 0;
}

int xlcfg_pci__parse(struct xlcfg_pci *pci, const char *spec, char *msg, size_t msglen)
{
	return xlcfg_pci__parse_at(pci, spec, msg, msglen, NULL);
}

/* ---- vif spec ------------------------------------------------------------------------------- */

enum vif_key {
	VIF_MAC,
	VIF_BRIDGE,
	VIF_VIFNAME,
	VIF_IP,
	VIF_MTU,
	VIF_RATE,
	VIF_BACKEND,
	VIF_DEVID,
	VIF_SCRIPT,
	VIF_MODEL,
	VIF_TYPE,
};

static const char *const vif_keys[] = {
	[VIF_MAC] = "mac",         [VIF_BRIDGE] = "bridge", [VIF_VIFNAME] = "vifname",
	[VIF_IP] = "ip",           [VIF_MTU] = "mtu",       [VIF_RATE] = "rate",
	[VIF_BACKEND] = "backend", [VIF_DEVID] = "devid",   [VIF_SCRIPT] = "script",
	[VIF_MODEL] = "model",     [VIF_TYPE] = "type",
};

static int vif_mac(struct xlcfg_vif *vif, struct tok t, char *msg, size_t msglen)
{
	bool ok = t.n == 17;

	for (size_t i = 0; ok && i < 6; i++) {
		ok = is_hex(t.s[i * 3]) && is_hex(t.s[i * 3 + 1]) &&
		     (i == 5 || t.s[i * 3 + 2] == ':');
		if (ok)
			vif->mac[i] = (uint8_t)(hex_val(t.s[i * 3]) << 4 | hex_val(t.s[i * 3 + 1]));
	}
	if (!ok)
		return bad(msg, msglen, "mac '%.*s' is not xx:xx:xx:xx:xx:xx", show(t), t.s);
	if (vif->mac[0] & 1)
		return bad(msg, msglen, "mac %.17s is a multicast address", t.s);
	if (!(vif->mac[0] | vif->mac[1] | vif->mac[2] | vif->mac[3] | vif->mac[4] | vif->mac[5]))
		return bad(msg, msglen, "mac 00:00:00:00:00:00 is not an address");
	vif->has_mac = true;
	return 0;
}

/* RATE/s[@INTERVAL]: RATE digits and B KB MB GB (bytes) or b Kb Mb Gb (bits), INTERVAL digits
 * and s ms us. */
static bool rate_ok(struct tok t)
{
	size_t i = 0, d;

	for (d = i; i < t.n && t.s[i] >= '0' && t.s[i] <= '9'; i++)
		;
	if (i == d)
		return false;
	if (i < t.n && strchr("KMG", t.s[i]))
		i++;
	if (i < t.n && (t.s[i] == 'b' || t.s[i] == 'B'))
		i++;
	else if (i && strchr("KMG", t.s[i - 1]))
		return false;
	if (i + 2 > t.n || t.s[i] != '/' || t.s[i + 1] != 's')
		return false;
	i += 2;
	if (i == t.n)
		return true;
	if (t.s[i++] != '@')
		return false;
	for (d = i; i < t.n && t.s[i] >= '0' && t.s[i] <= '9'; i++)
		;
	if (i == d)
		return false;
	return i == t.n || tok_is((struct tok){t.s + i, t.n - i}, "s") ||
	       tok_is((struct tok){t.s + i, t.n - i}, "ms") ||
	       tok_is((struct tok){t.s + i, t.n - i}, "us");
}

static int vif_param(struct xlcfg_vif *vif, enum vif_key k, struct tok val, char *msg,
		     size_t msglen)
{
	char buf[32];
	uint8_t addr[4];
	unsigned int v;
	int prefix;

	switch (k) {
	case VIF_MAC:
		return vif_mac(vif, val, msg, msglen);
	case VIF_BRIDGE:
	case VIF_VIFNAME:
		if (val.n > 15 || !all_of(val, "_.-"))
			return bad(
			    msg, msglen,
			    "%s '%.*s' is not an interface name (up to 15 of A-Z a-z 0-9 _ . -)",
			    vif_keys[k], show(val), val.s);
		copy(k == VIF_BRIDGE ? vif->bridge : vif->vifname, sizeof(vif->bridge), val);
		return 0;
	case VIF_IP:
		if (copy(buf, sizeof(buf), val) || xlcfg_ipv4__parse(buf, addr, &prefix))
			return bad(msg, msglen, "ip '%.*s' is not an IPv4 address A.B.C.D[/PREFIX]",
				   show(val), val.s);
		copy(vif->ip, sizeof(vif->ip), val);
		return 0;
	case VIF_MTU:
		if (dec_num(val, &v) || v < 68 || v > 9000)
			return bad(msg, msglen, "mtu must be 68..9000, not '%.*s'", show(val),
				   val.s);
		vif->mtu = v;
		return 0;
	case VIF_RATE:
		if (!rate_ok(val) || copy(vif->rate, sizeof(vif->rate), val))
			return bad(msg, msglen, "rate '%.*s' is not RATE/s[@INTERVAL], like 10Mb/s",
				   show(val), val.s);
		return 0;
	case VIF_BACKEND:
		if (copy(buf, sizeof(buf), val) || !xlcfg__name_ok(buf))
			return bad(msg, msglen, "backend '%.*s' is not a domain name", show(val),
				   val.s);
		copy(vif->backend, sizeof(vif->backend), val);
		return 0;
	case VIF_DEVID:
		if (dec_num(val, &v) || v > 255)
			return bad(msg, msglen, "devid must be 0..255, not '%.*s'", show(val),
				   val.s);
		vif->devid = (int)v;
		return 0;
	case VIF_SCRIPT:
		if (!all_of(val, "_.-/") || copy(vif->script, sizeof(vif->script), val))
			return bad(msg, msglen,
				   "script '%.*s' is not a path (up to 63 of A-Z a-z 0-9 _ . - /)",
				   show(val), val.s);
		return 0;
	case VIF_MODEL:
		if (!all_of(val, "_-") || copy(vif->model, sizeof(vif->model), val))
			return bad(msg, msglen, "model '%.*s' is not a NIC model name", show(val),
				   val.s);
		return 0;
	case VIF_TYPE:
		if (!tok_is(val, "vif") && !tok_is(val, "ioemu"))
			return bad(msg, msglen, "type must be 'vif' or 'ioemu', not '%.*s'",
				   show(val), val.s);
		copy(vif->type, sizeof(vif->type), val);
		return 0;
	}
	return -EINVAL;
}

int xlcfg_vif__parse(struct xlcfg_vif *vif, const char *spec, char *msg, size_t msglen)
{
	unsigned int seen = 0;
	const char *p = spec;

	memset(vif, 0, sizeof(*vif));
	vif->devid = -1;
	if (!*spec)
		return 0; /* '': a NIC with all defaults */
	for (;;) {
		const char *comma = strchr(p, ',');
		struct tok t = {p, comma ? (size_t)(comma - p) : strlen(p)};
		const char *eq = memchr(t.s, '=', t.n);
		struct tok key, val;
		unsigned int k;
		int ret;

		if (!t.n)
			return bad(msg, msglen, "empty parameter (two commas, or one at the end)");
		if (!eq)
			return bad(msg, msglen, "'%.*s' is not KEY=VALUE", show(t), t.s);
		key = (struct tok){t.s, (size_t)(eq - t.s)};
		val = (struct tok){eq + 1, (size_t)(t.s + t.n - eq - 1)};
		for (k = 0; k < ARRAY_SIZE(vif_keys) && !tok_is(key, vif_keys[k]); k++)
			;
		if (k == ARRAY_SIZE(vif_keys))
			return bad(msg, msglen, "key '%.*s' is not supported by vfnet", show(key),
				   key.s);
		if (seen & BIT(k))
			return bad(msg, msglen, "'%s' given twice", vif_keys[k]);
		seen |= BIT(k);
		if (val.n) {
			ret = vif_param(vif, (enum vif_key)k, val, msg, msglen);
			if (ret)
				return ret;
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}
