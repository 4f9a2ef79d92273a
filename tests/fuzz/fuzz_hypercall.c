/*
 * Fuzz target: hostile hypercalls as bytes, straight into hypercall__handle, from dom0 and two
 * guests (domain records, no processes) of an in-process hypervisor on a machine whose NIC
 * engines are not started (everything synchronous and deterministic).
 *
 * Setup: dom0 turns on the PFs' memory decode, enables 4 VFs on port 0 by config writes and reports them; VF0 and VF1 are made
 * assignable; VF0 goes to guest A, VF1 to guest B; VF2 and VF3 stay with dom0.
 *
 * Input: a sequence of records {sel, len_lo, len_hi, msg[len]}. (sel & 0x7f) % 3 picks the caller (dom0,
 * guest A, guest B); sel bit 7 rewrites the header's len to match the message (so that the
 * fuzzer gets past the framing check easily). len is taken modulo VFNET_HC_MAX_MSG + 17, so
 * oversize messages are exercised; each message is copied to a buffer of exactly its size.
 *
 * Invariants, abort() on violation:
 *   - a guest's hypercall changes no function's ownership (owner, assignable, present,
 *     reported, rid, vslot) and no other function's MSI-X state, physical config space (the
 *     PFs and every VF it does not own) or physical MSI-X table;
 *   - a privileged op from a guest never succeeds: -EPERM when it is well framed;
 *   - the reply: len within data, nfds <= HC_MAX_FDS, no fds with an error, fds are open, the
 *     seq echoed;
 *   - a guest's hypercall never posts into another domain's shared page nor queues it events;
 *   - (any caller) every unmasked physical MSI-X entry of a function remaps to a posted
 *     interrupt into its owner's shared page, with the function's RID as source; a function
 *     no domain owns has every entry masked.
 * Dom0 may change anything; it must not crash the machine.
 *
 * State persists across inputs. Before each input the machine is put back exactly as built when
 * only plain hypervisor data differs (restore()); otherwise (ownership, IRTEs, any device or
 * config-space change) it is rebuilt, at most once every REBUILD_MIN inputs (a build costs
 * milliseconds), and in any case every REBUILD_EVERY inputs. On a violation, every message since
 * the last build or restore is written to hc-repro-<pid>: an input starting with "HCREPRO\n"
 * that replays them on a fresh machine (FUZZ_HC_TRACE=1 prints each message and its status).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/iommu/iommu.h"
#include "hw/machine.h"
#include "hw/nic/nic.h"
#include "hw/pci/sriov.h"
#include "lib/log.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/hypercall.h"
#include "vmm/passthrough.h"

static void fail(const char *what, int line);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			fail(#c, __LINE__);                                                        \
	} while (0)

#define PF0	      PCI_RID(1, 0)
#define NVFS	      4
#define MAX_LEN	      (VFNET_HC_MAX_MSG + 16)
#define MAX_MSGS      64
#define REBUILD_EVERY 4096 /* inputs: a fresh machine at least this often */
#define REBUILD_MIN   256  /* inputs: a state that cannot be restored lives at most this long */
#define HISTORY_MAX   (4u << 20)

/* An input that starts with this is a history dumped by fail(): no limit of messages. */
static const char repro_magic[8] = "HCREPRO\n";
#define MSIX_MAX      E82576_PF_MSIX_VECTORS

struct env {
	struct machine *m;
	struct hv *hv;
	struct domain *dom[3]; /* dom0, guest A, guest B */
};

static struct env E;
static unsigned since_rebuild;
static bool adm; /* an administrative op of dom0 went through: rebuild */
static struct hc_reply rep;
static bool trace; /* FUZZ_HC_TRACE set: one line per message on stderr */

/*
 * Every message since the machine was last built or restored, as records of the input format:
 * run as one input on a fresh machine, it reproduces the state a failure happened in.
 */
static uint8_t *history;
static size_t history_len;
static bool history_lost;

static void history_add(unsigned caller, const uint8_t *msg, size_t len)
{
	if (history_len + 3 + len > HISTORY_MAX) {
		history_lost = true;
		return;
	}
	history[history_len++] = (uint8_t)caller;
	history[history_len++] = (uint8_t)len;
	history[history_len++] = (uint8_t)(len >> 8);
	memcpy(history + history_len, msg, len);
	history_len += len;
}

