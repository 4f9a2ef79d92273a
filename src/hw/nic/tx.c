/*
 * Tx queues (82576.md sections 3 and 6): advanced context and data descriptors from TDH up to
 * TDT, through the IOMMU with the queue owner's RID.
 *
 * A frame is the data descriptors up to EOP; context descriptors on the way fill the queue's
 * context slot (IDX) that offloads read: VLAN tag, MACLEN, IPLEN, TUCMD. Until the EOP is there
 * (TDT short of it) the frame waits and TDH stays. A frame that cannot be sent (a legacy or
 * unknown descriptor type, TSO, shorter than an Ethernet header, longer than NIC_TX_FRAME_MAX,
 * too fragmented) is dropped and counted, and its descriptors complete as usual. A ring that
 * faults, or that runs NIC_TX_MAX_FRAME_DESC descriptors without EOP, stops the queue.
 *
 * Descriptors complete in batches: the wire gets the pass's frames in one send, then DD is
 * written back to the descriptors that asked (RS), TDH moves (and TDWBAL's head write-back, if
 * enabled), and the queue's Tx interrupt is raised when the poll ends.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "hw/nic/desc.h"
#include "hw/nic/nic.h"
#include "lib/compiler.h"

_Static_assert((E1000_ADVTXD_MACLEN_MASK >> E1000_ADVTXD_MACLEN_SHIFT) + E1000_ADVTXD_IPLEN_MASK +
		       20 <=
		   NIC_DP_HDR_MAX,
	       "the header copy reaches any L4 checksum field a context can name");

struct tx_gather {
	unsigned ndesc;	      /* descriptors of the frame, context ones included */
	uint64_t rs;	      /* bit i: descriptor i of the frame has RS */
	uint32_t cmd, olinfo; /* of the first data descriptor */
	bool data;	      /* a data descriptor was seen */
	bool bad;	      /* something the model does not send */
	bool too_long;
	uint32_t len;	/* bytes gathered */
	unsigned nsegs; /* in dp->txsegs */
};

static void tx_context(struct nic_txq *txq, const uint8_t *desc)
{
	uint32_t vml = le32_get(desc);
	struct nic_tx_ctx *c = &txq->ctx[(le32_get(desc + 12) >> E1000_ADVTXD_IDX_SHIFT) & 1];

	c->vlan = (uint16_t)(vml >> E1000_ADVTXD_VLAN_SHIFT);
	c->maclen = (uint8_t)((vml & E1000_ADVTXD_MACLEN_MASK) >> E1000_ADVTXD_MACLEN_SHIFT);
	c->iplen = vml & E1000_ADVTXD_IPLEN_MASK;
	c->tucmd = le32_get(desc + 8);
}

/* A data descriptor: translate its buffer (read) and append it to the frame. */
static int tx_data(struct nic_port *p, const struct nic_ring *r, struct tx_gather *g,
		   const uint8_t *desc, uint32_t cmd)
{
	uint32_t blen = cmd & E1000_ADVTXD_DTALEN_MASK;
	int n;

	if (!g->data) {
		g->data = true;
		g->cmd = cmd;
		g->olinfo = le32_get(desc + 12);
	}
	if (cmd & E1000_ADVTXD_DCMD_TSE)
		g->bad = true;
	if (g->bad || g->too_long || !blen)
		return 0;
	if (g->len + blen > NIC_TX_FRAME_MAX) {
		g->too_long = true;
		return 0;
	}
	n = iommu__translate(p->nic->iommu, r->rid, le64_get(desc), blen, IOMMU_READ,
			     p->dp.txsegs + g->nsegs, NIC_DP_MAX_SEGS - g->nsegs);
	if (n == -E2BIG) {
		g->bad = true; /* more pieces of host memory than a frame may have */
		return 0;
	}
	if (n < 0)
		return -EFAULT;
	g->nsegs += (unsigned)n;
	g->len += blen;
	return 0;
}

/*
 * Descriptor idx (head <= idx < tail) as the pass sees it: a copy, made when the pass first
 * needs a descriptor outside the last copy, of every descriptor from there up to the tail, the
 * end of the mapped page or NIC_DP_TX_FETCH, whichever comes first. One copy issues the loads
 * of all those lines at once, lines the driver's core has just written, instead of one miss
 * per line between frames. The page is translated exactly when a descriptor-by-descriptor
 * read would translate it, so faults are those of such a read. NULL on a DMA fault.
 */
