/*
 * xl.cfg files: the lexer, the statement grammar and the table of keys vfnet accepts, applies or
 * ignores with a warning. The device spec strings inside `pci` and `vif` are xlcfg_dev.c's.
 *
 * The text is checked as a whole first (size, line length, NUL and control characters), so the
 * grammar below only ever sees printable text, tabs, CRs and newlines. Each statement is parsed
 * completely, then applied; a key's handler validates the whole value before it changes @cfg, so
 * a failed override leaves @cfg as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/suggest.h"
#include "cli/xlcfg.h"
#include "lib/compiler.h"

#define CMDLINE	       "<command line>"
#define SHOW	       40  /* bytes of a rejected value quoted in a message */
#define XLCFG_KEYS_MAX 160 /* entries of the key table */

struct pos {
	unsigned int line, col;
};

struct item {
	const char *s; /* decoded, NUL-terminated, in the parser's scratch buffer */
	size_t len;
	struct pos at; /* of the opening quote (of the word, when bare) */
	bool raw;      /* no escapes: byte n of s is at column at.col + 1 + n */
};

enum kind {
	V_NUM,
	V_STR,
	V_LIST,
	V_BOOL, /* only as what a key wants: a V_NUM of 0 or 1 */
	V_ANY,	/* only as what an ignored key wants: whatever parses */
};

struct value {
	enum kind kind;
	bool bare; /* a V_STR written as a bare word (the command line only) */
	struct pos at;
	uint64_t num;
	unsigned int n; /* items: 1 for V_STR */
	struct item item[XLCFG_LIST_MAX];
};

struct parser {
	const char *file;
	const char *p, *end;
	const char *bol; /* beginning of the current line */
	unsigned int line;
	char *scratch; /* decoded strings of the current statement; as large as the text */
	size_t used;
	char *err;
	size_t errlen;
	const char *key; /* of the current statement */
	size_t keylen;
	struct pos key_at;
	struct value v;
	bool bare_words;		    /* the command line: name=vm2 means name='vm2' */
	unsigned int first[XLCFG_KEYS_MAX]; /* line each key was first given on, 0: not yet */
};

struct key {
	const char *name;
	enum kind kind;
	int (*set)(struct parser *ps, struct xlcfg *cfg, const struct key *k,
		   const struct value *v);
	size_t off;	     /* of the bool field, for set_bool */
	const char *ignored; /* accepted with a warning: why vfnet has no use for it */
};

static void clean(char *s)
{
	/* a value may hold a newline (the \n escape): keep messages on one line */
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

__attribute__((format(printf, 3, 4))) static void say(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	clean(err);
}

__attribute__((format(printf, 3, 4))) static int fail(struct parser *ps, struct pos at,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->errlen)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->file, at.line, at.col);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	clean(ps->err);
	return -EINVAL;
}

static int show(size_t len)
{
	return (int)MIN(len, SHOW);
}

/* "FILE:LINE: warning: ..." into cfg->warn; the statement is applied all the same. */
__attribute__((format(printf, 4, 5))) static int warn(struct parser *ps, struct xlcfg *cfg,
						      unsigned int line, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (cfg->nr_warn == XLCFG_WARN_MAX) {
		cfg->warn_lost++;
		return 0;
	}
	n = snprintf(buf, sizeof(buf), "%s:%u: warning: ", ps->file, line);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	clean(buf);
	if (!(cfg->warn[cfg->nr_warn] = strdup(buf))) {
		fail(ps, (struct pos){line, 1}, "out of memory");
		return -ENOMEM;
	}
	cfg->nr_warn++;
	return 0;
}

static struct pos here(const struct parser *ps)
{
	return (struct pos){ps->line, (unsigned int)(ps->p - ps->bol) + 1};
}

static bool at_end(const struct parser *ps)
{
	return ps->p == ps->end;
}

static bool is_key_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_key_char(char c)
{
	return is_key_start(c) || (c >= '0' && c <= '9');
}

/* ---- Lexer ---------------------------------------------------------------------------------- */