static void history_reset(void)
{
	memcpy(history, repro_magic, sizeof(repro_magic));
	history_len = sizeof(repro_magic);
	history_lost = false;
}

static void fail(const char *what, int line)
{
	char name[64];
	FILE *f;

	fprintf(stderr, "fuzz_hypercall: invariant violated at line %d: %s\n", line, what);
	snprintf(name, sizeof(name), "hc-repro-%d", (int)getpid());
	if (history && history_len > sizeof(repro_magic) && !history_lost &&
	    (f = fopen(name, "wb"))) {
		fwrite(history, 1, history_len, f);
		fclose(f);
		fprintf(stderr, "fuzz_hypercall: every message since the machine was built: %s\n",
			name);
	}
	abort();
}

/* ---- building ---- */

static int hc_args(struct domain *d, unsigned op, const void *args, size_t alen)
{
	uint8_t msg[64];
	struct vfnet_hc_req req = {.op = (uint16_t)op, .len = (uint16_t)alen, .seq = 1};

	memcpy(msg, &req, sizeof(req));
	memcpy(msg + sizeof(req), args, alen);
	hypercall__handle(E.hv, d, msg, sizeof(req) + alen, &rep);
	return rep.hdr.status;
}

static void cfg_wr(struct domain *d, uint16_t rid, unsigned off, unsigned size, uint32_t val)
{
	struct vfnet_hc_cfg c = {.rid = rid, .off = (uint16_t)off, .size = (uint8_t)size,
				 .val = val};

	CHECK(hc_args(d, VFNET_HC_CFG_WRITE, &c, sizeof(c)) == 0);
}

static void save_baseline(void);

static void teardown(void)
{
	if (E.hv)
		hv__destroy(E.hv);
	if (E.m)
		machine__destroy(E.m);
	memset(&E, 0, sizeof(E));
}

