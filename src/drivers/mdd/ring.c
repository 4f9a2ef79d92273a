/*
 * The PF's own port (pf0, pf1): one Tx and one Rx ring on the PF's queue pair, which is the PF
 * pool's queue (num_vfs, or 0 without VFs). Advanced descriptors, 2 KiB buffers in DMA memory,
 * one TDT/RDT write per batch, a NAPI-style poll with a budget run from the queue vector.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vfnet/dma.h>

#include "mdd.h"

#define MDD_RX_BATCH 32
#define MDD_JUMBO_SIZE (ETH_FRAME_MAX + 4)
#define MDD_EIMS_QUEUE (1u << 1)

union mdd_tx_desc {
	struct {
		uint64_t addr;
		uint32_t cmd_type_len;
		uint32_t olinfo_status;
	} read;
	struct {
		uint64_t rsvd;
		uint32_t nxtseq_seed;
		uint32_t status;
	} wb;
	struct {
		uint32_t vlan_macip_lens;
		uint32_t seqnum_seed;
		uint32_t type_tucmd_mlhl;
		uint32_t mss_l4len_idx;
	} ctx;
};

union mdd_rx_desc {
	struct {
		uint64_t pkt_addr;
		uint64_t hdr_addr;
	} read;
	struct {
		uint32_t info;
		uint32_t rss;
		uint32_t status_error;
		uint16_t length;
		uint16_t vlan;
	} wb;
};

_Static_assert(sizeof(union mdd_tx_desc) == 16 && sizeof(union mdd_rx_desc) == 16,
	       "advanced descriptors are 16 bytes");

#define RING_BYTES (MDD_RING_SIZE * 16)
#define BUF_BYTES  ((size_t)MDD_RING_SIZE * MDD_BUF_SIZE)

static int ring_alloc(struct mdd_ring *r)
{
	r->desc = dma__alloc(RING_BYTES, &r->desc_dma);
	if (!r->desc)
		return -ENOMEM;
	r->buf = dma__alloc(BUF_BYTES, &r->buf_dma);
	if (!r->buf) {
		dma__free(r->desc, RING_BYTES);
		r->desc = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void ring_free(struct mdd_ring *r)
{
	if (r->buf)
		dma__free(r->buf, BUF_BYTES);
	if (r->desc)
		dma__free(r->desc, RING_BYTES);
	r->buf = r->desc = NULL;
}

int mdd_ring_alloc(struct mdd_adapter *a)
{
	int err;

	a->jumbo = malloc(MDD_JUMBO_SIZE);
	if (!a->jumbo)
		return -ENOMEM;
	err = ring_alloc(&a->tx);
	if (err)
		goto err_jumbo;
	err = ring_alloc(&a->rx);
	if (err)
		goto err_tx;
	return 0;

err_tx:
	ring_free(&a->tx);
err_jumbo:
	free(a->jumbo);
	a->jumbo = NULL;
	return err;
}

void mdd_ring_free(struct mdd_adapter *a)
{
	ring_free(&a->rx);
	ring_free(&a->tx);
	free(a->jumbo);
	a->jumbo = NULL;
}

static void rx_fill(struct mdd_adapter *a, unsigned i)
{
	union mdd_rx_desc *d = (union mdd_rx_desc *)a->rx.desc + i;

	d->read.pkt_addr = htole64(a->rx.buf_dma + (uint64_t)i * MDD_BUF_SIZE);
	/* hdr_addr overlays the write-back status: zero clears DD */
	__atomic_store_n(&d->read.hdr_addr, 0, __ATOMIC_RELEASE);
}

void mdd_ring_stop(struct mdd_adapter *a)
{
	wr32(a, E1000_RXDCTL(a->queue), 0);
	wr32(a, E1000_TXDCTL(a->queue), 0);
}