/* Whole-text checks, so that the grammar sees no NUL, control character or overlong line. */
static int check_text(struct parser *ps)
{
	unsigned int col = 1;

	for (const char *c = ps->p; c < ps->end; c++, col++) {
		unsigned char ch = (unsigned char)*c;

		if (ch == '\n') {
			ps->line++;
			col = 0;
			continue;
		}
		if (col > XLCFG_LINE_MAX)
			return fail(ps, (struct pos){ps->line, col}, "line is longer than %u bytes",
				    XLCFG_LINE_MAX);
		if (!ch)
			return fail(ps, (struct pos){ps->line, col}, "NUL byte");
		if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
			return fail(ps, (struct pos){ps->line, col}, "control character 0x%02x",
				    ch);
	}
	ps->line = 1;
	return 0;
}

/* Blanks and comments; newlines too if @newlines (inside a list). */
static void skip(struct parser *ps, bool newlines)
{
	while (!at_end(ps)) {
		char c = *ps->p;

		if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else if (c == '#') {
			while (!at_end(ps) && *ps->p != '\n')
				ps->p++;
		} else if (c == '\n' && newlines) {
			ps->p++;
			ps->line++;
			ps->bol = ps->p;
		} else {
			break;
		}
	}
}

static int parse_string(struct parser *ps, struct item *it)
{
	struct pos at = here(ps);
	char quote = *ps->p++;
	char *out = ps->scratch + ps->used;
	size_t n = 0;
	bool raw = true;

	for (;;) {
		char c;

		if (at_end(ps) || *ps->p == '\n')
			return fail(ps, at, "string is not closed on its line");
		c = *ps->p++;
		if (c == quote)
			break;
		if (c == '\\') {
			struct pos esc = {ps->line, (unsigned int)(ps->p - ps->bol)};

			if (at_end(ps) || *ps->p == '\n')
				return fail(ps, at, "string is not closed on its line");
			c = *ps->p++;
			raw = false;
			if (c == 'n')
				c = '\n';
			else if (c != '\\' && c != '"' && c != '\'')
				return fail(ps, esc,
					    "unknown escape '\\%c' (there are \\\\ \\\" \\' \\n)",
					    c);
		}
		out[n++] = c;
	}
	/* a string takes two quotes more than its decoded bytes and NUL: scratch cannot overflow */
	out[n] = '\0';
	ps->used += n + 1;
	it->s = out;
	it->len = n;
	it->at = at;
	it->raw = raw;
	return 0;
}

/* A bare word on the command line, up to a blank, ';' or '#': a string, as xl takes it. */
static int parse_word(struct parser *ps, struct value *v)
{
	struct item *it = &v->item[0];
	const char *w = ps->p;
	char *out = ps->scratch + ps->used;
	size_t n;

	while (!at_end(ps) && !strchr(" \t\r\n;#'\"[]", *ps->p))
		ps->p++;
	n = (size_t)(ps->p - w);
	memcpy(out, w, n);
	out[n] = '\0';
	ps->used += n + 1;
	*it = (struct item){.s = out, .len = n, .at = v->at, .raw = true};
	it->at.col--; /* columns of a string count from its opening quote */
	v->kind = V_STR;
	v->bare = true;
	v->n = 1;
	return 0;
}

/* Decimal or 0x hex, up to UINT32_MAX. */
static int parse_number(struct parser *ps, struct value *v)
{
	const char *s = ps->p;
	bool hex;
	size_t n;

	while (!at_end(ps) && is_key_char(*ps->p))
		ps->p++;
	n = (size_t)(ps->p - s);
	hex = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	v->num = 0;
	for (size_t i = hex ? 2 : 0; i < n; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			d = (unsigned int)((c | 0x20) - 'a' + 10);
		else
			return fail(ps, v->at, "'%.*s' is not a number (decimal, or hex with 0x)",
				    show(n), s);
		v->num = v->num * (hex ? 16 : 10) + d;
		if (v->num > UINT32_MAX)
			return fail(ps, v->at, "number %.*s is too large", show(n), s);
	}
	return 0;
}

static int parse_list(struct parser *ps, struct value *v)
{
	struct pos open = here(ps);

	ps->p++;
	for (;;) {
		skip(ps, true);
		if (at_end(ps))
			break;
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (*ps->p == '"' || *ps->p == '\'') {
			int ret;

			if (v->n == XLCFG_LIST_MAX)
				return fail(ps, here(ps), "list has more than %u items",
					    XLCFG_LIST_MAX);
			ret = parse_string(ps, &v->item[v->n++]);
			if (ret)
				return ret;
		} else {
			return fail(ps, here(ps), "expected a quoted string or ']' in the list");
		}
		skip(ps, true);
		if (at_end(ps))
			break;
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail(ps, here(ps), "expected ',' or ']' in the list");
		ps->p++;
	}
	return fail(ps, here(ps), "list opened at %u:%u is not closed", open.line, open.col);
}

