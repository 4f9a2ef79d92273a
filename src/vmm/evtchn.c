#include "vmm/evtchn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/hypercall.h"

#define WORDS (EVTCHN_2L_NR_CHANNELS / 64)

int hv_evtchn__init(struct domain *d)
{
	struct evtchn_table *t = &d->evt;

	memset(t, 0, sizeof(*t));
	t->kick_fd = -1;
	t->ports = calloc(VFNET_EVTCHN_PORTS, sizeof(*t->ports));
	if (!t->ports)
		return -ENOMEM;
	t->ports[0].state = ECS_RESERVED;
	t->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->kick_fd < 0) {
		int rc = -errno;

		free(t->ports);
		t->ports = NULL;
		return rc;
	}
	return 0;
}

static struct domain *peer(struct hv *hv, const struct evtchn *c)
{
	struct domain *r = hv__domain(hv, c->remote_dom);

	return r && !r->dying && r->gen == c->remote_gen ? r : NULL;
}

static bool port_ok(const struct domain *d, evtchn_port_t port)
{
	return port > 0 && port < VFNET_EVTCHN_PORTS && d->evt.ports;
}

static int alloc_port(struct domain *d)
{
	for (unsigned p = 1; p < VFNET_EVTCHN_PORTS; p++)
		if (d->evt.ports[p].state == ECS_FREE)
			return (int)p;
	return -ENOSPC;
}

/* The upcall, once the port's word has news and no upcall is outstanding. */
static void upcall(struct domain *d, unsigned word)
{
	struct vfnet_shared_page *s = d->shared;

	if (__atomic_fetch_or(&s->evtchn_pending_sel, 1ull << word, __ATOMIC_ACQ_REL) &
	    (1ull << word))
		return;
	if (__atomic_exchange_n(&s->evtchn_upcall_pending, 1, __ATOMIC_ACQ_REL))
		return;
	if (__atomic_load_n(&s->evtchn_upcall_mask, __ATOMIC_ACQUIRE) || !d->evt.vector)
		return; /* the domain looks at upcall_pending when it unmasks or binds */
	d->evt.upcalls++;
	domain__post(d, (uint8_t)d->evt.vector);
}

void hv_evtchn__raise(struct domain *d, evtchn_port_t port)
{
	struct vfnet_shared_page *s = d->shared;
	unsigned w = port / 64;
	uint64_t bit = 1ull << (port % 64);

	if (port >= EVTCHN_2L_NR_CHANNELS || d->dying)
		return;
	if (__atomic_fetch_or(&s->evtchn_pending[w], bit, __ATOMIC_ACQ_REL) & bit)
		return; /* edges coalesce */
	if (__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_ACQUIRE) & bit)
		return;
	upcall(d, w);
}

static int send(struct hv *hv, struct domain *d, evtchn_port_t port)
{
	struct evtchn *c;
	struct domain *r;

	if (!port_ok(d, port)) {
		d->evt.bad_sends++;
		return -EINVAL;
	}
	c = &d->evt.ports[port];
	switch (c->state) {
	case ECS_INTERDOMAIN:
		if ((r = peer(hv, c)))
			hv_evtchn__raise(r, c->remote_port);
		d->evt.sends++;
		return 0;
	case ECS_UNBOUND:
		return 0; /* nobody listens yet: dropped, as on Xen */
	case ECS_VIRQ:
		hv_evtchn__raise(d, port);
		return 0;
	default:
		d->evt.bad_sends++;
		return -EINVAL;
	}
}

void hv_evtchn__kick(struct hv *hv, struct domain *d)
{
	struct vfnet_shared_page *s = d->shared;
	uint64_t n;

	if (!d->evt.ports)
		return;
	if (read(d->evt.kick_fd, &n, sizeof(n)) < 0)
		(void)0; /* nothing to read: a test, or a spurious wakeup */
	d->evt.kicks++;
	/* Cleared before the words are taken: a send posted after our exchange sees it clear
	 * and kicks again. */
	__atomic_store_n(&s->evtchn_send_on, 0, __ATOMIC_SEQ_CST);
	for (unsigned w = 0; w < WORDS; w++) {
		uint64_t bits = __atomic_exchange_n(&s->evtchn_send[w], 0, __ATOMIC_ACQ_REL);

		while (bits) {
			unsigned b = (unsigned)__builtin_ctzll(bits);

			bits &= bits - 1;
			send(hv, d, w * 64 + b);
		}
	}
}