/* Longest frame the PF pool takes: RLPML with LPE (VMOLR in VMDq, RCTL without VFs). */
void mdd_set_rlpml(struct mdd_adapter *a)
{
	uint32_t max = a->netdev.mtu + ETH_HLEN + 4 /* VLAN */ + 4 /* FCS */;
	uint32_t rctl = rd32(a, E1000_RCTL);

	wr32(a, E1000_RLPML, max);
	wr32(a, E1000_RCTL, a->netdev.mtu > ETH_DATA_LEN ? rctl | E1000_RCTL_LPE
							 : rctl & ~E1000_RCTL_LPE);
	if (a->num_vfs) {
		uint32_t vmolr = rd32(a, E1000_VMOLR(a->queue)) & ~E1000_VMOLR_RLPML_MASK;

		wr32(a, E1000_VMOLR(a->queue), vmolr | max | E1000_VMOLR_LPE);
	}
}

void mdd_ring_configure(struct mdd_adapter *a)
{
	unsigned q = a->queue;

	wr32(a, E1000_TXDCTL(q), 0);
	memset(a->tx.desc, 0, RING_BYTES);
	memset(a->tx.eop, -1, sizeof(a->tx.eop));
	a->tx.ntu = a->tx.ntc = 0;
	wr32(a, E1000_TDBAL(q), (uint32_t)a->tx.desc_dma);
	wr32(a, E1000_TDBAH(q), (uint32_t)(a->tx.desc_dma >> 32));
	wr32(a, E1000_TDLEN(q), RING_BYTES);
	wr32(a, E1000_TDH(q), 0);
	wr32(a, E1000_TDT(q), 0);
	wr32(a, E1000_TXDCTL(q), E1000_TXDCTL_QUEUE_ENABLE | 8 | 1 << 8 | 16 << 16);

	wr32(a, E1000_RXDCTL(q), 0);
	for (unsigned i = 0; i < MDD_RING_SIZE; i++)
		rx_fill(a, i);
	a->rx.ntc = 0;
	a->rx.ntu = MDD_RING_SIZE - 1;
	a->in_frame = false;
	a->jumbo_len = 0;
	wr32(a, E1000_RDBAL(q), (uint32_t)a->rx.desc_dma);
	wr32(a, E1000_RDBAH(q), (uint32_t)(a->rx.desc_dma >> 32));
	wr32(a, E1000_RDLEN(q), RING_BYTES);
	wr32(a, E1000_SRRCTL(q), MDD_BUF_SIZE >> E1000_SRRCTL_BSIZEPKT_SHIFT |
					 E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | E1000_SRRCTL_DROP_EN);
	wr32(a, E1000_RDH(q), 0);
	wr32(a, E1000_RDT(q), 0);
	wr32(a, E1000_RXDCTL(q), E1000_RXDCTL_QUEUE_ENABLE | 8 | 8 << 8 | 1 << 16);
	wr32(a, E1000_RDT(q), a->rx.ntu);
	mdd_set_rlpml(a);
}

/* ---- transmit ---- */

static unsigned tx_free(const struct mdd_ring *r)
{
	return (r->ntc + MDD_RING_SIZE - r->ntu - 1) % MDD_RING_SIZE;
}

static void tx_clean(struct mdd_adapter *a)
{
	struct mdd_ring *r = &a->tx;
	union mdd_tx_desc *ring = r->desc;

	while (r->ntc != r->ntu) {
		int eop = r->eop[r->ntc];

		if (eop < 0 || !(__atomic_load_n(&ring[eop].wb.status, __ATOMIC_ACQUIRE) &
				 htole32(E1000_TXD_STAT_DD)))
			break;
		a->netdev.stats.tx_packets++;
		a->netdev.stats.tx_bytes += r->bytes[r->ntc];
		r->eop[r->ntc] = -1;
		r->ntc = ((unsigned)eop + 1) % MDD_RING_SIZE;
	}
}

/* Offsets for checksum offload: MAC header length, IP header length, L4 protocol. */
static bool tx_parse(const struct pkt *p, unsigned *maclen, unsigned *iplen, bool *ipv4,
		     uint8_t *l4)
{
	const uint8_t *f = p->data;
	unsigned off = 12;
	uint16_t type;

	if (p->len < ETH_HLEN + 20)
		return false;
	type = (uint16_t)(f[off] << 8 | f[off + 1]);
	if (type == 0x8100) {
		off += 4;
		type = (uint16_t)(f[off] << 8 | f[off + 1]);
	}
	*maclen = off + 2;
	if (type == 0x0800) {
		*ipv4 = true;
		*iplen = (f[*maclen] & 0xf) * 4u;
		*l4 = f[*maclen + 9];
	} else if (type == 0x86dd && p->len >= *maclen + 40) {
		*ipv4 = false;
		*iplen = 40;
		*l4 = f[*maclen + 6];
	} else {
		return false;
	}
	return *iplen >= 20 && *maclen + *iplen <= p->len;
}

