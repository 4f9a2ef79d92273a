/*
 * Offloads: VLAN insertion (VLE with the context's tag, VMVIR's VLANA) and stripping (VMOLR,
 * port VLAN, RPLOLR), IPv4 header and TCP/UDP checksum insertion checked by recomputing them,
 * and the Rx packet type and checksum status.
 */
#include <string.h>

#include "fixture.h"

static uint8_t buf[16384], got[16384];

/* Ones' complement sum of big-endian words, the plain way. */
static uint32_t sum16(const uint8_t *p, uint32_t n, uint32_t s)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

enum l4 { TCP = 6, UDP = 17 };

/* Ethernet + IPv4 (or IPv6) + TCP/UDP, the L4 checksum field holding the pseudo-header sum as
 * Linux leaves it for CHECKSUM_PARTIAL, the IPv4 checksum 0. */
static uint32_t ip_frame(uint8_t *b, unsigned to, unsigned from, bool v6, enum l4 proto,
			 uint32_t payload)
{
	uint32_t l3 = 14, iplen = v6 ? 40 : 20, l4 = l3 + iplen, hl = proto == TCP ? 20 : 8;
	uint32_t l4len = hl + payload, pseudo;

	fx__frame(b, fx.fn[to].mac, fx.fn[from].mac, -1, v6 ? 0x86dd : 0x0800, 0, 0);
	memset(b + l3, 0, iplen + hl);
	if (v6) {
		b[l3] = 0x60;
		put16(b + l3 + 4, (uint16_t)l4len);
		b[l3 + 6] = (uint8_t)proto;
		b[l3 + 7] = 64;
		for (unsigned k = 0; k < 32; k++)
			b[l3 + 8 + k] = (uint8_t)(0x20 + k);
		pseudo = sum16(b + l3 + 8, 32, 0);
	} else {
		b[l3] = 0x45;
		put16(b + l3 + 2, (uint16_t)(iplen + l4len));
		put16(b + l3 + 4, 0x1234);
		put16(b + l3 + 6, 0x4000); /* DF */
		b[l3 + 8] = 64;
		b[l3 + 9] = (uint8_t)proto;
		memcpy(b + l3 + 12, (const uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
		pseudo = sum16(b + l3 + 12, 8, 0);
	}
	put16(b + l4, 40000);
	put16(b + l4 + 2, 5001);
	if (proto == TCP) {
		b[l4 + 12] = 5 << 4;
		b[l4 + 13] = 0x18;
		put16(b + l4 + 14, 0xffff);
	} else {
		put16(b + l4 + 4, (uint16_t)l4len);
	}
	for (uint32_t k = 0; k < payload; k++)
		b[l4 + hl + k] = (uint8_t)(k * 13 + 1);
	put16(b + l4 + (proto == TCP ? 16 : 6), fold(pseudo + proto + l4len));
	return l4 + l4len;
}

/* Does the frame carry a correct L4 (and for v4, IP header) checksum? */
static void check_sums(const uint8_t *b, uint32_t len, bool v6)
{
	uint32_t l3 = 14, iplen = v6 ? 40 : 20, l4 = l3 + iplen, pseudo;
	uint8_t proto = v6 ? b[l3 + 6] : b[l3 + 9];

	if (v6) {
		pseudo = sum16(b + l3 + 8, 32, 0);
	} else {
		assert_int_equal(fold(sum16(b + l3, iplen, 0)), 0xffff);
		pseudo = sum16(b + l3 + 12, 8, 0);
	}
	assert_int_equal(fold(sum16(b + l4, len - l4, pseudo + proto + (len - l4))), 0xffff);
}

static void setup(void)
{
	fx__start(3);
	for (unsigned i = 0; i < 3; i++) {
		fx__rings(i, 32, 32, 2);
		fx__rx_post(i, 31);
	}
}

struct csum_case {
	const char *name;
	bool v6;
	enum l4 proto;
	uint32_t payload;
	unsigned frags;
	uint32_t pkt_type, status;
};

static const struct csum_case csum_cases[] = {
    {"IPv4 TCP", false, TCP, 333, 1, E1000_RXDADV_PKTTYPE_IPV4 | E1000_RXDADV_PKTTYPE_TCP,
     E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS},
    {"IPv4 TCP, odd pieces", false, TCP, 333, 3,
     E1000_RXDADV_PKTTYPE_IPV4 | E1000_RXDADV_PKTTYPE_TCP,
     E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS},
    {"IPv4 UDP", false, UDP, 1001, 5, E1000_RXDADV_PKTTYPE_IPV4 | E1000_RXDADV_PKTTYPE_UDP,
     E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS},
    {"IPv6 UDP", true, UDP, 200, 2, E1000_RXDADV_PKTTYPE_IPV6 | E1000_RXDADV_PKTTYPE_UDP,
     E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS},
    {"IPv6 TCP", true, TCP, 1400, 3, E1000_RXDADV_PKTTYPE_IPV6 | E1000_RXDADV_PKTTYPE_TCP,
     E1000_RXD_STAT_TCPCS},
};

static void test_checksum_insertion(void **state)
{
	for (unsigned c = 0; c < sizeof(csum_cases) / sizeof(csum_cases[0]); c++) {
		const struct csum_case *k = &csum_cases[c];
		struct fx_txopt opt = {
		    .frags = k->frags,
		    .ctx = true,
		    .maclen = 14,
		    .iplen = k->v6 ? 40 : 20,
		    .tucmd =
			(k->v6 ? 0 : E1000_ADVTXD_TUCMD_IPV4) |
			(k->proto == TCP ? E1000_ADVTXD_TUCMD_L4T_TCP : E1000_ADVTXD_TUCMD_L4T_UDP),
		    .popts = E1000_ADVTXD_POPTS_TXSM | (k->v6 ? 0 : E1000_ADVTXD_POPTS_IXSM),
		};
		struct fx_rxd wb;
		uint32_t len;

		print_message("# case: %s\n", k->name);
		setup();
		len = ip_frame(buf, 1, 0, k->v6, k->proto, k->payload);
		fx__tx(0, buf, len, &opt);
		fx__poll();
		assert_int_equal(fx__rx(1, got, sizeof(got), &wb), len);
		check_sums(got, len, k->v6);
		/* Only the checksum fields changed. */
		assert_memory_equal(got, buf, 14 + (k->v6 ? 40 : 10));
		assert_int_equal(wb.pkt_info & 0xfff0, k->pkt_type);
		assert_int_equal(
		    wb.status & ~(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXDEXT_STATERR_LB),
		    k->status);
		fx__teardown(NULL);
	}
	fx__start(0);
}

static void test_rx_reports_bad_checksums(void **state)
{
	struct fx_rxd wb;
	uint32_t len;

	setup();
	/* Sent without offload: the TCP field still holds only the pseudo-header sum. */
	len = ip_frame(buf, 1, 0, false, TCP, 100);
	put16(buf + 14 + 10, (uint16_t)~fold(sum16(buf + 14, 20, 0)));
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), &wb), len);
	assert_true(wb.status & E1000_RXD_STAT_IPCS);
	assert_false(wb.status & E1000_RXDEXT_STATERR_IPE);
	assert_true(wb.status & E1000_RXD_STAT_TCPCS);
	assert_true(wb.status & E1000_RXDEXT_STATERR_L4E);
	/* A broken IPv4 header checksum. */
	buf[14 + 10] ^= 0x55;
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), &wb), len);
	assert_true(wb.status & E1000_RXDEXT_STATERR_IPE);
	/* A fragment: no L4 verdict. */
	put16(buf + 14 + 6, 0x2000);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), &wb), len);
	assert_false(wb.status & (E1000_RXD_STAT_TCPCS | E1000_RXDEXT_STATERR_L4E));
	/* Not IP at all. */
	len = fx__frame(buf, fx.fn[1].mac, fx.fn[0].mac, -1, 0x88b5, 100, 1);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), &wb), len);
	assert_int_equal(wb.pkt_info & 0xfff0, 0);
	assert_int_equal(wb.status,
			 E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXDEXT_STATERR_LB);
}

