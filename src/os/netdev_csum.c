/*
 * Checksums in software, for a frame whose PKT_CSUM says they are still to be filled in and that
 * goes where no device will do it (as Linux's skb_checksum_help): the IPv4 header checksum and
 * the TCP or UDP checksum, over IPv4 or IPv6, behind an optional 802.1Q/802.1ad tag.
 */
#include <stddef.h>

#include "vfnet/netdev.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool netdev__csum_fill(void *frame, unsigned len)
{
	uint8_t *f = frame, *ip, *l4, proto;
	unsigned maclen = ETH_HLEN, iplen, l4len, field;
	uint16_t etype;
	uint32_t sum;

	if (len < ETH_HLEN)
		return false;
	etype = be16(f + 12);
	if (etype == 0x8100 || etype == 0x88A8) {
		if (len < ETH_HLEN + 4)
			return false;
		etype = be16(f + 16);
		maclen += 4;
	}
	ip = f + maclen;
	if (etype == 0x0800) {
		if (len < maclen + 20 || (iplen = (ip[0] & 0xFu) * 4u) < 20 || len < maclen + iplen)
			return false;
		put16(ip + 10, 0);
		put16(ip + 10, fold(sum16(ip, iplen, 0)));
		if (be16(ip + 6) & 0x3FFF)
			return true; /* a fragment: no transport header of its own */
		proto = ip[9];
		if (be16(ip + 2) < iplen || be16(ip + 2) > len - maclen)
			return false;
		l4len = be16(ip + 2) - iplen;
		sum = sum16(ip + 12, 8, 0);
	} else if (etype == 0x86DD) {
		iplen = 40;
		if (len < maclen + iplen)
			return false;
		proto = ip[6];
		l4len = be16(ip + 4);
		if (l4len > len - maclen - iplen)
			return false;
		sum = sum16(ip + 8, 32, 0);
	} else {
		return false;
	}
	l4 = ip + iplen;
	if (proto == 6 && l4len >= 20)
		field = 16;
	else if (proto == 17 && l4len >= 8)
		field = 6;
	else
		return proto != 6 && proto != 17;
	put16(l4 + field, 0);
	sum = sum16(l4, l4len, sum + proto + l4len);
	{
		uint16_t c = fold(sum);

		put16(l4 + field, proto == 17 && !c ? 0xFFFF : c);
	}
	return true;
}