/* A context descriptor for VLAN insertion and checksum offload; returns the data olinfo bits. */
static uint32_t tx_context(union mdd_tx_desc *d, const struct pkt *p, uint32_t *cmd)
{
	unsigned maclen = ETH_HLEN, iplen = 0;
	uint32_t tucmd = E1000_ADVTXD_DTYP_CTXT | E1000_ADVTXD_DCMD_DEXT, olinfo = 0;
	uint32_t vlan = 0;
	bool ipv4 = false;
	uint8_t l4 = 0;

	if (p->flags & PKT_VLAN) {
		vlan = p->vlan;
		*cmd |= E1000_ADVTXD_DCMD_VLE;
	}
	if ((p->flags & PKT_CSUM) && tx_parse(p, &maclen, &iplen, &ipv4, &l4)) {
		if (ipv4) {
			tucmd |= E1000_ADVTXD_TUCMD_IPV4;
			olinfo |= E1000_ADVTXD_POPTS_IXSM;
		}
		if (l4 == 6)
			tucmd |= E1000_ADVTXD_TUCMD_L4T_TCP;
		if (l4 == 6 || l4 == 17)
			olinfo |= E1000_ADVTXD_POPTS_TXSM;
	}
	d->ctx.vlan_macip_lens =
		htole32(vlan << E1000_ADVTXD_VLAN_SHIFT | maclen << E1000_ADVTXD_MACLEN_SHIFT | iplen);
	d->ctx.seqnum_seed = 0;
	d->ctx.type_tucmd_mlhl = htole32(tucmd);
	d->ctx.mss_l4len_idx = 0;
	return olinfo;
}

static int mdd_xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct mdd_adapter *a = nd->priv;
	struct mdd_ring *r = &a->tx;
	union mdd_tx_desc *ring = r->desc;
	unsigned i;

	if (a->pdev->gone)
		return -ENODEV;
	tx_clean(a);
	for (i = 0; i < n; i++) {
		const struct pkt *p = &pkts[i];
		bool ctx = p->flags & (PKT_VLAN | PKT_CSUM);
		unsigned nbuf = (p->len + MDD_BUF_SIZE - 1) / MDD_BUF_SIZE;
		unsigned first = r->ntu, idx = r->ntu, done = 0;
		uint32_t cmd = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT |
			       E1000_ADVTXD_DCMD_IFCS;
		uint32_t olinfo = 0;

		if (!p->len || p->len > ETH_FRAME_MAX) {
			nd->stats.tx_errors++;
			continue;
		}
		if (tx_free(r) < nbuf + ctx) {
			nd->stats.tx_busy++;
			break;
		}
		if (ctx) {
			olinfo = tx_context(&ring[idx], p, &cmd);
			idx = (idx + 1) % MDD_RING_SIZE;
		}
		olinfo |= (uint32_t)p->len << E1000_ADVTXD_PAYLEN_SHIFT;
		while (done < p->len) {
			unsigned chunk = p->len - done < MDD_BUF_SIZE ? p->len - done : MDD_BUF_SIZE;
			uint32_t c = cmd | chunk;

			memcpy(r->buf + (size_t)idx * MDD_BUF_SIZE, (const uint8_t *)p->data + done,
			       chunk);
			done += chunk;
			if (done == p->len)
				c |= E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS;
			ring[idx].read.addr = htole64(r->buf_dma + (uint64_t)idx * MDD_BUF_SIZE);
			ring[idx].read.cmd_type_len = htole32(c);
			ring[idx].read.olinfo_status = htole32(olinfo);
			if (done < p->len)
				idx = (idx + 1) % MDD_RING_SIZE;
		}
		r->eop[first] = (int16_t)idx;
		r->bytes[first] = p->len;
		r->ntu = (idx + 1) % MDD_RING_SIZE;
	}
	if (i) {
		/* descriptors before the tail: the device reads them after this write */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr32(a, E1000_TDT(a->queue), r->ntu);
	}
	return (int)i;
}

