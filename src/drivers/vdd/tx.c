/*
 * Transmit (82576.md section 6): advanced data descriptors, a context descriptor in front of a
 * frame that asks for a VLAN tag or checksum offload, RS on each frame's last descriptor.
 *
 * Descriptor i always points at Tx buffer i (2 KiB); a frame is copied into as many consecutive
 * buffers as it needs, so the caller keeps its own. A batch ends with one TDT write. Completion
 * is read from the descriptors' DD bits in memory: no register is read on this path, as on
 * hardware, where an MMIO read is a round trip.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfnet/dma.h"

#include "regs.h"
#include "vdd.h"

#define ETH_P_IPV4   0x0800
#define ETH_P_IPV6   0x86DD
#define ETH_P_8021Q  0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

/* igbvf's TXDCTL thresholds: prefetch 8, host 1, write-back 16 */
#define VDD_TXDCTL_THRESH (8 | 1 << 8 | 16 << 16)

static size_t desc_ring_size(unsigned count)
{
	return ((size_t)count * sizeof(union e1000_adv_tx_desc) + 4095) & ~(size_t)4095;
}

int vdd_tx_alloc(struct vdd *a)
{
	struct vdd_ring *r = &a->tx;

	r->count = VDD_TXD;
	r->desc_size = desc_ring_size(r->count);
	r->desc = dma__alloc(r->desc_size, &r->desc_bus);
	if (!r->desc)
		goto err;
	r->buf_size = (size_t)r->count * VDD_BUF_SIZE;
	r->buf = dma__alloc(r->buf_size, &r->buf_bus);
	if (!r->buf)
		goto err_desc;
	r->info = calloc(r->count, sizeof(*r->info));
	if (!r->info)
		goto err_buf;
	return 0;

err_buf:
	dma__free(r->buf, r->buf_size);
	r->buf = NULL;
err_desc:
	dma__free(r->desc, r->desc_size);
	r->desc = NULL;
err:
	return -ENOMEM;
}

void vdd_tx_free(struct vdd *a)
{
	struct vdd_ring *r = &a->tx;

	free(r->info);
	r->info = NULL;
	if (r->buf)
		dma__free(r->buf, r->buf_size);
	r->buf = NULL;
	if (r->desc)
		dma__free(r->desc, r->desc_size);
	r->desc = NULL;
}

void vdd_tx_configure(struct vdd *a)
{
	struct vdd_ring *r = &a->tx;

	vdd_queue_enable(a, E1000_TXDCTL(0), 0, false);
	memset(r->desc, 0, r->desc_size);
	r->next_to_use = r->next_to_clean = 0;
	ew32(a, E1000_TDBAL(0), (uint32_t)r->desc_bus);
	ew32(a, E1000_TDBAH(0), (uint32_t)(r->desc_bus >> 32));
	ew32(a, E1000_TDLEN(0), r->count * (uint32_t)sizeof(union e1000_adv_tx_desc));
	ew32(a, E1000_TDH(0), 0);
	ew32(a, E1000_TDT(0), 0);
	vdd_queue_enable(a, E1000_TXDCTL(0), VDD_TXDCTL_THRESH, true);
}

/* Frames still on the ring when the queue stops are gone with it. */
void vdd_tx_stop(struct vdd *a)
{
	struct vdd_ring *r = &a->tx;

	vdd_queue_enable(a, E1000_TXDCTL(0), 0, false);
	r->next_to_use = r->next_to_clean = 0;
}

