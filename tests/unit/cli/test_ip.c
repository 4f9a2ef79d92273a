/*
 * vfnet ip's grammar and text, without a host: iproute2's abbreviations, `dev`, several vf groups
 * in one request, its messages; the VF lines and the -s columns printed from ip's JSON keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/ip_parse.h"
#include "cli/ip_print.h"

static struct ip_cmd c;
static char err[256];

/* Parse a command line of words separated by single spaces. */
static int parse(const char *line)
{
	static char buf[512];
	char *argv[64];
	int argc = 0;

	json_object_put(c.req);
	c.req = NULL;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok(buf, " "); w && argc < 63; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	return ip_parse(argc, argv, &c, err, sizeof(err));
}

static const char *req_str(const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(c.req, key, &v) ? json_object_get_string(v) : NULL;
}

static void test_abbreviations_and_dev(void **state)
{
	assert_int_equal(parse("ip l s pf0 up"), 0);
	assert_int_equal(c.verb, IP_SET);
	assert_string_equal(req_str("op"), "link-set");
	assert_string_equal(req_str("dev"), "pf0");
	assert_string_equal(req_str("state"), "up");

	assert_int_equal(parse("ip link set dev pf0 down"), 0);
	assert_string_equal(req_str("dev"), "pf0");
	assert_string_equal(req_str("state"), "down");

	for (const char *const *l = (const char *const[]){"ip link list pf0", "ip li lst dev pf0",
							    "ip link sh pf0", "ip link show dev pf0",
							    NULL};
	     *l; l++) {
		assert_int_equal(parse(*l), 0);
		assert_int_equal(c.verb, IP_SHOW);
		assert_string_equal(req_str("op"), "link-show");
		assert_string_equal(req_str("dev"), "pf0");
	}
	assert_int_equal(parse("ip link"), 0);
	assert_int_equal(c.verb, IP_SHOW);
	assert_null(req_str("dev"));
}

static void test_options(void **state)
{
	assert_int_equal(parse("ip -s -d -br -j -p link show"), 0);
	assert_int_equal(c.stats, 1);
	assert_true(c.details && c.brief && c.json && c.pretty);
	assert_int_equal(parse("ip --stats -statistics -details -json link"), 0);
	assert_int_equal(c.stats, 2);
	assert_true(c.details && c.json && !c.brief);
	assert_int_equal(parse("ip --domain guest1 link show eth0"), 0);
	assert_string_equal(c.domain, "guest1");
	assert_int_equal(parse("ip --domain=7 link"), 0);
	assert_string_equal(c.domain, "7");
	/* -d is -details: a domain name after it is no object */
	assert_int_equal(parse("ip -d ga link show"), -EINVAL);
	assert_string_equal(err, "Object \"ga\" is unknown, try \"ip help\".");
	/* -b is -batch in ip's order; -br is -brief */
	assert_int_equal(parse("ip -b link"), -EINVAL);
	assert_non_null(strstr(err, "-batch"));
	assert_int_equal(parse("ip -zz link"), -EINVAL);
	assert_string_equal(err, "Option \"-zz\" is unknown, try \"ip -help\".");
}

static void test_vf_groups(void **state)
{
	struct json_object *vfs, *g, *v;

	assert_int_equal(parse("ip link set dev pf0 vf 0 mac 02:00:00:00:00:0a vlan 10 qos 3 proto "
			       "802.1ad spoofchk off vf 1 trust on st dis max_tx_rate 100 up"),
			 0);
	assert_string_equal(req_str("state"), "up");
	assert_true(json_object_object_get_ex(c.req, "vfs", &vfs));
	assert_int_equal(json_object_array_length(vfs), 2);
	g = json_object_array_get_idx(vfs, 0);
	assert_true(json_object_object_get_ex(g, "vf", &v) && json_object_get_int(v) == 0);
	assert_true(json_object_object_get_ex(g, "vlan", &v) && json_object_get_int(v) == 10);
	assert_true(json_object_object_get_ex(g, "qos", &v) && json_object_get_int(v) == 3);
	assert_true(json_object_object_get_ex(g, "proto", &v));
	assert_string_equal(json_object_get_string(v), "802.1ad");
	assert_true(json_object_object_get_ex(g, "spoofchk", &v) && !json_object_get_boolean(v));
	g = json_object_array_get_idx(vfs, 1);
	assert_true(json_object_object_get_ex(g, "trust", &v) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(g, "state", &v));
	assert_string_equal(json_object_get_string(v), "disable");
	assert_true(json_object_object_get_ex(g, "max_tx_rate", &v) && json_object_get_int(v) == 100);
}

