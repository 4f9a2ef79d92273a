/* "Did you mean": which word a typo is near, and which it is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cli/suggest.h"
#include "lib/compiler.h"

static const char *const cmds[] = {"host",
				   "list",
				   "create",
				   "destroy",
				   "dmesg",
				   "stats",
				   "pci-list",
				   "pci-attach",
				   "pci-detach",
				   "lspci",
				   "top",
				   "capture",
				   "pci-assignable-add",
				   "pci-assignable-remove"};
static const char *const keys[] = {"name",     "memory",    "maxmem", "vcpus", "pci",
				   "on_crash", "on_reboot", "app",    "ip"};

static const char *near(const char *typo, const char *const *w, size_t n)
{
	return suggest__nearest(typo, strlen(typo), w, n);
}

static void distances(void **state)
{
	assert_int_equal(suggest__distance("memroy", 6, "memory", 6), 1); /* a swap is one */
	assert_int_equal(suggest__distance("lsit", 4, "list", 4), 1);
	assert_int_equal(suggest__distance("creat", 5, "create", 6), 1);
	assert_int_equal(suggest__distance("abc", 3, "xyz", 3), 3);
	assert_int_equal(suggest__distance("", 0, "top", 3), 3);
}

static void commands(void **state)
{
	assert_string_equal(near("lsit", cmds, ARRAY_SIZE(cmds)), "list");
	assert_string_equal(near("creat", cmds, ARRAY_SIZE(cmds)), "create");
	assert_string_equal(near("destory", cmds, ARRAY_SIZE(cmds)), "destroy");
	assert_string_equal(near("pci-lsit", cmds, ARRAY_SIZE(cmds)), "pci-list");
	assert_string_equal(near("pci-assignable-remvoe", cmds, ARRAY_SIZE(cmds)),
			    "pci-assignable-remove");
	assert_string_equal(near("pci-assignable-r", cmds, ARRAY_SIZE(cmds)),
			    "pci-assignable-remove"); /* the only word it begins */
	assert_null(near("pci-assignable-rm", cmds, ARRAY_SIZE(cmds))); /* 3 from -add */
	assert_string_equal(near("cap", cmds, ARRAY_SIZE(cmds)), "capture");
	assert_null(near("pci-assignable", cmds, ARRAY_SIZE(cmds))); /* begins two */
	assert_null(near("frobnicate", cmds, ARRAY_SIZE(cmds)));
	assert_null(near("list", cmds, ARRAY_SIZE(cmds))); /* not a typo */
	assert_null(near("tx", cmds, ARRAY_SIZE(cmds)));   /* one letter in two is too far */
}

static void config_keys(void **state)
{
	assert_string_equal(near("memroy", keys, ARRAY_SIZE(keys)), "memory");
	assert_string_equal(near("nmae", keys, ARRAY_SIZE(keys)), "name");
	assert_string_equal(near("on_crahs", keys, ARRAY_SIZE(keys)), "on_crash");
	assert_string_equal(near("vcpu", keys, ARRAY_SIZE(keys)), "vcpus");
	assert_null(near("bootloader", keys, ARRAY_SIZE(keys)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(distances),
	    cmocka_unit_test(commands),
	    cmocka_unit_test(config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
