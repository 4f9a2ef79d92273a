#include "vmm/hypercall.h"

#include <errno.h>
#include <string.h>

#include "lib/compiler.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/migrate.h"
#include "vmm/evtchn.h"
#include "vmm/gnttab.h"
#include "vmm/passthrough.h"
#include "vmm/xenstore.h"

struct hc_op {
	const char *name;
	size_t len;	  /* exact size of the arguments; SIZE_MAX: 0..VFNET_HC_MAX_DATA bytes */
	bool privileged; /* dom0 only */
	int (*run)(struct hv *hv, struct domain *d, const void *args, size_t len,
		   struct hc_reply *rep);
};

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

void hypercall__boot_reply(struct domain *d, struct hc_reply *rep)
{
	struct vfnet_hc_boot *b = (struct vfnet_hc_boot *)rep->data;

	memset(b, 0, sizeof(*b));
	b->abi = VFNET_ABI_VERSION;
	b->domid = d->id;
	b->role = d->role;
	b->store_port = (uint32_t)d->store_port;
	b->ram_bytes = d->ram_bytes;
	b->flags = d->incoming ? VFNET_BOOT_RESUME : 0;
	memcpy(b->name, d->name, sizeof(b->name));
	/* The runtime configuration follows, NUL-terminated. */
	memcpy(rep->data + sizeof(*b), d->config, d->config_len + 1);
	rep->hdr.status = 0;
	rep->hdr.len = (uint16_t)(sizeof(*b) + d->config_len + 1);
	rep->fds[0] = d->ram->mfd.fd;
	rep->fds[1] = d->notify_fd;
	rep->fds[2] = d->evt.kick_fd;
	rep->hdr.nfds = 3;
}

static int hc_boot(struct hv *hv, struct domain *d, const void *args, size_t len,
		   struct hc_reply *rep)
{
	/* Once per domain: its RAM and interrupt line are handed over when it starts. */
	if (d->booted)
		return -EALREADY;
	d->booted = true;
	if (d->incoming && !d->resume_ready) {
		rep->defer = true; /* a migration's destination waits for the guest's RAM */
		return 0;
	}
	hypercall__boot_reply(d, rep);
	return 0;
}

static int hc_migrate(struct hv *hv, struct domain *d, const void *args, size_t len,
		      struct hc_reply *rep)
{
	const struct vfnet_hc_migrate *m = args;

	if (m->cmd < VFNET_MIG_DIRTY_LOG || m->cmd > VFNET_MIG_RESUMED || m->status > 0 ||
	    m->bytes > VFNET_SAVE_AREA_SIZE)
		return -EINVAL;
	if (!d->mig)
		return -ENOENT; /* no migration asked for it */
	return migrate__guest(d, m->cmd, m->status, m->bytes, rep);
}

static int hc_console(struct hv *hv, struct domain *d, const void *args, size_t len,
		      struct hc_reply *rep)
{
	domain__log(d, args, len);
	return 0;
}

static int hc_cfg_read(struct hv *hv, struct domain *d, const void *args, size_t len,
		       struct hc_reply *rep)
{
	const struct vfnet_hc_cfg *c = args;
	struct vfnet_hc_cfg_val *v = (struct vfnet_hc_cfg_val *)rep->data;
	uint32_t val = ~0u;
	int rc;

	if (!zero(c->rsvd, sizeof(c->rsvd)) || c->val)
		return -EINVAL;
	domain__trap(d, 1);
	rc = passthrough__cfg_read(hv, d, c->rid, c->off, c->size, &val);
	v->val = val;
	rep->hdr.len = sizeof(*v);
	return rc;
}

static int hc_cfg_write(struct hv *hv, struct domain *d, const void *args, size_t len,
			struct hc_reply *rep)
{
	const struct vfnet_hc_cfg *c = args;

	if (!zero(c->rsvd, sizeof(c->rsvd)))
		return -EINVAL;
	domain__trap(d, passthrough__cfg_is_flr(c->off, c->size, c->val) ? DOMAIN_TRAP_FLR : 1);
	return passthrough__cfg_write(hv, d, c->rid, c->off, c->size, c->val);
}

