/*
 * "Did you mean": the nearest of a list of words to one a user mistyped, for unknown commands,
 * xl.cfg keys and the like. No I/O, so unit tests call it directly.
 */
#ifndef VFNET_CLI_SUGGEST_H
#define VFNET_CLI_SUGGEST_H

#include <stddef.h>

/*
 * The word of @words (@n of them) nearest to @typo (@len bytes): the fewest insertions,
 * deletions, substitutions and swaps of two neighbours, at most 2 (1 for a candidate under six
 * letters); or a candidate @typo is a prefix of (two letters or more),
 * when that prefix starts only one. NULL when nothing is near; the first on a tie.
 */
const char *suggest__nearest(const char *typo, size_t len, const char *const *words, size_t n);

/* Edits between @a (@alen bytes) and @b (@blen), as above, for @alen, @blen up to 63. */
unsigned suggest__distance(const char *a, size_t alen, const char *b, size_t blen);

#endif
