/*
 * Frames as the datapath sees them: the L2 header, the packet type and checksum status the Rx
 * write-back reports (82576.md section 6), ones' complement sums over a frame's iovec, and the
 * scatter copy into a receiver's buffers.
 */
#include <string.h>

#include "hw/nic/desc.h"
#include "hw/nic/dp.h"
#include "lib/compiler.h"

#define ETH_P_IP      0x0800
#define ETH_P_IPV6    0x86DD
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17
#define IPPROTO_SCTP_ 132

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void nic_frame__parse(struct nic_frame *f, uint16_t vet)
{
	f->tagged = false;
	f->tci = 0;
	f->classified = false;
	f->ethertype = be16(f->hdr + 2 * ETH_ALEN);
	f->l3_off = ETH_HLEN;
	if (f->ethertype == vet && f->hdr_len >= ETH_HLEN + VLAN_HLEN) {
		f->tagged = true;
		f->tci = be16(f->hdr + ETH_HLEN);
		f->ethertype = be16(f->hdr + ETH_HLEN + 2);
		f->l3_off = ETH_HLEN + VLAN_HLEN;
	}
}

/* Sum of native-order 16-bit words of a buffer that starts a word, in 64 bits. */
static uint64_t sum_native(const uint8_t *p, size_t n)
{
	uint64_t acc = 0;

	while (n >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		acc += (v & 0xffffffff) + (v >> 32);
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		acc += v;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t v;

		memcpy(&v, p, 2);
		acc += v;
		p += 2;
		n -= 2;
	}
	if (n)
		acc += *p; /* a last odd byte is the high byte of its big-endian word */
	return acc;
}

