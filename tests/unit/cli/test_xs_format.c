/*
 * xenstore-read's quoting and xenstore-write's unquoting (as Xen's xenstore_client.c), the
 * control socket's value_hex, and xenstore-ls's lines with their cutting; hostile input too: a
 * value of 4096 bytes of 0xff, escapes cut short, hex that is not.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/xs_format.h"

static char *esc(const char *v, size_t len)
{
	char *s = xs_format__escape(v, len);

	assert_non_null(s);
	return s;
}

static void escape_as_xen(void **state)
{
	char *s = esc("a\tb\nc\rd\\e\"f ~", 13);

	assert_string_equal(s, "a\\tb\\nc\\rd\\\\e\"f ~");
	free(s);
	/* Below 010: three octal digits; the rest of what is not printable: \xHH. */
	s = esc("\001\007\010\037\177\200\377", 7);
	assert_string_equal(s, "\\001\\007\\x08\\x1f\\x7f\\x80\\xff");
	free(s);
	/* A NUL inside a value is a byte like another. */
	s = esc("a\0b", 3);
	assert_string_equal(s, "a\\000b");
	free(s);
	s = esc("", 0);
	assert_string_equal(s, "");
	free(s);
}

static void escape_4096_bytes_of_ff(void **state)
{
	char *v = malloc(4096), *s;

	assert_non_null(v);
	memset(v, 0xff, 4096);
	s = esc(v, 4096);
	/* Four bytes out for each in, the worst case the buffer is sized for. */
	assert_int_equal(strlen(s), 4 * 4096);
	for (size_t i = 0; i < 4096; i++)
		assert_memory_equal(s + 4 * i, "\\xff", 4);
	free(s);
	free(v);
}

static size_t unesc(const char *in, char *out)
{
	return xs_format__unescape(in, out);
}

static void unescape_as_xen(void **state)
{
	char out[64];

	assert_int_equal(unesc("a\\tb\\nc\\rd\\\\e", out), 9);
	assert_memory_equal(out, "a\tb\nc\rd\\e", 10);
	assert_int_equal(unesc("\\x41\\x4a\\x4A\\101\\7", out), 5);
	assert_string_equal(out, "AJJA\a");
	/* A backslash before anything else: the character itself. */
	assert_int_equal(unesc("\\q\\\"", out), 2);
	assert_string_equal(out, "q\"");
	/* \x takes two hex digits at most; \NNN three octal digits at most. */
	assert_int_equal(unesc("\\x414\\1012", out), 4);
	assert_string_equal(out, "A4A2");
	/* Octal above 0377: the low byte, as Xen's sscanf into a char. */
	assert_int_equal(unesc("\\777", out), 1);
	assert_int_equal((unsigned char)out[0], 0xff);
}

static void unescape_cut_short(void **state)
{
	char out[16];

	/* "\x" with no digit is the 'x' itself, "\x4" one digit. */
	assert_int_equal(unesc("a\\x", out), 2);
	assert_string_equal(out, "ax");
	assert_int_equal(unesc("a\\x4", out), 2);
	assert_memory_equal(out, "a\004", 3);
	assert_int_equal(unesc("\\xg1", out), 3);
	assert_string_equal(out, "xg1");
	/* Octal cut short: what digits there are. */
	assert_int_equal(unesc("\\12", out), 1);
	assert_int_equal(out[0], 012);
	/* A backslash at the very end: a NUL byte, then the end; nothing read past it. */
	assert_int_equal(unesc("ab\\", out), 3);
	assert_memory_equal(out, "ab\0", 4);
	assert_int_equal(unesc("\\", out), 1);
	assert_int_equal(out[0], 0);
	/* \000 is a NUL byte inside the value: the length says so. */
	assert_int_equal(unesc("a\\000b", out), 3);
	assert_memory_equal(out, "a\0b", 4);
}

static void round_trip(void **state)
{
	char all[256], back[256 * 4 + 1], *s;

	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	s = esc(all, sizeof(all));
	assert_int_equal(unesc(s, back), sizeof(all));
	assert_memory_equal(back, all, sizeof(all));
	free(s);
}