static void test_messages(void **state)
{
	assert_int_equal(parse("ip link set pf0 vf 0"), -EINVAL);
	assert_string_equal(err, "Command line is not complete. Try option \"help\"");
	assert_int_equal(parse("ip link set pf0 vf 0 vlan 4096"), -EINVAL);
	assert_string_equal(err, "Error: argument \"4096\" is wrong: Invalid \"vlan\" value");
	assert_int_equal(parse("ip link set pf0 vf 0 vlan 5 proto ip"), -EINVAL);
	assert_non_null(strstr(err, "Invalid \"vlan protocol\" value - supported 802.1Q, 802.1ad"));
	assert_int_equal(parse("ip link set pf0 vf 0 mac 02:00"), -EINVAL);
	assert_string_equal(err, "\"02:00\" is invalid lladdr.");
	assert_int_equal(parse("ip link set pf0 vf 0 spoofchk maybe"), -EINVAL);
	assert_string_equal(err,
			    "Error: argument of \"spoofchk\" must be \"on\" or \"off\", not \"maybe\"");
	assert_int_equal(parse("ip link set vf 0 trust on"), -EINVAL);
	assert_string_equal(err, "Error: argument \"dev\" is required");
	assert_int_equal(parse("ip link set pf0 pf1"), -EINVAL);
	assert_string_equal(err, "Error: either \"dev\" is duplicate, or \"pf1\" is a garbage.");
	assert_int_equal(parse("ip link set pf0 name x"), -EINVAL);
	assert_non_null(strstr(err, "not implemented"));
	assert_int_equal(parse("ip link frob"), -EINVAL);
	assert_string_equal(err, "Command \"frob\" is unknown, try \"ip link help\".");
	assert_int_equal(parse("ip route"), -EINVAL);
	assert_non_null(strstr(err, "not implemented"));
}

static char *print(const char *json)
{
	struct json_object *links = json_tokener_parse(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(links);
	ip_print_links(out, links, &c);
	fclose(out);
	json_object_put(links);
	return buf;
}

static const char link_json[] =
	"[{\"ifindex\":2,\"ifname\":\"pf0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\","
	"\"LOWER_UP\"],\"mtu\":1500,\"operstate\":\"UP\",\"linkmode\":\"DEFAULT\",\"group\":"
	"\"default\",\"link_type\":\"ether\",\"address\":\"00:1b:21:4a:5c:60\",\"broadcast\":"
	"\"ff:ff:ff:ff:ff:ff\",\"stats64\":{\"rx\":{\"bytes\":123456789012,\"packets\":7,"
	"\"errors\":0,\"dropped\":1,\"over_errors\":0,\"multicast\":3,\"missed_errors\":2},"
	"\"tx\":{\"bytes\":10,\"packets\":1,\"errors\":0,\"dropped\":0,\"carrier_errors\":0,"
	"\"collisions\":0}},\"vfinfo_list\":[{\"vf\":0,\"link_type\":\"ether\",\"address\":"
	"\"02:00:00:00:00:0a\",\"broadcast\":\"ff:ff:ff:ff:ff:ff\",\"vlan_list\":[{\"vlan\":10,"
	"\"qos\":3}],\"tx_rate\":100,\"rate\":{\"max_tx\":100,\"min_tx\":0},\"spoofchk\":true,"
	"\"link_state\":\"auto\",\"trust\":false,\"stats\":{\"rx\":{\"bytes\":64,\"packets\":1,"
	"\"multicast\":0,\"broadcast\":0,\"dropped\":0},\"tx\":{\"tx_bytes\":0,\"tx_packets\":0,"
	"\"dropped\":0}}}]}]";

static void test_text(void **state)
{
	char *t;

	assert_int_equal(parse("ip link show"), 0);
	t = print(link_json);
	assert_string_equal(t, "2: pf0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode "
			       "DEFAULT group default \n"
			       "    link/ether 00:1b:21:4a:5c:60 brd ff:ff:ff:ff:ff:ff\n"
			       "    vf 0     link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff, vlan "
			       "10, qos 3, tx rate 100 (Mbps), max_tx_rate 100Mbps, spoof checking on, "
			       "link-state auto, trust off\n");
	free(t);
	/* -s: the PF's columns widen to the widest value, as print_stats64's */
	assert_int_equal(parse("ip -s link show"), 0);
	t = print(link_json);
	assert_non_null(strstr(t, "\n    RX:    bytes packets errors dropped  missed   mcast  "
				  "         \n"
				  "    123456789012       7      0       1       2       3 \n"));
	assert_non_null(strstr(t, "\n    TX:    bytes packets errors dropped carrier collsns  "
				  "         \n"));
	assert_non_null(strstr(t, "trust off\n    RX: bytes  packets  mcast   bcast   dropped \n"
				  "            64        1       0       0        0 \n"
				  "    TX: bytes  packets   dropped \n"
				  "             0        0        0 \n"));
	free(t);
	assert_int_equal(parse("ip -br link"), 0);
	t = print(link_json);
	assert_string_equal(t, "pf0              UP             00:1b:21:4a:5c:60 "
			       "<BROADCAST,MULTICAST,UP,LOWER_UP> \n");
	free(t);
	/* -j: the keys as the domain sent them, no slash escapes */
	assert_int_equal(parse("ip -j link show up"), 0);
	t = print(link_json);
	assert_non_null(strstr(t, "\"vfinfo_list\":[{\"vf\":0,"));
	assert_null(strstr(t, "\\/"));
	free(t);
}

static int teardown(void **state)
{
	json_object_put(c.req);
	c.req = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_abbreviations_and_dev, teardown),
		cmocka_unit_test_teardown(test_options, teardown),
		cmocka_unit_test_teardown(test_vf_groups, teardown),
		cmocka_unit_test_teardown(test_messages, teardown),
		cmocka_unit_test_teardown(test_text, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
