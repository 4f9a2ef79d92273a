#include "vmm/gnttab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/hypercall.h"

#define PAGE 4096u

void hv_gnttab__init(struct gnttab *gt)
{
	memset(gt, 0, sizeof(*gt));
	gt->ro_fd = -1;
}

static uint64_t ram_pages(const struct domain *d)
{
	return d->ram_bytes / PAGE;
}

/* A page a grant or a copy may name: inside the RAM, not the shared page (the machine's). */
static bool frame_ok(const struct domain *d, uint64_t frame)
{
	return frame && frame < ram_pages(d);
}

static uint8_t *page(const struct domain *d, uint64_t frame)
{
	return d->ram->host + frame * PAGE;
}

static unsigned nr_entries(const struct gnttab *gt)
{
	return gt->nr_frames * (unsigned)GNTTAB_ENTRIES_PER_FRAME;
}

static struct grant_entry_v1 *entry(const struct domain *g, grant_ref_t ref)
{
	const struct gnttab *gt = &g->gt;

	return (struct grant_entry_v1 *)page(g, gt->frames[ref / GNTTAB_ENTRIES_PER_FRAME]) +
	       ref % GNTTAB_ENTRIES_PER_FRAME;
}

/* The live domain with this id, not a dead one's successor. */
static struct domain *live(struct hv *hv, domid_t id, uint64_t gen)
{
	struct domain *d = hv__domain(hv, id);

	return d && !d->dying && d->gen == gen ? d : NULL;
}

/*
 * Take a use of grant @ref of @g for domain @user: the entry must permit access to @user (and
 * writing, for @write); the flags word gets GTF_reading (and GTF_writing) with a compare-exchange
 * over flags and domid together, so that the granting domain cannot change either meanwhile.
 * The frame is read after that, and only for the first pin: later pins use the same frame.
 */
static int16_t pin(struct domain *g, grant_ref_t ref, domid_t user, bool write, uint32_t *frame)
{
	struct gnttab *gt = &g->gt;
	struct grant_entry_v1 *e;
	struct gnt_pin *p;
	uint32_t *word, old, want;

	if (ref >= nr_entries(gt))
		return GNTST_bad_gntref;
	e = entry(g, ref);
	word = (uint32_t *)e;
	p = &gt->pins[ref];
	old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
	do {
		uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);

		if ((flags & GTF_type_mask) != GTF_permit_access || domid != user)
			return GNTST_permission_denied;
		if (write && (flags & GTF_readonly))
			return GNTST_permission_denied;
		want = old | GTF_reading | (write ? GTF_writing : 0);
	} while (!__atomic_compare_exchange_n(word, &old, want, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	if (!p->rd) {
		uint32_t f = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);

		if (!frame_ok(g, f)) {
			__atomic_fetch_and(word, ~(uint32_t)(GTF_reading | GTF_writing),
					   __ATOMIC_RELEASE);
			return GNTST_bad_page;
		}
		p->frame = f;
		gt->pinned++;
	}
	p->rd++;
	if (write)
		p->wr++;
	*frame = p->frame;
	return GNTST_okay;
}

static void unpin(struct domain *g, grant_ref_t ref, bool write)
{
	struct gnt_pin *p = &g->gt.pins[ref];
	uint32_t clear = 0;

	if (write && !--p->wr)
		clear |= GTF_writing;
	if (!--p->rd) {
		clear |= GTF_reading;
		g->gt.pinned--;
	}
	if (clear)
		__atomic_fetch_and((uint32_t *)entry(g, ref), ~clear, __ATOMIC_RELEASE);
}

/* ---- setup_table, query_size ---- */