static int hc_bar_map(struct hv *hv, struct domain *d, const void *args, size_t len,
		      struct hc_reply *rep)
{
	const struct vfnet_hc_bar *b = args;
	struct hv_func *f;

	if (!zero(b->rsvd, sizeof(b->rsvd)))
		return -EINVAL;
	domain__trap(d, b->bar == 0 ? DOMAIN_TRAP_MAP : 1); /* BAR0 gets a request ring */
	if (!(f = passthrough__lookup(hv, d, b->rid)))
		return -ENODEV;
	return passthrough__bar_map(hv, d, f, b->bar, rep);
}

static int hc_mmio(struct hv *hv, struct domain *d, const void *args, size_t len,
		   struct hc_reply *rep)
{
	const struct vfnet_hc_mmio *m = args;
	struct vfnet_hc_mmio *out = (struct vfnet_hc_mmio *)rep->data;
	uint64_t value = m->value;
	struct hv_func *f;
	int rc;

	if (!zero(m->rsvd, sizeof(m->rsvd)) || m->write > 1)
		return -EINVAL;
	domain__trap(d, 1);
	if (!(f = passthrough__lookup(hv, d, m->rid)))
		return -ENODEV;
	rc = passthrough__mmio(hv, d, f, m->bar, m->off, m->width, m->write, &value);
	*out = *m;
	out->value = value;
	rep->hdr.len = sizeof(*out);
	return rc;
}

static int hc_vf_report(struct hv *hv, struct domain *d, const void *args, size_t len,
			struct hc_reply *rep)
{
	const struct vfnet_hc_vf *v = args;

	if (v->rsvd || v->add > 1)
		return -EINVAL;
	return passthrough__vf_report(hv, v->pf_rid, v->vf_rid, v->index, v->add);
}

static int hc_event_pop(struct hv *hv, struct domain *d, const void *args, size_t len,
			struct hc_reply *rep)
{
	struct vfnet_hc_event *e = (struct vfnet_hc_event *)rep->data;

	rep->hdr.len = sizeof(*e);
	if (!d->ev_count) {
		*e = (struct vfnet_hc_event){.type = VFNET_EV_NONE};
		return 0;
	}
	*e = d->events[d->ev_head];
	d->ev_head = (d->ev_head + 1) % DOMAIN_MAX_EVENTS;
	d->ev_count--;
	return 0;
}

static int hc_event_bind(struct hv *hv, struct domain *d, const void *args, size_t len,
			 struct hc_reply *rep)
{
	const struct vfnet_hc_vector *v = args;

	if (v->vector < VFNET_VEC_FIRST || v->vector > 255)
		return -EINVAL;
	d->ev_vector = (uint8_t)v->vector;
	if (d->ev_count)
		domain__post(d, d->ev_vector);
	return 0;
}

static int hc_domain_info(struct hv *hv, struct domain *d, const void *args, size_t len,
			  struct hc_reply *rep)
{
	const struct vfnet_hc_dom *q = args;
	struct vfnet_hc_domain_info *i = (struct vfnet_hc_domain_info *)rep->data;
	struct domain *t = q->domid == 0xffffffffu ? d : NULL;

	if (!t && q->domid < HV_MAX_DOMAINS)
		t = hv__domain(hv, q->domid);
	/* A guest learns about itself only. */
	if (!t || (d->role != VFNET_ROLE_DOM0 && t != d))
		return -ESRCH;
	memset(i, 0, sizeof(*i));
	i->domid = t->id;
	i->role = t->role;
	i->ram_bytes = t->ram_bytes;
	i->hypercalls = t->hypercalls;
	i->interrupts = __atomic_load_n(&hv->irqdest[t->id].interrupts, __ATOMIC_RELAXED);
	i->notifies = __atomic_load_n(&hv->irqdest[t->id].notifies, __ATOMIC_RELAXED);
	memcpy(i->name, t->name, sizeof(i->name));
	rep->hdr.len = sizeof(*i);
	return 0;
}

