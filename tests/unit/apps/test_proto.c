/* Protocol helpers: the Internet checksum against known values, and frames built then parsed. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apps/proto.h"

static const struct proto_udp_flow flow = {
    .dst = {0x02, 0, 0, 0, 0, 0x02},
    .src = {0x02, 0, 0, 0, 0, 0x01},
    .saddr = 0x0100000a, /* 10.0.0.1, already in network order on little endian */
    .daddr = 0x0200000a,
    .sport = 1234,
    .dport = 7,
};

static void test_csum_rfc1071(void **state)
{
	/* RFC 1071 section 3's example: the sum of these words is 0xddf2. */
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	assert_int_equal(proto__csum_fold(proto__csum_add(0, b, sizeof(b))), 0xddf2);
	assert_int_equal(proto__csum(b, sizeof(b)), 0x220d);
	/* An odd length pads with a zero byte; sums chain across calls on even boundaries. */
	assert_int_equal(proto__csum_fold(proto__csum_add(0, b, 7)), 0xddf2 - 0xf7);
	assert_int_equal(proto__csum_fold(proto__csum_add(proto__csum_add(0, b, 4), b + 4, 4)),
			 0xddf2);
}

static void test_ipv4_header(void **state)
{
	/* A header with a well-known checksum, 0xb861. */
	uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

	proto__ipv4_fix_csum((struct ipv4_hdr *)h);
	assert_int_equal(h[10], 0xb8);
	assert_int_equal(h[11], 0x61);
	assert_true(proto__ipv4_csum_ok((struct ipv4_hdr *)h));
	h[15] ^= 1;
	assert_false(proto__ipv4_csum_ok((struct ipv4_hdr *)h));
}

static void test_udp_roundtrip(void **state)
{
	uint8_t f[128];
	struct proto_pkt p;
	size_t off = proto__udp_frame(f, 100, &flow);
	const struct ipv4_hdr *ip = (const void *)(f + ETH_HLEN);
	struct udp_hdr *udp = (void *)(f + ETH_HLEN + 20);

	assert_int_equal(off, 42);
	memcpy(f + off, "hello", 5);
	proto__udp_fix_csum(ip, udp);
	assert_int_equal(proto__parse(f, 100, &p), 0);
	assert_int_equal(p.kind, PROTO_UDP);
	assert_false(p.tagged);
	assert_int_equal(p.type, PROTO_ETH_P_IPV4);
	assert_int_equal(p.l3, 14);
	assert_int_equal(p.l4, 34);
	assert_int_equal(p.data, 42);
	assert_int_equal(p.data_len, 58);
	assert_int_equal(ntohs(ip->tot_len), 86);
	assert_true(proto__ipv4_csum_ok(ip));
	assert_true(proto__udp_csum_ok(ip, udp));
	assert_int_equal(ntohs(udp->sport), 1234);
	assert_memory_equal(f, flow.dst, 6);
	assert_memory_equal(f + 6, flow.src, 6);

	f[off + 1] ^= 0x40;
	assert_false(proto__udp_csum_ok(ip, udp));
	udp->csum = 0; /* none */
	assert_true(proto__udp_csum_ok(ip, udp));

	/* Frame padding past the IP datagram is not payload. */
	uint8_t small[60];
	assert_int_equal(proto__udp_frame(small, 50, &flow), 42);
	memset(small + 50, 0xee, 10);
	assert_int_equal(proto__parse(small, 60, &p), 0);
	assert_int_equal(p.data_len, 8);
	assert_int_equal(p.l4_len, 16);
}

static void test_parse_vlan_and_arp(void **state)
{
	uint8_t f[64] = {0};
	struct proto_pkt p;
	uint8_t any[6] = {0};

	proto__eth(f, flow.dst, flow.src, PROTO_ETH_P_8021Q);
	f[14] = 0x00, f[15] = 10; /* VID 10 */
	f[16] = 0x08, f[17] = 0x06;
	proto__arp(f + 18, PROTO_ARP_REQUEST, flow.src, flow.saddr, any, flow.daddr);
	assert_int_equal(proto__parse(f, 60, &p), 0);
	assert_true(p.tagged);
	assert_int_equal(p.kind, PROTO_ARP);
	assert_int_equal(p.l3, 18);
	assert_int_equal(proto__parse(f, 18 + 27, &p), -EINVAL);

	/* Something else entirely. */
	proto__eth(f, flow.dst, flow.src, 0x86dd);
	assert_int_equal(proto__parse(f, 60, &p), 0);
	assert_int_equal(p.kind, PROTO_OTHER);
}

static void test_parse_malformed(void **state)
{
	uint8_t f[100] = {0};
	struct proto_pkt p;
	struct ipv4_hdr *ip = (void *)(f + ETH_HLEN);
	struct udp_hdr *udp = (void *)(f + ETH_HLEN + 20);

	assert_int_equal(proto__parse(f, 13, &p), -EINVAL);

	proto__udp_frame(f, 100, &flow);
	ip->tot_len = htons(200); /* longer than the frame */
	assert_int_equal(proto__parse(f, 100, &p), -EINVAL);
	ip->tot_len = htons(86);
	ip->ver_ihl = 0x44; /* IHL below 5 */
	assert_int_equal(proto__parse(f, 100, &p), -EINVAL);
	ip->ver_ihl = 0x65; /* not version 4 */
	assert_int_equal(proto__parse(f, 100, &p), -EINVAL);
	ip->ver_ihl = 0x45;
	udp->len = htons(100); /* past the datagram */
	assert_int_equal(proto__parse(f, 100, &p), -EINVAL);
	udp->len = htons(7);
	assert_int_equal(proto__parse(f, 100, &p), -EINVAL);
	udp->len = htons(66);
	assert_int_equal(proto__parse(f, 100, &p), 0);
	assert_int_equal(p.kind, PROTO_UDP);

	/* Fragments stop at IPv4. */
	ip->frag_off = htons(PROTO_IP_MF);
	assert_int_equal(proto__parse(f, 100, &p), 0);
	assert_int_equal(p.kind, PROTO_IPV4);
	ip->frag_off = htons(8);
	assert_int_equal(proto__parse(f, 100, &p), 0);
	assert_int_equal(p.kind, PROTO_IPV4);
}

static void test_pg_hdr_fits_min_frame(void **state)
{
	assert_int_equal(sizeof(struct pg_hdr), 18);
	assert_int_equal(PROTO_PG_MIN, ETH_ZLEN);
	assert_int_equal(offsetof(struct pg_hdr, csum) % 2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csum_rfc1071),    cmocka_unit_test(test_ipv4_header),
	    cmocka_unit_test(test_udp_roundtrip),   cmocka_unit_test(test_parse_vlan_and_arp),
	    cmocka_unit_test(test_parse_malformed), cmocka_unit_test(test_pg_hdr_fits_min_frame),
	};

	return cmocka_run_group_tests_name("apps_proto", tests, NULL, NULL);
}