/* ---- receive ---- */

static void rx_refill(struct mdd_adapter *a)
{
	struct mdd_ring *r = &a->rx;
	unsigned last = (r->ntc + MDD_RING_SIZE - 1) % MDD_RING_SIZE;

	if (r->ntu == last)
		return;
	while (r->ntu != last) {
		r->ntu = (r->ntu + 1) % MDD_RING_SIZE;
		rx_fill(a, r->ntu);
	}
	/* The tail index itself stays with software: hardware owns RDH up to RDT - 1. */
	wr32(a, E1000_RDT(a->queue), r->ntu);
}

static void rx_flush(struct mdd_adapter *a, struct pkt *pkts, unsigned *nb)
{
	if (*nb && a->netdev.up)
		netdev__rx(&a->netdev, pkts, *nb);
	else
		a->netdev.stats.rx_dropped += *nb;
	*nb = 0;
	rx_refill(a);
}

static unsigned rx_poll(struct mdd_adapter *a, unsigned budget)
{
	struct mdd_ring *r = &a->rx;
	union mdd_rx_desc *ring = r->desc;
	struct pkt pkts[MDD_RX_BATCH];
	unsigned nb = 0, done = 0;
	bool jumbo_in_batch = false;

	while (done < budget) {
		union mdd_rx_desc *d = &ring[r->ntc];
		uint32_t st = le32toh(__atomic_load_n(&d->wb.status_error, __ATOMIC_ACQUIRE));
		uint8_t *buf = r->buf + (size_t)r->ntc * MDD_BUF_SIZE;
		unsigned len = le16toh(d->wb.length);
		struct pkt *p;

		if (!(st & E1000_RXD_STAT_DD))
			break;
		done++;
		if (!(st & E1000_RXD_STAT_EOP) || a->in_frame) {
			/* A frame over several buffers: join it in the jumbo buffer. */
			if (!a->in_frame && jumbo_in_batch) {
				rx_flush(a, pkts, &nb);
				jumbo_in_batch = false;
			}
			if (!a->in_frame)
				a->jumbo_len = 0;
			a->in_frame = true;
			if (a->jumbo_len + len <= MDD_JUMBO_SIZE)
				memcpy(a->jumbo + a->jumbo_len, buf, len);
			a->jumbo_len += len;
			r->ntc = (r->ntc + 1) % MDD_RING_SIZE;
			if (!(st & E1000_RXD_STAT_EOP))
				continue;
			a->in_frame = false;
			buf = a->jumbo;
			len = a->jumbo_len;
			jumbo_in_batch = true;
			if (len > MDD_JUMBO_SIZE) {
				a->netdev.stats.rx_errors++;
				continue;
			}
		} else {
			r->ntc = (r->ntc + 1) % MDD_RING_SIZE;
		}
		if (st & E1000_RXDEXT_ERR_FRAME) {
			a->netdev.stats.rx_errors++;
			continue;
		}
		p = &pkts[nb++];
		p->data = buf;
		p->len = (uint16_t)len;
		p->flags = 0;
		p->vlan = 0;
		p->rsvd = 0;
		if (st & E1000_RXD_STAT_VP) {
			p->flags |= PKT_VLAN;
			p->vlan = le16toh(d->wb.vlan);
		}
		if ((st & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS)) &&
		    !(st & (E1000_RXD_STAT_IXSM | E1000_RXDEXT_ERR_CSUM)))
			p->flags |= PKT_CSUM_OK;
		a->netdev.stats.rx_packets++;
		a->netdev.stats.rx_bytes += len;
		if (nb == MDD_RX_BATCH) {
			rx_flush(a, pkts, &nb);
			jumbo_in_batch = false;
		}
	}
	rx_flush(a, pkts, &nb);
	return done;
}

void mdd_napi_poll(struct os_work *w)
{
	struct mdd_adapter *a = (struct mdd_adapter *)((char *)w - offsetof(struct mdd_adapter, napi));
	unsigned done;

	if (a->pdev->gone)
		return;
	a->netdev.stats.polls++;
	tx_clean(a);
	done = rx_poll(a, MDD_NAPI_BUDGET);
	if (done >= MDD_NAPI_BUDGET)
		os__schedule(&a->napi); /* more to do: poll again, vector stays masked */
	else
		wr32(a, E1000_EIMS, MDD_EIMS_QUEUE);
}

