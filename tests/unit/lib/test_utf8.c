/* What the control socket takes for UTF-8, and what it does not (RFC 3629). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "lib/utf8.h"

static bool ok(const char *s)
{
	return utf8__valid(s, strlen(s));
}

static void well_formed(void **state)
{
	assert_true(ok(""));
	assert_true(ok("vif1.0 = \"4\""));
	assert_true(ok("\xc3\xa9"));	     /* U+00E9 */
	assert_true(ok("\xe2\x82\xac"));     /* U+20AC */
	assert_true(ok("\xf0\x9f\x98\x80")); /* U+1F600 */
	assert_true(ok("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last */
	assert_true(utf8__valid("a\0b", 3)); /* NUL is a character */
}

static void ill_formed(void **state)
{
	assert_false(ok("\xff"));
	assert_false(ok("\x80"));	      /* a continuation byte alone */
	assert_false(ok("\xc0\xaf"));	      /* overlong '/' */
	assert_false(ok("\xe0\x80\xaf"));     /* overlong, three bytes */
	assert_false(ok("\xed\xa0\x80"));     /* a surrogate */
	assert_false(ok("\xf4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(ok("\xf5\x80\x80\x80"));
	assert_false(ok("\xc3")); /* cut short at the end */
	assert_false(ok("\xe2\x82"));
	assert_false(utf8__valid("\xe2\x82\xac", 2)); /* cut short by the length */
	assert_false(ok("\xc3("));		      /* not a continuation */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(well_formed),
	    cmocka_unit_test(ill_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
