/*
 * Guest to dom0: the TX ring, as Linux's xenvif_tx_action. Each poll takes up to
 * NETBACK_TX_BATCH packets off the ring (every request copied out, then checked), copies them
 * into our buffers with one batch of grant copies, or maps the page of a one-slot packet larger
 * than NETBACK_TX_COPY_LEN in place (grant map mode), hands them to the vif's listeners (the
 * bridge), unmaps, and answers every slot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfnet/dma.h"

#include "netback.h"

#define PAGE	    4096u
#define MAX_COPIES  (NETBACK_TX_BATCH * (NETBACK_MAX_SLOTS + 4))

static struct gnttab_copy copies[MAX_COPIES] OS_SAVED;
static struct gnttab_map_grant_ref maps[NETBACK_TX_BATCH] OS_SAVED;
static struct gnttab_unmap_grant_ref unmaps[NETBACK_TX_BATCH] OS_SAVED;
static struct pkt up[NETBACK_TX_BATCH] OS_SAVED;

static struct netif_tx_request take(struct netback_vif *vif)
{
	struct netif_tx_request r;

	memcpy(&r, &vif->tx_sring->ring[vif->tx.req_cons & (NET_TX_RING_SIZE - 1)].req, sizeof(r));
	vif->tx.req_cons++;
	return r;
}

/*
 * One packet off the ring into @p: 1, 0 when the ring is empty, -1 when the frontend broke the
 * rules badly enough to lose the vif.
 */
static int get_packet(struct netback_vif *vif, struct netback_txpkt *p)
{
	RING_IDX prod = xen_ring__load(&vif->tx_sring->hdr.req_prod);
	struct netif_tx_request first, *last;
	unsigned following = 0, others = 0;
	bool drop = false;

	if (xen_back_ring__request_overflow(&vif->tx, prod)) {
		netback_vif__fatal(vif, "Impossible number of requests");
		return -1;
	}
	if (!xen_back_ring__unconsumed(&vif->tx))
		return 0;
	memset(p, 0, sizeof(*p));
	first = take(vif);
	p->slot[p->nslots++] = first;
	if (first.flags & NETTXF_extra_info) {
		struct netif_extra_info x;

		do {
			if (!xen_back_ring__unconsumed(&vif->tx)) {
				netback_vif__fatal(vif, "Missing extra info");
				return -1;
			}
			{
				struct netif_tx_request raw = take(vif);

				memcpy(&x, &raw, sizeof(x));
				p->extra_at[p->nslots] = true;
				p->slot[p->nslots++] = raw;
				p->extras++;
			}
			if (!x.type || x.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
				netback_vif__fatal(vif, "Invalid extra type");
				return -1;
			}
			/* GSO was not offered; multicast control neither: nothing to act on. */
			if (x.type == XEN_NETIF_EXTRA_TYPE_GSO)
				drop = true;
		} while ((x.flags & XEN_NETIF_EXTRA_FLAG_MORE) && p->nslots < NETBACK_MAX_SLOTS);
		if (x.flags & XEN_NETIF_EXTRA_FLAG_MORE) {
			netback_vif__fatal(vif, "Too many extra info slots");
			return -1;
		}
	}
	last = &p->slot[0];
	while (last->flags & NETTXF_more_data) {
		struct netif_tx_request txp;

		if (following >= NETBACK_FATAL_SLOTS) {
			netback_vif__fatal(vif, "Too many slots");
			return -1;
		}
		if (!xen_back_ring__unconsumed(&vif->tx)) {
			netback_vif__fatal(vif, "Asked for more slots than the ring has");
			return -1;
		}
		txp = take(vif);
		if (following >= NETBACK_DROP_SLOTS)
			drop = true; /* legal on the ring, more than a backend must take */
		if (txp.size > first.size)
			drop = true;
		if ((unsigned)txp.offset + txp.size > PAGE) {
			netback_vif__fatal(vif, "Cross page boundary");
			return -1;
		}
		others += txp.size;
		p->slot[p->nslots++] = txp;
		last = &p->slot[p->nslots - 1];
		following++;
	}
	if (others > first.size)
		drop = true;
	else if ((unsigned)first.offset + (first.size - others) > PAGE) {
		netback_vif__fatal(vif, "Cross page boundary");
		return -1;
	}
	if (first.size < ETH_HLEN || first.size > ETH_FRAME_MAX)
		drop = true;
	p->len = first.size;
	if (first.flags & NETTXF_csum_blank)
		p->flags |= PKT_CSUM;
	else if (first.flags & NETTXF_data_validated)
		p->flags |= PKT_CSUM_OK;
	p->status = drop ? NETIF_RSP_ERROR : NETIF_RSP_OKAY;
	return 1;
}

/* The length of data slot @i of @p (the first slot's is what the others leave of the total). */
static unsigned slot_len(const struct netback_txpkt *p, unsigned i)
{
	unsigned others = 0;

	if (i)
		return p->slot[i].size;
	for (unsigned k = 1; k < p->nslots; k++)
		if (!p->extra_at[k])
			others += p->slot[k].size;
	return p->len - others;
}

/* Copy ops for @p into @dst (bus address of our buffer), split at our page boundaries. */
static unsigned plan_copies(struct netback_vif *vif, const struct netback_txpkt *p, uint64_t dst,
			    unsigned at)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->nslots; i++) {
		unsigned len, soff;

		if (p->extra_at[i])
			continue;
		len = slot_len(p, i);
		soff = p->slot[i].offset;
		while (len) {
			unsigned room = PAGE - (unsigned)(dst % PAGE), k = len < room ? len : room;
			struct gnttab_copy *c = &copies[at + n++];

			memset(c, 0, sizeof(*c));
			c->source.u.ref = p->slot[i].gref;
			c->source.domid = (domid_t)vif->domid;
			c->source.offset = (uint16_t)soff;
			c->dest.u.gmfn = dst / PAGE;
			c->dest.domid = DOMID_SELF;
			c->dest.offset = (uint16_t)(dst % PAGE);
			c->len = (uint16_t)k;
			c->flags = GNTCOPY_source_gref;
			dst += k;
			soff += k;
			len -= k;
		}
	}
	return n;
}