static unsigned tx_unused(const struct vdd_ring *r)
{
	return r->count - 1 - (r->next_to_use + r->count - r->next_to_clean) % r->count;
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t sum16(const uint8_t *p, unsigned len, uint32_t sum)
{
	for (unsigned i = 0; i + 1 < len; i += 2)
		sum += be16_at(p + i);
	return sum;
}

struct tx_offload {
	uint32_t vlan_macip_lens;
	uint32_t tucmd;
	uint32_t popts;
};

/*
 * Checksum offload for IPv4 and IPv6 with TCP or UDP, on our copy of the frame @f: MACLEN, IPLEN
 * and the L4 type go into the context; the L4 checksum field gets the pseudo-header sum, which
 * the NIC completes (as Linux leaves it for CHECKSUM_PARTIAL). Anything else goes as it is.
 */
static void tx_csum(uint8_t *f, unsigned len, struct tx_offload *o)
{
	unsigned maclen = ETH_HLEN, iplen, l4len, field;
	uint16_t etype = be16_at(f + 12);
	uint32_t sum;
	uint8_t proto;

	if (etype == ETH_P_8021Q || etype == ETH_P_8021AD) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return;
		etype = be16_at(f + 16);
		maclen += VLAN_HLEN;
	}
	if (etype == ETH_P_IPV4) {
		const uint8_t *ip = f + maclen;

		if (len < maclen + 20)
			return;
		iplen = (ip[0] & 0xF) * 4u;
		if (iplen < 20 || len < maclen + iplen)
			return;
		o->tucmd |= E1000_ADVTXD_TUCMD_IPV4;
		o->popts |= E1000_ADVTXD_POPTS_IXSM;
		proto = ip[9];
		if (be16_at(ip + 6) & 0x3FFF)
			proto = 0; /* a fragment: no L4 header of its own to fill in */
		l4len = len - maclen - iplen;
		if (be16_at(ip + 2) >= iplen && be16_at(ip + 2) - iplen < l4len)
			l4len = be16_at(ip + 2) - iplen; /* trailing padding is not L4 */
		sum = sum16(ip + 12, 8, 0);
	} else if (etype == ETH_P_IPV6) {
		const uint8_t *ip = f + maclen;

		iplen = 40;
		if (len < maclen + iplen)
			return;
		proto = ip[6];
		l4len = be16_at(ip + 4);
		if (l4len > len - maclen - iplen)
			return;
		sum = sum16(ip + 8, 32, 0);
	} else {
		return;
	}
	o->vlan_macip_lens |= iplen | maclen << E1000_ADVTXD_MACLEN_SHIFT;
	if (proto == IPPROTO_TCP_ && l4len >= 20) {
		o->tucmd |= E1000_ADVTXD_TUCMD_L4T_TCP;
		field = maclen + iplen + 16;
	} else if (proto == IPPROTO_UDP_ && l4len >= 8) {
		o->tucmd |= E1000_ADVTXD_TUCMD_L4T_UDP;
		field = maclen + iplen + 6;
	} else {
		return;
	}
	sum += proto + l4len;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	f[field] = (uint8_t)(sum >> 8);
	f[field + 1] = (uint8_t)sum;
	o->popts |= E1000_ADVTXD_POPTS_TXSM;
}

