/*
 * `ip link set PF ...` as dom0's runtime hands it to mdd (link.c's link-set, then the PF's
 * vf_ops), against the real 82576 model (harness.h): a command is checked whole and applied
 * all or nothing, a refusal names its keyword, several `vf N` groups go in one command, and
 * `ip link show` reports the VFs in iproute2's JSON keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "harness.h"
#include "link.h"
#include "mdd.h"

static const uint8_t zero_mac[ETH_ALEN];

static struct mdd_adapter *pf(void)
{
	return h.pf->drvdata;
}

static int setup(void **state)
{
	int rc = harness__setup(state);

	if (!rc) {
		unsigned prev = harness__enter(HARNESS_DOM0);

		rc = link__init();
		harness__enter(prev);
	}
	return rc;
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static bool ok(struct json_object *reply)
{
	struct json_object *v;

	return json_object_object_get_ex(reply, "ok", &v) && json_object_get_boolean(v);
}

static struct mdd_vf_info vf_info(unsigned vf)
{
	struct mdd_vf_info ivi;
	unsigned prev = harness__enter(HARNESS_DOM0);

	assert_int_equal(mdd_get_vf_config(pf(), vf, &ivi), 0);
	harness__enter(prev);
	return ivi;
}

/* The command: MAC and VLAN are fine, min_tx_rate is not; nothing may change. */
static void test_refused_keyword_changes_nothing(void **state)
{
	struct json_object *r;
	struct mdd_vf_info ivi;

	assert_int_equal(harness__sriov(2), 2);
	harness__log_clear();
	r = harness__request("{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":[{\"vf\":0,"
			     "\"mac\":\"02:00:00:00:00:0a\",\"vlan\":10,\"qos\":3,"
			     "\"spoofchk\":false,\"min_tx_rate\":10}]}");
	assert_false(ok(r));
	assert_string_equal(get_str(r, "error"), "RTNETLINK answers: Invalid argument");
	assert_non_null(strstr(get_str(r, "detail"), "vf 0 min_tx_rate 10"));
	assert_non_null(strstr(get_str(r, "detail"), "nothing was changed"));
	json_object_put(r);
	ivi = vf_info(0);
	assert_memory_equal(ivi.mac, zero_mac, ETH_ALEN);
	assert_int_equal(ivi.vlan, 0);
	assert_int_equal(ivi.qos, 0);
	assert_true(ivi.spoofchk);
	/* the silicon too: no port VLAN inserted, no VLVF entry for VLAN 10 */
	assert_int_equal(harness__pf_rd32(E1000_VMVIR(0)), 0);
	for (unsigned i = 1; i < E1000_VLVF_ENTRIES; i++)
		assert_int_not_equal(harness__pf_rd32(E1000_VLVF(i)) & E1000_VLVF_VLANID_MASK, 10);
	/* dom0's log says why */
	assert_true(harness__log_has("vf 0 min_tx_rate 10 refused: the 82576 has no minimum"));

	/* without the refused keyword the same command applies whole */
	r = harness__request("{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":[{\"vf\":0,"
			     "\"mac\":\"02:00:00:00:00:0a\",\"vlan\":10,\"qos\":3,"
			     "\"spoofchk\":false}]}");
	assert_true(ok(r));
	json_object_put(r);
	ivi = vf_info(0);
	assert_int_equal(ivi.mac[5], 0x0a);
	assert_int_equal(ivi.vlan, 10);
	assert_int_equal(ivi.qos, 3);
	assert_false(ivi.spoofchk);
	assert_int_equal(harness__pf_rd32(E1000_VMVIR(0)) & 0xffff, 10 | 3 << 13);
}

/* The same through mdd's own op, whose flat form the demo uses: it used to stop half way,
 * with the MAC and the VLAN applied. */
static void test_flat_ip_link_set_refused_whole(void **state)
{
	struct json_object *r;

	assert_int_equal(harness__sriov(2), 2);
	r = harness__request("{\"op\":\"ip-link-set\",\"pf\":\"pf0\",\"vf\":\"0\","
			     "\"mac\":\"02:00:00:00:00:0a\",\"vlan\":\"10\",\"qos\":\"3\","
			     "\"min_tx_rate\":\"10\"}");
	assert_false(ok(r));
	json_object_put(r);
	assert_memory_equal(vf_info(0).mac, zero_mac, ETH_ALEN);
	assert_int_equal(vf_info(0).vlan, 0);
	assert_int_equal(harness__pf_rd32(E1000_VMVIR(0)), 0);
}

/* Several groups: all of them, or none when a later one is refused. */
static void test_vf_groups_all_or_nothing(void **state)
{
	struct json_object *r;

	assert_int_equal(harness__sriov(3), 3);
	r = harness__request("{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":["
			     "{\"vf\":0,\"mac\":\"02:00:00:00:00:01\"},"
			     "{\"vf\":1,\"trust\":true},"
			     "{\"vf\":2,\"vlan\":20,\"proto\":\"802.1ad\"}]}");
	assert_false(ok(r));
	assert_string_equal(get_str(r, "error"), "RTNETLINK answers: Protocol not supported");
	assert_non_null(strstr(get_str(r, "detail"), "vf 2 vlan 20 proto 802.1ad"));
	json_object_put(r);
	assert_memory_equal(vf_info(0).mac, zero_mac, ETH_ALEN);
	assert_false(vf_info(1).trusted);

	/* a VF index past num_vfs refuses the command, naming the VF */
	r = harness__request(
	    "{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":["
	    "{\"vf\":0,\"mac\":\"02:00:00:00:00:01\"},{\"vf\":3,\"trust\":true}]}");
	assert_false(ok(r));
	assert_non_null(strstr(get_str(r, "detail"), "vf 3"));
	json_object_put(r);
	assert_memory_equal(vf_info(0).mac, zero_mac, ETH_ALEN);
	assert_true(harness__log_has("pf0 has 3 VFs: vf 0 to 2"));

	/* the same VF twice is iproute2's duplicate */
	r = harness__request("{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":["
			     "{\"vf\":1,\"trust\":true},{\"vf\":1,\"spoofchk\":false}]}");
	assert_false(ok(r));
	assert_non_null(strstr(get_str(r, "error"), "duplicate \"vf\""));
	json_object_put(r);

	r = harness__request("{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":["
			     "{\"vf\":0,\"mac\":\"02:00:00:00:00:01\"},"
			     "{\"vf\":1,\"trust\":true},"
			     "{\"vf\":2,\"vlan\":20,\"proto\":\"802.1Q\",\"state\":\"disable\"}]}");
	assert_true(ok(r));
	json_object_put(r);
	assert_int_equal(vf_info(0).mac[5], 1);
	assert_true(vf_info(1).trusted);
	assert_int_equal(vf_info(2).vlan, 20);
	assert_int_equal(vf_info(2).link_state, MDD_LINK_DISABLE);
}

/* VLVF entries are counted over the whole command, not group by group. */
static void test_vlvf_room_counted_across_groups(void **state)
{
	struct json_object *r;
	unsigned free_entries;
	int rc = 0;
	unsigned prev;

	assert_int_equal(harness__sriov(3), 3);
	/* the PF's own VLANs take all but two entries */
	prev = harness__enter(HARNESS_DOM0);
	for (uint16_t vid = 100; mdd_vlvf_free_entries(pf()) > 2; vid++)
		rc |= mdd_vlvf_set(pf(), pf()->queue, vid, true);
	free_entries = mdd_vlvf_free_entries(pf());
	harness__enter(prev);
	assert_int_equal(rc, 0);
	assert_int_equal(free_entries, 2);
	/* three new VLANs fit no more than two entries: refused whole */
	r = harness__request(
	    "{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":["
	    "{\"vf\":0,\"vlan\":10},{\"vf\":1,\"vlan\":11},{\"vf\":2,\"vlan\":12}]}");
	assert_false(ok(r));
	assert_string_equal(get_str(r, "error"), "RTNETLINK answers: No space left on device");
	assert_non_null(strstr(get_str(r, "detail"), "vf 2 vlan 12"));
	json_object_put(r);
	assert_int_equal(vf_info(0).vlan, 0);
	assert_int_equal(vf_info(1).vlan, 0);
	/* two VFs sharing one new VLAN and one on a VLAN the PF already has: fits */
	r = harness__request(
	    "{\"op\":\"link-set\",\"dev\":\"pf0\",\"vfs\":["
	    "{\"vf\":0,\"vlan\":10},{\"vf\":1,\"vlan\":10},{\"vf\":2,\"vlan\":100}]}");
	assert_true(ok(r));
	json_object_put(r);
	assert_int_equal(vf_info(1).vlan, 10);
	assert_int_equal(vf_info(2).vlan, 100);
}

/* `ip link set pf0 down|up` and what `ip -j link show` says of it. */
static void test_pf_up_down_and_json(void **state)
{
	struct json_object *r, *links, *l, *vfs, *vf, *v;
	struct netdev *nd = &pf()->netdev;

	assert_int_equal(harness__sriov(1), 1);
	r = harness__request("{\"op\":\"link-set\",\"dev\":\"pf0\",\"state\":\"up\"}");
	assert_true(ok(r));
	json_object_put(r);
	assert_true(nd->up);
	r = harness__request("{\"op\":\"link-show\",\"dev\":\"pf0\",\"stats\":true}");
	assert_true(ok(r));
	assert_true(json_object_object_get_ex(r, "links", &links));
	l = json_object_array_get_idx(links, 0);
	assert_string_equal(get_str(l, "ifname"), "pf0");
	assert_string_equal(get_str(l, "operstate"), nd->carrier ? "UP" : "DOWN");
	assert_true(json_object_object_get_ex(l, "ifindex", &v));
	assert_int_equal(json_object_get_int(v), nd->ifindex);
	assert_true(json_object_object_get_ex(l, "stats64", &v));
	assert_true(json_object_object_get_ex(l, "vfinfo_list", &vfs));
	vf = json_object_array_get_idx(vfs, 0);
	assert_true(json_object_object_get_ex(vf, "vlan_list", &v));
	assert_true(json_object_object_get_ex(vf, "rate", &v));
	assert_true(json_object_object_get_ex(v, "max_tx", NULL));
	assert_true(json_object_object_get_ex(vf, "spoofchk", &v));
	assert_true(json_object_object_get_ex(vf, "trust", &v));
	assert_string_equal(get_str(vf, "link_state"), "auto");
	assert_true(json_object_object_get_ex(vf, "stats", &v));
	assert_true(json_object_object_get_ex(v, "rx", &v));
	assert_true(json_object_object_get_ex(v, "multicast", NULL));
	json_object_put(r);

	r = harness__request("{\"op\":\"link-set\",\"dev\":\"pf0\",\"state\":\"down\"}");
	assert_true(ok(r));
	json_object_put(r);
	assert_false(nd->up);
	r = harness__request("{\"op\":\"link-show\",\"dev\":\"pf0\"}");
	json_object_object_get_ex(r, "links", &links);
	l = json_object_array_get_idx(links, 0);
	assert_string_equal(get_str(l, "operstate"), "DOWN");
	json_object_object_get_ex(l, "flags", &v);
	for (size_t i = 0; i < json_object_array_length(v); i++)
		assert_string_not_equal(json_object_get_string(json_object_array_get_idx(v, i)),
					"UP");
	json_object_put(r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, harness__teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_refused_keyword_changes_nothing),
	    T(test_flat_ip_link_set_refused_whole),
	    T(test_vf_groups_all_or_nothing),
	    T(test_vlvf_room_counted_across_groups),
	    T(test_pf_up_down_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