static void build(void)
{
	struct machine_config mc = {.wire = {"null", "null"}};
	struct domain_config dc[3] = {
		{.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 1},
		{.name = "guestA", .role = VFNET_ROLE_GUEST, .mem_mib = 1},
		{.name = "guestB", .role = VFNET_ROLE_GUEST, .mem_mib = 1},
	};
	struct pci_func *pf;
	uint16_t vf[NVFS];
	unsigned cap;

	teardown();
	CHECK(machine__create(&E.m, &mc) == 0);
	CHECK(hv__create(&E.hv, E.m, NULL, NULL) == 0);
	CHECK(domain__create(E.hv, &dc[0], &E.dom[0]) == 0);
	passthrough__adopt(E.hv, E.dom[0]);
	CHECK(domain__create(E.hv, &dc[1], &E.dom[1]) == 0);
	CHECK(domain__create(E.hv, &dc[2], &E.dom[2]) == 0);

	/* dom0's PF driver turns memory decode on (firmware leaves it off). */
	for (unsigned p = 0; p < E82576_PORTS; p++)
		cfg_wr(E.dom[0], machine__pf(E.m, p)->rid, PCI_COMMAND, 2,
		       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pf = machine__pf(E.m, 0);
	cap = pf->sriov->cap;
	cfg_wr(E.dom[0], PF0, cap + PCI_SRIOV_NUM_VF, 2, NVFS);
	cfg_wr(E.dom[0], PF0, cap + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	for (unsigned i = 0; i < NVFS; i++) {
		struct vfnet_hc_vf v;

		vf[i] = (uint16_t)(PF0 + pci_sriov__offset(pf) + i * pci_sriov__stride(pf));
		v = (struct vfnet_hc_vf){.pf_rid = PF0, .vf_rid = vf[i], .index = (uint16_t)i,
					 .add = 1};
		CHECK(hc_args(E.dom[0], VFNET_HC_VF_REPORT, &v, sizeof(v)) == 0);
	}
	for (unsigned i = 0; i < 2; i++) {
		struct vfnet_hc_assignable a = {.rid = vf[i], .add = 1};
		struct vfnet_hc_attach at = {.domid = E.dom[1 + i]->id, .rid = vf[i]};

		CHECK(hc_args(E.dom[0], VFNET_HC_ASSIGNABLE, &a, sizeof(a)) == 0);
		CHECK(hc_args(E.dom[0], VFNET_HC_ATTACH, &at, sizeof(at)) == 0);
	}
	adm = false;
	since_rebuild = 0;
	save_baseline();
	history_reset();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log__set_level(LOG_ERR);
	trace = getenv("FUZZ_HC_TRACE") != NULL;
	history = malloc(HISTORY_MAX);
	CHECK(history);
	build();
	return 0;
}

/* ---- snapshots ---- */

struct func_snap {
	bool present, reported, assignable, ring;
	int owner;
	uint16_t rid;
	uint8_t vslot;
	struct hv_msix_entry msix[MSIX_MAX];
	int phys_ok;
	uint32_t phys[MSIX_MAX][4]; /* the physical MSI-X table */
	uint8_t cfg[PCI_CFG_SIZE];  /* physical config space */
};

struct dom_snap {
	uint64_t pir[4];
	unsigned ev_count, ev_head;
	uint8_t ev_vector;
};

struct snap {
	struct func_snap f[HV_MAX_FUNCS];
	uint8_t bridge_cfg[2][PCI_CFG_SIZE]; /* host bridge, root port */
	struct dom_snap d[3];
};

/* What the machine looks like right after build(), to restore it between inputs. */
struct baseline {
	struct snap s;
	struct hv_func funcs[HV_MAX_FUNCS];
	uint8_t irte_used[HV_IRT_ENTRIES / 8];
	struct e82576_pci nicfn;
	struct pci_func bridge[2];
	struct {
		struct vfnet_hc_event events[DOMAIN_MAX_EVENTS];
		unsigned ev_head, ev_count;
		uint64_t ev_lost, hypercalls, hc_errors;
		uint8_t ev_vector;
		uint8_t shared[offsetof(struct vfnet_shared_page, domid)];
		uint64_t interrupts, notifies;
	} d[3];
};

static struct snap snaps[2], *cur = &snaps[0], *prev = &snaps[1];
static struct baseline base;

/*
 * The physical MSI-X table: the device's own copy, read whether or not the function decodes
 * memory now (dom0 may turn decode off and on again under a live entry).
 */
static int phys_msix(struct hv_func *f, uint32_t t[MSIX_MAX][4])
{
	struct nic_port *p = &E.m->nic->port[f->port];
	const struct nic_msix *m = f->vf < 0 ? &p->msix_pf : &p->msix_vf[f->vf];

	CHECK(m->nvec == f->msix_nr);
	memcpy(t, m->table, f->msix_nr * sizeof(m->table[0]));
	return 0;
}

static void take(struct snap *s)
{
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &E.hv->funcs[i];
		struct func_snap *fs = &s->f[i];

		fs->present = f->present;
		fs->reported = f->reported;
		fs->assignable = f->assignable;
		fs->ring = f->ring.active;
		fs->owner = f->owner;
		fs->rid = f->rid;
		fs->vslot = f->vslot;
		memcpy(fs->msix, f->msix, sizeof(fs->msix));
		fs->phys_ok = 1;
		if (!f->present)
			continue; /* its config space and table are nobody's */
		memcpy(fs->cfg, f->fn->cfg, sizeof(fs->cfg));
		memset(fs->phys, 0, sizeof(fs->phys));
		fs->phys_ok = phys_msix(f, fs->phys);
	}
	memcpy(s->bridge_cfg[0], E.m->host_bridge.cfg, PCI_CFG_SIZE);
	memcpy(s->bridge_cfg[1], E.m->root_port.cfg, PCI_CFG_SIZE);
	for (unsigned i = 0; i < 3; i++) {
		struct domain *d = E.dom[i];

		memcpy(s->d[i].pir, (const void *)d->shared->pir, sizeof(s->d[i].pir));
		s->d[i].ev_count = d->ev_count;
		s->d[i].ev_head = d->ev_head;
		s->d[i].ev_vector = d->ev_vector;
	}
}

static bool same_owner(const struct func_snap *a, const struct func_snap *b)
{
	return a->present == b->present && a->reported == b->reported &&
	       a->assignable == b->assignable && a->ring == b->ring && a->owner == b->owner &&
	       a->rid == b->rid && a->vslot == b->vslot;
}

/* After a guest's message: nothing but its own functions and its own domain changed. */
static void compare_guest(unsigned caller, const struct snap *b4, const struct snap *now)
{
	int id = (int)E.dom[caller]->id;

	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		const struct func_snap *b = &b4->f[i], *a = &now->f[i];

		/* No guest op changes who holds what, its own functions included. */
		CHECK(same_owner(a, b));
		if (b->owner == id) /* a guest never holds a PF */
			continue;
		CHECK(!memcmp(a->msix, b->msix, sizeof(a->msix)));
		if (!a->present)
			continue;
		CHECK(!memcmp(a->cfg, b->cfg, sizeof(a->cfg))); /* the PFs' always */
		CHECK(a->phys_ok == b->phys_ok);
		CHECK(!memcmp(a->phys, b->phys, sizeof(a->phys)));
	}
	CHECK(!memcmp(b4->bridge_cfg, now->bridge_cfg, sizeof(now->bridge_cfg)));
	for (unsigned i = 0; i < 3; i++) {
		if (i == caller)
			continue;
		/* Bits are only ever set here (nobody takes them). */
		CHECK(!memcmp(b4->d[i].pir, now->d[i].pir, sizeof(now->d[i].pir)));
		CHECK(b4->d[i].ev_count == now->d[i].ev_count &&
		      b4->d[i].ev_head == now->d[i].ev_head &&
		      b4->d[i].ev_vector == now->d[i].ev_vector);
	}
}

