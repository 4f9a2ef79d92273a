/*
 * The port's datapath entry point: one poll services the Tx queues, then the wire, and raises
 * the queue interrupts the work earned. Also here: how the device reaches a descriptor ring
 * (through the IOMMU with the queue owner's RID), what a fault does to a queue, and the only
 * code that touches the wire (send, receive, link state).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "hw/nic/desc.h"
#include "hw/nic/nic.h"
#include "lib/compiler.h"
#include "lib/log.h"

bool nic_dp_prefetchw;

/* Older x86 CPUs may not have PREFETCHW; they get the plain prefetch. */
__attribute__((constructor)) static void prefetchw_probe(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	nic_dp_prefetchw = __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & BIT(8));
#endif
}

uint16_t nic_dp__rid(struct nic_port *p, unsigned q)
{
	unsigned vf;

	return nic_queue__vf(p, q, &vf) ? p->nic->pci.vf[p->index][vf].rid : p->pf->rid;
}

bool nic_dp__bus_master(struct nic_port *p, unsigned q)
{
	unsigned vf;
	struct pci_func *fn = nic_queue__vf(p, q, &vf) ? &p->nic->pci.vf[p->index][vf] : p->pf;

	return pci_func__get(fn, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;
}

int nic_ring__open(struct nic_port *p, struct nic_ring *r, unsigned q, bool tx)
{
	uint32_t base = tx ? E1000_TXQ(q) : E1000_RXQ(q);

	r->base = (uint64_t)nic_get(p, base + E1000_QR_BAH) << 32 | nic_get(p, base + E1000_QR_BAL);
	r->count = nic_get(p, base + E1000_QR_LEN) / E1000_DESC_SIZE;
	r->rid = nic_dp__rid(p, q);
	r->host = NULL;
	r->win_len = 0;
	return r->count ? 0 : -EINVAL;
}

uint8_t *nic_ring__map(struct nic_port *p, struct nic_ring *r, unsigned idx)
{
	uint64_t iova = r->base + (uint64_t)idx * E1000_DESC_SIZE, len;
	struct dma_seg seg;

	/* Map up to the end of the page (or ring): one host-contiguous piece, read and write,
	 * since descriptors are read and then written back. Rings are 128-byte aligned, so a
	 * descriptor never straddles a page. */
	len = MIN((uint64_t)(r->count - idx) * E1000_DESC_SIZE, 4096 - (iova & 4095));
	if (iommu__translate(p->nic->iommu, r->rid, iova, len, IOMMU_READ | IOMMU_WRITE, &seg, 1) !=
	    1)
		return NULL;
	r->win = iova;
	r->win_len = (uint32_t)len;
	r->host = seg.host;
	return r->host;
}

void nic_dp__queue_fault(struct nic_port *p, unsigned q, bool tx, const char *why)
{
	struct nic_dp *dp = &p->dp;
	uint32_t ctl = tx ? E1000_TXDCTL(q) : E1000_RXDCTL(q);
	uint64_t now = nic__now(p->nic);
	unsigned vf;
	char owner[8] = "PF", more[64] = "";

	nic_set(p, ctl, nic_get(p, ctl) & ~E1000_TXDCTL_QUEUE_ENABLE);
	nic_stats__count(&dp->stats.queue_errors, 1);
	/* A guest can fault at will: one line a second per port is enough to see it. */
	if (dp->warn_ns && now - dp->warn_ns < NIC_DP_WARN_NS) {
		dp->warn_suppressed++;
		return;
	}
	if (nic_queue__vf(p, q, &vf))
		snprintf(owner, sizeof(owner), "VF %u", vf);
	if (dp->warn_suppressed)
		snprintf(more, sizeof(more), " (%" PRIu64 " more since the last report)",
			 dp->warn_suppressed);
	pr_warn("nic", "port %u: %s queue %u (%s) stopped: %s%s", p->index, tx ? "Tx" : "Rx", q,
		owner, why, more);
	dp->warn_ns = now ? now : 1;
	dp->warn_suppressed = 0;
}

/* The wire broke for good (its device went away): the link is down until another is attached. */
static void wire_broken(struct nic_port *p, int err)
{
	pr_warn("nic", "port %u: wire %s failed: %s; link down", p->index, p->dp.wire->spec,
		strerror(-err));
	p->dp.wire = NULL;
	nic_set(p, E1000_STATUS, nic_get(p, E1000_STATUS) & ~E1000_STATUS_LU);
	nic_intr__raise_icr(p, E1000_ICR_LSC);
}

int nic_dp__wire_send(struct nic_port *p, const struct wire_frame *frames, unsigned n)
{
	struct nic_dp *dp = &p->dp;
	int rc;

	if (!dp->wire || !(nic_get(p, E1000_STATUS) & E1000_STATUS_LU))
		return -ENOLINK;
	if (nic_cap__on(dp, NIC_CAP_WIRE))
		nic_cap__wire_tx(p, frames, n);
	/* The frames' bytes stay where they are until the send returns: no copy here. */
	rc = wire__send(dp->wire, frames, n);
	if (rc < 0)
		wire_broken(p, rc);
	return 0;
}

/* Frames from the wire go through the Rx rules like any other. */
static unsigned wire_rx(struct nic_port *p, unsigned budget)
{
	struct nic_dp *dp = &p->dp;
	unsigned done = 0;

	while (dp->wire && done < budget) {
		unsigned want = MIN(budget - done, NIC_DP_RX_BATCH);
		int got;

		for (unsigned i = 0; i < want; i++)
			dp->wbuf[i] = (struct wire_buf){dp->rxbuf[i], WIRE_FRAME_MAX, 0};
		got = wire__recv(dp->wire, dp->wbuf, want);
		if (got < 0) {
			wire_broken(p, got);
			break;
		}
		if (!(nic_get(p, E1000_STATUS) & E1000_STATUS_LU)) {
			/* A PHY without link (powered down) hears nothing. */
			for (int i = 0; i < got; i++)
				nic_stats__drop(p, E82576_DROP_LINK_DOWN);
			got = 0;
		}
		for (int i = 0; i < got; i++) {
			struct iovec iov = {dp->rxbuf[i], dp->wbuf[i].len};
			struct nic_frame f = {.iov = &iov,
					      .iovcnt = 1,
					      .len = dp->wbuf[i].len,
					      .hdr = dp->rxbuf[i],
					      .hdr_len = dp->wbuf[i].len};

			if (nic_cap__on(dp, NIC_CAP_WIRE))
				nic_cap__wire_rx(p, &f);
			if (f.len < ETH_HLEN) {
				nic_stats__drop(p, E82576_DROP_FILTERED);
				continue;
			}
			nic_frame__parse(&f, (uint16_t)nic_get(p, E1000_VET));
			nic_switch__from_wire(p, &f);
		}
		done += (unsigned)got;
		if ((unsigned)got < want)
			break;
	}
	return done;
}

/* STATUS.LU follows the wire while the PHY is powered; a change raises ICR.LSC. */
static void link_check(struct nic_port *p, uint64_t now)
{
	struct nic_dp *dp = &p->dp;
	uint32_t status = nic_get(p, E1000_STATUS);
	bool up;

	if (!dp->wire || (!dp->link_due && now < dp->link_next_ns))
		return;
	dp->link_due = false;
	dp->link_next_ns = now + NIC_DP_LINK_POLL_NS;
	up = !(p->phy_bmcr & E82576_PHY_BMCR_PDOWN) && wire__link_up(dp->wire);
	if (up == !!(status & E1000_STATUS_LU))
		return;
	nic_set(p, E1000_STATUS, up ? status | E1000_STATUS_LU : status & ~E1000_STATUS_LU);
	nic_intr__raise_icr(p, E1000_ICR_LSC);
}

void nic_dp__reset(struct nic_port *p)
{
	struct nic_dp *dp = &p->dp;

	memset(dp->txq, 0, sizeof(dp->txq));
	nic_switch__filters_changed(p); /* the registers went back to their power-on values */
	dp->tx_pending = dp->intr_tx = dp->intr_rx = 0;
	dp->nslots = 0;
	dp->link_due = true;
}

void nic_dp__link_changed(struct nic_port *p)
{
	p->dp.link_due = true;
}

void nic_dp__attach_wire(struct nic_port *p, struct wire *w)
{
	p->dp.wire = w;
	p->dp.link_due = true;
}

unsigned nic_dp__poll(struct nic_port *p, unsigned budget)
{
	struct nic_dp *dp = &p->dp;
	uint32_t txq = (p->tx_kick | dp->tx_pending) & (BIT(E1000_NUM_QUEUES) - 1), bits;
	/* One clock read a pass (a vDSO call costs tens of ns in a VM): the link check and every
	 * queue's rate limiter share it. */
	uint64_t now = nic__now(p->nic);
	unsigned work = 0;

	dp->pass++;
	link_check(p, now);
	/* Rx needs no kick: frames arrive, and RDT is read when one does. */
	p->tx_kick = 0;
	p->rx_kick = 0;
	while (txq) {
		unsigned q = (unsigned)__builtin_ctz(txq);

		txq &= txq - 1;
		work += nic_tx__poll(p, q, budget, now);
	}
	work += wire_rx(p, budget);
	for (bits = dp->intr_rx; bits; bits &= bits - 1)
		nic_intr__queue(p, (unsigned)__builtin_ctz(bits), false);
	for (bits = dp->intr_tx; bits; bits &= bits - 1)
		nic_intr__queue(p, (unsigned)__builtin_ctz(bits), true);
	dp->intr_rx = dp->intr_tx = 0;
	nic_stats__flush(p);
	return work;
}

uint64_t nic_dp__next_deadline(struct nic_port *p)
{
	uint64_t next = !p->dp.wire ? UINT64_MAX : p->dp.link_due ? 0 : p->dp.link_next_ns;

	for (uint32_t q = p->dp.tx_pending; q; q &= q - 1) {
		uint64_t wake = nic_rate__wake(p, (unsigned)__builtin_ctz(q));

		if (wake)
			next = MIN(next, wake);
	}
	return next;
}