static int parse_value(struct parser *ps, struct value *v)
{
	char c = at_end(ps) ? '\n' : *ps->p;

	v->at = here(ps);
	v->n = 0;
	v->bare = false;
	if (c == '"' || c == '\'') {
		v->kind = V_STR;
		v->n = 1;
		return parse_string(ps, &v->item[0]);
	}
	if (c >= '0' && c <= '9') {
		v->kind = V_NUM;
		return parse_number(ps, v);
	}
	if (c == '[') {
		v->kind = V_LIST;
		return parse_list(ps, v);
	}
	if (is_key_start(c) && ps->bare_words)
		return parse_word(ps, v);
	if (is_key_start(c)) {
		const char *w = ps->p;

		while (!at_end(ps) && is_key_char(*ps->p))
			ps->p++;
		return fail(ps, v->at, "expected a value: strings are quoted, as in '%.*s'",
			    show((size_t)(ps->p - w)), w);
	}
	return fail(ps, v->at, "expected a value after '=': a 'string', a number or a [ list ]");
}

/*
 * KEY = VALUE [;], into ps->key and ps->v. 1 for a statement, 0 at the end of the text, or an
 * error. Empty statements (blank lines, lone ';') are skipped.
 */
static int parse_statement(struct parser *ps)
{
	int ret;

	for (;;) {
		skip(ps, true);
		if (at_end(ps) || *ps->p != ';')
			break;
		ps->p++;
	}
	if (at_end(ps))
		return 0;
	ps->used = 0;
	ps->key_at = here(ps);
	if (!is_key_start(*ps->p))
		return fail(ps, ps->key_at,
			    "expected a key (A-Z a-z 0-9 _, not starting with a digit)");
	ps->key = ps->p;
	while (!at_end(ps) && is_key_char(*ps->p))
		ps->p++;
	ps->keylen = (size_t)(ps->p - ps->key);
	skip(ps, false);
	if (at_end(ps) || *ps->p != '=')
		return fail(ps, here(ps), "expected '=' after key '%.*s'", show(ps->keylen),
			    ps->key);
	ps->p++;
	skip(ps, false);
	ret = parse_value(ps, &ps->v);
	if (ret)
		return ret;
	skip(ps, false);
	if (!at_end(ps) && *ps->p != ';' && *ps->p != '\n')
		return fail(ps, here(ps), "expected ';' or a new line after the value of '%.*s'",
			    show(ps->keylen), ps->key);
	if (!at_end(ps) && *ps->p == ';')
		ps->p++;
	return 1;
}

/* ---- Keys ----------------------------------------------------------------------------------- */

static int set_name(struct parser *ps, struct xlcfg *cfg, const struct key *k,
		    const struct value *v)
{
	const struct item *it = &v->item[0];

	const char *why = NULL;

	if (!it->len)
		why = "is empty";
	else if (it->len > XLCFG_NAME_MAX)
		why = "is longer than 31 bytes";
	else if (it->s[0] == '-')
		why = "starts with '-'";
	else if (!xlcfg__name_ok(it->s))
		why = "has a character other than A-Z a-z 0-9 _ . -";
	if (why)
		return fail(ps, v->at, "name '%.*s' %s", show(it->len), it->s, why);
	memcpy(cfg->name, it->s, it->len + 1);
	return 0;
}

static int set_memory(struct parser *ps, struct xlcfg *cfg, const struct key *k,
		      const struct value *v)
{
	if (v->num < 1 || v->num > XLCFG_MEMORY_MAX)
		return fail(ps, v->at, "memory must be 1..%u MiB, not %llu", XLCFG_MEMORY_MAX,
			    (unsigned long long)v->num);
	cfg->memory_mib = (unsigned int)v->num;
	return 0;
}

static int set_vcpus(struct parser *ps, struct xlcfg *cfg, const struct key *k,
		     const struct value *v)
{
	if (!v->num)
		return fail(ps, v->at, "vcpus must be at least 1");
	cfg->vcpus = 1;
	if (v->num > 1)
		return warn(ps, cfg, ps->key_at.line,
			    "vcpus = %llu ignored: vfnet domains have one vCPU",
			    (unsigned long long)v->num);
	return 0;
}