int hv_evtchn__bind_virq(struct domain *d, uint32_t virq)
{
	int port = alloc_port(d);

	if (port < 0)
		return port;
	d->evt.ports[port] = (struct evtchn){.state = ECS_VIRQ, .virq = virq};
	return port;
}

static void close_port(struct hv *hv, struct domain *d, evtchn_port_t port)
{
	struct evtchn *c = &d->evt.ports[port];
	struct domain *r;

	if (c->state == ECS_INTERDOMAIN && (r = peer(hv, c)) && r->evt.ports) {
		/* The peer's end waits for us again, as Xen leaves it. */
		struct evtchn *rc = &r->evt.ports[c->remote_port];

		*rc = (struct evtchn){.state = ECS_UNBOUND, .remote_dom = (domid_t)d->id};
	}
	*c = (struct evtchn){.state = ECS_FREE};
	__atomic_fetch_and(&d->shared->evtchn_pending[port / 64], ~(1ull << (port % 64)),
			   __ATOMIC_RELEASE);
}

static domid_t self(const struct domain *d, domid_t id)
{
	return id == DOMID_SELF ? (domid_t)d->id : id;
}

static int op_alloc_unbound(struct hv *hv, struct domain *d, struct evtchn_alloc_unbound *a)
{
	domid_t remote = self(d, a->remote_dom);
	int port;

	if (self(d, a->dom) != d->id)
		return -EPERM;
	if (remote >= HV_MAX_DOMAINS)
		return -ESRCH;
	if ((port = alloc_port(d)) < 0)
		return port;
	d->evt.ports[port] = (struct evtchn){.state = ECS_UNBOUND, .remote_dom = remote};
	a->port = (evtchn_port_t)port;
	return 0;
}

static int op_bind_interdomain(struct hv *hv, struct domain *d, struct evtchn_bind_interdomain *b)
{
	domid_t rid = self(d, b->remote_dom);
	struct domain *r = rid < HV_MAX_DOMAINS ? hv__domain(hv, rid) : NULL;
	struct evtchn *rc;
	int port;

	if (b->pad[0] || b->pad[1])
		return -EINVAL;
	if (!r || r->dying)
		return -ESRCH;
	if (!port_ok(r, b->remote_port))
		return -EINVAL;
	rc = &r->evt.ports[b->remote_port];
	if (rc->state != ECS_UNBOUND || rc->remote_dom != d->id)
		return -EINVAL;
	if ((port = alloc_port(d)) < 0)
		return port;
	/* Allocated after the check: with r == d, the port just taken is not the remote one. */
	d->evt.ports[port] = (struct evtchn){.state = ECS_INTERDOMAIN, .remote_dom = rid,
					     .remote_port = b->remote_port, .remote_gen = r->gen};
	*rc = (struct evtchn){.state = ECS_INTERDOMAIN, .remote_dom = (domid_t)d->id,
			      .remote_port = (evtchn_port_t)port, .remote_gen = d->gen};
	b->local_port = (evtchn_port_t)port;
	/* As Xen does: the new port is pending once, in case the peer sent before we bound. */
	hv_evtchn__raise(d, (evtchn_port_t)port);
	return 0;
}

static int op_status(struct hv *hv, struct domain *d, struct evtchn_status *s)
{
	domid_t id = self(d, s->dom);
	struct domain *t = id < HV_MAX_DOMAINS ? hv__domain(hv, id) : NULL;
	struct evtchn *c;

	if (s->pad[0] || s->pad[1])
		return -EINVAL;
	if (!t || (t != d && d->role != VFNET_ROLE_DOM0))
		return -ESRCH;
	if (s->port >= VFNET_EVTCHN_PORTS || !t->evt.ports)
		return -EINVAL;
	c = &t->evt.ports[s->port];
	s->vcpu = 0;
	memset(&s->u, 0, sizeof(s->u));
	switch (c->state) {
	case ECS_UNBOUND:
		s->status = EVTCHNSTAT_unbound;
		s->u.unbound.dom = c->remote_dom;
		break;
	case ECS_INTERDOMAIN:
		s->status = EVTCHNSTAT_interdomain;
		s->u.interdomain.dom = c->remote_dom;
		s->u.interdomain.port = c->remote_port;
		break;
	case ECS_VIRQ:
		s->status = EVTCHNSTAT_virq;
		s->u.virq = c->virq;
		break;
	default:
		s->status = EVTCHNSTAT_closed;
	}
	return 0;
}

