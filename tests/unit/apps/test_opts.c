/* App options: MACs, addresses, numbers with suffixes, and the one-line errors users see. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vfnet/app.h"

#include "apps/opts.h"
#include "fake_os.h"

static void test_mac(void **state)
{
	uint8_t mac[6], want[6] = {0x02, 0x00, 0xab, 0xCD, 0x0f, 0xff};

	assert_int_equal(opts__mac("02:00:ab:CD:0f:ff", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(opts__mac("02-00-ab-cd-0f-ff", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(opts__mac("02:00:ab:cd:0f", mac), -EINVAL);
	assert_int_equal(opts__mac("02:00:ab:cd:0f:ff:00", mac), -EINVAL);
	assert_int_equal(opts__mac("02:00:ab-cd:0f:ff", mac), -EINVAL);
	assert_int_equal(opts__mac("2:00:ab:cd:0f:ff", mac), -EINVAL);
	assert_int_equal(opts__mac("0g:00:ab:cd:0f:ff", mac), -EINVAL);
	assert_int_equal(opts__mac("", mac), -EINVAL);
}

static void test_ipv4(void **state)
{
	uint32_t a;

	assert_int_equal(opts__ipv4("10.0.0.2", &a), 0);
	assert_int_equal(a, htonl(0x0a000002));
	assert_int_equal(opts__ipv4("255.255.255.255", &a), 0);
	assert_int_equal(opts__ipv4("256.0.0.1", &a), -EINVAL);
	assert_int_equal(opts__ipv4("10.0.0", &a), -EINVAL);
	assert_int_equal(opts__ipv4("10.0.0.1.5", &a), -EINVAL);
	assert_int_equal(opts__ipv4("10.0.0.1/24", &a), -EINVAL);
	assert_int_equal(opts__ipv4("0010.0.0.1", &a), -EINVAL);
}

static void test_numbers(void **state)
{
	uint64_t v;

	assert_int_equal(opts__number("1500", OPT_SIZE, &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(opts__number("9K", OPT_SIZE, &v), 0);
	assert_int_equal(v, 9216);
	assert_int_equal(opts__number("2m", OPT_SIZE, &v), 0);
	assert_int_equal(v, 2u << 20);
	assert_int_equal(opts__number("10k", OPT_COUNT, &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(opts__number("3G", OPT_COUNT, &v), 0);
	assert_int_equal(v, 3000000000ull);
	assert_int_equal(opts__number("1M", OPT_RATE, &v), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(opts__number("500kpps", OPT_RATE, &v), 0);
	assert_int_equal(v, 500000);
	assert_int_equal(opts__number("0", OPT_RATE, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(opts__number("500kpps", OPT_COUNT, &v), -EINVAL);
	assert_int_equal(opts__number("10k", OPT_UINT, &v), -EINVAL);
	assert_int_equal(opts__number("-1", OPT_COUNT, &v), -EINVAL);
	assert_int_equal(opts__number("", OPT_COUNT, &v), -EINVAL);
	assert_int_equal(opts__number("1.5M", OPT_COUNT, &v), -EINVAL);
	assert_int_equal(opts__number("18446744073709551615", OPT_UINT, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(opts__number("18446744073709551616", OPT_UINT, &v), -ERANGE);
	assert_int_equal(opts__number("20000000000G", OPT_COUNT, &v), -ERANGE);
}

struct pg_opts {
	uint8_t dst[6];
	uint64_t size, count, vlan;
	bool vlan_given;
	char tap[16];
};

static int parse(struct pg_opts *o, char *err, int argc, ...)
{
	char *argv[8];
	va_list ap;
	const struct opt table[] = {
	    {.key = "dst", .type = OPT_MAC, .val = o->dst, .required = true},
	    {.key = "size", .type = OPT_SIZE, .val = &o->size, .min = 60, .max = 9234},
	    {.key = "count", .type = OPT_COUNT, .val = &o->count, .max = UINT64_MAX},
	    {.key = "vlan", .type = OPT_VLAN, .val = &o->vlan, .given = &o->vlan_given},
	    {.key = "tap", .type = OPT_STR, .val = o->tap, .max = 15},
	    {.key = NULL},
	};

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	err[0] = 0;
	return opts__parse("pktgen", table, argc, argv, err);
}

static void test_parse(void **state)
{
	struct pg_opts o = {.size = 64};
	char err[APP_ERR_MAX];

	assert_int_equal(
	    parse(&o, err, 4, "dst=02:00:00:00:00:01", "count=1M", "vlan=4094", "tap=vf0"), 0);
	assert_int_equal(o.dst[5], 1);
	assert_int_equal(o.size, 64); /* absent: untouched */
	assert_int_equal(o.count, 1000000);
	assert_int_equal(o.vlan, 4094);
	assert_true(o.vlan_given);
	assert_string_equal(o.tap, "vf0");

	o.vlan_given = true;
	assert_int_equal(parse(&o, err, 2, "size=1K", "dst=02:00:00:00:00:02"), 0);
	assert_int_equal(o.size, 1024);
	assert_false(o.vlan_given);
}