/* Put one frame on the ring at next_to_use; the caller checked that @ndesc slots are free. */
static void tx_map(struct vdd *a, const struct pkt *p, bool ctx, unsigned ndesc)
{
	struct vdd_ring *r = &a->tx;
	union e1000_adv_tx_desc *ring = r->desc;
	unsigned i = r->next_to_use, first = i, off = 0, eop = i;
	struct tx_offload o = {0};
	uint32_t cmd = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_IFCS;
	uint8_t *f;

	/* Copy first: checksum offload patches the copy. Data buffers follow the context slot. */
	for (unsigned k = 0, j = (i + ctx) % r->count; k < ndesc - ctx;
	     k++, j = (j + 1) % r->count) {
		unsigned seg = p->len - off < VDD_BUF_SIZE ? p->len - off : VDD_BUF_SIZE;

		memcpy(r->buf + (size_t)j * VDD_BUF_SIZE, (const uint8_t *)p->data + off, seg);
		off += seg;
	}
	f = r->buf + (size_t)((i + ctx) % r->count) * VDD_BUF_SIZE;
	if (p->flags & PKT_CSUM) {
		/* the headers must be in the first buffer to be patched there */
		tx_csum(f, p->len < VDD_BUF_SIZE ? p->len : VDD_BUF_SIZE, &o);
	}
	if (ctx) {
		struct e1000_adv_tx_context_desc *c = (void *)&ring[i];

		if (p->flags & PKT_VLAN) {
			o.vlan_macip_lens |= (uint32_t)p->vlan << E1000_ADVTXD_VLAN_SHIFT;
			cmd |= E1000_ADVTXD_DCMD_VLE;
		}
		if (!(o.vlan_macip_lens & ~(0xFFFFu << E1000_ADVTXD_VLAN_SHIFT)))
			o.vlan_macip_lens |= ETH_HLEN << E1000_ADVTXD_MACLEN_SHIFT;
		c->vlan_macip_lens = htole32(o.vlan_macip_lens);
		c->seqnum_seed = 0;
		c->type_tucmd_mlhl =
		    htole32(E1000_ADVTXD_DTYP_CTXT | E1000_ADVTXD_DCMD_DEXT | o.tucmd);
		c->mss_l4len_idx = 0; /* context slot 0 */
		i = (i + 1) % r->count;
	}
	for (off = 0; off < p->len; i = (i + 1) % r->count) {
		unsigned seg = p->len - off < VDD_BUF_SIZE ? p->len - off : VDD_BUF_SIZE;
		uint32_t c = cmd | seg;

		off += seg;
		if (off == p->len)
			c |= E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS;
		ring[i].read.buffer_addr = htole64(r->buf_bus + (uint64_t)i * VDD_BUF_SIZE);
		ring[i].read.cmd_type_len = htole32(c);
		ring[i].read.olinfo_status =
		    htole32((uint32_t)p->len << E1000_ADVTXD_PAYLEN_SHIFT | o.popts);
		eop = i;
	}
	r->info[first].eop = (uint16_t)eop;
	r->info[first].bytes = p->len;
	r->next_to_use = i;
}

int vdd_xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct vdd *a = vdd_from_nd(nd);
	struct vdd_ring *r = &a->tx;
	unsigned start = r->next_to_use, max = nd->mtu + ETH_HLEN + VLAN_HLEN, i;

	if (!a->running || !a->link)
		return -ENETDOWN;
	if (tx_unused(r) < r->count / 2)
		vdd_tx_clean(a);
	for (i = 0; i < n; i++) {
		const struct pkt *p = &pkts[i];
		bool ctx = p->flags & (PKT_VLAN | PKT_CSUM);
		unsigned ndesc = ctx + (p->len + VDD_BUF_SIZE - 1u) / VDD_BUF_SIZE;

		if (p->len < ETH_HLEN || p->len > max) {
			nd->stats.tx_dropped++;
			continue;
		}
		if (tx_unused(r) < ndesc) {
			vdd_tx_clean(a);
			if (tx_unused(r) < ndesc) {
				nd->stats.tx_busy++;
				break;
			}
		}
		tx_map(a, p, ctx, ndesc);
	}
	if (r->next_to_use != start) {
		/* descriptors and buffers before the tail that hands them over */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ew32(a, E1000_TDT(0), r->next_to_use);
	}
	return (int)i;
}

/* Reclaim the frames whose last descriptor has DD. */
void vdd_tx_clean(struct vdd *a)
{
	struct vdd_ring *r = &a->tx;
	union e1000_adv_tx_desc *ring = r->desc;
	unsigned ntc = r->next_to_clean;

	while (ntc != r->next_to_use) {
		const struct vdd_tx_info *ti = &r->info[ntc];
		uint32_t st = __atomic_load_n(&ring[ti->eop].wb.status, __ATOMIC_ACQUIRE);

		if (!(le32toh(st) & E1000_TXD_STAT_DD))
			break;
		a->nd.stats.tx_packets++;
		a->nd.stats.tx_bytes += ti->bytes;
		ntc = (ti->eop + 1u) % r->count;
	}
	r->next_to_clean = ntc;
}

void vdd_tx_work(struct os_work *w)
{
	struct vdd *a = container_of(w, struct vdd, tx_work);

	if (!vdd_work_begin(a))
		return;
	if (!a->running)
		return;
	vdd_tx_clean(a);
	vdd_intr_enable(a, 1u << VDD_VEC_TX);
}