static int16_t setup_table(struct domain *d, struct gnttab_setup_table *s)
{
	struct gnttab *gt = &d->gt;
	struct gnt_pin *pins;

	if (s->dom != DOMID_SELF && s->dom != d->id)
		return GNTST_bad_domain;
	if (s->nr_frames > GNTTAB_MAX_FRAMES)
		return GNTST_general_error;
	for (unsigned i = 0; i < s->nr_frames; i++)
		if (!frame_ok(d, s->frame_list[i]))
			return GNTST_bad_page;
	/* Moving a table with grants in use would strand their pins. */
	if (gt->pinned)
		return GNTST_eagain;
	pins = s->nr_frames ? calloc(s->nr_frames * GNTTAB_ENTRIES_PER_FRAME, sizeof(*pins))
			    : NULL;
	if (s->nr_frames && !pins)
		return GNTST_no_space;
	free(gt->pins);
	gt->pins = pins;
	gt->nr_frames = s->nr_frames;
	memset(gt->frames, 0, sizeof(gt->frames));
	memcpy(gt->frames, s->frame_list, s->nr_frames * sizeof(uint64_t));
	return GNTST_okay;
}

static int16_t query_size(struct domain *d, struct gnttab_query_size *q)
{
	if (q->dom != DOMID_SELF && q->dom != d->id)
		return GNTST_bad_domain;
	q->nr_frames = d->gt.nr_frames;
	q->max_nr_frames = GNTTAB_MAX_FRAMES;
	return GNTST_okay;
}

/* ---- copy ---- */

struct side {
	uint8_t *p;	   /* host address of offset 0 of the page */
	struct domain *g;  /* a pinned grant's domain, or NULL */
	grant_ref_t ref;
	bool write;
};

/* A frame of the caller: its own page, or the page a mapping of its put there. */
static int16_t local_page(struct hv *hv, struct domain *d, uint64_t gfn, bool write, uint8_t **p)
{
	uint32_t h;

	if (!frame_ok(d, gfn))
		return GNTST_bad_page;
	if (d->gt.gfn_map && (h = d->gt.gfn_map[gfn])) {
		struct gnt_map *m = &d->gt.maps[h - 1];
		struct domain *g = live(hv, m->dom, m->gen);

		if (write && m->readonly)
			return GNTST_permission_denied;
		if (!g)
			return GNTST_bad_page; /* the granting domain is gone */
		*p = page(g, m->frame);
		return GNTST_okay;
	}
	*p = page(d, gfn);
	return GNTST_okay;
}

static int16_t resolve(struct hv *hv, struct domain *d, const struct gnttab_copy_ptr *ptr,
		       bool gref, bool write, struct side *s)
{
	uint32_t frame;
	int16_t st;

	s->g = NULL;
	s->write = write;
	if (!gref) {
		if (ptr->domid != DOMID_SELF && ptr->domid != d->id)
			return GNTST_permission_denied;
		return local_page(hv, d, ptr->u.gmfn, write, &s->p);
	}
	if (ptr->domid >= HV_MAX_DOMAINS || !hv__domain(hv, ptr->domid) ||
	    hv__domain(hv, ptr->domid)->dying)
		return GNTST_bad_domain;
	s->g = hv__domain(hv, ptr->domid);
	s->ref = ptr->u.ref;
	if ((st = pin(s->g, s->ref, (domid_t)d->id, write, &frame))) {
		s->g = NULL;
		return st;
	}
	s->p = page(s->g, frame);
	return GNTST_okay;
}

static void side_done(struct side *s)
{
	if (s->g)
		unpin(s->g, s->ref, s->write);
}

static int16_t copy_one(struct hv *hv, struct domain *d, const struct gnttab_copy *op)
{
	struct side src, dst;
	int16_t st;

	if (op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref))
		return GNTST_bad_copy_arg;
	if ((unsigned)op->source.offset + op->len > PAGE || (unsigned)op->dest.offset + op->len > PAGE)
		return GNTST_bad_copy_arg;
	if ((st = resolve(hv, d, &op->source, op->flags & GNTCOPY_source_gref, false, &src)))
		return st;
	if ((st = resolve(hv, d, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst))) {
		side_done(&src);
		return st;
	}
	memmove(dst.p + op->dest.offset, src.p + op->source.offset, op->len);
	side_done(&dst);
	side_done(&src);
	return GNTST_okay;
}

/* ---- map, unmap (dom0) ---- */