static void test_parse_errors(void **state)
{
	struct pg_opts o = {0};
	char err[APP_ERR_MAX];

	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "size=x"), -EINVAL);
	assert_string_equal(err, "pktgen: bad value 'x' for size (60..9234)");
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "size=59"), -EINVAL);
	assert_string_equal(err, "pktgen: bad value '59' for size (60..9234)");
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "vlan=4095"), -EINVAL);
	assert_string_equal(err, "pktgen: bad value '4095' for vlan (0..4094)");
	assert_int_equal(parse(&o, err, 1, "dst=02:00:00:00:01"), -EINVAL);
	assert_string_equal(err, "pktgen: bad value '02:00:00:00:01' for dst "
				 "(a MAC address like 02:00:00:00:00:01)");
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "count=lots"), -EINVAL);
	assert_string_equal(err, "pktgen: bad value 'lots' for count (0 or more, K/M/G suffixes)");
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "tap=abcdefghijklmnop"),
			 -EINVAL);
	assert_string_equal(err, "pktgen: bad value 'abcdefghijklmnop' for tap (1..15 characters)");
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "speed=1"), -EINVAL);
	assert_string_equal(err, "pktgen: unknown option 'speed'");
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "size"), -EINVAL);
	assert_string_equal(err, "pktgen: option 'size' needs a value (size=...)");
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "dst=02:00:00:00:00:02"),
			 -EINVAL);
	assert_string_equal(err, "pktgen: option 'dst' given twice");
	assert_int_equal(parse(&o, err, 1, "size=64"), -EINVAL);
	assert_string_equal(err, "pktgen: missing option dst=");
	assert_int_equal(parse(&o, err, 1, "dst="), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", "tap="), -EINVAL);

	/* Long values are cut in the message, which stays one line within APP_ERR_MAX. */
	char big[400];
	memset(big, 'z', sizeof(big));
	memcpy(big, "size=", 5);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(parse(&o, err, 2, "dst=02:00:00:00:00:01", big), -EINVAL);
	assert_true(strlen(err) < APP_ERR_MAX);
	assert_null(strchr(err, '\n'));
}

static void test_config_ipv4(void **state)
{
	uint32_t a = 0;

	fake_os_reset(0);
	assert_int_equal(opts__config_ipv4("ip", &a), -ENOENT);
	fake_config_set("ip", "10.1.2.3/24");
	assert_int_equal(opts__config_ipv4("ip", &a), 0);
	assert_int_equal(a, htonl(0x0a010203));
	fake_config_set("ip", "10.1.2.3");
	assert_int_equal(opts__config_ipv4("ip", &a), 0);
	fake_config_set("ip", "fe80::1/64");
	assert_int_equal(opts__config_ipv4("ip", &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mac),		 cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_numbers),	 cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_config_ipv4),
	};

	return cmocka_run_group_tests_name("apps_opts", tests, NULL, NULL);
}