static uint16_t fold64(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

uint16_t nic_csum__fold(uint32_t sum)
{
	return fold64(sum);
}

/* RFC 1071: the sum does not depend on byte order, so sum natively and swap once; a chunk that
 * starts at an odd position contributes its bytes swapped, which cancels that swap. */
static uint32_t add_chunk(uint32_t sum, const uint8_t *p, size_t n, bool odd)
{
	uint16_t s = fold64(sum_native(p, n));

	if (!odd)
		s = (uint16_t)(s << 8 | s >> 8);
	return fold64((uint64_t)sum + s);
}

uint32_t nic_csum__add(const void *buf, size_t len, uint32_t sum)
{
	return add_chunk(sum, buf, len, false);
}

uint32_t nic_frame__sum(const struct nic_frame *f, uint32_t off, uint32_t len, uint32_t sum)
{
	uint32_t pos = 0, done = 0;

	for (unsigned i = 0; i < f->iovcnt && done < len; i++) {
		const uint8_t *base = f->iov[i].iov_base;
		uint32_t seg = (uint32_t)f->iov[i].iov_len, from, n;

		if (pos + seg <= off) {
			pos += seg;
			continue;
		}
		from = off > pos ? off - pos : 0;
		n = MIN(seg - from, len - done);
		sum = add_chunk(sum, base + from, n, done & 1);
		done += n;
		pos += seg;
	}
	return sum;
}

/* Copy bytes [off, off + len) of f, which the caller knows exist. */
static void frame_read(const struct nic_frame *f, uint32_t off, void *dst, uint32_t len)
{
	uint8_t *d = dst;
	uint32_t pos = 0;

	if (off + len <= f->hdr_len) {
		memcpy(d, f->hdr + off, len);
		return;
	}
	for (unsigned i = 0; i < f->iovcnt && len; i++) {
		uint32_t seg = (uint32_t)f->iov[i].iov_len, from, n;

		if (pos + seg <= off) {
			pos += seg;
			continue;
		}
		from = off > pos ? off - pos : 0;
		n = MIN(seg - from, len);
		memcpy(d, (const uint8_t *)f->iov[i].iov_base + from, n);
		d += n;
		off += n;
		len -= n;
		pos += seg;
	}
}

/* L4 type and, when the datagram is whole, its checksum against the pseudo-header sum. */
static void classify_l4(struct nic_frame *f, uint8_t proto, uint32_t l4, uint32_t l4len,
			uint32_t pseudo, bool whole, bool ipv4)
{
	uint8_t udp[8];

	switch (proto) {
	case IPPROTO_TCP_:
		f->pkt_type |= E1000_RXDADV_PKTTYPE_TCP;
		if (!whole || l4len < 20)
			return;
		f->csum |= E1000_RXD_STAT_TCPCS;
		break;
	case IPPROTO_UDP_:
		f->pkt_type |= E1000_RXDADV_PKTTYPE_UDP;
		if (!whole || l4len < sizeof(udp))
			return;
		frame_read(f, l4, udp, sizeof(udp));
		/* An IPv4 UDP checksum of 0 means the sender computed none. */
		if (ipv4 && !be16(udp + 6))
			return;
		f->csum |= E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS;
		break;
	case IPPROTO_SCTP_:
		/* SCTP's CRC32c is not checked: the type is reported, no status. */
		f->pkt_type |= E1000_RXDADV_PKTTYPE_SCTP;
		return;
	default:
		return;
	}
	pseudo += proto + l4len;
	if (nic_csum__fold(nic_frame__sum(f, l4, l4len, pseudo)) != 0xffff)
		f->csum |= E1000_RXDEXT_STATERR_L4E;
}

static void classify_ipv4(struct nic_frame *f)
{
	uint32_t l3 = f->l3_off, ihl, totlen;
	uint8_t ip[60];

	if (f->len < l3 + 20)
		return;
	frame_read(f, l3, ip, 20);
	ihl = (ip[0] & 0xf) * 4u;
	if (ip[0] >> 4 != 4 || ihl < 20 || l3 + ihl > f->len)
		return;
	frame_read(f, l3, ip, ihl);
	f->pkt_type = E1000_RXDADV_PKTTYPE_IPV4;
	f->csum = E1000_RXD_STAT_IPCS;
	if (nic_csum__fold(nic_csum__add(ip, ihl, 0)) != 0xffff)
		f->csum |= E1000_RXDEXT_STATERR_IPE;
	totlen = be16(ip + 2);
	if (totlen < ihl || l3 + totlen > f->len)
		return;
	/* Only an unfragmented datagram (no MF, offset 0) carries a whole L4 segment. */
	classify_l4(f, ip[9], l3 + ihl, totlen - ihl, nic_csum__add(ip + 12, 8, 0),
		    !(be16(ip + 6) & 0x3fff), true);
}

static void classify_ipv6(struct nic_frame *f)
{
	uint32_t l3 = f->l3_off, plen;
	uint8_t ip[40];

	if (f->len < l3 + sizeof(ip))
		return;
	frame_read(f, l3, ip, sizeof(ip));
	if (ip[0] >> 4 != 6)
		return;
	f->pkt_type = E1000_RXDADV_PKTTYPE_IPV6;
	plen = be16(ip + 4);
	if (l3 + sizeof(ip) + plen > f->len)
		return;
	/* Extension headers are not walked: the L4 type is known only right after the header. */
	classify_l4(f, ip[6], l3 + sizeof(ip), plen, nic_csum__add(ip + 8, 32, 0), true, false);
}

void nic_frame__classify(struct nic_frame *f)
{
	if (f->classified)
		return;
	f->classified = true;
	f->pkt_type = 0;
	f->csum = 0;
	if (f->ethertype == ETH_P_IP)
		classify_ipv4(f);
	else if (f->ethertype == ETH_P_IPV6)
		classify_ipv6(f);
}

void nic_frame__copy(const struct nic_frame *f, uint32_t skip_off, uint32_t skip_len,
		     const struct dma_seg *dst, unsigned ndst)
{
	uint32_t pos = 0, skip_end = skip_off + skip_len;
	size_t soff = 0, doff = 0;
	unsigned si = 0, di = 0;

	while (si < f->iovcnt && di < ndst) {
		size_t savail = f->iov[si].iov_len - soff, davail = dst[di].len - doff, n;

		if (!savail) {
			si++;
			soff = 0;
			continue;
		}
		if (!davail) {
			di++;
			doff = 0;
			continue;
		}
		if (pos >= skip_off && pos < skip_end) {
			n = MIN(savail, (size_t)(skip_end - pos));
		} else {
			n = MIN(savail, davail);
			if (pos < skip_off)
				n = MIN(n, (size_t)(skip_off - pos));
			memcpy((uint8_t *)dst[di].host + doff,
			       (const uint8_t *)f->iov[si].iov_base + soff, n);
			doff += n;
		}
		soff += n;
		pos += (uint32_t)n;
	}
}