/* xl's actions on a crash; those vfnet cannot do exactly become the nearest, with a warning. */
static int set_on_crash(struct parser *ps, struct xlcfg *cfg, const struct key *k,
			const struct value *v)
{
	static const struct {
		const char *name;
		enum xlcfg_on_crash act;
		const char *note; /* why it is another action here */
	} acts[] = {
		{"destroy", XLCFG_CRASH_DESTROY, NULL},
		{"restart", XLCFG_CRASH_RESTART, NULL},
		{"preserve", XLCFG_CRASH_PRESERVE, NULL},
		{"coredump-destroy", XLCFG_CRASH_DESTROY, "no core dump: destroy"},
		{"coredump-restart", XLCFG_CRASH_RESTART, "no core dump: restart"},
		{"rename-restart", XLCFG_CRASH_RESTART, "the name is kept: restart"},
		{"soft-reset", XLCFG_CRASH_RESTART, "no soft reset: restart"},
	};
	const struct item *it = &v->item[0];

	for (unsigned int i = 0; i < ARRAY_SIZE(acts); i++) {
		if (strcmp(it->s, acts[i].name))
			continue;
		cfg->on_crash = acts[i].act;
		return acts[i].note ? warn(ps, cfg, ps->key_at.line, "on_crash '%s' is %s",
					   acts[i].name, acts[i].note)
				    : 0;
	}
	return fail(ps, v->at, "on_crash '%.*s' is not destroy, restart or preserve",
		    show(it->len), it->s);
}

static int set_bool(struct parser *ps, struct xlcfg *cfg, const struct key *k,
		    const struct value *v)
{
	if (v->num > 1)
		return fail(ps, v->at, "%s must be 0 or 1, not %llu", k->name,
			    (unsigned long long)v->num);
	*(bool *)((char *)cfg + k->off) = v->num;
	return 0;
}

static int set_ip(struct parser *ps, struct xlcfg *cfg, const struct key *k, const struct value *v)
{
	const struct item *it = &v->item[0];
	uint8_t addr[4];
	int prefix;

	if (xlcfg_ipv4__parse(it->s, addr, &prefix))
		return fail(ps, v->at, "ip '%.*s' is not an IPv4 address A.B.C.D/PREFIX",
			    show(it->len), it->s);
	if (prefix < 0)
		return fail(ps, v->at, "ip '%s' needs a prefix length, as in '%s/24'", it->s,
			    it->s);
	memcpy(cfg->ip, it->s, it->len + 1); /* at most 18 bytes, having parsed */
	memcpy(cfg->ip_addr, addr, sizeof(addr));
	cfg->ip_prefix = (unsigned int)prefix;
	cfg->has_ip = true;
	return 0;
}

static int set_pci(struct parser *ps, struct xlcfg *cfg, const struct key *k, const struct value *v)
{
	struct xlcfg_pci pci[XLCFG_PCI_MAX];
	char msg[160];
	size_t off;

	if (v->n > XLCFG_PCI_MAX)
		return fail(ps, v->item[XLCFG_PCI_MAX].at, "more than %u pci devices",
			    XLCFG_PCI_MAX);
	for (unsigned int i = 0; i < v->n; i++) {
		const struct item *it = &v->item[i];

		if (xlcfg_pci__parse_at(&pci[i], it->s, msg, sizeof(msg), &off)) {
			struct pos at = it->at;

			/* At the part that is wrong, when the string's bytes are its columns. */
			if (it->raw)
				at.col += 1 + (unsigned int)off;
			return fail(ps, at, "pci entry '%.*s': %s", show(it->len), it->s, msg);
		}
		for (unsigned int j = 0; j < i; j++) {
			if (pci[j].bdf == pci[i].bdf)
				return fail(ps, it->at,
					    "pci entry '%.*s': %02x:%02x.%x is entry %u too",
					    show(it->len), it->s, pci[i].bdf >> 8,
					    pci[i].bdf >> 3 & 0x1f, pci[i].bdf & 7, j + 1);
			if (pci[i].vslot >= 0 && pci[j].vslot == pci[i].vslot)
				return fail(
				    ps, it->at, "pci entry '%.*s': vslot 0x%x is entry %u's",
				    show(it->len), it->s, (unsigned int)pci[i].vslot, j + 1);
		}
	}
	memcpy(cfg->pci, pci, v->n * sizeof(pci[0]));
	cfg->nr_pci = v->n;
	return 0;
}

