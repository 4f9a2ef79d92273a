/*
 * The migration stream: what a migrating guest's machine sends the machine that receives it
 * (the same machine, for `vfnet migrate DOM localhost`). Versioned, and checked where it enters:
 * a receiver keeps nothing of a stream that is not whole and right.
 *
 *   header       struct mig_header, then config_len bytes of the guest's runtime configuration
 *   records      struct mig_rec, then its body:
 *     PAGES      count (1..MIG_BATCH) guest page numbers (u64 each), then count pages
 *     END        struct mig_end: pages sent in all, and the checksum of the guest's RAM
 *   nothing after END
 *
 * The checksum (mig__checksum) folds a hash of every page of RAM in page order: the receiver
 * computes it over what it holds and compares. All fields are little-endian (host order on
 * x86-64 and arm64, the machines vfnet runs on).
 */
#ifndef VFNET_VMM_MIGRATE_STREAM_H
#define VFNET_VMM_MIGRATE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIG_MAGIC      0x4d47494d54454e56ull /* "VNETMIGM" */
#define MIG_VERSION    1
#define MIG_PAGE_SIZE  4096u
#define MIG_BATCH      64u
#define MIG_NAME_LEN   32
#define MIG_MAX_CONFIG 4000u
#define MIG_MAX_RAM    (4096ull << 20)

enum mig_rec_type {
	MIG_REC_PAGES = 1,
	MIG_REC_END = 2,
};

struct mig_header {
	uint64_t magic;
	uint32_t version;
	uint32_t page_size;
	uint64_t ram_bytes;
	char name[MIG_NAME_LEN]; /* NUL-terminated */
	uint32_t on_crash;	 /* enum domain_on_crash */
	uint32_t config_len;	 /* bytes that follow, no NUL among them */
};

struct mig_rec {
	uint32_t type;
	uint32_t count;
};

struct mig_end {
	uint64_t pages;
	uint64_t checksum;
};

_Static_assert(sizeof(struct mig_header) == 64 && sizeof(struct mig_rec) == 8 &&
		   sizeof(struct mig_end) == 16,
	       "stream layout");

/* What the receiver does with what it parsed; each returns 0 or -errno (with @err). */
struct mig_sink {
	void *opaque;
	int (*header)(void *opaque, const struct mig_header *h, const char *config, char *err);
	/* Where page @pfn goes (MIG_PAGE_SIZE bytes), or NULL with @err. */
	uint8_t *(*page)(void *opaque, uint64_t pfn, char *err);
	int (*end)(void *opaque, const struct mig_end *e, char *err);
};

struct mig_parser {
	const struct mig_sink *sink;
	enum { MP_HEADER, MP_CONFIG, MP_REC, MP_PFNS, MP_PAGE, MP_END, MP_DONE, MP_FAILED } state;
	struct mig_header h;
	uint64_t ram_pages;
	uint8_t buf[MIG_MAX_CONFIG + 1]; /* the part being gathered */
	size_t need, have;
	uint64_t pfn[MIG_BATCH];
	uint32_t count, index;
	uint8_t *dst; /* the page being written */
	uint64_t pages;
	uint64_t bytes;
};

void mig_parser__init(struct mig_parser *p, const struct mig_sink *sink);
/* Takes the next @len bytes of the stream. 0, or -errno with a one-line @err (160 bytes) that
 * names what was wrong and where; after an error every call fails. */
int mig_parser__feed(struct mig_parser *p, const void *data, size_t len, char *err);
bool mig_parser__done(const struct mig_parser *p);

/* The checksum of a guest's RAM (@bytes, a multiple of MIG_PAGE_SIZE). */
uint64_t mig__page_hash(const uint8_t *page);
uint64_t mig__fold(uint64_t acc, uint64_t page_hash);
uint64_t mig__checksum(const uint8_t *ram, uint64_t bytes);

#endif
