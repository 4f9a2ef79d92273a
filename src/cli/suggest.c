/* "Did you mean" (suggest.h): optimal string alignment distance over short words. */
#include <string.h>

#include "cli/suggest.h"

#define WORD_MAX 63

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

unsigned suggest__distance(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned d[WORD_MAX + 1][WORD_MAX + 1];

	if (alen > WORD_MAX || blen > WORD_MAX)
		return ~0u;
	for (size_t i = 0; i <= alen; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= blen; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= alen; i++) {
		for (size_t j = 1; j <= blen; j++) {
			unsigned cost = a[i - 1] != b[j - 1];

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[alen][blen];
}

const char *suggest__nearest(const char *typo, size_t len, const char *const *words, size_t n)
{
	const char *best = NULL, *prefixed = NULL;
	unsigned best_d = ~0u, nprefixed = 0;

	if (!len || len > WORD_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t wlen = strlen(words[i]);
		unsigned d = suggest__distance(typo, len, words[i], wlen);
		unsigned limit = wlen >= 6 ? 2 : 1;

		if (d && d <= limit && d < best_d) {
			best = words[i];
			best_d = d;
		}
		if (len >= 2 && len < wlen && !strncmp(typo, words[i], len)) {
			prefixed = words[i];
			nprefixed++;
		}
	}
	if (best)
		return best;
	return nprefixed == 1 ? prefixed : NULL;
}