static int op_unmask(struct domain *d, evtchn_port_t port)
{
	struct vfnet_shared_page *s = d->shared;
	uint64_t bit = 1ull << (port % 64);

	if (!port_ok(d, port))
		return -EINVAL;
	__atomic_fetch_and(&s->evtchn_mask[port / 64], ~bit, __ATOMIC_ACQ_REL);
	if (__atomic_load_n(&s->evtchn_pending[port / 64], __ATOMIC_ACQUIRE) & bit)
		upcall(d, port / 64);
	return 0;
}

static int op_set_upcall_vector(struct domain *d, const struct vfnet_evtchn_upcall *u)
{
	struct vfnet_shared_page *s = d->shared;

	if (u->vector <= VFNET_VEC_FIRST || u->vector > 255)
		return -EINVAL;
	d->evt.vector = u->vector;
	/* What became pending before there was a vector is delivered now. */
	if (__atomic_load_n(&s->evtchn_upcall_pending, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&s->evtchn_upcall_mask, __ATOMIC_ACQUIRE))
		domain__post(d, (uint8_t)d->evt.vector);
	return 0;
}

int hv_evtchn__op(struct hv *hv, struct domain *d, const void *args, size_t len,
	       struct hc_reply *rep)
{
	static const size_t sizes[] = {
		[EVTCHNOP_bind_interdomain] = sizeof(struct evtchn_bind_interdomain),
		[EVTCHNOP_close] = sizeof(struct evtchn_close),
		[EVTCHNOP_send] = sizeof(struct evtchn_send),
		[EVTCHNOP_status] = sizeof(struct evtchn_status),
		[EVTCHNOP_alloc_unbound] = sizeof(struct evtchn_alloc_unbound),
		[EVTCHNOP_unmask] = sizeof(struct evtchn_unmask),
	};
	struct vfnet_hc_evtchn h;
	size_t want;
	void *arg = rep->data + sizeof(h);
	int rc;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, args, sizeof(h));
	if (h.rsvd)
		return -EINVAL;
	if (h.cmd == VFNET_EVTCHNOP_set_upcall_vector)
		want = sizeof(struct vfnet_evtchn_upcall);
	else if (h.cmd < sizeof(sizes) / sizeof(sizes[0]) && sizes[h.cmd])
		want = sizes[h.cmd];
	else
		return -ENOSYS;
	if (len != sizeof(h) + want)
		return -EINVAL;
	memcpy(rep->data, args, len);
	switch (h.cmd) {
	case EVTCHNOP_alloc_unbound:
		rc = op_alloc_unbound(hv, d, arg);
		break;
	case EVTCHNOP_bind_interdomain:
		rc = op_bind_interdomain(hv, d, arg);
		break;
	case EVTCHNOP_send:
		rc = send(hv, d, ((struct evtchn_send *)arg)->port);
		break;
	case EVTCHNOP_close: {
		evtchn_port_t port = ((struct evtchn_close *)arg)->port;

		if (!port_ok(d, port) || d->evt.ports[port].state == ECS_FREE)
			rc = -EINVAL;
		else {
			close_port(hv, d, port);
			rc = 0;
		}
		break;
	}
	case EVTCHNOP_status:
		rc = op_status(hv, d, arg);
		break;
	case EVTCHNOP_unmask:
		rc = op_unmask(d, ((struct evtchn_unmask *)arg)->port);
		break;
	default:
		rc = op_set_upcall_vector(d, arg);
		break;
	}
	if (!rc)
		rep->hdr.len = (uint16_t)len;
	return rc;
}

void hv_evtchn__fini(struct hv *hv, struct domain *d)
{
	struct evtchn_table *t = &d->evt;

	if (t->ports)
		for (unsigned p = 1; p < VFNET_EVTCHN_PORTS; p++)
			if (t->ports[p].state != ECS_FREE)
				close_port(hv, d, p);
	free(t->ports);
	t->ports = NULL;
	if (t->kick_fd >= 0)
		close(t->kick_fd);
	t->kick_fd = -1;
}
