/*
 * Live migration of a guest to a new domain of this machine (`vfnet migrate DOM localhost`), as
 * xl does it: the guest logs its writes to RAM (src/os/migrate.c), the machine sends all of RAM,
 * then in each round the pages written meanwhile (PAGEMAP_SCAN of the guest process, which
 * re-arms the log at once), until few are left or max_rounds have gone; then the guest suspends
 * (its state outside RAM goes into its save area), the last pages and the shared page (the
 * hypervisor writes it, not the guest) follow with the end record, and the new domain resumes.
 *
 * Both ends run on the control loop, joined by a stream socket: the sender writes the stream
 * (migrate_stream.h), the receiver parses it into the new domain's RAM, checks the end record's
 * checksum against what it holds and answers one status word when the new domain runs (or
 * why not). Until that answer the guest is whole on the source; any failure (the guest cannot
 * suspend, a bad stream, the destination dies, a timeout) answers the guest's suspend with the
 * error, and it runs on where it was.
 */
#include "vmm/migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include "lib/log.h"
#include "vmm/control_priv.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/hypercall.h"
#include "vmm/loop.h"
#include "vmm/migrate_stream.h"
#include "vmm/passthrough.h"
#include "vmm/vif.h"

/* PAGEMAP_SCAN (Linux 6.7), for older uapi headers. */
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGE_IS_WRITTEN	      (1 << 1)
#define PM_SCAN_WP_MATCHING   (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#define PAGEMAP_SCAN	      _IOWR('f', 16, struct pm_scan_arg)
#endif

#define MIG_MAX_ROUNDS 64
#define MIG_STOP_PAGES 64 /* dirty pages few enough to stop and copy */
#define MIG_WAIT_NS    2000000000ull
#define MIG_RESUME_NS  5000000000ull
#define MIG_RX_CHUNK   (256u << 10)
#define MIG_INCOMING   "--incoming"

enum phase { WAIT_LOG, PRECOPY, WAIT_SUSPEND, FINAL, WAIT_RESUME, ENDING };

struct round {
	uint64_t pages, ms, dirty; /* sent; its time; written meanwhile (the next round's) */
};

struct migration {
	struct hv *hv;
	struct control *c;
	struct migrate_opts o;
	struct domain *src, *dst;
	char name[VFNET_NAME_LEN];
	enum domain_on_crash on_crash; /* the guest's, for the new domain once it runs */
	enum phase phase;
	int sfd, rfd;	 /* the stream: sender's end, receiver's end */
	int pagemap_fd;	 /* the guest process's, for PAGEMAP_SCAN */
	bool logging;	 /* the guest logs its writes: else every page is dirty every round */
	bool suspended;	 /* the guest waits for the answer to its suspend */
	bool paused;	 /* over the bandwidth: the sender waits for its timer */
	int timer;	 /* the phase's timeout */
	int pause_timer; /* the bandwidth's */
	uint64_t npages;
	uint64_t *dirty; /* this round's pages to send */
	uint64_t *hash;	 /* per page: the hash of what was last sent */
	uint64_t cursor; /* next page of the round to look at */
	unsigned nround;
	struct round rounds[MIG_MAX_ROUNDS + 1];
	uint64_t round_t0, round_pages;
	uint8_t *out;
	size_t out_len, out_off;
	uint64_t bytes, pages;
	uint64_t t0, t_suspend, t_resume;
	struct mig_parser parser;
	struct mig_sink sink;
	uint8_t *rx;
	bool ok;
	int end_timer;
	char err[ERR_MAX];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void set_bit(uint64_t *map, uint64_t n)
{
	map[n / 64] |= 1ull << (n % 64);
}

/* ---- ending: success, or the guest goes on where it was ---- */

static void finish(void *opaque, uint32_t events);

static void end(struct migration *m, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void end(struct migration *m, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (m->phase == ENDING)
		return;
	m->phase = ENDING;
	m->ok = ok;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(m->err, sizeof(m->err), fmt, ap);
		va_end(ap);
	}
	/* Not from inside a domain's hypercall: the domains may go. */
	m->end_timer = vloop__timer(m->hv->loop, 1, finish, m);
}

static void arm(struct migration *m, uint64_t ns, vloop_fn fn)
{
	if (m->timer > 0)
		vloop__cancel(m->hv->loop, m->timer);
	m->timer = ns ? vloop__timer(m->hv->loop, ns, fn, m) : 0;
}

static struct json_object *summary(struct migration *m)
{
	struct json_object *o = json_object_new_object(), *rs = json_object_new_array();
	uint64_t t = now_ns();