static int set_vif(struct parser *ps, struct xlcfg *cfg, const struct key *k, const struct value *v)
{
	struct xlcfg_vif vif[XLCFG_VIF_MAX];
	char msg[160];

	if (v->n > XLCFG_VIF_MAX)
		return fail(ps, v->item[XLCFG_VIF_MAX].at, "more than %u vifs", XLCFG_VIF_MAX);
	for (unsigned int i = 0; i < v->n; i++) {
		const struct item *it = &v->item[i];

		if (xlcfg_vif__parse(&vif[i], it->s, msg, sizeof(msg)))
			return fail(ps, it->at, "vif entry '%.*s': %s", show(it->len), it->s, msg);
		snprintf(vif[i].spec, sizeof(vif[i].spec), "%.*s", (int)it->len, it->s);
		for (unsigned int j = 0; j < i; j++) {
			if (vif[i].has_mac && vif[j].has_mac && !memcmp(vif[i].mac, vif[j].mac, 6))
				return fail(ps, it->at,
					    "vif entry '%.*s': its mac is entry %u's too",
					    show(it->len), it->s, j + 1);
			if (vif[i].devid >= 0 && vif[j].devid == vif[i].devid)
				return fail(ps, it->at,
					    "vif entry '%.*s': devid %d is entry %u's too",
					    show(it->len), it->s, vif[i].devid, j + 1);
		}
	}
	memcpy(cfg->vif, vif, v->n * sizeof(vif[0]));
	cfg->nr_vif = v->n;
	return 0;
}

static int set_app(struct parser *ps, struct xlcfg *cfg, const struct key *k, const struct value *v)
{
	char *app[XLCFG_APP_MAX];

	if (v->n > XLCFG_APP_MAX)
		return fail(ps, v->item[XLCFG_APP_MAX].at, "more than %u apps", XLCFG_APP_MAX);
	for (unsigned int i = 0; i < v->n; i++) {
		const struct item *it = &v->item[i];

		if (it->len > XLCFG_APP_LEN)
			return fail(ps, it->at, "app entry is longer than %u bytes", XLCFG_APP_LEN);
		if (!it->len || it->s[0] == ' ')
			return fail(ps, it->at, "app entry '%.*s' does not start with an app name",
				    show(it->len), it->s);
		for (size_t j = 0; j < it->len; j++)
			if ((unsigned char)it->s[j] < 0x20)
				return fail(ps, it->at, "app entry '%.*s' has a control character",
					    show(it->len), it->s);
	}
	for (unsigned int i = 0; i < v->n; i++) {
		app[i] = strdup(v->item[i].s);
		if (!app[i]) {
			while (i--)
				free(app[i]);
			fail(ps, v->at, "out of memory");
			return -ENOMEM;
		}
	}
	for (unsigned int i = 0; i < cfg->nr_app; i++)
		free(cfg->app[i]);
	memcpy(cfg->app, app, v->n * sizeof(app[0]));
	for (unsigned int i = 0; i < v->n; i++)
		cfg->app_at[i] = (struct xlcfg_pos){v->item[i].at.line, v->item[i].at.col,
						    ps->bare_words};
	cfg->nr_app = v->n;
	return 0;
}

#define BOOL_KEY(field)                                                                            \
	{                                                                                          \
		.name = #field, .kind = V_BOOL, .set = set_bool,                                   \
		.off = offsetof(struct xlcfg, field)                                               \
	}

#define IGNORED(key, why) {.name = key, .kind = V_ANY, .ignored = why}

#define WHY_BOOT   "a vfnet guest is a process running vfnet's runtime, not a kernel image"
#define WHY_MEMORY "a vfnet guest's RAM is fixed at its memory ="
#define WHY_CPU	   "a vfnet guest has one vCPU, a thread the host schedules"
#define WHY_PLAT   "a vfnet guest has no virtual firmware or platform devices"
#define WHY_DEVICE "vfnet guests have passed-through VFs only (pci =)"
#define WHY_LIFE   "a vfnet guest that exits is gone; only on_crash is honoured"
#define WHY_NONE   "vfnet has no use for it"

