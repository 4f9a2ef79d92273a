/* netfront's transmit side: frames into granted pages, requests, responses, grants ended. */
#include <errno.h>
#include <string.h>

#include "vfnet/dma.h"

#include "netfront.h"

int netfront_tx__setup(struct netfront *nf)
{
	nf->tx_nfree = 0;
	for (unsigned i = 0; i < NET_TX_RING_SIZE; i++) {
		struct nf_buf *b = &nf->txb[i];

		if (!b->page && !(b->page = dma__alloc(NF_PAGE, &b->bus)))
			return -ENOMEM;
		if (b->ref < 0 && (b->ref = gnttab__claim()) < 0)
			return b->ref;
		b->granted = false;
		nf->tx_free[nf->tx_nfree++] = (uint16_t)(NET_TX_RING_SIZE - 1 - i);
	}
	return 0;
}

/* In-flight frames are dropped with the ring, as Xen's netfront discards them. */
void netfront_tx__teardown(struct netfront *nf)
{
	for (unsigned i = 0; i < NET_TX_RING_SIZE; i++) {
		struct nf_buf *b = &nf->txb[i];

		if (b->granted) {
			nf->tx_discarded++;
			nf->nd.stats.tx_dropped++;
			if (gnttab__end((grant_ref_t)b->ref)) {
				/* the backend still has it: the page goes when it lets go */
				netfront__end_grant(nf, (grant_ref_t)b->ref, b->page, NF_PAGE);
				b->page = NULL;
				b->ref = -1;
			}
			b->granted = false;
		}
	}
}

void netfront_tx__gc(struct netfront *nf)
{
	RING_IDX prod;

	if (!nf->connected)
		return;
	do {
		prod = xen_ring__load(&nf->tx_sring->hdr.rsp_prod);
		if (xen_front_ring__response_overflow(&nf->tx, prod)) {
			netfront__ring_broken(nf, "TX responses beyond the requests");
			return;
		}
		for (; nf->tx.rsp_cons != prod; nf->tx.rsp_cons++) {
			struct netif_tx_response r;
			struct nf_buf *b;

			memcpy(&r, &nf->tx_sring->ring[nf->tx.rsp_cons & (NET_TX_RING_SIZE - 1)].rsp,
			       sizeof(r));
			if (r.status == NETIF_RSP_NULL)
				continue;
			if (r.id >= NET_TX_RING_SIZE || !nf->txb[r.id].granted) {
				netfront__ring_broken(nf, "a TX response for no request");
				return;
			}
			b = &nf->txb[r.id];
			if (r.status != NETIF_RSP_OKAY)
				nf->nd.stats.tx_errors++;
			if (gnttab__end((grant_ref_t)b->ref)) {
				netfront__end_grant(nf, (grant_ref_t)b->ref, b->page, NF_PAGE);
				b->page = dma__alloc(NF_PAGE, &b->bus);
				b->ref = gnttab__claim();
				if (!b->page || b->ref < 0) {
					b->granted = false;
					continue; /* that id is lost; the ring is smaller */
				}
			}
			b->granted = false;
			nf->tx_free[nf->tx_nfree++] = r.id;
		}
		/* Ask for the next notification when half of what is in flight is done. */
		__atomic_store_n(&nf->tx_sring->hdr.rsp_event,
				 prod + ((nf->tx_sring->hdr.req_prod - prod) >> 1) + 1,
				 __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while (xen_ring__load(&nf->tx_sring->hdr.rsp_prod) != prod);
}

void netfront_tx__work(struct os_work *w)
{
	struct netfront *nf = (struct netfront *)((uint8_t *)w - offsetof(struct netfront, tx_work));

	netfront_tx__gc(nf);
}

/* One frame into as many slots as it needs; false when they are not free. */
static bool queue_frame(struct netfront *nf, const struct pkt *p)
{
	unsigned vlan = p->flags & PKT_VLAN ? 4 : 0, len = p->len + vlan;
	unsigned slots = (len + NF_PAGE - 1) / NF_PAGE, done = 0;
	const uint8_t *src = p->data;

	if (slots > nf->tx_nfree || slots > xen_front_ring__free_requests(&nf->tx))
		return false;
	for (unsigned s = 0; s < slots; s++) {
		uint16_t id = nf->tx_free[--nf->tx_nfree];
		struct nf_buf *b = &nf->txb[id];
		struct netif_tx_request *req =
			&nf->tx_sring->ring[nf->tx.req_prod_pvt++ & (NET_TX_RING_SIZE - 1)].req;
		unsigned chunk = len - done < NF_PAGE ? len - done : NF_PAGE;
		uint8_t *dst = b->page;

		/* No VLAN offload here: a tag the caller wants inserted goes into the frame. */
		if (!s && vlan) {
			memcpy(dst, src, 2 * ETH_ALEN);
			dst[12] = 0x81;
			dst[13] = 0x00;
			dst[14] = (uint8_t)(p->vlan >> 8);
			dst[15] = (uint8_t)p->vlan;
			memcpy(dst + 16, src + 2 * ETH_ALEN, chunk - 16);
		} else {
			memcpy(dst, src + done - (s ? vlan : 0), chunk);
		}
		gnttab__grant((grant_ref_t)b->ref, (domid_t)nf->backend_id, b->bus, true);
		b->granted = true;
		req->gref = (grant_ref_t)b->ref;
		req->offset = 0;
		req->id = id;
		req->size = (uint16_t)(s ? chunk : len);
		req->flags = (uint16_t)((s + 1 < slots ? NETTXF_more_data : 0) |
					(!s && (p->flags & PKT_CSUM)
						 ? NETTXF_csum_blank | NETTXF_data_validated
						 : 0));
		done += chunk;
	}
	nf->nd.stats.tx_packets++;
	nf->nd.stats.tx_bytes += p->len;
	return true;
}

int netfront_tx__xmit(struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct netfront *nf = nd->priv;
	unsigned i;

	if (!nf->connected || !nd->carrier)
		return -ENETDOWN;
	netfront_tx__gc(nf);
	for (i = 0; i < n; i++) {
		if (pkts[i].len < ETH_HLEN || pkts[i].len > ETH_FRAME_MAX) {
			nd->stats.tx_dropped++;
			continue;
		}
		if (!queue_frame(nf, &pkts[i]))
			break;
	}
	if (i < n)
		nd->stats.tx_busy++;
	if (xen_front_ring__push_requests(&nf->tx))
		evtchn__notify(nf->tx_port);
	return (int)i;
}