	json_object_object_add(o, "ok", json_object_new_boolean(m->ok));
	if (!m->ok)
		control__add_str(o, "error", m->err);
	control__add_str(o, "domain", m->name);
	if (m->ok && m->dst)
		control__add_u64(o, "domid", m->dst->id);
	for (unsigned i = 1; i <= m->nround && i <= MIG_MAX_ROUNDS; i++) {
		struct json_object *r = json_object_new_object();
		const struct round *x = &m->rounds[i];

		control__add_u64(r, "round", i);
		control__add_u64(r, "pages", x->pages);
		control__add_u64(r, "ms", x->ms);
		control__add_u64(r, "dirty", x->dirty);
		control__add_u64(r, "dirty_rate",
				 x->ms ? x->dirty * 1000 / x->ms : x->dirty * 1000);
		json_object_array_add(rs, r);
	}
	json_object_object_add(o, "rounds", rs);
	control__add_u64(o, "total_ms", (t - m->t0) / 1000000);
	if (m->ok)
		control__add_u64(o, "downtime_us", (m->t_resume - m->t_suspend) / 1000);
	control__add_u64(o, "bytes", m->bytes);
	control__add_u64(o, "pages", m->pages);
	control__add_u64(o, "ram_bytes", m->npages * MIG_PAGE_SIZE);
	json_object_object_add(o, "dirty_logged", json_object_new_boolean(m->logging));
	json_object_object_add(
	    o, "converged",
	    json_object_new_boolean(m->nround && m->nround <= m->o.max_rounds &&
				    m->rounds[m->nround].dirty <= MIG_STOP_PAGES));
	return o;
}

static void finish(void *opaque, uint32_t events)
{
	struct migration *m = opaque;
	struct hv *hv = m->hv;
	struct json_object *o;

	if (m->timer > 0)
		vloop__cancel(hv->loop, m->timer);
	if (m->pause_timer > 0)
		vloop__cancel(hv->loop, m->pause_timer);
	vloop__del(hv->loop, m->sfd);
	vloop__del(hv->loop, m->rfd);
	close(m->sfd);
	close(m->rfd);
	if (m->pagemap_fd >= 0)
		close(m->pagemap_fd);
	if (m->ok) {
		struct domain *src = m->src;

		/* The guest runs in the new domain: the old one goes, and the new one takes
		 * its name. */
		src->mig = NULL;
		domain__destroy(src);
		m->src = NULL;
		snprintf(m->dst->name, sizeof(m->dst->name), "%s", m->name);
		m->dst->incoming = false;
		m->dst->on_crash = m->on_crash;
		m->dst->mig = NULL;
		pr_info("vmm", "domain %s migrated: now domain %u", m->name, m->dst->id);
	} else {
		pr_warn("vmm", "domain %s: migration failed: %s", m->name, m->err);
		if (m->dst) {
			m->dst->mig = NULL;
			domain__destroy(m->dst);
			m->dst = NULL;
		}
		if (m->src) {
			struct hc_reply rep;

			m->src->mig = NULL;
			if (m->suspended) {
				memset(&rep.hdr, 0, sizeof(rep.hdr));
				rep.hdr.status = -ECANCELED;
				domain__answer(m->src, &rep);
			}
			domain__event(m->src, VFNET_EV_MIGRATE_END, 0);
		}
	}
	o = summary(m);
	if (m->o.token)
		control__complete_json(m->c, m->o.token, o);
	json_object_put(o);
	free(m->dirty);
	free(m->hash);
	free(m->out);
	free(m->rx);
	free(m);
}

static void timeout(void *opaque, uint32_t events)
{
	struct migration *m = opaque;

	m->timer = 0;
	end(m, false, "%s did not answer in time",
	    m->phase == WAIT_RESUME ? "the destination" : "the guest");
}

/* ---- the sender ---- */

static void pump(struct migration *m);

/* The pages the guest wrote since the last scan, into m->dirty (which it clears first). */
static int scan(struct migration *m)
{
	struct page_region regs[256];
	struct pm_scan_arg a = {
	    .size = sizeof(a),
	    .flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
	    .start = VFNET_RAM_VA,
	    .end = VFNET_RAM_VA + m->npages * MIG_PAGE_SIZE,
	    .vec = (uintptr_t)regs,
	    .vec_len = 256,
	    .category_mask = PAGE_IS_WRITTEN,
	    .return_mask = PAGE_IS_WRITTEN,
	};

	memset(m->dirty, 0, (m->npages + 63) / 64 * 8);
	if (!m->logging)
		goto all;
	while (a.start < a.end) {
		long n = ioctl(m->pagemap_fd, PAGEMAP_SCAN, &a);

		if (n < 0) {
			pr_warn("vmm", "domain %s: its write log is gone (%s): all pages are dirty",
				m->name, strerror(errno));
			m->logging = false;
			goto all;
		}
		for (long i = 0; i < n; i++)
			for (uint64_t va = regs[i].start; va < regs[i].end; va += MIG_PAGE_SIZE)
				set_bit(m->dirty, (va - VFNET_RAM_VA) / MIG_PAGE_SIZE);
		if (n < 256 || a.walk_end >= a.end)
			break;
		a.start = a.walk_end;
	}
	return 0;
all:
	memset(m->dirty, 0xff, (m->npages + 63) / 64 * 8);
	return 0;
}

static uint64_t count_dirty(const struct migration *m)
{
	uint64_t n = 0;

	for (uint64_t w = 0; w < (m->npages + 63) / 64; w++)
		n += (uint64_t)__builtin_popcountll(m->dirty[w]);
	return n;
}

static void start_round(struct migration *m)
{
	m->nround++;
	m->cursor = 0;
	m->round_pages = 0;
	m->round_t0 = now_ns();
}

static void round_done(struct migration *m)
{
	struct round *r = &m->rounds[m->nround <= MIG_MAX_ROUNDS ? m->nround : MIG_MAX_ROUNDS];
	uint64_t left;

	r->pages = m->round_pages;
	r->ms = (now_ns() - m->round_t0) / 1000000;
	if (m->phase == FINAL) {
		struct mig_rec rec = {.type = MIG_REC_END};
		struct mig_end e = {.pages = m->pages};

		/* The checksum of what the receiver should now hold: every page as last sent. */
		for (uint64_t p = 0; p < m->npages; p++)
			e.checksum = mig__fold(e.checksum, m->hash[p]);
		memcpy(m->out, &rec, sizeof(rec));
		memcpy(m->out + sizeof(rec), &e, sizeof(e));
		m->out_len = sizeof(rec) + sizeof(e);
		m->out_off = 0;
		m->phase = WAIT_RESUME;
		arm(m, MIG_RESUME_NS, timeout);
		return;
	}
	scan(m);
	left = r->dirty = count_dirty(m);
	pr_info("vmm",
		"domain %s: migration round %u: %llu pages in %llu ms, %llu written meanwhile",
		m->name, m->nround, (unsigned long long)r->pages, (unsigned long long)r->ms,
		(unsigned long long)left);
	if (left > MIG_STOP_PAGES && m->nround < m->o.max_rounds) {
		start_round(m);
		return;
	}
	/* Stop and copy: the guest suspends at the top of its loop and says so. */
	m->phase = WAIT_SUSPEND;
	domain__event(m->src, VFNET_EV_MIGRATE_SUSPEND, 0);
	arm(m, MIG_WAIT_NS, timeout);
}

/* The next record of the round into m->out; false when the round has no more pages. */
static bool next_record(struct migration *m)
{
	struct mig_rec rec = {.type = MIG_REC_PAGES};
	uint64_t pfn[MIG_BATCH];
	uint8_t *data;

	while (m->cursor < m->npages && rec.count < MIG_BATCH) {
		uint64_t p = m->cursor++;

		if (m->dirty[p / 64] & (1ull << (p % 64)))
			pfn[rec.count++] = p;
	}
	if (!rec.count)
		return false;
	memcpy(m->out, &rec, sizeof(rec));
	memcpy(m->out + sizeof(rec), pfn, rec.count * sizeof(uint64_t));
	data = m->out + sizeof(rec) + rec.count * sizeof(uint64_t);
	for (unsigned i = 0; i < rec.count; i++) {
		uint8_t *page = data + (size_t)i * MIG_PAGE_SIZE;

		memcpy(page, m->src->ram->host + pfn[i] * MIG_PAGE_SIZE, MIG_PAGE_SIZE);
		m->hash[pfn[i]] = mig__page_hash(page); /* of the copy: later writes differ */
	}
	m->out_len = sizeof(rec) + rec.count * (sizeof(uint64_t) + MIG_PAGE_SIZE);
	m->out_off = 0;
	m->pages += rec.count;
	m->round_pages += rec.count;
	return true;
}

static void unpause(void *opaque, uint32_t events)
{
	struct migration *m = opaque;

	m->paused = false;
	m->pause_timer = 0;
	pump(m);
}

static void pump(struct migration *m)
{
	while (m->phase != ENDING && !m->paused) {
		if (m->out_off == m->out_len) {
			if (m->phase != PRECOPY && m->phase != FINAL)
				break;
			if (!next_record(m)) {
				round_done(m);
				continue;
			}
		}
		ssize_t n = send(m->sfd, m->out + m->out_off, m->out_len - m->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			vloop__mod(m->hv->loop, m->sfd, EPOLLIN | EPOLLOUT);
			return;
		}
		if (n <= 0) {
			end(m, false, "the stream broke: %s", n < 0 ? strerror(errno) : "closed");
			return;
		}
		m->out_off += (size_t)n;
		m->bytes += (uint64_t)n;
		if (m->o.bandwidth) {
			uint64_t due = m->bytes * 1000000000ull / m->o.bandwidth;
			uint64_t spent = now_ns() - m->t0;

			if (due > spent + 1000000) {
				m->paused = true;
				m->pause_timer = vloop__timer(m->hv->loop, due - spent, unpause, m);
			}
		}
	}
	vloop__mod(m->hv->loop, m->sfd, EPOLLIN);
}

static void sender_io(void *opaque, uint32_t events)
{
	struct migration *m = opaque;
	int32_t status;

	if (events & EPOLLIN) {
		ssize_t n = recv(m->sfd, &status, sizeof(status), MSG_DONTWAIT);

		if (n == (ssize_t)sizeof(status)) {
			char why[ERR_MAX];

			snprintf(why, sizeof(why), "%s", m->err[0] ? m->err : strerror(-status));
			if (status)
				end(m, false, "the destination refused the guest: %s", why);
			else
				end(m, true, NULL);
			return;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			end(m, false, "the destination went away");
			return;
		}
	}
	if (events & EPOLLOUT)
		pump(m);
}

/* ---- the receiver ---- */

static void refuse(struct migration *m, int rc)
{
	int32_t status = rc;

	/* Nothing of the stream is kept: the new domain goes with the migration. */
	if (send(m->rfd, &status, sizeof(status), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		end(m, false, "%s", m->err);
}

static int rx_header(void *opaque, const struct mig_header *h, const char *config, char *err)
{
	struct migration *m = opaque;
	char name[VFNET_NAME_LEN];
	struct domain_config cfg = {.role = VFNET_ROLE_GUEST,
				    .mem_mib = (unsigned)(h->ram_bytes >> 20),
				    .config = config,
				    /* Not restarted while it is only a destination. */
				    .on_crash = DOMAIN_CRASH_DESTROY};
	int rc;

	/* While both exist the new domain is NAME--incoming, as with xl. */
	snprintf(name, sizeof(name), "%.*s%s", (int)(sizeof(name) - sizeof(MIG_INCOMING)), h->name,
		 MIG_INCOMING);
	cfg.name = name;
	if ((rc = domain__create(m->hv, &cfg, &m->dst))) {
		snprintf(err, ERR_MAX, "cannot make the new domain: %s", strerror(-rc));
		return rc;
	}
	m->dst->incoming = true;
	m->dst->mig = m;
	m->on_crash = (enum domain_on_crash)h->on_crash;
	if ((rc = domain__spawn(m->dst))) {
		snprintf(err, ERR_MAX, "cannot start the new domain: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

static uint8_t *rx_page(void *opaque, uint64_t pfn, char *err)
{
	struct migration *m = opaque;

	if (!m->dst) {
		snprintf(err, ERR_MAX, "the new domain is gone");
		return NULL;
	}
	return m->dst->ram->host + pfn * MIG_PAGE_SIZE;
}

static int rx_end(void *opaque, const struct mig_end *e, char *err)
{
	struct migration *m = opaque;
	struct domain *d = m->dst;
	struct hc_reply rep;

	if (!d) {
		snprintf(err, ERR_MAX, "the new domain is gone");
		return -ENODEV;
	}
	if (mig__checksum(d->ram->host, d->ram_bytes) != e->checksum) {
		snprintf(err, ERR_MAX, "the guest's RAM did not arrive whole (checksum mismatch)");
		return -EBADMSG;
	}
	/* The hypervisor's part of the shared page is this domain's. */
	domain__init_shared(d);
	d->resume_ready = true;
	if (d->hc_deferred) {
		rep.defer = false;
		hypercall__boot_reply(d, &rep);
		domain__answer(d, &rep);
	}
	return 0;
}

static void receiver_io(void *opaque, uint32_t events)
{
	struct migration *m = opaque;
	ssize_t n = recv(m->rfd, m->rx, MIG_RX_CHUNK, MSG_DONTWAIT);
	int rc;

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		end(m, false, "the stream ended before its end record");
		return;
	}
	if ((rc = mig_parser__feed(&m->parser, m->rx, (size_t)n, m->err))) {
		vloop__mod(m->hv->loop, m->rfd, 0);
		refuse(m, rc);
	}
}

/* ---- the guest's answers ---- */

int migrate__guest(struct domain *d, uint32_t cmd, int32_t status, uint64_t bytes,
		   struct hc_reply *rep)
{
	struct migration *m = d->mig;

	if (d == m->dst) {
		if (cmd != VFNET_MIG_RESUMED || m->phase != WAIT_RESUME || !d->resume_ready)
			return -EINVAL;
		if (status) {
			snprintf(m->err, sizeof(m->err), "the new domain could not resume: %s",
				 strerror(-status));
			refuse(m, status);
			return 0;
		}
		m->t_resume = now_ns();
		refuse(m, 0); /* the status word: it runs */
		return 0;
	}
	switch (cmd) {
	case VFNET_MIG_DIRTY_LOG:
		if (m->phase != WAIT_LOG)
			return -EINVAL;
		m->logging = status == 0 && m->pagemap_fd >= 0;
		arm(m, 0, NULL);
		m->phase = PRECOPY;
		memset(m->dirty, 0xff, (m->npages + 63) / 64 * 8);
		start_round(m);
		pump(m);
		return 0;
	case VFNET_MIG_SUSPENDED:
		if (m->phase != WAIT_SUSPEND)
			return -EINVAL;
		if (status) {
			end(m, false, "the guest cannot suspend: %s", strerror(-status));
			return 0;
		}
		/* The guest stays in this hypercall until the migration is over. */
		rep->defer = true;
		m->suspended = true;
		m->t_suspend = now_ns();
		arm(m, 0, NULL);
		scan(m);
		set_bit(m->dirty, 0); /* the shared page: the hypervisor writes it too */
		m->phase = FINAL;
		start_round(m);
		pump(m);
		return 0;
	}
	return -EINVAL;
}

void migrate__domain_gone(struct domain *d)
{
	struct migration *m = d->mig;

	d->mig = NULL;
	if (d == m->src) {
		m->src = NULL;
		end(m, false, "the guest went away");
	} else if (d == m->dst) {
		m->dst = NULL;
		end(m, false, "the destination domain died");
	}
}

/* ---- starting ---- */

static int header(struct migration *m, const struct domain *d)
{
	struct mig_header h = {.magic = MIG_MAGIC,
			       .version = MIG_VERSION,
			       .page_size = MIG_PAGE_SIZE,
			       .ram_bytes = d->ram_bytes,
			       .on_crash = (uint32_t)d->on_crash,
			       .config_len = (uint32_t)d->config_len};

	if (d->config_len > MIG_MAX_CONFIG)
		return -E2BIG;
	snprintf(h.name, sizeof(h.name), "%s", d->name);
	memcpy(m->out, &h, sizeof(h));
	memcpy(m->out + sizeof(h), d->config, d->config_len);
	m->out_len = sizeof(h) + d->config_len;
	m->out_off = 0;
	return 0;
}

int migrate__start(struct control *c, struct domain *d, const struct migrate_opts *o, char *err)
{
	struct hv *hv = d->hv;
	struct migration *m;
	char path[64];
	int sv[2], rc;

	if (d->role != VFNET_ROLE_GUEST)
		return control__fail(err, "domain %s: only a guest migrates", d->name);
	if (d->mig || d->incoming)
		return control__fail(err, "domain %s is migrating already", d->name);
	if (!d->booted || d->pid <= 0 || d->crashed)
		return control__fail(err, "domain %s is not running", d->name);
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++)
		if (hv->funcs[i].present && hv->funcs[i].owner == (int)d->id)
			return control__fail(err,
					     "domain %s has a PCI function: its state does "
					     "not migrate yet (pci-detach it first)",
					     d->name);
	{
		unsigned ids[VIF_MAX];

		if (vif__list(hv, d, ids))
			return control__fail(err,
					     "domain %s has a vif: paravirtual devices do not "
					     "migrate yet",
					     d->name);
	}
	if (!(m = calloc(1, sizeof(*m))))
		return -ENOMEM;
	m->hv = hv;
	m->c = c;
	m->o = *o;
	if (!m->o.max_rounds || m->o.max_rounds > MIG_MAX_ROUNDS)
		m->o.max_rounds = m->o.max_rounds ? MIG_MAX_ROUNDS : 5;
	m->src = d;
	m->timer = m->end_timer = 0;
	snprintf(m->name, sizeof(m->name), "%s", d->name);
	m->npages = d->ram_bytes / MIG_PAGE_SIZE;
	m->dirty = calloc((m->npages + 63) / 64, 8);
	m->hash = calloc(m->npages, 8);
	m->out = malloc(sizeof(struct mig_rec) + MIG_BATCH * (8 + MIG_PAGE_SIZE) +
			sizeof(struct mig_header) + MIG_MAX_CONFIG);
	m->rx = malloc(MIG_RX_CHUNK);
	if (!m->dirty || !m->hash || !m->out || !m->rx) {
		rc = -ENOMEM;
		goto err;
	}
	if ((rc = header(m, d)))
		goto err;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)d->pid);
	m->pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv)) {
		rc = -errno;
		goto err_pm;
	}
	m->sfd = sv[0];
	m->rfd = sv[1];
	m->sink =
	    (struct mig_sink){.opaque = m, .header = rx_header, .page = rx_page, .end = rx_end};
	mig_parser__init(&m->parser, &m->sink);
	if ((rc = vloop__add(hv->loop, m->sfd, EPOLLIN, sender_io, m)))
		goto err_sock;
	if ((rc = vloop__add(hv->loop, m->rfd, EPOLLIN, receiver_io, m))) {
		vloop__del(hv->loop, m->sfd);
		goto err_sock;
	}
	m->t0 = now_ns();
	m->phase = WAIT_LOG;
	d->mig = m;
	domain__event(d, VFNET_EV_MIGRATE_START, 0);
	arm(m, MIG_WAIT_NS, timeout);
	pr_info("vmm", "domain %s: migration to localhost started", d->name);
	return 0;
err_sock:
	close(sv[0]);
	close(sv[1]);
err_pm:
	if (m->pagemap_fd >= 0)
		close(m->pagemap_fd);
err:
	free(m->dirty);
	free(m->hash);
	free(m->out);
	free(m->rx);
	free(m);
	return rc;
}
