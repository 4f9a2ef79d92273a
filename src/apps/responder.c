/*
 * responder: the smallest host a peer can ping. Answers ARP requests for ip=A.B.C.D (default:
 * the domain's "ip" configuration key, prefix dropped), ICMP echo requests and UDP echo (port 7)
 * sent to it. Requests with a bad IPv4, ICMP or UDP checksum are counted as "bad" and not
 * answered. Replies keep an 802.1Q tag the request carried (in the frame or stripped by the NIC)
 * and leave in one batch per received batch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>

#include "vfnet/app.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

#include "apps.h"
#include "opts.h"
#include "proto.h"

#define RS_BATCH 32

struct responder {
	struct netdev *nd;
	struct netdev_listener l;
	uint32_t ip; /* network order */
	uint64_t arp, icmp, udp, ignored, bad, dropped;
	unsigned out;
	struct pkt pkts[RS_BATCH];
	uint8_t bufs[RS_BATCH][ETH_FRAME_MAX];
};

static void rs_flush(struct responder *rs)
{
	int r = rs->out ? netdev__xmit(rs->nd, rs->pkts, rs->out) : 0;

	if (r < 0)
		r = 0;
	rs->dropped += rs->out - (unsigned)r;
	rs->out = 0;
}

/* Copy @len bytes of @in into the next reply buffer, with the MACs turned around. */
static uint8_t *rs_reply(struct responder *rs, const struct pkt *in, size_t len)
{
	uint8_t *b = rs->bufs[rs->out];
	struct eth_hdr *eth = (void *)b;
	const struct eth_hdr *req = in->data;
	size_t wire = len < ETH_ZLEN ? ETH_ZLEN : len;

	memcpy(b, in->data, len);
	memset(b + len, 0, wire - len);
	memcpy(eth->dst, req->src, ETH_ALEN);
	memcpy(eth->src, rs->nd->mac, ETH_ALEN);
	rs->pkts[rs->out] = (struct pkt){
	    .data = b,
	    .len = (uint16_t)wire,
	    .vlan = in->vlan,
	    .flags = in->flags & PKT_VLAN,
	};
	return b;
}

static void rs_queue(struct responder *rs)
{
	if (++rs->out == RS_BATCH)
		rs_flush(rs);
}

static void rs_arp(struct responder *rs, const struct pkt *in, const struct proto_pkt *p)
{
	const struct arp_hdr *req = (const void *)((const uint8_t *)in->data + p->l3);
	struct arp_hdr *arp;

	if (ntohs(req->op) != PROTO_ARP_REQUEST || req->tpa != rs->ip) {
		rs->ignored++;
		return;
	}
	arp = (void *)(rs_reply(rs, in, p->l3 + sizeof(*arp)) + p->l3);
	proto__arp(arp, PROTO_ARP_REPLY, rs->nd->mac, rs->ip, req->sha, req->spa);
	rs->arp++;
	rs_queue(rs);
}

/* Turn the IPv4 header of a reply around. */
static void rs_ip_reply(struct ipv4_hdr *ip)
{
	uint32_t a = ip->saddr;

	ip->saddr = ip->daddr;
	ip->daddr = a;
	ip->ttl = PROTO_IP_TTL;
	proto__ipv4_fix_csum(ip);
}

static void rs_icmp(struct responder *rs, const struct pkt *in, const struct proto_pkt *p)
{
	const uint8_t *f = in->data;
	const struct icmp_hdr *req = (const void *)(f + p->l4);
	uint8_t *b;
	struct icmp_hdr *icmp;

	if (req->type != PROTO_ICMP_ECHO_REQUEST || req->code) {
		rs->ignored++;
		return;
	}
	if (proto__csum_fold(proto__csum_add(0, req, p->l4_len)) != 0xffff) {
		rs->bad++;
		return;
	}
	b = rs_reply(rs, in, p->l4 + p->l4_len);
	rs_ip_reply((void *)(b + p->l3));
	icmp = (void *)(b + p->l4);
	icmp->type = PROTO_ICMP_ECHO_REPLY;
	icmp->csum = 0;
	icmp->csum = htons(proto__csum(icmp, p->l4_len));
	rs->icmp++;
	rs_queue(rs);
}

