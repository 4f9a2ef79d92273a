/* The migration stream's parser and checksum (the format is in migrate_stream.h). */
#include "vmm/migrate_stream.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ERR_LEN 160

static int fail(struct mig_parser *p, char *err, int rc, const char *what)
{
	snprintf(err, ERR_LEN, "bad migration stream at byte %llu: %s",
		 (unsigned long long)p->bytes, what);
	p->state = MP_FAILED;
	return rc;
}

void mig_parser__init(struct mig_parser *p, const struct mig_sink *sink)
{
	memset(p, 0, sizeof(*p));
	p->sink = sink;
	p->state = MP_HEADER;
	p->need = sizeof(struct mig_header);
}

bool mig_parser__done(const struct mig_parser *p)
{
	return p->state == MP_DONE;
}

static int header_done(struct mig_parser *p, char *err)
{
	struct mig_header *h = &p->h;

	memcpy(h, p->buf, sizeof(*h));
	if (h->magic != MIG_MAGIC)
		return fail(p, err, -EPROTO, "not a vfnet migration stream");
	if (h->version != MIG_VERSION)
		return fail(p, err, -EPROTONOSUPPORT, "a version this machine does not read");
	if (h->page_size != MIG_PAGE_SIZE)
		return fail(p, err, -EPROTO, "page size is not 4096");
	if (!h->ram_bytes || h->ram_bytes % (1u << 20) || h->ram_bytes > MIG_MAX_RAM)
		return fail(p, err, -EPROTO, "RAM size is not 1..4096 MiB");
	if (!memchr(h->name, '\0', sizeof(h->name)) || !h->name[0])
		return fail(p, err, -EPROTO, "domain name is not terminated");
	if (h->on_crash > 2)
		return fail(p, err, -EPROTO, "unknown on_crash");
	if (h->config_len > MIG_MAX_CONFIG)
		return fail(p, err, -EPROTO, "configuration too long");
	p->ram_pages = h->ram_bytes / MIG_PAGE_SIZE;
	p->state = MP_CONFIG;
	p->need = h->config_len;
	return 0;
}

static int config_done(struct mig_parser *p, char *err)
{
	int rc;

	if (memchr(p->buf, '\0', p->h.config_len))
		return fail(p, err, -EPROTO, "NUL in the configuration");
	p->buf[p->h.config_len] = '\0';
	if ((rc = p->sink->header(p->sink->opaque, &p->h, (const char *)p->buf, err))) {
		p->state = MP_FAILED;
		return rc;
	}
	p->state = MP_REC;
	p->need = sizeof(struct mig_rec);
	return 0;
}

static int rec_done(struct mig_parser *p, char *err)
{
	struct mig_rec r;

	memcpy(&r, p->buf, sizeof(r));
	if (r.type == MIG_REC_PAGES) {
		if (!r.count || r.count > MIG_BATCH)
			return fail(p, err, -EPROTO, "page record of 0 or more than 64 pages");
		p->count = r.count;
		p->state = MP_PFNS;
		p->need = r.count * sizeof(uint64_t);
		return 0;
	}
	if (r.type == MIG_REC_END) {
		if (r.count)
			return fail(p, err, -EPROTO, "end record with a count");
		p->state = MP_END;
		p->need = sizeof(struct mig_end);
		return 0;
	}
	return fail(p, err, -EPROTO, "unknown record type");
}

static int pfns_done(struct mig_parser *p, char *err)
{
	memcpy(p->pfn, p->buf, p->count * sizeof(uint64_t));
	for (unsigned i = 0; i < p->count; i++)
		if (p->pfn[i] >= p->ram_pages)
			return fail(p, err, -EPROTO, "page number beyond RAM");
	p->index = 0;
	p->state = MP_PAGE;
	p->need = MIG_PAGE_SIZE;
	p->dst = NULL;
	return 0;
}

static int end_done(struct mig_parser *p, char *err)
{
	struct mig_end e;
	int rc;

	memcpy(&e, p->buf, sizeof(e));
	if (e.pages != p->pages)
		return fail(p, err, -EPROTO, "end record counts other pages than were sent");
	if ((rc = p->sink->end(p->sink->opaque, &e, err))) {
		p->state = MP_FAILED;
		return rc;
	}
	p->state = MP_DONE;
	return 0;
}

int mig_parser__feed(struct mig_parser *p, const void *data, size_t len, char *err)
{
	const uint8_t *in = data;
	int rc = 0;

	while (len) {
		size_t n;

		if (p->state == MP_FAILED) {
			snprintf(err, ERR_LEN, "bad migration stream: already refused");
			return -EPROTO;
		}
		if (p->state == MP_DONE)
			return fail(p, err, -EPROTO, "bytes after the end record");
		if (p->state == MP_PAGE && !p->dst) {
			if (!(p->dst = p->sink->page(p->sink->opaque, p->pfn[p->index], err))) {
				p->state = MP_FAILED;
				return -EIO;
			}
		}
		n = p->need - p->have;
		if (n > len)
			n = len;
		if (p->state == MP_PAGE)
			memcpy(p->dst + p->have, in, n);
		else
			memcpy(p->buf + p->have, in, n);
		p->have += n;
		p->bytes += n;
		in += n;
		len -= n;
		if (p->have < p->need)
			break;
		p->have = 0;
		switch (p->state) {
		case MP_HEADER:
			rc = header_done(p, err);
			break;
		case MP_CONFIG:
			rc = config_done(p, err);
			break;
		case MP_REC:
			rc = rec_done(p, err);
			break;
		case MP_PFNS:
			rc = pfns_done(p, err);
			break;
		case MP_PAGE:
			p->pages++;
			p->dst = NULL;
			if (++p->index == p->count) {
				p->state = MP_REC;
				p->need = sizeof(struct mig_rec);
			}
			break;
		case MP_END:
			rc = end_done(p, err);
			break;
		default:
			break;
		}
		if (rc)
			return rc;
		/* A header with no configuration: nothing more to gather for it. */
		if (p->state == MP_CONFIG && !p->need && (rc = config_done(p, err)))
			return rc;
	}
	return 0;
}

uint64_t mig__page_hash(const uint8_t *page)
{
	uint64_t h = 0x9e3779b97f4a7c15ull, w;

	for (unsigned i = 0; i < MIG_PAGE_SIZE; i += 8) {
		memcpy(&w, page + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h;
}

uint64_t mig__fold(uint64_t acc, uint64_t page_hash)
{
	acc ^= page_hash + 0x9e3779b97f4a7c15ull + (acc << 6) + (acc >> 2);
	return acc * 0xff51afd7ed558ccdull;
}

uint64_t mig__checksum(const uint8_t *ram, uint64_t bytes)
{
	uint64_t acc = 0;

	for (uint64_t off = 0; off < bytes; off += MIG_PAGE_SIZE)
		acc = mig__fold(acc, mig__page_hash(ram + off));
	return acc;
}