struct tag_case {
	const char *name;
	uint32_t vmvir;
	bool vle;
	int expect; /* the tag the receiver sees, -1 none */
};

static const struct tag_case tag_cases[] = {
    {"VLE with the context's tag", 0, true, 10},
    {"no VLE", 0, false, -1},
    {"VLANA default: the port VLAN", E1000_VMVIR_VLANA_DEFAULT | 40, false, 40},
    {"VLANA default wins over VLE", E1000_VMVIR_VLANA_DEFAULT | 40, true, 40},
    {"VLANA never: VLE ignored", E1000_VMVIR_VLANA_NEVER | 40, true, -1},
    {"priority bits kept", E1000_VMVIR_VLANA_DEFAULT | 0x6000 | 40, false, 0x6000 | 40},
};

static void test_vlan_insertion(void **state)
{
	for (unsigned c = 0; c < sizeof(tag_cases) / sizeof(tag_cases[0]); c++) {
		const struct tag_case *k = &tag_cases[c];
		struct fx_txopt opt = {.ctx = true, .vlan = 10, .vle = k->vle};
		uint32_t len;
		int n;

		print_message("# case: %s\n", k->name);
		setup();
		/* VF 1 keeps tags: no STRVLAN, no port VLAN. */
		fx__pf_wr(E1000_VMOLR(1), fx__pf_rd(E1000_VMOLR(1)) & ~E1000_VMOLR_STRVLAN);
		fx__pf_wr(E1000_VLVF(0),
			  E1000_VLVF_VLANID_ENABLE | 10 | 3 << E1000_VLVF_POOLSEL_SHIFT);
		fx__pf_wr(E1000_VLVF(1),
			  E1000_VLVF_VLANID_ENABLE | 40 | 3 << E1000_VLVF_POOLSEL_SHIFT);
		fx__pf_wr(E1000_VMVIR(0), k->vmvir);
		len = fx__frame(buf, fx.fn[1].mac, fx.fn[0].mac, -1, 0x88b5, 80, (uint8_t)c);
		fx__tx(0, buf, len, &opt);
		fx__poll();
		n = fx__rx(1, got, sizeof(got), NULL);
		if (k->expect < 0) {
			assert_int_equal(n, len);
			assert_memory_equal(got, buf, len);
		} else {
			assert_int_equal(n, len + 4);
			assert_memory_equal(got, buf, 12);
			assert_int_equal(got[12] << 8 | got[13], 0x8100);
			assert_int_equal(got[14] << 8 | got[15], k->expect);
			assert_memory_equal(got + 16, buf + 12, len - 12);
		}
		fx__teardown(NULL);
	}
	fx__start(0);
}