static void rs_udp(struct responder *rs, const struct pkt *in, const struct proto_pkt *p)
{
	const uint8_t *f = in->data;
	const struct udp_hdr *req = (const void *)(f + p->l4);
	uint8_t *b;
	struct ipv4_hdr *ip;
	struct udp_hdr *udp;
	uint16_t port;

	if (ntohs(req->dport) != PROTO_UDP_ECHO) {
		rs->ignored++;
		return;
	}
	if (!proto__udp_csum_ok((const void *)(f + p->l3), req)) {
		rs->bad++;
		return;
	}
	b = rs_reply(rs, in, p->l4 + p->l4_len);
	ip = (void *)(b + p->l3);
	rs_ip_reply(ip);
	udp = (void *)(b + p->l4);
	port = udp->sport;
	udp->sport = udp->dport;
	udp->dport = port;
	proto__udp_fix_csum(ip, udp);
	rs->udp++;
	rs_queue(rs);
}

static void rs_frame(struct responder *rs, const struct pkt *in)
{
	struct proto_pkt p;
	const struct ipv4_hdr *ip;

	if (proto__parse(in->data, in->len, &p)) {
		rs->bad++;
		return;
	}
	if (p.kind == PROTO_ARP) {
		rs_arp(rs, in, &p);
		return;
	}
	if (p.kind != PROTO_ICMP && p.kind != PROTO_UDP) {
		rs->ignored++;
		return;
	}
	ip = (const void *)((const uint8_t *)in->data + p.l3);
	if (ip->daddr != rs->ip) {
		rs->ignored++;
		return;
	}
	if (!(in->flags & PKT_CSUM_OK) && !proto__ipv4_csum_ok(ip)) {
		rs->bad++;
		return;
	}
	if (p.kind == PROTO_ICMP)
		rs_icmp(rs, in, &p);
	else
		rs_udp(rs, in, &p);
}

static void rs_rx(void *opaque, struct netdev *nd, const struct pkt *pkts, unsigned n)
{
	struct responder *rs = opaque;

	for (unsigned i = 0; i < n; i++)
		rs_frame(rs, &pkts[i]);
	rs_flush(rs);
}

static int rs_parse(uint32_t *ip, bool *ip_given, int argc, char **argv, char *err)
{
	const struct opt table[] = {
	    {.key = "ip", .type = OPT_IPV4, .val = ip, .given = ip_given},
	    {.key = NULL},
	};

	return opts__parse("responder", table, argc, argv, err);
}

/* The options only: the domain's own ip (when ip= is not given) is known at its start. */
static int rs_check(int argc, char **argv, char *err)
{
	uint32_t ip;
	bool ip_given;

	return rs_parse(&ip, &ip_given, argc, argv, err);
}

static int rs_start(struct app *a, int argc, char **argv, char *err)
{
	struct responder *rs = calloc(1, sizeof(*rs));
	bool ip_given;
	int r;

	if (!rs) {
		snprintf(err, APP_ERR_MAX, "responder: out of memory");
		return -ENOMEM;
	}
	rs->nd = a->nd;
	r = rs_parse(&rs->ip, &ip_given, argc, argv, err);
	if (r)
		goto err_free;
	if (!ip_given) {
		r = opts__config_ipv4("ip", &rs->ip);
		if (r) {
			snprintf(err, APP_ERR_MAX, "responder: %s; give ip=A.B.C.D",
				 r == -ENOENT ? "the domain has no ip configured"
					      : "the domain's ip is not an IPv4 address");
			r = -EINVAL;
			goto err_free;
		}
	}
	r = apps__open(a, err);
	if (r)
		goto err_free;
	rs->l = (struct netdev_listener){.rx = rs_rx, .opaque = rs};
	r = netdev__listen(a->nd, &rs->l);
	if (r) {
		snprintf(err, APP_ERR_MAX, "responder: cannot listen on %s: %s", a->nd->name,
			 strerror(-r));
		goto err_free;
	}
	a->priv = rs;
	return 0;

err_free:
	free(rs);
	return r;
}

static void rs_stop(struct app *a)
{
	struct responder *rs = a->priv;

	netdev__unlisten(a->nd, &rs->l);
	free(rs);
	a->priv = NULL;
}

static void rs_stats(struct app *a, void *obj)
{
	struct responder *rs = a->priv;

	json_object_object_add(obj, "arp_replies", json_object_new_uint64(rs->arp));
	json_object_object_add(obj, "icmp_replies", json_object_new_uint64(rs->icmp));
	json_object_object_add(obj, "udp_replies", json_object_new_uint64(rs->udp));
	json_object_object_add(obj, "ignored", json_object_new_uint64(rs->ignored));
	json_object_object_add(obj, "bad", json_object_new_uint64(rs->bad));
	json_object_object_add(obj, "dropped", json_object_new_uint64(rs->dropped));
}

const struct app_type app_responder = {
    .name = "responder",
    .start = rs_start,
    .check = rs_check,
    .stop = rs_stop,
    .stats = rs_stats,
};
