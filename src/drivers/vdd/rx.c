/*
 * Receive (82576.md section 6): advanced one-buffer descriptors over 2 KiB buffers (SRRCTL), a
 * NAPI-style poll with a budget scheduled by the Rx vector's handler. The poll walks descriptors
 * while DD is set, hands the frames of the pass to netdev__rx in one batch (they point into the
 * Rx buffers, valid during the call), then gives every used buffer back with one RDT write, and
 * re-enables the vector through EIMS when it did not use its whole budget.
 *
 * Descriptor i always owns Rx buffer i. A frame over several buffers (MTU above ~2 KiB) is
 * joined into a private buffer; one longer than the MTU allows is dropped and counted.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfnet/dma.h"

#include "regs.h"
#include "vdd.h"

/* igbvf's RXDCTL thresholds: prefetch 16, host 8, write-back 4 */
#define VDD_RXDCTL_THRESH (16 | 8 << 8 | 4 << 16)

int vdd_rx_alloc(struct vdd *a)
{
	struct vdd_ring *r = &a->rx;

	r->count = VDD_RXD;
	r->desc_size = ((size_t)r->count * sizeof(union e1000_adv_rx_desc) + 4095) & ~(size_t)4095;
	r->desc = dma__alloc(r->desc_size, &r->desc_bus);
	if (!r->desc)
		goto err;
	r->buf_size = (size_t)r->count * VDD_BUF_SIZE;
	r->buf = dma__alloc(r->buf_size, &r->buf_bus);
	if (!r->buf)
		goto err_desc;
	a->rx_frame = malloc(ETH_FRAME_MAX);
	if (!a->rx_frame)
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

void vdd_rx_free(struct vdd *a)
{
	struct vdd_ring *r = &a->rx;

	free(a->rx_frame);
	a->rx_frame = NULL;
	if (r->buf)
		dma__free(r->buf, r->buf_size);
	r->buf = NULL;
	if (r->desc)
		dma__free(r->desc, r->desc_size);
	r->desc = NULL;
}

/* Give the hardware every free descriptor but one (head == tail means empty): one RDT write. */
static void rx_refill(struct vdd *a)
{
	struct vdd_ring *r = &a->rx;
	union e1000_adv_rx_desc *ring = r->desc;
	unsigned ntu = r->next_to_use, end = (r->next_to_clean + r->count - 1) % r->count;

	if (ntu == end)
		return;
	for (; ntu != end; ntu = (ntu + 1) % r->count) {
		ring[ntu].read.pkt_addr = htole64(r->buf_bus + (uint64_t)ntu * VDD_BUF_SIZE);
		ring[ntu].read.hdr_addr = 0; /* also clears the write-back's DD */
	}
	r->next_to_use = ntu;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ew32(a, E1000_RDT(0), ntu);
}

void vdd_rx_configure(struct vdd *a)
{
	struct vdd_ring *r = &a->rx;

	vdd_queue_enable(a, E1000_RXDCTL(0), 0, false);
	memset(r->desc, 0, r->desc_size);
	r->next_to_use = r->next_to_clean = 0;
	ew32(a, E1000_RDBAL(0), (uint32_t)r->desc_bus);
	ew32(a, E1000_RDBAH(0), (uint32_t)(r->desc_bus >> 32));
	ew32(a, E1000_RDLEN(0), r->count * (uint32_t)sizeof(union e1000_adv_rx_desc));
	ew32(a, E1000_RDH(0), 0);
	ew32(a, E1000_RDT(0), 0);
	ew32(a, E1000_SRRCTL(0),
	     (VDD_BUF_SIZE >> E1000_SRRCTL_BSIZEPKT_SHIFT) | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF |
		 E1000_SRRCTL_DROP_EN);
	ew32(a, E1000_PSRTYPE, 0);
	vdd_queue_enable(a, E1000_RXDCTL(0), VDD_RXDCTL_THRESH, true);
	rx_refill(a);
}

void vdd_rx_stop(struct vdd *a)
{
	struct vdd_ring *r = &a->rx;

	vdd_queue_enable(a, E1000_RXDCTL(0), 0, false);
	r->next_to_use = r->next_to_clean = 0;
}

static uint32_t rx_status(const union e1000_adv_rx_desc *d)
{
	return le32toh(__atomic_load_n(&d->wb.status_error, __ATOMIC_ACQUIRE));
}

/*
 * The frame at @first: its last descriptor in *@last, its buffer count in *@nb and its length
 * in *@len. False while the hardware has not finished it (a buffer without DD before EOP).
 */
static bool rx_frame_span(struct vdd_ring *r, unsigned first, unsigned *last, unsigned *nb,
			  unsigned *len, uint32_t *st)
{
	union e1000_adv_rx_desc *ring = r->desc;
	unsigned i = first;

	bool bad;

	*nb = 1;
	*len = le16toh(ring[i].wb.length);
	*st = rx_status(&ring[i]);
	bad = *len > VDD_BUF_SIZE;
	while (!(*st & E1000_RXD_STAT_EOP)) {
		i = (i + 1) % r->count;
		if (i == r->next_to_use)
			return false;
		*st = rx_status(&ring[i]);
		if (!(*st & E1000_RXD_STAT_DD))
			return false;
		bad |= le16toh(ring[i].wb.length) > VDD_BUF_SIZE;
		*len += le16toh(ring[i].wb.length);
		(*nb)++;
	}
	*last = i;
	if (bad)
		*len = ~0u; /* a length no buffer holds: dropped as too long */
	return true;
}

static void rx_deliver(struct vdd *a, struct pkt *batch, unsigned n)
{
	unsigned bytes = 0;

	if (!n)
		return;
	for (unsigned i = 0; i < n; i++)
		bytes += batch[i].len;
	a->nd.stats.rx_bytes += bytes;
	a->nd.stats.rx_packets += n;
	a->itr_bytes += bytes; /* for adaptive moderation (intr.c) */
	a->itr_pkts += n;
	netdev__rx(&a->nd, batch, n);
}

/* Up to @budget frames; returns how many descriptors' frames were taken off the ring. */
static unsigned rx_poll(struct vdd *a, unsigned budget)
{
	struct vdd_ring *r = &a->rx;
	union e1000_adv_rx_desc *ring = r->desc;
	struct pkt batch[VDD_RX_BUDGET];
	unsigned ntc = r->next_to_clean, n = 0, done = 0;
	unsigned max = a->nd.mtu + ETH_HLEN + VLAN_HLEN;
	bool joined = false; /* a->rx_frame is in the batch */

	if (budget > VDD_RX_BUDGET)
		budget = VDD_RX_BUDGET;
	while (done < budget && ntc != r->next_to_use) {
		unsigned last, nb, len;
		uint32_t st;
		struct pkt *p;

		if (!(rx_status(&ring[ntc]) & E1000_RXD_STAT_DD))
			break;
		if (!rx_frame_span(r, ntc, &last, &nb, &len, &st))
			break;
		done++;
		if (st & E1000_RXDEXT_ERR_FRAME_ERR_MASK) {
			a->nd.stats.rx_errors++;
			goto next;
		}
		if (len > max || len < ETH_HLEN) {
			a->nd.stats.rx_dropped++;
			goto next;
		}
		p = &batch[n];
		if (nb == 1) {
			p->data = r->buf + (size_t)ntc * VDD_BUF_SIZE;
		} else {
			if (joined) {
				rx_deliver(a, batch, n); /* the join buffer is free again after */
				n = 0;
				p = &batch[0];
			}
			for (unsigned i = ntc, off = 0; off < len; i = (i + 1) % r->count) {
				unsigned seg = le16toh(ring[i].wb.length);

				memcpy(a->rx_frame + off, r->buf + (size_t)i * VDD_BUF_SIZE, seg);
				off += seg;
			}
			p->data = a->rx_frame;
			joined = true;
		}
		p->len = (uint16_t)len;
		p->flags = 0;
		p->vlan = 0;
		p->rsvd = 0;
		/*
		 * A stripped tag is handed up only for a VLAN this interface joined (as igbvf
		 * does with its active_vlans): under an administrator's port VLAN the tag is the
		 * switch's business, and the guest sees untagged frames.
		 */
		if ((st & E1000_RXD_STAT_VP) &&
		    (a->vlans[(le16toh(ring[last].wb.vlan) & 0xfff) / 64] >>
		     ((le16toh(ring[last].wb.vlan) & 0xfff) % 64) & 1)) {
			p->flags |= PKT_VLAN;
			p->vlan = le16toh(ring[last].wb.vlan);
		}
		if ((st & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS)) &&
		    !(st &
		      (E1000_RXD_STAT_IXSM | E1000_RXDEXT_STATERR_L4E | E1000_RXDEXT_STATERR_IPE)))
			p->flags |= PKT_CSUM_OK;
		n++;
	next:
		ntc = (last + 1) % r->count;
	}
	rx_deliver(a, batch, n);
	r->next_to_clean = ntc;
	return done;
}

void vdd_rx_work(struct os_work *w)
{
	struct vdd *a = container_of(w, struct vdd, rx_work);
	unsigned done;

	if (!vdd_work_begin(a))
		return;
	if (!a->running)
		return;
	a->nd.stats.polls++;
	done = rx_poll(a, VDD_RX_BUDGET);
	/* a listener may have stopped the device */
	if (!a->running)
		return;
	rx_refill(a);
	if (done < VDD_RX_BUDGET) {
		vdd_itr_update(a);
		vdd_intr_enable(a, 1u << VDD_VEC_RX);
	} else {
		os__schedule(&a->rx_work); /* more to do: yield to other work first */
	}
}