/* Every unmasked physical MSI-X entry posts into its owner's shared page. */
static void check_msix_routing(const struct snap *s)
{
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		const struct func_snap *fs = &s->f[i];
		struct hv_func *f = &E.hv->funcs[i];
		struct domain *o;

		if (!fs->present || fs->phys_ok)
			continue;
		o = f->owner >= 0 ? hv__domain(E.hv, (unsigned)f->owner) : NULL;
		for (unsigned v = 0; v < f->msix_nr; v++) {
			struct ir_target tgt;
			uint64_t addr = (uint64_t)fs->phys[v][1] << 32 | fs->phys[v][0];

			if (fs->phys[v][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT)
				continue;
			CHECK(o); /* nobody's function with a live entry */
			CHECK(iommu__remap_msi(E.m->iommu, f->rid, addr, fs->phys[v][2], &tgt) == 0);
			CHECK(tgt.kind == IR_POSTED);
			CHECK(tgt.pda == o->ram_maddr + VFNET_SHARED_PAGE);
			CHECK(tgt.vector >= VFNET_VEC_FIRST);
		}
	}
}

static void save_baseline(void)
{
	take(&base.s);
	memcpy(base.funcs, E.hv->funcs, sizeof(base.funcs));
	memcpy(base.irte_used, E.hv->irte_used, sizeof(base.irte_used));
	memcpy(&base.nicfn, E.m->nicfn, sizeof(base.nicfn));
	base.bridge[0] = E.m->host_bridge;
	base.bridge[1] = E.m->root_port;
	for (unsigned i = 0; i < 3; i++) {
		struct domain *d = E.dom[i];

		memcpy(base.d[i].events, d->events, sizeof(d->events));
		base.d[i].ev_head = d->ev_head;
		base.d[i].ev_count = d->ev_count;
		base.d[i].ev_lost = d->ev_lost;
		base.d[i].ev_vector = d->ev_vector;
		base.d[i].hypercalls = d->hypercalls;
		base.d[i].hc_errors = d->hc_errors;
		memcpy(base.d[i].shared, d->shared, sizeof(base.d[i].shared));
		base.d[i].interrupts = E.hv->irqdest[d->id].interrupts;
		base.d[i].notifies = E.hv->irqdest[d->id].notifies;
	}
	*cur = base.s;
	/* The checks can see what they check: every present function's MSI-X table. */
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++)
		CHECK(!base.s.f[i].present || base.s.f[i].phys_ok == 0);
}

