/*
 * netfront's receive side. We note which buffer we posted in each ring slot: the response that
 * lands in a slot fills that buffer, whatever id the backend wrote in it (Linux's netfront also
 * goes by the slot), and the buffer is posted again when its packet has gone up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfnet/dma.h"

#include "netfront.h"

#define MASK (NET_RX_RING_SIZE - 1)

static void post(struct netfront *nf, unsigned i)
{
	struct nf_buf *b = &nf->rxb[i];
	struct netif_rx_request *req = &nf->rx_sring->ring[nf->rx.req_prod_pvt++ & MASK].req;

	gnttab__grant((grant_ref_t)b->ref, (domid_t)nf->backend_id, b->bus, false);
	b->granted = true;
	nf->rx_posted[(nf->rx.req_prod_pvt - 1) & MASK] = (uint16_t)i;
	req->id = (uint16_t)i;
	req->gref = (grant_ref_t)b->ref;
}

int netfront_rx__setup(struct netfront *nf)
{
	if (!nf->rx_lin && !(nf->rx_lin = malloc(ETH_FRAME_MAX + NF_PAGE)))
		return -ENOMEM;
	for (unsigned i = 0; i < NET_RX_RING_SIZE; i++) {
		struct nf_buf *b = &nf->rxb[i];

		if (!b->page && !(b->page = dma__alloc(NF_PAGE, &b->bus)))
			return -ENOMEM;
		if (b->ref < 0 && (b->ref = gnttab__claim()) < 0)
			return b->ref;
		post(nf, i);
	}
	if (xen_front_ring__push_requests(&nf->rx))
		evtchn__notify(nf->rx_port);
	return 0;
}

void netfront_rx__teardown(struct netfront *nf)
{
	for (unsigned i = 0; i < NET_RX_RING_SIZE; i++) {
		struct nf_buf *b = &nf->rxb[i];

		if (!b->granted)
			continue;
		if (gnttab__end((grant_ref_t)b->ref)) {
			netfront__end_grant(nf, (grant_ref_t)b->ref, b->page, NF_PAGE);
			b->page = NULL;
			b->ref = -1;
		}
		b->granted = false;
	}
}

/* Take the page of slot @i back from the backend: false when it still holds it. */
static bool take(struct netfront *nf, unsigned i)
{
	struct nf_buf *b = &nf->rxb[i];

	b->granted = false;
	if (!gnttab__end((grant_ref_t)b->ref))
		return true;
	/* A backend that maps what it was to copy into: the page stays with it, we take another. */
	netfront__end_grant(nf, (grant_ref_t)b->ref, b->page, NF_PAGE);
	b->page = dma__alloc(NF_PAGE, &b->bus);
	b->ref = gnttab__claim();
	return false;
}

static unsigned rx_poll(struct netfront *nf, unsigned budget, bool *broken)
{
	static struct pkt pkts[NF_RX_BUDGET];
	static uint16_t taken[NET_RX_RING_SIZE];
	unsigned ntaken = 0;
	RING_IDX prod = xen_ring__load(&nf->rx_sring->hdr.rsp_prod);
	unsigned npk = 0;
	bool lin_used = false;

	*broken = false;
	if (xen_front_ring__response_overflow(&nf->rx, prod)) {
		*broken = true;
		return 0;
	}
	while (npk < budget && nf->rx.rsp_cons != prod) {
		RING_IDX at = nf->rx.rsp_cons, end = at;
		struct netif_rx_response r;
		unsigned len = 0, nslots = 0, data_slots = 0;
		bool bad = false, complete = false;
		uint16_t flags0 = 0;

		/* Find the whole packet first: a backend pushes packets whole. */
		while (end != prod && nslots <= XEN_NETIF_NR_SLOTS_MIN + 2) {
			memcpy(&r, &nf->rx_sring->ring[end & MASK].rsp, sizeof(r));
			if (!nslots)
				flags0 = r.flags;
			end++;
			nslots++;
			data_slots++;
			if (r.flags & NETRXF_extra_info) {
				/* an extra-info slot follows (nothing was offered that sends one) */
				if (end == prod)
					break;
				end++;
				nslots++;
			}
			if (!(r.flags & NETRXF_more_data)) {
				complete = true;
				break;
			}
		}
		if (!complete && end == prod)
			break; /* the rest of it is not there yet */
		if (!complete)
			bad = true; /* more slots than any packet has */
		if (data_slots > 1 && lin_used)
			break; /* one put-together packet per batch: deliver first */
		for (RING_IDX k = at; k != end; k++) {
			unsigned i = nf->rx_posted[k & MASK];

			memcpy(&r, &nf->rx_sring->ring[k & MASK].rsp, sizeof(r));
			take(nf, i);
			taken[ntaken++] = (uint16_t)i;
			if (bad || (k != at && (nf->rx_sring->ring[(k - 1) & MASK].rsp.flags &
						NETRXF_extra_info)))
				continue; /* (an extra-info slot carries no data) */
			if (r.status < 0 || (unsigned)r.offset + (unsigned)r.status > NF_PAGE ||
			    len + (unsigned)r.status > ETH_FRAME_MAX) {
				bad = true;
				continue;
			}
			if (data_slots > 1 && nf->rxb[i].page)
				memcpy(nf->rx_lin + len, (uint8_t *)nf->rxb[i].page + r.offset,
				       (size_t)r.status);
			len += (unsigned)r.status;
		}
		nf->rx.rsp_cons = end;
		if (bad || len < ETH_HLEN) {
			nf->nd.stats.rx_errors++;
			continue;
		}
		pkts[npk] = (struct pkt){.len = (uint16_t)len};
		if (data_slots > 1) {
			pkts[npk].data = nf->rx_lin;
			lin_used = true;
			nf->rx_multi++;
		} else {
			unsigned i = nf->rx_posted[at & MASK];

			memcpy(&r, &nf->rx_sring->ring[at & MASK].rsp, sizeof(r));
			if (!nf->rxb[i].page) {
				nf->nd.stats.rx_dropped++;
				continue;
			}
			pkts[npk].data = (uint8_t *)nf->rxb[i].page + r.offset;
		}
		/* Checksums left blank by the sender are filled in here, as the guest's stack
		 * would before handing the frame to anything that checks them. */
		if ((flags0 & NETRXF_csum_blank) && netdev__csum_fill(pkts[npk].data, len))
			pkts[npk].flags |= PKT_CSUM_OK;
		else if (flags0 & NETRXF_data_validated)
			pkts[npk].flags |= PKT_CSUM_OK;
		nf->nd.stats.rx_packets++;
		nf->nd.stats.rx_bytes += len;
		npk++;
	}
	if (npk)
		netdev__rx(&nf->nd, pkts, npk);
	/* Every buffer taken in this poll is posted again. */
	for (unsigned t = 0; t < ntaken; t++)
		if (nf->rxb[taken[t]].page && nf->rxb[taken[t]].ref >= 0)
			post(nf, taken[t]);
	if (xen_front_ring__push_requests(&nf->rx))
		evtchn__notify(nf->rx_port);
	return npk;
}

void netfront_rx__work(struct os_work *w)
{
	struct netfront *nf = (struct netfront *)((uint8_t *)w - offsetof(struct netfront, rx_work));
	unsigned done;
	bool broken;

	if (!nf->connected)
		return;
	nf->nd.stats.polls++;
	done = rx_poll(nf, NF_RX_BUDGET, &broken);
	if (broken) {
		netfront__ring_broken(nf, "RX responses beyond the requests");
		return;
	}
	if (done == NF_RX_BUDGET || xen_front_ring__final_check(&nf->rx))
		os__schedule(w);
}
