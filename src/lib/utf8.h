/* UTF-8 as JSON carries it: the control socket's strings are checked with it where they enter. */
#ifndef VFNET_LIB_UTF8_H
#define VFNET_LIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether the @len bytes at @s are well-formed UTF-8 (RFC 3629: shortest forms only, no
 * surrogates, nothing above U+10FFFF). NUL bytes count as characters.
 */
bool utf8__valid(const char *s, size_t len);

#endif