/*
 * Back to the baseline without a rebuild, when what differs is plain data of the hypervisor
 * (the guests' virtual config space and MSI-X table, event queues, shared pages, counters).
 * Anything in the devices, the IOMMU or the ownership table means a rebuild.
 */
static bool restore(void)
{
	take(cur);
	if (adm || memcmp(E.hv->irte_used, base.irte_used, sizeof(base.irte_used)) ||
	    memcmp(E.m->nicfn, &base.nicfn, sizeof(base.nicfn)) ||
	    memcmp(&E.m->host_bridge, &base.bridge[0], sizeof(base.bridge[0])) ||
	    memcmp(&E.m->root_port, &base.bridge[1], sizeof(base.bridge[1])))
		return false;
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		const struct func_snap *a = &cur->f[i], *b = &base.s.f[i];

		if (!same_owner(a, b) || a->phys_ok != b->phys_ok ||
		    (a->present && memcmp(a->phys, b->phys, sizeof(a->phys))))
			return false;
		for (unsigned v = 0; v < MSIX_MAX; v++)
			if (a->msix[v].irte != b->msix[v].irte)
				return false;
	}
	memcpy(E.hv->funcs, base.funcs, sizeof(base.funcs));
	for (unsigned i = 0; i < 3; i++) {
		struct domain *d = E.dom[i];
		uint64_t n;

		memcpy(d->events, base.d[i].events, sizeof(d->events));
		d->ev_head = base.d[i].ev_head;
		d->ev_count = base.d[i].ev_count;
		d->ev_lost = base.d[i].ev_lost;
		d->ev_vector = base.d[i].ev_vector;
		d->hypercalls = base.d[i].hypercalls;
		d->hc_errors = base.d[i].hc_errors;
		memcpy(d->shared, base.d[i].shared, sizeof(base.d[i].shared));
		if (E.hv->irqdest[d->id].notifies != base.d[i].notifies &&
		    read(d->notify_fd, &n, sizeof(n)) < 0)
			(void)0; /* drained */
		E.hv->irqdest[d->id].interrupts = base.d[i].interrupts;
		E.hv->irqdest[d->id].notifies = base.d[i].notifies;
	}
	*cur = base.s;
	return true;
}

/* ---- one message ---- */

static bool privileged(unsigned op)
{
	return op == VFNET_HC_VF_REPORT || op == VFNET_HC_ASSIGNABLE || op == VFNET_HC_ATTACH ||
	       op == VFNET_HC_DETACH || op == VFNET_HC_FUNC_INFO;
}

static size_t op_len(unsigned op)
{
	switch (op) {
	case VFNET_HC_BOOT:
	case VFNET_HC_EVENT_POP:
		return 0;
	case VFNET_HC_CONSOLE:
		return SIZE_MAX;
	case VFNET_HC_CFG_READ:
	case VFNET_HC_CFG_WRITE:
		return sizeof(struct vfnet_hc_cfg);
	case VFNET_HC_BAR_MAP:
		return sizeof(struct vfnet_hc_bar);
	case VFNET_HC_MMIO:
		return sizeof(struct vfnet_hc_mmio);
	case VFNET_HC_VF_REPORT:
		return sizeof(struct vfnet_hc_vf);
	case VFNET_HC_EVENT_BIND:
		return sizeof(struct vfnet_hc_vector);
	case VFNET_HC_DOMAIN_INFO:
		return sizeof(struct vfnet_hc_dom);
	case VFNET_HC_ASSIGNABLE:
		return sizeof(struct vfnet_hc_assignable);
	case VFNET_HC_ATTACH:
	case VFNET_HC_DETACH:
		return sizeof(struct vfnet_hc_attach);
	case VFNET_HC_FUNC_INFO:
		return sizeof(struct vfnet_hc_func_q);
	default:
		return (size_t)-2;
	}
}

/* The op a message reaches (its handler runs), or 0 when the framing refuses it. */
static unsigned reaches(const struct vfnet_hc_req *req, size_t len, bool dom0)
{
	size_t want;

	if (len < sizeof(*req) || len > VFNET_HC_MAX_MSG || req->len != len - sizeof(*req))
		return 0;
	want = op_len(req->op);
	if (want == (size_t)-2 || (want != SIZE_MAX && want != len - sizeof(*req)))
		return 0;
	if (privileged(req->op) && !dom0)
		return 0;
	return req->op;
}