static const uint8_t *tx_desc(struct nic_port *p, struct nic_ring *r, uint32_t idx, uint32_t tail)
{
	struct nic_dp *dp = &p->dp;
	unsigned n = 1;
	uint8_t *d;

	if (idx - dp->txd_first < dp->txd_n)
		return dp->txd[idx - dp->txd_first];
	d = nic_ring__desc(p, r, idx);
	if (!d)
		return NULL;
	nic_ring__mapped(r, idx, &n);
	n = MIN(n, tail > idx ? tail - idx : r->count - idx);
	n = MIN(n, NIC_DP_TX_FETCH);
	/* One read of what the driver may still be writing: decide on the copy. */
	memcpy(dp->txd, d, n * E1000_DESC_SIZE);
	dp->txd_first = idx;
	dp->txd_n = n;
	return dp->txd[0];
}

/* The descriptors of the frame at head: 0, -EAGAIN (no EOP before tail yet), -EFAULT, or
 * -E2BIG (no EOP within NIC_TX_MAX_FRAME_DESC). */
static int tx_gather(struct nic_port *p, struct nic_ring *r, unsigned q, uint32_t head,
		     uint32_t tail, struct tx_gather *g)
{
	uint32_t idx = head;

	memset(g, 0, sizeof(*g));
	for (;;) {
		const uint8_t *desc;
		uint32_t cmd;

		if (idx == tail)
			return -EAGAIN;
		if (g->ndesc == NIC_TX_MAX_FRAME_DESC)
			return -E2BIG;
		desc = tx_desc(p, r, idx, tail);
		if (!desc)
			return -EFAULT;
		cmd = le32_get(desc + 8);
		if (cmd & E1000_ADVTXD_DCMD_RS)
			g->rs |= 1ull << g->ndesc;
		g->ndesc++;
		idx = idx + 1 == r->count ? 0 : idx + 1;
		if (!(cmd & E1000_ADVTXD_DCMD_DEXT)) {
			g->bad = true; /* legacy: its EOP is the same bit */
		} else if ((cmd & E1000_ADVTXD_DTYP_MASK) == E1000_ADVTXD_DTYP_CTXT) {
			tx_context(&p->dp.txq[q], desc);
			continue;
		} else if ((cmd & E1000_ADVTXD_DTYP_MASK) != E1000_ADVTXD_DTYP_DATA) {
			g->bad = true;
		} else if (tx_data(p, r, g, desc, cmd)) {
			return -EFAULT;
		}
		if (cmd & E1000_ADVTXD_DCMD_EOP)
			return 0;
	}
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* IXSM and TXSM (82576.md section 6): the IPv4 header checksum over IPLEN bytes at MACLEN; the
 * TCP or UDP checksum from MACLEN + IPLEN to the end, over what the driver left in the field
 * (the pseudo-header sum, as Linux does for CHECKSUM_PARTIAL). SCTP's CRC is not inserted. */
static void tx_offload(const struct nic_tx_ctx *c, uint32_t olinfo, struct nic_frame *f, uint8_t *h)
{
	uint32_t l3 = c->maclen, l4 = l3 + c->iplen, field;
	uint16_t sum;

	if ((olinfo & E1000_ADVTXD_POPTS_IXSM) && c->iplen >= 20 && l4 <= f->hdr_len) {
		put_be16(h + l3 + 10, 0);
		put_be16(h + l3 + 10,
			 (uint16_t)~nic_csum__fold(nic_csum__add(h + l3, c->iplen, 0)));
	}
	if (!(olinfo & E1000_ADVTXD_POPTS_TXSM))
		return;
	switch (c->tucmd & E1000_ADVTXD_TUCMD_L4T_MASK) {
	case E1000_ADVTXD_TUCMD_L4T_TCP:
		field = l4 + 16;
		break;
	case E1000_ADVTXD_TUCMD_L4T_UDP:
		field = l4 + 6;
		break;
	default:
		return;
	}
	if (field + 2 > f->hdr_len)
		return;
	sum = (uint16_t)~nic_csum__fold(nic_frame__sum(f, l4, f->len - l4, 0));
	if (!sum && (c->tucmd & E1000_ADVTXD_TUCMD_L4T_MASK) == E1000_ADVTXD_TUCMD_L4T_UDP)
		sum = 0xffff; /* UDP sends a computed 0 as all ones */
	put_be16(h + field, sum);
}

/* Whether and which tag goes in: VMVIR's VLANA for the pool in VMDq mode (default: always the
 * port VLAN, never: none, else the descriptor's VLE with its context's tag). */
static bool tx_tag(struct nic_port *p, unsigned pool, bool vmdq, const struct tx_gather *g,
		   const struct nic_tx_ctx *c, uint16_t *tci)
{
	uint32_t vmvir = vmdq ? nic_get(p, E1000_VMVIR(pool)) : 0;

	switch (vmvir & E1000_VMVIR_VLANA_MASK) {
	case E1000_VMVIR_VLANA_DEFAULT:
		*tci = (uint16_t)vmvir;
		return true;
	case E1000_VMVIR_VLANA_NONE:
		*tci = c->vlan;
		return g->cmd & E1000_ADVTXD_DCMD_VLE;
	default:
		return false;
	}
}

/* Build the frame the port sends into slot s: a private copy of the header (offloads patch it,
 * the tag goes into it), then the rest straight from the gathered buffers. Returns why it is
 * dropped, or E82576_DROP_NR when it goes. */
static enum e82576_drop tx_build(struct nic_port *p, unsigned q, unsigned pool, bool vmdq,
				 const struct tx_gather *g, struct nic_tx_slot *s)
{
	const struct nic_tx_ctx *c = &p->dp.txq[q].ctx[(g->olinfo >> E1000_ADVTXD_IDX_SHIFT) & 1];
	const struct dma_seg *seg = p->dp.txsegs;
	uint32_t need = NIC_DP_HDR_PARSE, hlen, off = 0, skip;
	uint8_t *h = s->hdr + VLAN_HLEN;
	unsigned n = 1;
	bool tag;
	uint16_t tci = 0;

	if (g->bad || (!g->too_long && g->len < ETH_HLEN))
		return E82576_DROP_BAD_DESC;
	tag = tx_tag(p, pool, vmdq, g, c, &tci);
	if (g->too_long || g->len + (tag ? VLAN_HLEN : 0) > NIC_TX_FRAME_MAX)
		return E82576_DROP_TX_TOO_LONG;
	if (vmdq && !nic_switch__pool_tx_enabled(p, pool))
		return E82576_DROP_TX_GATED;
	if (g->olinfo & (E1000_ADVTXD_POPTS_IXSM | E1000_ADVTXD_POPTS_TXSM))
		need = MAX(need, (uint32_t)c->maclen + c->iplen + 20);
	hlen = MIN(need, g->len);
	for (unsigned i = 0; off < hlen; i++) {
		uint32_t k = (uint32_t)MIN(seg[i].len, (uint64_t)(hlen - off));

		memcpy(h + off, seg[i].host, k);
		off += k;
	}
	s->iov[0] = (struct iovec){h, hlen};
	skip = hlen;
	for (unsigned i = 0; i < g->nsegs; i++) {
		if (skip >= seg[i].len) {
			skip -= (uint32_t)seg[i].len;
			continue;
		}
		s->iov[n++] = (struct iovec){(uint8_t *)seg[i].host + skip, seg[i].len - skip};
		skip = 0;
	}
	s->f = (struct nic_frame){
	    .iov = s->iov, .iovcnt = n, .len = g->len, .hdr = h, .hdr_len = hlen};
	tx_offload(c, g->olinfo, &s->f, h);
	if (tag) {
		memmove(s->hdr, h, 2 * ETH_ALEN);
		put_be16(s->hdr + 2 * ETH_ALEN, (uint16_t)nic_get(p, E1000_VET));
		put_be16(s->hdr + 2 * ETH_ALEN + 2, tci);
		s->iov[0] = (struct iovec){s->hdr, hlen + VLAN_HLEN};
		s->f.hdr = s->hdr;
		s->f.hdr_len = hlen + VLAN_HLEN;
		s->f.len += VLAN_HLEN;
	}
	nic_frame__parse(&s->f, (uint16_t)nic_get(p, E1000_VET));
	return E82576_DROP_NR;
}

/* The pass's frames go to the wire, then their descriptors complete. */
static int tx_flush(struct nic_port *p, unsigned q, struct nic_ring *r, uint32_t head)
{
	struct nic_dp *dp = &p->dp;
	uint32_t wbal = nic_get(p, E1000_TXQ(q) + E1000_QR_TDWBAL);
	unsigned nw = 0;
	bool report = false;

	for (unsigned i = 0; i < dp->nslots; i++)
		if (dp->slot[i].to_wire)
			dp->wframe[nw++] =
			    (struct wire_frame){dp->slot[i].f.iov, dp->slot[i].f.iovcnt};
	if (nw) {
		bool sent = !nic_dp__wire_send(p, dp->wframe, nw);

		for (unsigned i = 0; i < dp->nslots; i++) {
			if (!dp->slot[i].to_wire)
				continue;
			if (sent)
				nic_stats__wire_tx(p, &dp->slot[i].f);
			else
				nic_stats__tx_drop(p, q & 7, E82576_DROP_LINK_DOWN);
			dp->slot[i].to_wire = false;
		}
	}
	for (unsigned i = 0; i < dp->nslots; i++) {
		const struct nic_tx_slot *s = &dp->slot[i];

		for (uint64_t rs = s->rs; rs; rs &= rs - 1) {
			uint8_t *d =
			    nic_ring__desc(p, r, (s->first + __builtin_ctzll(rs)) % r->count);

			if (!d)
				return -EFAULT;
			/* Write-back: only the status dword's DD matters to igb/igbvf. */
			__atomic_store_n((uint32_t *)(void *)(d + 12), htole32(E1000_TXD_STAT_DD),
					 __ATOMIC_RELEASE);
			report = true;
		}
	}
	dp->nslots = 0;
	nic_set(p, E1000_TDH(q), head);
	if (wbal & E1000_TX_HEAD_WB_ENABLE) {
		uint64_t at =
		    (uint64_t)nic_get(p, E1000_TXQ(q) + E1000_QR_TDWBAH) << 32 | (wbal & ~3u);
		uint32_t v = htole32(head);

		if (iommu__dma_write(p->nic->iommu, r->rid, at, &v, sizeof(v)))
			return -EFAULT;
		report = true;
	}
	if (report)
		dp->intr_tx |= BIT(q);
	return 0;
}

/* -EFAULT: a descriptor or buffer did not translate; -E2BIG: a frame without its EOP. */
static void tx_stop(struct nic_port *p, unsigned q, int err)
{
	nic_dp__queue_fault(p, q, true,
			    err == -E2BIG
				? "no end of packet within the descriptors a frame may take"
				: "DMA fault on a descriptor or buffer");
	nic_stats__tx_drop(p, q & 7,
			   err == -E2BIG ? E82576_DROP_BAD_DESC : E82576_DROP_DMA_FAULT);
}

/* Send the built frame: anti-spoofing and loopback in VMDq mode, then (at flush) the wire. */
static void tx_send(struct nic_port *p, unsigned pool, struct nic_tx_slot *s)
{
	int verdict;

	/* Before the switch: a capture sees what the pool sent, spoofed frames too. */
	if (nic_cap__on(&p->dp, BIT(pool)))
		nic_cap__pool(p, pool, &s->f);
	verdict = nic_switch__tx(p, pool, &s->f);
	if (verdict < 0)
		return;
	s->to_wire = verdict & NIC_SWITCH_WIRE;
	nic_stats__pool_tx(p, pool, &s->f, verdict & NIC_SWITCH_LOOPED);
}

unsigned nic_tx__poll(struct nic_port *p, unsigned q, unsigned budget, uint64_t now)
{
	struct nic_dp *dp = &p->dp;
	bool vmdq = nic_switch__vmdq(p);
	unsigned pool = q & 7, done = 0;
	uint32_t head, tail;
	struct tx_gather g;
	struct nic_ring r;
	int rc;

	dp->tx_pending &= ~BIT(q);
	if (!(nic_get(p, E1000_TXDCTL(q)) & E1000_TXDCTL_QUEUE_ENABLE) ||
	    nic_ring__open(p, &r, q, true))
		return 0; /* enabling it and writing TDT kick it again */
	head = nic_get(p, E1000_TDH(q));
	tail = nic_get(p, E1000_TDT(q));
	if (head >= r.count || tail >= r.count) {
		nic_stats__count(&dp->stats.bad_tail, 1);
		return 0;
	}
	if (head != tail &&
	    (!(nic_get(p, E1000_TCTL) & E1000_TCTL_EN) || !nic_dp__bus_master(p, q))) {
		/* Frames wait: TCTL.EN and Bus Master do not kick the queue, so look again. */
		dp->tx_pending |= BIT(q);
		return 0;
	}
	dp->nslots = 0;
	dp->txd_n = 0;
	while (head != tail && done < budget) {
		struct nic_tx_slot *s = &dp->slot[dp->nslots];
		enum e82576_drop why;

		rc = tx_gather(p, &r, q, head, tail, &g);
		if (rc == -EAGAIN)
			break;
		if (rc) {
			tx_stop(p, q, tx_flush(p, q, &r, head) ? -EFAULT : rc);
			return done;
		}
		why = tx_build(p, q, pool, vmdq, &g, s);
		if (why == E82576_DROP_NR && !nic_rate__admit(p, q, s->f.len, now))
			break;
		if (why == E82576_DROP_NR)
			tx_send(p, pool, s);
		else
			nic_stats__tx_drop(p, pool, why);
		s->first = (uint16_t)head;
		s->ndesc = (uint16_t)g.ndesc;
		s->rs = g.rs;
		head = (head + g.ndesc) % r.count;
		done += g.ndesc;
		if (++dp->nslots == NIC_DP_TX_BATCH && tx_flush(p, q, &r, head)) {
			tx_stop(p, q, -EFAULT);
			return done;
		}
	}
	if (tx_flush(p, q, &r, head)) {
		tx_stop(p, q, -EFAULT);
		return done;
	}
	if (head != tail)
		dp->tx_pending |= BIT(q);
	return done;
}