static int hc_assignable(struct hv *hv, struct domain *d, const void *args, size_t len,
			 struct hc_reply *rep)
{
	const struct vfnet_hc_assignable *a = args;

	if (a->rsvd || a->add > 1)
		return -EINVAL;
	return passthrough__assignable(hv, a->rid, a->add);
}

static int hc_attach(struct hv *hv, struct domain *d, const void *args, size_t len,
		     struct hc_reply *rep)
{
	const struct vfnet_hc_attach *a = args;
	struct domain *t = a->domid < HV_MAX_DOMAINS ? hv__domain(hv, a->domid) : NULL;

	if (a->rsvd)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	return passthrough__attach(hv, t, a->rid, a->vslot);
}

static int hc_detach(struct hv *hv, struct domain *d, const void *args, size_t len,
		     struct hc_reply *rep)
{
	const struct vfnet_hc_attach *a = args;
	struct domain *t = a->domid < HV_MAX_DOMAINS ? hv__domain(hv, a->domid) : NULL;

	if (a->rsvd || a->vslot)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	return passthrough__detach(hv, t, a->rid);
}

static int hc_func_info(struct hv *hv, struct domain *d, const void *args, size_t len,
			struct hc_reply *rep)
{
	const struct vfnet_hc_func_q *q = args;
	struct vfnet_hc_func_info *i = (struct vfnet_hc_func_info *)rep->data;
	struct hv_func *f;
	struct domain *o;

	if (q->rsvd)
		return -EINVAL;
	if (!(f = passthrough__by_rid(hv, q->rid)))
		return -ENODEV;
	memset(i, 0, sizeof(*i));
	i->owner = f->owner;
	i->assignable = f->assignable;
	i->reported = f->reported;
	i->vslot = f->owner > 0 ? f->vslot : 0;
	if (f->owner >= 0 && (o = hv__domain(hv, (unsigned)f->owner)))
		memcpy(i->owner_name, o->name, sizeof(i->owner_name));
	rep->hdr.len = sizeof(*i);
	return 0;
}

static int hc_pci_released(struct hv *hv, struct domain *d, const void *args, size_t len,
			   struct hc_reply *rep)
{
	const struct vfnet_hc_func_q *q = args;

	if (q->rsvd)
		return -EINVAL;
	return passthrough__released(hv, d, q->rid);
}

static int hc_xenstore(struct hv *hv, struct domain *d, const void *args, size_t len,
		       struct hc_reply *rep)
{
	/* xenstore's errors travel in its own reply (XS_ERROR); the call itself succeeds. */
	rep->hdr.len = (uint16_t)xenstore__request(hv->xs, (int)d->id, args, len, rep->data,
						   sizeof(rep->data));
	return 0;
}

static int hc_vf_policy(struct hv *hv, struct domain *d, const void *args, size_t len,
			struct hc_reply *rep)
{
	struct vfnet_hc_vf_policy *out = (struct vfnet_hc_vf_policy *)rep->data;
	const struct vfnet_hc_vf_policy *in = args;
	int rc = passthrough__vf_policy(hv, in, out);

	if (!rc && !in->write)
		rep->hdr.len = sizeof(*out);
	return rc;
}