static bool early_refusal(int status)
{
	return status == -ENODEV || status == -EINVAL || status == -EPERM || status == -EBUSY ||
	       status == -ESRCH || status == -EEXIST || status == -ENOSPC;
}

static void one(unsigned caller, uint8_t *msg, size_t len)
{
	struct domain *d = E.dom[caller];
	struct vfnet_hc_req req = {0};
	bool guest = caller != 0;
	struct snap *t;
	unsigned op;

	if (len >= sizeof(req))
		memcpy(&req, msg, sizeof(req));
	op = reaches(&req, len, !guest);

	history_add(caller, msg, len);
	memset(&rep, 0xa5, sizeof(rep));
	hypercall__handle(E.hv, d, msg, len, &rep);
	if (trace)
		fprintf(stderr, "dom%u %-11s len %4zu -> %d (len %u nfds %u)\n", d->id,
			len >= sizeof(req) ? hypercall__name(req.op) : "-", len, rep.hdr.status,
			rep.hdr.len, rep.hdr.nfds);

	/* The reply. */
	CHECK(rep.hdr.len <= sizeof(rep.data));
	CHECK(rep.hdr.nfds <= HC_MAX_FDS);
	CHECK(rep.hdr.rsvd == 0);
	CHECK(rep.hdr.seq == (len >= sizeof(req) && len <= VFNET_HC_MAX_MSG ? req.seq : 0));
	CHECK(rep.hdr.status <= 0);
	if (rep.hdr.status)
		CHECK(rep.hdr.nfds == 0);
	for (unsigned i = 0; i < rep.hdr.nfds; i++)
		CHECK(fcntl(rep.fds[i], F_GETFD) >= 0); /* owned by the machine: not closed here */

	/* Privilege. */
	if (guest && len >= sizeof(req) && privileged(req.op)) {
		CHECK(rep.hdr.status != 0);
		if (len <= VFNET_HC_MAX_MSG && req.len == len - sizeof(req) &&
		    op_len(req.op) == req.len)
			CHECK(rep.hdr.status == -EPERM);
	}
	t = prev, prev = cur, cur = t;
	take(cur);
	/* Ownership changes touch the IOMMU: not restorable. So are failures of an admin op
	 * that got past its checks. */
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++)
		if (!same_owner(&prev->f[i], &cur->f[i]))
			adm = true;
	if (!guest && privileged(op) && op != VFNET_HC_FUNC_INFO && rep.hdr.status &&
	    !early_refusal(rep.hdr.status))
		adm = true;
	if (guest)
		compare_guest(caller, prev, cur);
	check_msix_routing(cur);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = 0, max = MAX_MSGS;

	if (size >= sizeof(repro_magic) && !memcmp(data, repro_magic, sizeof(repro_magic))) {
		data += sizeof(repro_magic);
		size -= sizeof(repro_magic);
		max = UINT32_MAX;
		build(); /* a history runs from a fresh machine */
	} else if (++since_rebuild >= REBUILD_EVERY) {
		build();
	} else if (restore()) {
		history_reset();
	} else if (since_rebuild >= REBUILD_MIN) {
		build();
	}
	while (size >= 3 && n++ < max) {
		unsigned caller = (data[0] & 0x7f) % 3;
		bool fix = data[0] & 0x80;
		size_t len = (size_t)(data[1] | data[2] << 8) % (MAX_LEN + 1);
		uint8_t *msg;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		msg = malloc(len ? len : 1);
		CHECK(msg);
		memcpy(msg, data, len);
		if (fix && len >= sizeof(struct vfnet_hc_req)) {
			uint16_t l = (uint16_t)(len - sizeof(struct vfnet_hc_req));

			memcpy(msg + offsetof(struct vfnet_hc_req, len), &l, sizeof(l));
		}
		one(caller, msg, len);
		free(msg);
		data += len;
		size -= len;
	}
	return 0;
}