static void hex(void **state)
{
	char out[16];

	xs_format__hex("a\377\001", 3, out);
	assert_string_equal(out, "61ff01");
	xs_format__hex("", 0, out);
	assert_string_equal(out, "");
	assert_int_equal(xs_format__unhex("61FF01", 6, out), 3);
	assert_memory_equal(out, "a\377\001", 4);
	assert_int_equal(xs_format__unhex("", 0, out), 0);
	assert_int_equal(xs_format__unhex("6", 1, out), -EINVAL);
	assert_int_equal(xs_format__unhex("6g", 2, out), -EINVAL);
	assert_int_equal(xs_format__unhex("0x41", 4, out), -EINVAL);
	assert_int_equal(xs_format__unhex("-1", 2, out), -EINVAL);
}

/* One xenstore-ls line into a string (to free). */
static char *line(const struct xs_ls_style *st, const char *name, unsigned indent, const char *v,
		  size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(xs_format__ls_line(f, st, name, "/a/b", indent, v, len, "n0,r1"), 0);
	fclose(f);
	return buf;
}

static void ls_lines(void **state)
{
	struct xs_ls_style st;
	char v[200], *l;

	memset(v, 'x', sizeof(v));
	/* Off a terminal: 80 columns; a value that does not fit ends in \... */
	xs_format__ls_style(&st, false, false, 0);
	l = line(&st, "state", 2, "4", 1);
	assert_string_equal(l, "  state = \"4\"\n");
	free(l);
	l = line(&st, "long", 0, v, 100);
	assert_int_equal(strlen(l), 82); /* 81 columns, as Xen's: the cut keeps the tag's room */
	assert_memory_equal(l, "long = \"xxxx", 12);
	assert_string_equal(l + 81 - 5, "\\...\"\n");
	free(l);
	/* A 50-column terminal: its width less 2. */
	xs_format__ls_style(&st, false, false, 50);
	l = line(&st, "long", 0, v, 100);
	assert_int_equal(strlen(l), 50);
	free(l);
	/* As Xen's: whether to cut is decided on the raw length, so a value that fits raw is
	 * printed whole even when its quoted form is longer than the line. */
	xs_format__ls_style(&st, false, false, 0);
	memset(v, 0xff, 60);
	l = line(&st, "q", 0, v, 60);
	assert_int_equal(strlen(l), strlen("q = \"\"\n") + 4 * 60);
	free(l);
	/* A name longer than the line: cut, as Xen's %.*s. */
	memset(v, 'n', 150);
	v[150] = '\0';
	l = line(&st, v, 0, "1", 1);
	assert_memory_equal(l, v, 72);
	assert_int_equal(l[72], ' ');
	free(l);
	/* -p: dots and spaces to column 60, then the permissions. */
	xs_format__ls_style(&st, false, true, 0);
	l = line(&st, "state", 0, "4", 1);
	assert_string_equal(l, "state = \"4\"  . . . . . . . . . . . . . . . . . . . . . . . .  "
			       "(n0,r1)\n");
	free(l);
	/* -f: the whole path and nothing cut. */
	xs_format__ls_style(&st, true, false, 0);
	memset(v, 'x', 200);
	l = line(&st, "b", 3, v, 200);
	assert_int_equal(strlen(l), strlen("/a/b = \"\"\n") + 200);
	assert_memory_equal(l, "/a/b = \"", 8);
	free(l);
}

static void ls_line_4096_bytes_of_ff(void **state)
{
	struct xs_ls_style st;
	char *v = malloc(4096), *l;

	assert_non_null(v);
	memset(v, 0xff, 4096);
	xs_format__ls_style(&st, false, false, 0);
	l = line(&st, "big", 1, v, 4096);
	assert_int_equal(strlen(l), 82);
	free(l);
	xs_format__ls_style(&st, true, true, 0);
	l = line(&st, "big", 1, v, 4096);
	assert_int_equal(strlen(l), strlen("/a/b = \"\"   (n0,r1)\n") + 4 * 4096);
	free(l);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(escape_as_xen),   cmocka_unit_test(escape_4096_bytes_of_ff),
	    cmocka_unit_test(unescape_as_xen), cmocka_unit_test(unescape_cut_short),
	    cmocka_unit_test(round_trip),      cmocka_unit_test(hex),
	    cmocka_unit_test(ls_lines),	       cmocka_unit_test(ls_line_4096_bytes_of_ff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
