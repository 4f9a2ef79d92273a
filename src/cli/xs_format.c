#include "cli/xs_format.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LS_TAG_LEN 8 /* strlen(" = \"...\""): what a value costs besides its bytes */
#define LS_WIDTH   80
#define LS_PAD_TO  60

char *xs_format__escape(const char *val, size_t len)
{
	/* At most four bytes out for one in. */
	char *out = len < SIZE_MAX / 4 ? malloc(len * 4 + 1) : NULL, *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)val[i];

		if (c >= ' ' && c <= '~' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '\t':
			*o++ = 't';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\\':
			*o++ = '\\';
			break;
		default:
			o += c < 010 ? sprintf(o, "%03o", c) : sprintf(o, "x%02x", c);
		}
	}
	*o = '\0';
	return out;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

void xs_format__hex(const char *val, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		*out++ = digits[(unsigned char)val[i] >> 4];
		*out++ = digits[(unsigned char)val[i] & 15];
	}
	*out = '\0';
}

long xs_format__unhex(const char *hex, size_t n, char *out)
{
	if (n % 2 || n / 2 > LONG_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return (long)(n / 2);
}

size_t xs_format__unescape(const char *in, char *out)
{
	const char *ip = in;
	char *op = out;
	unsigned c;

	while ((c = (unsigned char)*ip++)) {
		if (c == '\\') {
			int d, n;

			switch (c = (unsigned char)*ip++) {
			case 't':
				c = '\t';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 'x':
				/* Up to two hex digits; none: the 'x' itself, as Xen's sscanf. */
				for (n = 0, d = 0; n < 2 && (d = hex_digit(*ip)) >= 0; n++, ip++)
					c = n ? c << 4 | (unsigned)d : (unsigned)d;
				break;
			case '0':
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
				/* Up to three octal digits; above 0377 the low byte is kept. */
				c = 0;
				for (n = 0, ip--; n < 3 && *ip >= '0' && *ip <= '7'; n++, ip++)
					c = c << 3 | (unsigned)(*ip - '0');
				break;
			case 0:
				/* A trailing backslash: a NUL byte, then the end of @in. */
				ip--;
				break;
			default:
				break; /* the character itself, "\\" included */
			}
		}
		*op++ = (char)c;
	}
	*op = '\0';
	return (size_t)(op - out);
}

void xs_format__ls_style(struct xs_ls_style *st, bool full_path, bool perms, int columns)
{
	st->full_path = full_path;
	st->perms = perms;
	st->width = columns > 2 ? columns - 2 : LS_WIDTH;
	st->pad_to = LS_PAD_TO;
	if (full_path) {
		st->width = INT_MAX / 2;
		st->pad_to = 0;
	}
}

int xs_format__ls_line(FILE *out, const struct xs_ls_style *st, const char *name, const char *path,
		       unsigned indent, const char *value, size_t len, const char *perms)
{
	char *v = xs_format__escape(value, len);
	int col = 0;

	if (!v)
		return -ENOMEM;
	if (st->full_path) {
		/* Xen counts no columns for a whole path: nothing is cut after it. */
		fputs(path, out);
	} else {
		for (; col < (int)indent; col++)
			fputc(' ', out);
		/* A negative precision prints the whole name, as in Xen for deep nodes. */
		col += fprintf(out, "%.*s", st->width - LS_TAG_LEN - col, name);
	}
	if ((long long)st->width < (long long)col + (long long)len + LS_TAG_LEN) {
		fprintf(out, " = \"%.*s\\...\"", st->width - LS_TAG_LEN - col, v);
	} else {
		col += fprintf(out, " = \"%s\"", v);
		if (st->perms) {
			int to = st->pad_to < st->width ? st->pad_to : st->width;

			fputc(' ', out);
			for (col++; col < to; col++)
				fputc(col & 1 ? '.' : ' ', out);
		}
	}
	if (st->perms)
		fprintf(out, "  (%s)", perms);
	fputc('\n', out);
	free(v);
	return 0;
}
