/*
 * Queue registers (82576.md section 3): ring base, length, head, tail, control, SRRCTL.
 * Software owns the tail and the hardware the head; a tail write only marks the queue for the
 * datapath, which does the work on the engine thread. Queues 0-3 also answer at the low aliases
 * 0x2800/0x3800 + 0x100 q.
 */
#include <string.h>

#include "hw/nic/nic.h"

/* The canonical (0xC000/0xE000) offset of a queue register, or 0. */
static uint32_t canonical(uint32_t off)
{
	if (off >= E1000_RXQ_LOW(0) && off < E1000_RXQ_LOW(4) && (off & 0xff) < E1000_QUEUE_STRIDE)
		return E1000_RXQ((off - E1000_RXQ_LOW(0)) >> 8) + (off & 0x3f);
	if (off >= E1000_TXQ_LOW(0) && off < E1000_TXQ_LOW(4) && (off & 0xff) < E1000_QUEUE_STRIDE)
		return E1000_TXQ((off - E1000_TXQ_LOW(0)) >> 8) + (off & 0x3f);
	if (off >= E1000_RXQ(0) && off < E1000_TXQ(E1000_NUM_QUEUES) &&
	    (off < E1000_RXQ(E1000_NUM_QUEUES) || off >= E1000_TXQ(0)))
		return off;
	return 0;
}

uint32_t nic_queue__rd(struct nic_port *p, unsigned idx)
{
	uint32_t off = canonical(idx << 2);

	return off ? nic_get(p, off) : 0;
}

void nic_queue__wr(struct nic_port *p, unsigned idx, uint32_t val)
{
	uint32_t off = canonical(idx << 2);
	bool tx;
	unsigned q;

	if (!off) {
		nic_stat_inc(&p->stats.ignored_writes);
		return;
	}
	tx = off >= E1000_TXQ(0);
	q = (off - (tx ? E1000_TXQ(0) : E1000_RXQ(0))) / E1000_QUEUE_STRIDE;
	switch (off & 0x3f) {
	case E1000_QR_BAL:
		val &= ~0x7fu; /* rings are 128-byte aligned */
		break;
	case E1000_QR_LEN:
		val &= 0xfff80; /* a multiple of 128 bytes (8 descriptors) */
		break;
	case E1000_QR_HEAD:
		val &= 0xffff;
		break;
	case E1000_QR_TAIL:
		val &= 0xffff;
		if (tx)
			p->tx_kick |= 1u << q;
		else
			p->rx_kick |= 1u << q;
		break;
	case E1000_QR_SRRCTL:
		if (tx)
			return;
		val &= E1000_SRRCTL_BSIZEPKT_MASK | E1000_SRRCTL_BSIZEHDR_MASK |
		       E1000_SRRCTL_DESCTYPE_MASK | E1000_SRRCTL_DROP_EN;
		break;
	case E1000_QR_DCTL:
		/* Enabling a queue makes it look at its tail again. */
		if ((val & E1000_RXDCTL_QUEUE_ENABLE) && tx)
			p->tx_kick |= 1u << q;
		else if (val & E1000_RXDCTL_QUEUE_ENABLE)
			p->rx_kick |= 1u << q;
		break;
	case E1000_QR_RQDPC:
	case E1000_QR_DCA:
	case E1000_QR_TDWBAL:
	case E1000_QR_TDWBAH:
	case E1000_QR_BAH:
		break;
	default:
		nic_stat_inc(&p->stats.ignored_writes);
		return;
	}
	nic_set(p, off, val);
}

void nic_queue__reset(struct nic_port *p, unsigned q)
{
	for (unsigned tx = 0; tx < 2; tx++) {
		uint32_t base = tx ? E1000_TXQ(q) : E1000_RXQ(q);

		for (uint32_t f = 0; f < E1000_QUEUE_STRIDE; f += 4)
			nic_set(p, base + f, 0);
	}
	nic_set(p, E1000_SRRCTL(q), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);
	p->tx_kick &= ~(1u << q);
	p->rx_kick &= ~(1u << q);
	/* The datapath's memory of the queue (Tx context slots, rate clock, pending work) goes
	 * too: a new owner must not inherit the old one's VLAN tag or header lengths. */
	memset(&p->dp.txq[q], 0, sizeof(p->dp.txq[q]));
	p->dp.tx_pending &= ~(1u << q);
	p->dp.intr_tx &= ~(1u << q);
	p->dp.intr_rx &= ~(1u << q);
}
