/* Ethernet, ARP, IPv4, ICMP and UDP headers and the Internet checksum: see proto.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "proto.h"

uint32_t proto__csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	while (len >= 2) {
		s += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t proto__csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t proto__csum(const void *data, size_t len)
{
	return (uint16_t)~proto__csum_fold(proto__csum_add(0, data, len));
}

bool proto__ipv4_csum_ok(const struct ipv4_hdr *ip)
{
	return proto__csum_fold(proto__csum_add(0, ip, (ip->ver_ihl & 0xfu) * 4u)) == 0xffff;
}

int proto__parse(const void *frame, size_t len, struct proto_pkt *p)
{
	const uint8_t *f = frame;
	const struct eth_hdr *eth = frame;
	const struct ipv4_hdr *ip;
	size_t off = ETH_HLEN, ihl, tot;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN)
		return -EINVAL;
	p->type = ntohs(eth->type);
	if (p->type == PROTO_ETH_P_8021Q) {
		const struct vlan_hdr *vh = (const void *)(f + ETH_HLEN);

		if (len < ETH_HLEN + sizeof(*vh))
			return -EINVAL;
		p->tagged = true;
		p->type = ntohs(vh->type);
		off += sizeof(*vh);
	}
	p->l3 = off;
	if (p->type == PROTO_ETH_P_ARP) {
		const struct arp_hdr *arp = (const void *)(f + off);

		if (len < off + sizeof(*arp))
			return -EINVAL;
		if (ntohs(arp->htype) == PROTO_ARP_HTYPE_ETH &&
		    ntohs(arp->ptype) == PROTO_ETH_P_IPV4 && arp->hlen == ETH_ALEN &&
		    arp->plen == 4)
			p->kind = PROTO_ARP;
		return 0;
	}
	if (p->type != PROTO_ETH_P_IPV4)
		return 0;

	ip = (const void *)(f + off);
	if (len < off + sizeof(*ip) || ip->ver_ihl >> 4 != 4)
		return -EINVAL;
	ihl = (ip->ver_ihl & 0xfu) * 4u;
	tot = ntohs(ip->tot_len);
	if (ihl < sizeof(*ip) || tot < ihl || len < off + tot)
		return -EINVAL;
	p->kind = PROTO_IPV4;
	if (ntohs(ip->frag_off) & (PROTO_IP_MF | PROTO_IP_OFF))
		return 0; /* fragments are not reassembled */
	p->l4 = off + ihl;
	p->l4_len = tot - ihl;
	if (ip->proto == PROTO_IP_ICMP) {
		if (p->l4_len < sizeof(struct icmp_hdr))
			return -EINVAL;
		p->kind = PROTO_ICMP;
	} else if (ip->proto == PROTO_IP_UDP) {
		const struct udp_hdr *udp = (const void *)(f + p->l4);
		size_t ulen;

		if (p->l4_len < sizeof(*udp))
			return -EINVAL;
		ulen = ntohs(udp->len);
		if (ulen < sizeof(*udp) || ulen > p->l4_len)
			return -EINVAL;
		p->kind = PROTO_UDP;
		p->data = p->l4 + sizeof(*udp);
		p->data_len = ulen - sizeof(*udp);
	}
	return 0;
}

void proto__eth(void *buf, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN], uint16_t type)
{
	struct eth_hdr *eth = buf;

	memcpy(eth->dst, dst, ETH_ALEN);
	memcpy(eth->src, src, ETH_ALEN);
	eth->type = htons(type);
}

void proto__ipv4_fix_csum(struct ipv4_hdr *ip)
{
	ip->csum = 0;
	ip->csum = htons(proto__csum(ip, (ip->ver_ihl & 0xfu) * 4u));
}

void proto__ipv4(void *buf, uint32_t saddr, uint32_t daddr, uint8_t proto, size_t payload_len)
{
	struct ipv4_hdr *ip = buf;

	ip->ver_ihl = 0x45;
	ip->tos = 0;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + payload_len));
	ip->id = 0;
	ip->frag_off = htons(PROTO_IP_DF);
	ip->ttl = PROTO_IP_TTL;
	ip->proto = proto;
	ip->saddr = saddr;
	ip->daddr = daddr;
	proto__ipv4_fix_csum(ip);
}

void proto__arp(void *buf, uint16_t op, const uint8_t sha[ETH_ALEN], uint32_t spa,
		const uint8_t tha[ETH_ALEN], uint32_t tpa)
{
	struct arp_hdr *arp = buf;

	arp->htype = htons(PROTO_ARP_HTYPE_ETH);
	arp->ptype = htons(PROTO_ETH_P_IPV4);
	arp->hlen = ETH_ALEN;
	arp->plen = 4;
	arp->op = htons(op);
	memcpy(arp->sha, sha, ETH_ALEN);
	arp->spa = spa;
	memcpy(arp->tha, tha, ETH_ALEN);
	arp->tpa = tpa;
}

/* The UDP pseudo header's contribution (RFC 768). */
static uint32_t proto__udp_pseudo(const struct ipv4_hdr *ip, const struct udp_hdr *udp)
{
	uint32_t sum = proto__csum_add(0, &ip->saddr, 8);

	return sum + PROTO_IP_UDP + ntohs(udp->len);
}

void proto__udp_fix_csum(const struct ipv4_hdr *ip, struct udp_hdr *udp)
{
	uint16_t c;

	udp->csum = 0;
	c = (uint16_t)~proto__csum_fold(
	    proto__csum_add(proto__udp_pseudo(ip, udp), udp, ntohs(udp->len)));
	udp->csum = htons(c ? c : 0xffff);
}

bool proto__udp_csum_ok(const struct ipv4_hdr *ip, const struct udp_hdr *udp)
{
	if (!udp->csum)
		return true;
	return proto__csum_fold(
		   proto__csum_add(proto__udp_pseudo(ip, udp), udp, ntohs(udp->len))) == 0xffff;
}

size_t proto__udp_frame(void *buf, size_t frame_len, const struct proto_udp_flow *f)
{
	uint8_t *b = buf;
	struct udp_hdr *udp = (void *)(b + ETH_HLEN + sizeof(struct ipv4_hdr));
	size_t payload = ETH_HLEN + sizeof(struct ipv4_hdr) + sizeof(*udp);

	memset(b, 0, frame_len);
	proto__eth(b, f->dst, f->src, PROTO_ETH_P_IPV4);
	proto__ipv4(b + ETH_HLEN, f->saddr, f->daddr, PROTO_IP_UDP,
		    frame_len - ETH_HLEN - sizeof(struct ipv4_hdr));
	udp->sport = htons(f->sport);
	udp->dport = htons(f->dport);
	udp->len = htons((uint16_t)(frame_len - ETH_HLEN - sizeof(struct ipv4_hdr)));
	udp->csum = 0;
	return payload;
}