struct strip_case {
	const char *name;
	bool strvlan;
	uint32_t vmvir;
	bool bcast, rplolr;
	bool stripped;
};

static const struct strip_case strip_cases[] = {
    {"VMOLR.STRVLAN", true, 0, false, false, true},
    {"port VLAN", false, E1000_VMVIR_VLANA_DEFAULT | 10, false, false, true},
    {"neither", false, 0, false, false, false},
    {"broadcast with RPLOLR.STRVLAN", false, 0, true, true, true},
    {"broadcast without", false, 0, true, false, false},
};

static void test_vlan_stripping(void **state)
{
	for (unsigned c = 0; c < sizeof(strip_cases) / sizeof(strip_cases[0]); c++) {
		const struct strip_case *k = &strip_cases[c];
		struct fx_rxd wb;
		uint32_t len;
		int n;

		print_message("# case: %s\n", k->name);
		setup();
		fx__pf_wr(E1000_VMOLR(1), (fx__pf_rd(E1000_VMOLR(1)) & ~E1000_VMOLR_STRVLAN) |
					      (k->strvlan ? E1000_VMOLR_STRVLAN : 0));
		fx__pf_wr(E1000_VMVIR(1), k->vmvir);
		fx__pf_wr(E1000_RPLOLR, k->rplolr ? E1000_VMOLR_STRVLAN : 0);
		fx__pf_wr(E1000_VLVF(0),
			  E1000_VLVF_VLANID_ENABLE | 10 | 3 << E1000_VLVF_POOLSEL_SHIFT);
		len = fx__frame(buf, k->bcast ? fx_bcast : fx.fn[1].mac, fx.fn[0].mac, 0x2000 | 10,
				0x88b5, 80, (uint8_t)c);
		fx__tx(0, buf, len, NULL);
		fx__poll();
		n = fx__rx(1, got, sizeof(got), &wb);
		if (k->stripped) {
			assert_int_equal(n, len - 4);
			assert_true(wb.status & E1000_RXD_STAT_VP);
			assert_int_equal(wb.vlan, 0x2000 | 10);
			assert_memory_equal(got + 12, buf + 16, len - 16);
		} else {
			assert_int_equal(n, len);
			assert_false(wb.status & E1000_RXD_STAT_VP);
			assert_int_equal(wb.vlan, 0);
			assert_memory_equal(got, buf, len);
		}
		fx__teardown(NULL);
	}
	fx__start(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_checksum_insertion, fx__teardown),
	    cmocka_unit_test_teardown(test_rx_reports_bad_checksums, fx__teardown),
	    cmocka_unit_test_teardown(test_vlan_insertion, fx__teardown),
	    cmocka_unit_test_teardown(test_vlan_stripping, fx__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
