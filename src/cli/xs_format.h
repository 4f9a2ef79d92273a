/*
 * How Xen's xenstore tools (tools/xs-clients/xenstore_client.c) show and read values: the quoting
 * of bytes that are not printable, its reverse for xenstore-write, and the lines of xenstore-ls
 * with their width rules. No machine needed: unit-tested on its own.
 */
#ifndef VFNET_CLI_XS_FORMAT_H
#define VFNET_CLI_XS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A value as xenstore-read and xenstore-ls print it: printable ASCII as it is except '\', which
 * is "\\"; tab, newline and CR as \t \n \r; other bytes below 010 as three octal digits (\001),
 * the rest as \xHH. A NUL-terminated string to free, NULL when out of memory.
 */
char *xs_format__escape(const char *val, size_t len);

/*
 * The reverse, as xenstore-write reads a VALUE: \t \n \r \\, \xH or \xHH, \N to \NNN octal; a
 * backslash before any other character is dropped, and one at the very end becomes a NUL byte
 * (as in Xen). @out must hold strlen(@in) + 1 bytes; returns the value's length (it may hold NUL
 * bytes), and @out is NUL-terminated after it.
 */
size_t xs_format__unescape(const char *in, char *out);

/*
 * The control socket's "value_hex" (a value that is not UTF-8, which a JSON string cannot carry):
 * @len bytes of @val as 2 * @len lower-case hex digits into @out (2 * @len + 1 bytes, NUL-
 * terminated); and back, @n digits of @hex into @out (@n / 2 + 1 bytes, NUL-terminated): the
 * value's length, or -EINVAL for an odd count or a character that is not a hex digit.
 */
void xs_format__hex(const char *val, size_t len, char *out);
long xs_format__unhex(const char *hex, size_t n, char *out);

/* The layout of xenstore-ls [-f] [-p]. */
struct xs_ls_style {
	int width;	/* a line's budget: the terminal's columns - 2, else 80 */
	int pad_to;	/* with perms, values are padded with ". . ." to this column */
	bool full_path; /* -f: whole paths, no indent, nothing cut */
	bool perms;	/* -p: "  (n0,r1)" after each value */
};

/* The style of xenstore-ls: @columns is the terminal's width, 0 when stdout is not one. */
void xs_format__ls_style(struct xs_ls_style *st, bool full_path, bool perms, int columns);

/*
 * One line of xenstore-ls for the node @name (full path @path) @indent levels below the listed
 * path, with its value (@len bytes) and permissions ("n0,r1"): `name = "value"`, indented one
 * space per level; a name or value that does not fit the width is cut, the value ending in
 * `\...`. 0, or -ENOMEM.
 */
int xs_format__ls_line(FILE *out, const struct xs_ls_style *st, const char *name, const char *path,
		       unsigned indent, const char *value, size_t len, const char *perms);

#endif