static void respond(struct netback_vif *vif, const struct netback_txpkt *p)
{
	for (unsigned i = 0; i < p->nslots; i++) {
		struct netif_tx_response *r =
			&vif->tx_sring->ring[vif->tx.rsp_prod_pvt & (NET_TX_RING_SIZE - 1)].rsp;

		r->id = p->extra_at[i] ? 0 : p->slot[i].id;
		r->status = p->extra_at[i] ? NETIF_RSP_NULL : p->status;
		vif->tx.rsp_prod_pvt++;
	}
}

/* Up to NETBACK_TX_BATCH packets: returns how many were taken off the ring (-1: fatal). */
static int tx_batch(struct netback_vif *vif)
{
	unsigned npk = 0, ncopy = 0, nmap = 0, nup = 0;
	int rc;

	while (npk < NETBACK_TX_BATCH) {
		struct netback_txpkt *p = &vif->txp[npk];

		rc = get_packet(vif, p);
		if (rc < 0)
			return -1;
		if (!rc)
			break;
		npk++;
		if (p->status != NETIF_RSP_OKAY) {
			vif->tx_errors_frontend++;
			continue;
		}
		if (vif->tx_mode == NETBACK_TX_MAP && p->nslots == 1 &&
		    p->len > NETBACK_TX_COPY_LEN) {
			struct gnttab_map_grant_ref *m = &maps[nmap];

			*m = (struct gnttab_map_grant_ref){
				.host_addr = vif->map_bus + (uint64_t)(npk - 1) * PAGE,
				.flags = GNTMAP_host_map | GNTMAP_readonly,
				.ref = p->slot[0].gref,
				.dom = (domid_t)vif->domid};
			p->mapped = true;
			p->map_op = nmap++;
		} else {
			p->copy_first = ncopy;
			p->copy_count = plan_copies(vif, p,
						    vif->tx_buf_bus +
							    (uint64_t)(npk - 1) * NETBACK_BUF_SIZE,
						    ncopy);
			ncopy += p->copy_count;
		}
	}
	if (!npk)
		return 0;
	if (ncopy) {
		if (gnttab__copy(copies, ncopy))
			for (unsigned i = 0; i < ncopy; i++)
				copies[i].status = GNTST_general_error;
		vif->tx_copy_ops += ncopy;
		vif->hypercalls += (ncopy + VFNET_GNTTAB_MAX_BATCH - 1) / VFNET_GNTTAB_MAX_BATCH;
	}
	if (nmap) {
		if (gnttab__map(maps, nmap))
			for (unsigned i = 0; i < nmap; i++)
				maps[i].status = GNTST_general_error;
		vif->tx_map_ops += nmap;
		vif->hypercalls++;
	}
	for (unsigned i = 0; i < npk; i++) {
		struct netback_txpkt *p = &vif->txp[i];
		bool ok = p->status == NETIF_RSP_OKAY;

		if (!ok)
			continue;
		if (p->mapped)
			ok = maps[p->map_op].status == GNTST_okay;
		for (unsigned k = 0; k < p->copy_count && ok; k++)
			ok = copies[p->copy_first + k].status == GNTST_okay;
		if (!ok) {
			/* A reference that is not granted to us, or not any more. */
			p->status = NETIF_RSP_ERROR;
			vif->tx_errors_frontend++;
			continue;
		}
		up[nup] = (struct pkt){.len = p->len, .flags = p->flags};
		up[nup].data = p->mapped ? vif->map_pages + (size_t)i * PAGE + p->slot[0].offset
					 : vif->tx_buf + (size_t)i * NETBACK_BUF_SIZE;
		vif->nd.stats.rx_packets++;
		vif->nd.stats.rx_bytes += p->len;
		nup++;
	}
	if (nup)
		netdev__rx(&vif->nd, up, nup);
	vif->nd.stats.rx_errors = vif->tx_errors_frontend;
	/* Every listener has what it keeps: the pages go back, as netback's dealloc does. */
	if (nmap) {
		unsigned nun = 0;

		for (unsigned i = 0; i < nmap; i++)
			if (maps[i].status == GNTST_okay)
				unmaps[nun++] = (struct gnttab_unmap_grant_ref){
					.host_addr = maps[i].host_addr, .handle = maps[i].handle};
		if (nun) {
			gnttab__unmap(unmaps, nun);
			vif->hypercalls++;
		}
	}
	for (unsigned i = 0; i < npk; i++)
		respond(vif, &vif->txp[i]);
	if (xen_back_ring__push_responses(&vif->tx))
		evtchn__notify(vif->tx_port);
	return (int)npk;
}

void netback_tx__work(struct os_work *w)
{
	struct netback_vif *vif = (struct netback_vif *)((uint8_t *)w -
							  offsetof(struct netback_vif, tx_work));
	uint64_t t0;
	int n;

	if (!netback_vif__work_begin(vif))
		return;
	t0 = netback__thread_ns();

	if (!vif->connected || vif->disabled)
		return;
	n = tx_batch(vif);
	if (n == NETBACK_TX_BATCH || (n >= 0 && xen_back_ring__final_check(&vif->tx)))
		os__schedule(w); /* more: after other work had its turn */
	vif->cpu_ns += netback__thread_ns() - t0;
}