static const struct hc_op ops[VFNET_HC_OP_MAX] = {
	[VFNET_HC_BOOT] = {"boot", 0, false, hc_boot},
	[VFNET_HC_CONSOLE] = {"console", SIZE_MAX, false, hc_console},
	[VFNET_HC_CFG_READ] = {"cfg_read", sizeof(struct vfnet_hc_cfg), false, hc_cfg_read},
	[VFNET_HC_CFG_WRITE] = {"cfg_write", sizeof(struct vfnet_hc_cfg), false, hc_cfg_write},
	[VFNET_HC_BAR_MAP] = {"bar_map", sizeof(struct vfnet_hc_bar), false, hc_bar_map},
	[VFNET_HC_MMIO] = {"mmio", sizeof(struct vfnet_hc_mmio), false, hc_mmio},
	[VFNET_HC_VF_REPORT] = {"vf_report", sizeof(struct vfnet_hc_vf), true, hc_vf_report},
	[VFNET_HC_EVENT_POP] = {"event_pop", 0, false, hc_event_pop},
	[VFNET_HC_EVENT_BIND] = {"event_bind", sizeof(struct vfnet_hc_vector), false,
				 hc_event_bind},
	[VFNET_HC_DOMAIN_INFO] = {"domain_info", sizeof(struct vfnet_hc_dom), false,
				  hc_domain_info},
	[VFNET_HC_ASSIGNABLE] = {"assignable", sizeof(struct vfnet_hc_assignable), true,
				 hc_assignable},
	[VFNET_HC_ATTACH] = {"attach", sizeof(struct vfnet_hc_attach), true, hc_attach},
	[VFNET_HC_DETACH] = {"detach", sizeof(struct vfnet_hc_attach), true, hc_detach},
	[VFNET_HC_FUNC_INFO] = {"func_info", sizeof(struct vfnet_hc_func_q), true, hc_func_info},
	[VFNET_HC_PCI_RELEASED] = {"pci_released", sizeof(struct vfnet_hc_func_q), false,
				   hc_pci_released},
	[VFNET_HC_VF_POLICY] = {"vf_policy", sizeof(struct vfnet_hc_vf_policy), true, hc_vf_policy},
	[VFNET_HC_GRANT_TABLE_OP] = {"grant_table_op", SIZE_MAX, false, hv_gnttab__op},
	[VFNET_HC_EVENT_CHANNEL_OP] = {"event_channel_op", SIZE_MAX, false, hv_evtchn__op},
	[VFNET_HC_XENSTORE] = {"xenstore", SIZE_MAX, false, hc_xenstore},
	[VFNET_HC_MIGRATE] = {"migrate", sizeof(struct vfnet_hc_migrate), false, hc_migrate},
};

const char *hypercall__name(unsigned op)
{
	return op < ARRAY_SIZE(ops) && ops[op].name ? ops[op].name : "unknown";
}

void hypercall__handle(struct hv *hv, struct domain *d, const void *msg, size_t len,
		       struct hc_reply *rep)
{
	struct vfnet_hc_req req = {0};
	const struct hc_op *op;
	size_t alen;
	int rc;

	memset(&rep->hdr, 0, sizeof(rep->hdr));
	rep->defer = false;
	d->hypercalls++;
	if (len < sizeof(req) || len > VFNET_HC_MAX_MSG) {
		rc = -EMSGSIZE;
		goto out;
	}
	memcpy(&req, msg, sizeof(req));
	rep->hdr.seq = req.seq;
	alen = len - sizeof(req);
	if (req.len != alen) {
		rc = -EMSGSIZE;
		goto out;
	}
	if (req.op >= ARRAY_SIZE(ops) || !ops[req.op].run) {
		rc = -ENOSYS;
		goto out;
	}
	op = &ops[req.op];
	if (op->len != SIZE_MAX && op->len != alen) {
		rc = -EINVAL;
		goto out;
	}
	if (op->privileged && d->role != VFNET_ROLE_DOM0) {
		rc = -EPERM;
		goto out;
	}
	{
		/* Arguments copied out, aligned, so that no op reads the message twice. */
		uint64_t args[VFNET_HC_MAX_DATA / 8 + 1];

		memcpy(args, (const uint8_t *)msg + sizeof(req), alen);
		rc = op->run(hv, d, args, alen, rep);
	}
out:
	if (rc) {
		d->hc_errors++;
		rep->hdr.nfds = 0;
		/* A failed read still answers all ones, as the bus would. */
		if (req.op != VFNET_HC_CFG_READ && req.op != VFNET_HC_MMIO)
			rep->hdr.len = 0;
	}
	rep->hdr.status = rc;
}
