/* "key=value" options of apps: see opts.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vfnet/app.h"
#include "vfnet/os.h"

#include "opts.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int opts__mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	char sep = 0;

	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]),
		    lo = hi < 0 ? -1 : hexval(s[1]); /* s[1] may be past the end */

		if (hi < 0 || lo < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i == 5)
			break;
		if (*s != ':' && *s != '-')
			return -EINVAL;
		if (sep && *s != sep)
			return -EINVAL;
		sep = *s++;
	}
	if (*s)
		return -EINVAL;
	memcpy(mac, m, 6);
	return 0;
}

int opts__ipv4(const char *s, uint32_t *addr_be)
{
	uint8_t a[4];

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return -EINVAL;
		a[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	memcpy(addr_be, a, 4);
	return 0;
}

int opts__number(const char *s, enum opt_type type, uint64_t *v)
{
	uint64_t n = 0, mult = 1, unit = type == OPT_SIZE ? 1024 : 1000;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
	}
	if (type != OPT_UINT) {
		switch (*s) {
		case 'k':
		case 'K':
			mult = unit, s++;
			break;
		case 'm':
		case 'M':
			mult = unit * unit, s++;
			break;
		case 'g':
		case 'G':
			mult = unit * unit * unit, s++;
			break;
		}
	}
	if (type == OPT_RATE && !strcmp(s, "pps"))
		s += 3;
	if (*s)
		return -EINVAL;
	if (n && mult > UINT64_MAX / n)
		return -ERANGE;
	*v = n * mult;
	return 0;
}

/* What a bad value should have looked like, for the message. */
static void opts__expect(const struct opt *o, char *buf, size_t len)
{
	switch (o->type) {
	case OPT_MAC:
		snprintf(buf, len, "a MAC address like 02:00:00:00:00:01");
		break;
	case OPT_IPV4:
		snprintf(buf, len, "an IPv4 address like 10.0.0.1");
		break;
	case OPT_STR:
		snprintf(buf, len, "1..%" PRIu64 " characters", o->max);
		break;
	case OPT_VLAN:
		snprintf(buf, len, "0..4094");
		break;
	default:
		if (o->max == UINT64_MAX)
			snprintf(buf, len, "%" PRIu64 " or more%s", o->min,
				 o->type == OPT_UINT ? "" : ", K/M/G suffixes");
		else
			snprintf(buf, len, "%" PRIu64 "..%" PRIu64, o->min, o->max);
		break;
	}
}

static int opts__value(const struct opt *o, const char *s)
{
	uint64_t v;
	size_t len;

	switch (o->type) {
	case OPT_MAC:
		return opts__mac(s, o->val);
	case OPT_IPV4:
		return opts__ipv4(s, o->val);
	case OPT_STR:
		len = strlen(s);
		if (!len || len > o->max)
			return -EINVAL;
		memcpy(o->val, s, len + 1);
		return 0;
	case OPT_VLAN:
		if (opts__number(s, OPT_UINT, &v) || v > 4094)
			return -EINVAL;
		*(uint64_t *)o->val = v;
		return 0;
	default:
		if (opts__number(s, o->type, &v) || v < o->min || v > o->max)
			return -EINVAL;
		*(uint64_t *)o->val = v;
		return 0;
	}
}

int opts__parse(const char *app, const struct opt *table, int argc, char **argv, char *err)
{
	uint64_t seen = 0; /* bit per table entry */
	unsigned n = 0;

	while (table[n].key)
		n++;
	if (n > 64) {
		snprintf(err, APP_ERR_MAX, "%s: too many options in the table", app);
		return -EINVAL;
	}
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t klen = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		unsigned k;

		for (k = 0; k < n; k++)
			if (strlen(table[k].key) == klen && !strncmp(table[k].key, argv[i], klen))
				break;
		if (k == n) {
			snprintf(err, APP_ERR_MAX, "%s: unknown option '%.*s'", app,
				 (int)(klen > 40 ? 40 : klen), argv[i]);
			return -EINVAL;
		}
		if (!eq) {
			snprintf(err, APP_ERR_MAX, "%s: option '%s' needs a value (%s=...)", app,
				 table[k].key, table[k].key);
			return -EINVAL;
		}
		if (seen & (1ull << k)) {
			snprintf(err, APP_ERR_MAX, "%s: option '%s' given twice", app,
				 table[k].key);
			return -EINVAL;
		}
		if (opts__value(&table[k], eq + 1)) {
			char expect[64];

			opts__expect(&table[k], expect, sizeof(expect));
			snprintf(err, APP_ERR_MAX, "%s: bad value '%.40s' for %s (%s)", app, eq + 1,
				 table[k].key, expect);
			return -EINVAL;
		}
		seen |= 1ull << k;
	}
	for (unsigned k = 0; k < n; k++) {
		if (table[k].given)
			*table[k].given = seen & (1ull << k);
		if (table[k].required && !(seen & (1ull << k))) {
			snprintf(err, APP_ERR_MAX, "%s: missing option %s=", app, table[k].key);
			return -EINVAL;
		}
	}
	return 0;
}

int opts__config_ipv4(const char *key, uint32_t *addr_be)
{
	const char *v = os__config(key);
	char buf[16];
	size_t len;

	if (!v)
		return -ENOENT;
	len = strcspn(v, "/");
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, v, len);
	buf[len] = 0;
	return opts__ipv4(buf, addr_be);
}