/* ---- netdev operations ---- */

/* As igb_open: the PHY is powered up; the link follows (ICR.LSC, the watchdog). */
static int mdd_open(struct netdev *nd)
{
	struct mdd_adapter *a = nd->priv;

	a->if_up = true;
	mdd_phy_power(a, true);
	netdev__carrier(nd, a->link_up);
	return 0;
}

/*
 * As igb_close: the port is reset with its PHY powered down, so the link goes down for the PF
 * and every VF until the interface is up again. The VFs are told (PF control message, RSTI)
 * and redo their reset handshake by themselves; their pools come back as the administrator set
 * them, without link.
 */
static int mdd_stop(struct netdev *nd)
{
	struct mdd_adapter *a = nd->priv;

	os__log(MDD_TAG, "%s: down: resetting the port (%u VFs), PHY powered down", nd->name,
		a->num_vfs);
	a->if_up = false;
	mdd_reinit(a, a->num_vfs);
	return 0;
}

static int mdd_set_mac(struct netdev *nd, const uint8_t mac[ETH_ALEN])
{
	struct mdd_adapter *a = nd->priv;

	if (!mdd_mac_valid(mac))
		return -EADDRNOTAVAIL;
	memcpy(nd->mac, mac, ETH_ALEN);
	mdd_rar_set(a, 0, mac, a->queue);
	return 0;
}

static int mdd_set_mtu(struct netdev *nd, unsigned mtu)
{
	struct mdd_adapter *a = nd->priv;

	if (mtu < 68 || mtu > ETH_FRAME_MAX - ETH_HLEN - 4)
		return -EINVAL;
	os__log(MDD_TAG, "%s: changing MTU from %u to %u", nd->name, nd->mtu, mtu);
	nd->mtu = mtu;
	mdd_set_rlpml(a);
	return 0;
}

static int mdd_set_rx_mode_op(struct netdev *nd, unsigned flags, const uint8_t (*mc)[ETH_ALEN],
			      unsigned nmc)
{
	struct mdd_adapter *a = nd->priv;
	uint8_t(*copy)[ETH_ALEN] = NULL;

	if (nmc) {
		copy = malloc(nmc * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, mc, nmc * sizeof(*copy));
	}
	free(a->pf_mc);
	a->pf_mc = copy;
	a->pf_nmc = nmc;
	a->rx_flags = flags;
	mdd_set_rx_mode(a);
	return 0;
}

static int mdd_vlan_add(struct netdev *nd, uint16_t vid)
{
	struct mdd_adapter *a = nd->priv;
	int err = 0;

	if (vid >= 4095)
		return -EINVAL;
	if (a->num_vfs)
		err = mdd_vlvf_set(a, a->queue, vid, true);
	else
		wr32(a, E1000_VFTA(vid >> 5), rd32(a, E1000_VFTA(vid >> 5)) | 1u << (vid & 31));
	if (!err)
		a->pf_vlans[vid >> 5] |= 1u << (vid & 31);
	return err;
}

static int mdd_vlan_del(struct netdev *nd, uint16_t vid)
{
	struct mdd_adapter *a = nd->priv;

	if (vid >= 4095)
		return -EINVAL;
	a->pf_vlans[vid >> 5] &= ~(1u << (vid & 31));
	if (a->num_vfs)
		return vid ? mdd_vlvf_set(a, a->queue, vid, false) : 0;
	wr32(a, E1000_VFTA(vid >> 5), rd32(a, E1000_VFTA(vid >> 5)) & ~(1u << (vid & 31)));
	return 0;
}

const struct netdev_ops mdd_netdev_ops = {
	.open = mdd_open,
	.stop = mdd_stop,
	.xmit = mdd_xmit,
	.set_mac = mdd_set_mac,
	.set_mtu = mdd_set_mtu,
	.set_rx_mode = mdd_set_rx_mode_op,
	.vlan_add = mdd_vlan_add,
	.vlan_del = mdd_vlan_del,
};
