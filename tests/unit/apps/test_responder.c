/* responder's replies to ARP, ICMP echo and UDP echo, what it ignores; reflector's MAC swap. */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apps/apps.h"
#include "apps/proto.h"
#include "fake_os.h"

static const uint8_t mac_me[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac_peer[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define IP_ME	htonl(0x0a000001)
#define IP_PEER htonl(0x0a000002)

static struct fake_netdev nd;
static struct app app;

static int setup(void **state)
{
	char err[APP_ERR_MAX];
	char *argv[] = {"ip=10.0.0.1"};

	fake_os_reset(1);
	fake_netdev_init(&nd, "eth0", mac_me);
	app = (struct app){.type = &app_responder, .nd = &nd.nd};
	return app_responder.start(&app, 1, argv, err);
}

static int teardown(void **state)
{
	app_responder.stop(&app);
	return 0;
}

static uint64_t stat(const char *key)
{
	struct json_object *o = json_object_new_object(), *v;
	uint64_t r;

	app.type->stats(&app, o);
	assert_true(json_object_object_get_ex(o, key, &v));
	r = json_object_get_uint64(v);
	json_object_put(o);
	return r;
}

static void rx(uint8_t *f, size_t len, uint16_t flags, uint16_t vlan)
{
	struct pkt p = {.data = f, .len = (uint16_t)len, .flags = flags, .vlan = vlan};

	fake_netdev_rx(&nd, &p, 1);
}

static void test_arp(void **state)
{
	uint8_t f[60] = {0}, zero[6] = {0};
	const struct arp_hdr *r = (const void *)(nd.tx[0].data + ETH_HLEN);

	proto__eth(f, bcast, mac_peer, PROTO_ETH_P_ARP);
	proto__arp(f + ETH_HLEN, PROTO_ARP_REQUEST, mac_peer, IP_PEER, zero, IP_ME);
	rx(f, 60, 0, 0);
	assert_int_equal(nd.ntx, 1);
	assert_int_equal(nd.tx[0].len, 60);
	assert_memory_equal(nd.tx[0].data, mac_peer, 6);
	assert_memory_equal(nd.tx[0].data + 6, mac_me, 6);
	assert_int_equal(ntohs(r->op), PROTO_ARP_REPLY);
	assert_memory_equal(r->sha, mac_me, 6);
	assert_int_equal(r->spa, IP_ME);
	assert_memory_equal(r->tha, mac_peer, 6);
	assert_int_equal(r->tpa, IP_PEER);
	assert_int_equal(stat("arp_replies"), 1);

	/* For someone else, or a reply: not answered. */
	proto__arp(f + ETH_HLEN, PROTO_ARP_REQUEST, mac_peer, IP_PEER, zero, htonl(0x0a000009));
	rx(f, 60, 0, 0);
	proto__arp(f + ETH_HLEN, PROTO_ARP_REPLY, mac_peer, IP_PEER, zero, IP_ME);
	rx(f, 60, 0, 0);
	assert_int_equal(nd.ntx, 1);
	assert_int_equal(stat("ignored"), 2);
}

/* An ICMP echo request with @n bytes of data. */
static size_t icmp_req(uint8_t *f, size_t n, uint32_t dst)
{
	struct icmp_hdr *icmp = (void *)(f + 34);

	proto__eth(f, mac_me, mac_peer, PROTO_ETH_P_IPV4);
	proto__ipv4(f + 14, IP_PEER, dst, PROTO_IP_ICMP, sizeof(*icmp) + n);
	*icmp =
	    (struct icmp_hdr){.type = PROTO_ICMP_ECHO_REQUEST, .id = htons(77), .seq = htons(5)};
	for (size_t i = 0; i < n; i++)
		f[42 + i] = (uint8_t)(i * 7);
	icmp->csum = htons(proto__csum(icmp, sizeof(*icmp) + n));
	return 42 + n;
}

static void test_icmp_echo(void **state)
{
	uint8_t f[200];
	size_t len = icmp_req(f, 56, IP_ME);
	const struct ipv4_hdr *ip = (const void *)(nd.tx[0].data + 14);
	const struct icmp_hdr *icmp = (const void *)(nd.tx[0].data + 34);

	rx(f, len, PKT_VLAN, 10);
	assert_int_equal(nd.ntx, 1);
	assert_int_equal(nd.tx[0].len, len);
	assert_int_equal(nd.tx[0].flags, PKT_VLAN); /* same VLAN back */
	assert_int_equal(nd.tx[0].vlan, 10);
	assert_memory_equal(nd.tx[0].data, mac_peer, 6);
	assert_int_equal(ip->saddr, IP_ME);
	assert_int_equal(ip->daddr, IP_PEER);
	assert_true(proto__ipv4_csum_ok(ip));
	assert_int_equal(icmp->type, PROTO_ICMP_ECHO_REPLY);
	assert_int_equal(ntohs(icmp->id), 77);
	assert_int_equal(proto__csum(icmp, len - 34), 0);
	assert_memory_equal(nd.tx[0].data + 42, f + 42, 56);
	assert_int_equal(stat("icmp_replies"), 1);

	/* A bad checksum, an echo for another host: no reply. */
	f[50] ^= 1;
	rx(f, len, 0, 0);
	assert_int_equal(stat("bad"), 1);
	len = icmp_req(f, 8, IP_PEER);
	rx(f, len, 0, 0);
	assert_int_equal(stat("ignored"), 1);
	assert_int_equal(nd.ntx, 1);

	/* A tiny echo gets a reply padded to the Ethernet minimum. */
	len = icmp_req(f, 0, IP_ME);
	rx(f, len, 0, 0);
	assert_int_equal(nd.ntx, 2);
	assert_int_equal(nd.tx[1].len, ETH_ZLEN);
	assert_int_equal(nd.tx[1].flags, 0);
}

static void test_udp_echo(void **state)
{
	uint8_t f[100];
	struct proto_udp_flow fl = {.saddr = IP_PEER, .daddr = IP_ME, .sport = 4000, .dport = 7};
	const struct ipv4_hdr *ip = (const void *)(nd.tx[0].data + 14);
	const struct udp_hdr *udp = (const void *)(nd.tx[0].data + 34);

	memcpy(fl.dst, mac_me, 6);
	memcpy(fl.src, mac_peer, 6);
	proto__udp_frame(f, 100, &fl);
	memcpy(f + 42, "echo me", 7);
	proto__udp_fix_csum((void *)(f + 14), (void *)(f + 34));
	rx(f, 100, 0, 0);
	assert_int_equal(nd.ntx, 1);
	assert_int_equal(ntohs(udp->sport), 7);
	assert_int_equal(ntohs(udp->dport), 4000);
	assert_int_equal(ip->daddr, IP_PEER);
	assert_true(proto__udp_csum_ok(ip, udp));
	assert_memory_equal(nd.tx[0].data + 42, "echo me", 7);
	assert_int_equal(stat("udp_replies"), 1);

	fl.dport = 9;
	proto__udp_frame(f, 100, &fl);
	rx(f, 100, 0, 0);
	assert_int_equal(nd.ntx, 1);
	assert_int_equal(stat("ignored"), 1);
}

static void test_batch_and_ring_full(void **state)
{
	uint8_t f[40][100];
	struct pkt p[40];

	for (unsigned i = 0; i < 40; i++)
		p[i] = (struct pkt){.data = f[i], .len = (uint16_t)icmp_req(f[i], 10, IP_ME)};
	nd.accept = 20;
	fake_netdev_rx(&nd, p, 40);
	assert_int_equal(nd.xmit_calls, 2); /* 32 then 8 */
	assert_int_equal(nd.ntx, 28);
	assert_int_equal(stat("dropped"), 12);
	assert_int_equal(stat("icmp_replies"), 40);
}

static void test_ip_from_config(void **state)
{
	struct app a = {.type = &app_responder, .nd = &nd.nd};
	char err[APP_ERR_MAX];
	char *bad[] = {"ip=10.0.0"};
	uint8_t f[100];

	app_responder.stop(&app);
	assert_int_equal(app_responder.start(&a, 0, NULL, err), -EINVAL);
	assert_string_equal(err, "responder: the domain has no ip configured; give ip=A.B.C.D");
	assert_int_equal(app_responder.start(&a, 1, bad, err), -EINVAL);
	assert_string_equal(err, "responder: bad value '10.0.0' for ip "
				 "(an IPv4 address like 10.0.0.1)");
	fake_config_set("ip", "10.0.0.1/24");
	assert_int_equal(app_responder.start(&app, 0, NULL, err), 0);
	rx(f, icmp_req(f, 4, IP_ME), 0, 0);
	assert_int_equal(stat("icmp_replies"), 1);
}

static void test_reflector(void **state)
{
	struct app r = {.type = &app_reflector, .nd = &nd.nd};
	char err[APP_ERR_MAX];
	uint8_t f[100];

	app_responder.stop(&app);
	assert_int_equal(app_reflector.start(&r, 0, NULL, err), 0);
	rx(f, icmp_req(f, 20, IP_PEER), PKT_VLAN | PKT_CSUM_OK, 3);
	assert_int_equal(nd.ntx, 1);
	assert_memory_equal(nd.tx[0].data, mac_peer, 6);
	assert_memory_equal(nd.tx[0].data + 6, mac_me, 6);
	assert_memory_equal(nd.tx[0].data + 12, f + 12, 62 - 12);
	assert_int_equal(nd.tx[0].flags, PKT_VLAN);
	assert_int_equal(nd.tx[0].vlan, 3);
	assert_memory_equal(f, mac_me, 6); /* the received frame is left alone */
	app_reflector.stop(&r);
	/* teardown stops app: give it a responder again */
	assert_int_equal(setup(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_arp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icmp_echo, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_udp_echo, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_and_ring_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ip_from_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reflector, setup, teardown),
	};

	return cmocka_run_group_tests_name("apps_responder", tests, NULL, NULL);
}