static const struct key keys[] = {
	{.name = "name", .kind = V_STR, .set = set_name},
	{.name = "memory", .kind = V_NUM, .set = set_memory},
	{.name = "vcpus", .kind = V_NUM, .set = set_vcpus},
	{.name = "on_crash", .kind = V_STR, .set = set_on_crash},
	{.name = "pci", .kind = V_LIST, .set = set_pci},
	BOOL_KEY(pci_permissive),
	BOOL_KEY(pci_seize),
	BOOL_KEY(pci_msitranslate),
	BOOL_KEY(pci_power_mgmt),
	{.name = "vif", .kind = V_LIST, .set = set_vif},
	{.name = "app", .kind = V_LIST, .set = set_app},
	{.name = "ip", .kind = V_STR, .set = set_ip},
	/* What a real Xen config carries and a vfnet guest has no use for (xl.cfg(5)). */
	IGNORED("type", "a vfnet guest is a process, neither PV nor HVM"),
	IGNORED("builder", "a vfnet guest is a process, neither PV nor HVM"),
	IGNORED("pvh", "a vfnet guest is a process, neither PV nor HVM"),
	IGNORED("kernel", WHY_BOOT),
	IGNORED("ramdisk", WHY_BOOT),
	IGNORED("extra", WHY_BOOT),
	IGNORED("root", WHY_BOOT),
	IGNORED("cmdline", WHY_BOOT),
	IGNORED("bootloader", WHY_BOOT),
	IGNORED("bootloader_args", WHY_BOOT),
	IGNORED("boot", WHY_BOOT),
	IGNORED("firmware", WHY_BOOT),
	IGNORED("bios", WHY_BOOT),
	IGNORED("device_tree", WHY_BOOT),
	IGNORED("maxmem", WHY_MEMORY),
	IGNORED("shadow_memory", WHY_MEMORY),
	IGNORED("videoram", WHY_MEMORY),
	IGNORED("claim_mode", WHY_MEMORY),
	IGNORED("maxvcpus", WHY_CPU),
	IGNORED("cpus", WHY_CPU),
	IGNORED("cpus_soft", WHY_CPU),
	IGNORED("cpu_weight", WHY_CPU),
	IGNORED("cap", WHY_CPU),
	IGNORED("cpuid", WHY_CPU),
	IGNORED("tsc_mode", WHY_CPU),
	IGNORED("nestedhvm", WHY_CPU),
	IGNORED("vpmu", WHY_CPU),
	IGNORED("acpi", WHY_PLAT),
	IGNORED("apic", WHY_PLAT),
	IGNORED("pae", WHY_PLAT),
	IGNORED("hap", WHY_PLAT),
	IGNORED("hpet", WHY_PLAT),
	IGNORED("viridian", WHY_PLAT),
	IGNORED("timer_mode", WHY_PLAT),
	IGNORED("localtime", WHY_PLAT),
	IGNORED("rtc_timeoffset", WHY_PLAT),
	IGNORED("xen_platform_pci", WHY_PLAT),
	IGNORED("smbios_firmware", WHY_PLAT),
	IGNORED("acpi_firmware", WHY_PLAT),
	IGNORED("e820_host", WHY_PLAT),
	IGNORED("altp2m", WHY_PLAT),
	IGNORED("disk", WHY_DEVICE),
	IGNORED("vfb", WHY_DEVICE),
	IGNORED("vkb", WHY_DEVICE),
	IGNORED("vtpm", WHY_DEVICE),
	IGNORED("p9", WHY_DEVICE),
	IGNORED("pvcalls", WHY_DEVICE),
	IGNORED("channel", WHY_DEVICE),
	IGNORED("usb", WHY_DEVICE),
	IGNORED("usbctrl", WHY_DEVICE),
	IGNORED("usbdev", WHY_DEVICE),
	IGNORED("usbdevice", WHY_DEVICE),
	IGNORED("serial", WHY_DEVICE),
	IGNORED("soundhw", WHY_DEVICE),
	IGNORED("vga", WHY_DEVICE),
	IGNORED("stdvga", WHY_DEVICE),
	IGNORED("vnc", WHY_DEVICE),
	IGNORED("vnclisten", WHY_DEVICE),
	IGNORED("vncdisplay", WHY_DEVICE),
	IGNORED("vncunused", WHY_DEVICE),
	IGNORED("vncpasswd", WHY_DEVICE),
	IGNORED("sdl", WHY_DEVICE),
	IGNORED("opengl", WHY_DEVICE),
	IGNORED("keymap", WHY_DEVICE),
	IGNORED("nographic", WHY_DEVICE),
	IGNORED("spice", WHY_DEVICE),
	IGNORED("vuart", WHY_DEVICE),
	IGNORED("dtdev", WHY_DEVICE),
	IGNORED("iomem", WHY_DEVICE),
	IGNORED("ioports", WHY_DEVICE),
	IGNORED("irqs", WHY_DEVICE),
	IGNORED("gfx_passthru", WHY_DEVICE),
	IGNORED("rdm", WHY_DEVICE),
	IGNORED("rdm_mem_boundary", WHY_DEVICE),
	IGNORED("device_model_version", WHY_DEVICE),
	IGNORED("device_model_override", WHY_DEVICE),
	IGNORED("device_model_args", WHY_DEVICE),
	IGNORED("on_poweroff", WHY_LIFE),
	IGNORED("on_reboot", WHY_LIFE),
	IGNORED("on_watchdog", WHY_LIFE),
	IGNORED("on_soft_reset", WHY_LIFE),
	IGNORED("uuid", WHY_NONE),
	IGNORED("pool", WHY_NONE),
	IGNORED("seclabel", WHY_NONE),
	IGNORED("init_seclabel", WHY_NONE),
	IGNORED("driver_domain", WHY_NONE),
	IGNORED("max_grant_frames", WHY_NONE),
	IGNORED("max_maptrack_frames", WHY_NONE),
	IGNORED("max_event_channels", WHY_NONE),
	IGNORED("nomigrate", WHY_NONE),
	IGNORED("dm_restrict", WHY_NONE),
	IGNORED("passthrough", WHY_NONE),
};

