/*
 * The protocols apps speak: Ethernet (with an optional 802.1Q tag in the frame), ARP, IPv4,
 * ICMP echo and UDP; the Internet checksum; and the test payload pktgen sends and sink checks.
 * Headers are packed structs in network byte order, laid over frame bytes of any alignment.
 */
#ifndef VFNET_APPS_PROTO_H
#define VFNET_APPS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/netdev.h"

#define PROTO_ETH_P_IPV4  0x0800
#define PROTO_ETH_P_ARP	  0x0806
#define PROTO_ETH_P_8021Q 0x8100

#define PROTO_IP_ICMP 1
#define PROTO_IP_UDP  17
#define PROTO_IP_DF   0x4000 /* frag_off: don't fragment */
#define PROTO_IP_MF   0x2000 /* frag_off: more fragments */
#define PROTO_IP_OFF  0x1fff /* frag_off: fragment offset */
#define PROTO_IP_TTL  64

#define PROTO_ARP_HTYPE_ETH 1
#define PROTO_ARP_REQUEST   1
#define PROTO_ARP_REPLY	    2

#define PROTO_ICMP_ECHO_REPLY	0
#define PROTO_ICMP_ECHO_REQUEST 8

#define PROTO_UDP_ECHO	  7 /* RFC 862 */
#define PROTO_UDP_DISCARD 9 /* RFC 863: where pktgen sends */

struct eth_hdr {
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t type;
} __attribute__((packed));

struct vlan_hdr {
	uint16_t tci;
	uint16_t type;
} __attribute__((packed));

struct arp_hdr { /* Ethernet/IPv4 only */
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
} __attribute__((packed));

struct ipv4_hdr {
	uint8_t ver_ihl, tos;
	uint16_t tot_len, id, frag_off;
	uint8_t ttl, proto;
	uint16_t csum;
	uint32_t saddr, daddr;
} __attribute__((packed));

struct icmp_hdr {
	uint8_t type, code;
	uint16_t csum;
	uint16_t id, seq;
} __attribute__((packed));

struct udp_hdr {
	uint16_t sport, dport, len, csum;
} __attribute__((packed));

/*
 * The payload of a pktgen frame, first in the UDP payload. 18 bytes, so that it fits the smallest
 * frame (60 = 14 + 20 + 8 + 18). The timestamp is the low 32 bits of the sender's os__now_ns:
 * CLOCK_MONOTONIC is one clock for every process of a host, and a difference of two such values
 * is right for latencies below 4.29 s. csum makes the Internet checksum of the whole UDP payload
 * (this header and the fill after it) come out as 0xffff, so the UDP checksum of a frame does not
 * change when seq and ts do.
 */
#define PROTO_PG_MAGIC 0x7646 /* "vF" */

struct pg_hdr {
	uint16_t magic;
	uint16_t flow;
	uint64_t seq;
	uint32_t ts;
	uint16_t csum;
} __attribute__((packed));

#define PROTO_PG_MIN                                                                               \
	(ETH_HLEN + sizeof(struct ipv4_hdr) + sizeof(struct udp_hdr) + sizeof(struct pg_hdr))

/* ---- Internet checksum (RFC 1071), over big-endian 16-bit words ---- */

/* Add @len bytes at @data to the running sum @sum (an odd last byte is padded with zero). */
uint32_t proto__csum_add(uint32_t sum, const void *data, size_t len);
/* Fold a running sum to 16 bits (not complemented). */
uint16_t proto__csum_fold(uint32_t sum);
/* The checksum field value for @len bytes (host byte order: store with htons). */
uint16_t proto__csum(const void *data, size_t len);

/* ---- parsing ---- */

enum proto_kind {
	PROTO_OTHER, /* not IPv4 or ARP, or a fragment, or an IP protocol other than ICMP/UDP */
	PROTO_ARP,
	PROTO_IPV4,
	PROTO_ICMP,
	PROTO_UDP,
};

struct proto_pkt {
	enum proto_kind kind;
	uint16_t type;	 /* EtherType after an in-frame 802.1Q tag, host order */
	bool tagged;	 /* an 802.1Q tag sits in the frame */
	size_t l3;	 /* offset of the ARP or IPv4 header */
	size_t l4;	 /* offset of the ICMP or UDP header */
	size_t l4_len;	 /* bytes from l4 to the end of the IP datagram (frame padding excluded) */
	size_t data;	 /* offset of the UDP payload */
	size_t data_len; /* its length, from the UDP length field */
};

/*
 * Classify a frame. 0, or -EINVAL when a header it claims to carry is truncated or inconsistent
 * (IPv4 IHL, total length, UDP length); checksums are not checked here.
 */
int proto__parse(const void *frame, size_t len, struct proto_pkt *p);
/* Whether the IPv4 header at @ip has a good header checksum. */
bool proto__ipv4_csum_ok(const struct ipv4_hdr *ip);

/* ---- building (all lengths in bytes, addresses in network byte order) ---- */

void proto__eth(void *buf, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN], uint16_t type);
/* An IPv4 header without options, its checksum filled in. */
void proto__ipv4(void *buf, uint32_t saddr, uint32_t daddr, uint8_t proto, size_t payload_len);
void proto__ipv4_fix_csum(struct ipv4_hdr *ip);
void proto__arp(void *buf, uint16_t op, const uint8_t sha[ETH_ALEN], uint32_t spa,
		const uint8_t tha[ETH_ALEN], uint32_t tpa);
/* The UDP checksum (pseudo header included) of the datagram @udp in @ip, 0 sent as 0xffff. */
void proto__udp_fix_csum(const struct ipv4_hdr *ip, struct udp_hdr *udp);
/* Whether a received datagram's UDP checksum is good (0 means "none" and is good). */
bool proto__udp_csum_ok(const struct ipv4_hdr *ip, const struct udp_hdr *udp);

struct proto_udp_flow {
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	uint32_t saddr, daddr;
	uint16_t sport, dport; /* host order */
};

/*
 * A whole Ethernet/IPv4/UDP frame of @frame_len bytes (>= 42) with a zero payload: returns the
 * offset of the payload. The UDP checksum is left 0: fill the payload, then proto__udp_fix_csum.
 */
size_t proto__udp_frame(void *buf, size_t frame_len, const struct proto_udp_flow *f);

#endif