static int ro_fd(struct domain *g)
{
	char path[64];

	if (g->gt.ro_fd < 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", g->ram->mfd.fd);
		g->gt.ro_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return g->gt.ro_fd;
}

static int maps_alloc(struct domain *d)
{
	struct gnttab *gt = &d->gt;

	if (gt->maps)
		return 0;
	gt->maps = calloc(GNTTAB_MAX_MAPS, sizeof(*gt->maps));
	gt->gfn_map = calloc(ram_pages(d), sizeof(*gt->gfn_map));
	if (!gt->maps || !gt->gfn_map) {
		free(gt->maps);
		free(gt->gfn_map);
		gt->maps = NULL;
		gt->gfn_map = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int16_t map_one(struct hv *hv, struct domain *d, struct domain *g,
		       struct gnttab_map_grant_ref *op)
{
	struct gnttab *gt = &d->gt;
	uint64_t gfn = op->host_addr / PAGE;
	bool ro = op->flags & GNTMAP_readonly;
	uint32_t frame;
	unsigned h;
	int16_t st;

	if (!(op->flags & GNTMAP_host_map) ||
	    (op->flags & ~(uint32_t)(GNTMAP_host_map | GNTMAP_readonly)))
		return GNTST_general_error;
	if (op->host_addr % PAGE || !frame_ok(d, gfn) || gt->gfn_map[gfn])
		return GNTST_bad_virt_addr;
	for (h = 0; h < GNTTAB_MAX_MAPS && gt->maps[h].in_use; h++)
		;
	if (h == GNTTAB_MAX_MAPS)
		return GNTST_no_space;
	if ((st = pin(g, op->ref, (domid_t)d->id, !ro, &frame)))
		return st;
	gt->maps[h] = (struct gnt_map){.in_use = true, .readonly = ro, .dom = (domid_t)g->id,
				       .gen = g->gen, .ref = op->ref, .frame = frame,
				       .gfn = (uint32_t)gfn};
	gt->gfn_map[gfn] = h + 1;
	gt->nmaps++;
	op->handle = h;
	op->dev_bus_addr = (uint64_t)frame * PAGE;
	return GNTST_okay;
}

static void unmap(struct hv *hv, struct domain *d, unsigned h)
{
	struct gnttab *gt = &d->gt;
	struct gnt_map *m = &gt->maps[h];
	struct domain *g = live(hv, m->dom, m->gen);

	if (g)
		unpin(g, m->ref, !m->readonly);
	gt->gfn_map[m->gfn] = 0;
	m->in_use = false;
	gt->nmaps--;
}

static int16_t unmap_one(struct hv *hv, struct domain *d, const struct gnttab_unmap_grant_ref *op)
{
	struct gnttab *gt = &d->gt;

	if (!gt->maps || op->handle >= GNTTAB_MAX_MAPS || !gt->maps[op->handle].in_use)
		return GNTST_bad_handle;
	if (op->host_addr != (uint64_t)gt->maps[op->handle].gfn * PAGE)
		return GNTST_bad_virt_addr;
	unmap(hv, d, op->handle);
	return GNTST_okay;
}

static void map_batch(struct hv *hv, struct domain *d, struct gnttab_map_grant_ref *ops,
		      unsigned n, struct hc_reply *rep)
{
	struct domain *g = NULL;
	bool any = false, rw = false;

	for (unsigned i = 0; i < n; i++) {
		struct gnttab_map_grant_ref *op = &ops[i];

		op->handle = ~0u;
		op->dev_bus_addr = 0;
		if (d->role != VFNET_ROLE_DOM0) {
			op->status = GNTST_permission_denied;
			continue;
		}
		if (op->dom != ops[0].dom) {
			op->status = GNTST_general_error; /* one granting domain per call */
			continue;
		}
		g = op->dom < HV_MAX_DOMAINS ? hv__domain(hv, op->dom) : NULL;
		if (!g || g->dying) {
			op->status = GNTST_bad_domain;
			continue;
		}
		if (maps_alloc(d)) {
			op->status = GNTST_no_space;
			continue;
		}
		op->status = map_one(hv, d, g, op);
		if (op->status == GNTST_okay) {
			any = true;
			rw |= !(op->flags & GNTMAP_readonly);
		}
	}
	d->gt.map_ops += n;
	if (any) {
		int fd = rw ? g->ram->mfd.fd : ro_fd(g);

		if (fd < 0) {
			/* Without the file the mappings cannot be made: undo them. */
			for (unsigned i = 0; i < n; i++)
				if (ops[i].status == GNTST_okay) {
					unmap(hv, d, ops[i].handle);
					ops[i].status = GNTST_general_error;
				}
			return;
		}
		rep->fds[0] = fd;
		rep->hdr.nfds = 1;
	}
}

/* ---- the hypercall ---- */

static size_t elem_size(uint32_t cmd, unsigned *max)
{
	*max = VFNET_GNTTAB_MAX_BATCH;
	switch (cmd) {
	case GNTTABOP_copy:
		return sizeof(struct gnttab_copy);
	case GNTTABOP_map_grant_ref:
		return sizeof(struct gnttab_map_grant_ref);
	case GNTTABOP_unmap_grant_ref:
		return sizeof(struct gnttab_unmap_grant_ref);
	case GNTTABOP_setup_table:
		*max = 1;
		return sizeof(struct gnttab_setup_table);
	case GNTTABOP_query_size:
		*max = 1;
		return sizeof(struct gnttab_query_size);
	default:
		return 0;
	}
}

int hv_gnttab__op(struct hv *hv, struct domain *d, const void *args, size_t len,
	       struct hc_reply *rep)
{
	struct vfnet_hc_gnttab h;
	size_t esz;
	unsigned max;
	uint8_t *out = rep->data + sizeof(h);

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, args, sizeof(h));
	if (!(esz = elem_size(h.cmd, &max)))
		return -ENOSYS;
	if (!h.count || h.count > max || len != sizeof(h) + esz * h.count)
		return -EINVAL;
	/* The elements are worked on in the reply, which goes back as the results. */
	memcpy(rep->data, args, len);
	rep->hdr.len = (uint16_t)len;
	switch (h.cmd) {
	case GNTTABOP_copy: {
		struct gnttab_copy *ops = (struct gnttab_copy *)out;

		for (unsigned i = 0; i < h.count; i++) {
			ops[i].status = copy_one(hv, d, &ops[i]);
			if (ops[i].status == GNTST_okay)
				d->gt.copy_bytes += ops[i].len;
			else
				d->gt.copy_errors++;
		}
		d->gt.copies += h.count;
		break;
	}
	case GNTTABOP_map_grant_ref:
		map_batch(hv, d, (struct gnttab_map_grant_ref *)out, h.count, rep);
		break;
	case GNTTABOP_unmap_grant_ref: {
		struct gnttab_unmap_grant_ref *ops = (struct gnttab_unmap_grant_ref *)out;

		for (unsigned i = 0; i < h.count; i++)
			ops[i].status = unmap_one(hv, d, &ops[i]);
		d->gt.unmap_ops += h.count;
		break;
	}
	case GNTTABOP_setup_table: {
		struct gnttab_setup_table *s = (struct gnttab_setup_table *)out;

		s->status = setup_table(d, s);
		break;
	}
	case GNTTABOP_query_size: {
		struct gnttab_query_size *q = (struct gnttab_query_size *)out;

		q->status = query_size(d, q);
		break;
	}
	}
	return 0;
}

int hv_gnttab__entry(struct domain *d, grant_ref_t ref, struct grant_entry_v1 *out)
{
	if (ref >= nr_entries(&d->gt))
		return -ENOENT;
	memcpy(out, entry(d, ref), sizeof(*out));
	return 0;
}

void hv_gnttab__release(struct hv *hv, struct domain *d)
{
	struct gnttab *gt = &d->gt;

	if (gt->maps)
		for (unsigned h = 0; h < GNTTAB_MAX_MAPS; h++)
			if (gt->maps[h].in_use)
				unmap(hv, d, h);
	free(gt->maps);
	free(gt->gfn_map);
	free(gt->pins);
	if (gt->ro_fd >= 0)
		close(gt->ro_fd);
	hv_gnttab__init(gt);
}