static const char *const kind_names[] = {
	[V_NUM] = "a number",
	[V_STR] = "a quoted string",
	[V_LIST] = "a [ list ] of strings",
	[V_BOOL] = "0 or 1",
	[V_ANY] = "a value",
};

/* A key nobody knows: the nearest known one when it looks like a typo of it. */
static int unknown_key(struct parser *ps)
{
	const char *names[ARRAY_SIZE(keys)], *near;

	for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++)
		names[i] = keys[i].name;
	near = suggest__nearest(ps->key, ps->keylen, names, ARRAY_SIZE(names));
	if (near)
		return fail(ps, ps->key_at, "key '%.*s' is not an xl.cfg key; did you mean '%s'?",
			    show(ps->keylen), ps->key, near);
	return fail(ps, ps->key_at, "key '%.*s' is not supported by vfnet", show(ps->keylen),
		    ps->key);
}

static int apply(struct parser *ps, struct xlcfg *cfg, bool once)
{
	const struct key *k = NULL;
	struct value *v = &ps->v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (ps->keylen == strlen(keys[i].name) &&
		    !memcmp(ps->key, keys[i].name, ps->keylen)) {
			k = &keys[i];
			break;
		}
	if (!k)
		return unknown_key(ps);
	if (once && ps->first[i])
		return fail(ps, ps->key_at, "key '%s' given twice (first at line %u)", k->name,
			    ps->first[i]);
	if (k->ignored) {
		ps->first[i] = ps->key_at.line;
		return warn(ps, cfg, ps->key_at.line, "%s ignored: %s", k->name, k->ignored);
	}
	if (v->kind != (k->kind == V_BOOL ? V_NUM : k->kind)) {
		if (v->bare)
			return fail(ps, v->at, "key '%s' wants %s, not the word '%.*s'", k->name,
				    kind_names[k->kind], show(v->item[0].len), v->item[0].s);
		return fail(ps, v->at, "key '%s' wants %s, not %s", k->name, kind_names[k->kind],
			    kind_names[v->kind]);
	}
	ps->first[i] = ps->key_at.line;
	return k->set(ps, cfg, k, v);
}

/* ---- API ------------------------------------------------------------------------------------ */

static int parser__init(struct parser *ps, const char *file, const char *text, size_t len,
			char *err, size_t errlen)
{
	_Static_assert(ARRAY_SIZE(keys) <= XLCFG_KEYS_MAX, "first[] per key");
	memset(ps, 0, sizeof(*ps));
	ps->file = file;
	ps->p = ps->bol = text;
	ps->end = text + len;
	ps->line = 1;
	ps->err = err;
	ps->errlen = errlen;
	if (len > XLCFG_FILE_MAX) {
		say(err, errlen, "%s: larger than %u bytes", file, XLCFG_FILE_MAX);
		return -EFBIG;
	}
	ps->scratch = malloc(len + 1);
	if (!ps->scratch) {
		say(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	return check_text(ps);
}

void xlcfg__init(struct xlcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->memory_mib = 64;
	cfg->vcpus = 1;
}

void xlcfg__free(struct xlcfg *cfg)
{
	for (unsigned int i = 0; i < cfg->nr_app && i < XLCFG_APP_MAX; i++)
		free(cfg->app[i]);
	for (unsigned int i = 0; i < cfg->nr_warn && i < XLCFG_WARN_MAX; i++)
		free(cfg->warn[i]);
	free(cfg->file);
	xlcfg__init(cfg);
}

int xlcfg__parse(struct xlcfg *cfg, const char *fname, const char *text, size_t len, char *err,
		 size_t errlen)
{
	struct parser *ps;
	int ret;

	xlcfg__init(cfg);
	ps = malloc(sizeof(*ps));
	cfg->file = strdup(fname);
	if (!ps || !cfg->file) {
		free(ps);
		say(err, errlen, "%s: out of memory", fname);
		return -ENOMEM;
	}
	ret = parser__init(ps, fname, text, len, err, errlen);
	while (!ret) {
		ret = parse_statement(ps);
		if (ret <= 0)
			break;
		ret = apply(ps, cfg, true);
	}
	free(ps->scratch);
	free(ps);
	return ret;
}

int xlcfg__override(struct xlcfg *cfg, const char *arg, char *err, size_t errlen)
{
	struct parser *ps = malloc(sizeof(*ps));
	int ret;

	if (!ps) {
		say(err, errlen, CMDLINE ": out of memory");
		return -ENOMEM;
	}
	ret = parser__init(ps, CMDLINE, arg, strlen(arg), err, errlen);
	ps->bare_words = true;
	if (!ret) {
		ret = parse_statement(ps);
		if (!ret)
			ret = fail(ps, here(ps), "expected KEY=VALUE");
	}
	if (ret == 1) {
		ret = parse_statement(ps);
		if (ret == 1)
			ret = fail(ps, ps->key_at, "one KEY=VALUE per argument");
		if (!ret) {
			/* the second parse_statement found nothing: ps->key and ps->v are intact */
			ret = apply(ps, cfg, false);
		}
	}
	free(ps->scratch);
	free(ps);
	return ret;
}

int xlcfg__load(struct xlcfg *cfg, const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *buf;
	ssize_t n;
	int fd, ret;

	xlcfg__init(cfg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err;
	}
	buf = malloc(XLCFG_FILE_MAX + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto err_close;
	}
	/* one byte more than allowed, to tell a full-size file from a larger one */
	while (len <= XLCFG_FILE_MAX) {
		n = read(fd, buf + len, XLCFG_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto err_free;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	ret = xlcfg__parse(cfg, path, buf, len, err, errlen);
	free(buf);
	return ret;

err_free:
	free(buf);
err_close:
	close(fd);
err:
	say(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

int xlcfg__finish(struct xlcfg *cfg, char *err, size_t errlen)
{
	if (!cfg->name[0]) {
		say(err, errlen, "%s: key 'name' is missing: every domain needs one",
		    cfg->file ? cfg->file : CMDLINE);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->nr_pci; i++) {
		struct xlcfg_pci *pci = &cfg->pci[i];

		if (!(pci->given & XLCFG_PCI_PERMISSIVE))
			pci->permissive = cfg->pci_permissive;
		if (!(pci->given & XLCFG_PCI_SEIZE))
			pci->seize = cfg->pci_seize;
		if (!(pci->given & XLCFG_PCI_MSITRANSLATE))
			pci->msitranslate = cfg->pci_msitranslate;
		if (!(pci->given & XLCFG_PCI_POWER_MGMT))
			pci->power_mgmt = cfg->pci_power_mgmt;
	}
	return 0;
}
