/*
 * Fuzz target: a hostile producer on a request ring. Between the consumer's process() calls the
 * input scribbles anywhere in the shared region (header and slots), appends requests of any
 * contents, moves the producer index anywhere, toggles polling and rings the doorbell with any
 * count. The consumer must never hand the handler an invalid request, never touch memory outside
 * the region (it is a heap block of exactly the ring's size, so ASan sees any overflow), never
 * apply anything once the ring is broken, and always keep its counters consistent.
 *
 * Input: {log2 entries, bar size lo, bar size hi}, then records of an op byte and its arguments:
 *   0 poke    {off lo, off hi, len, data[len % 16 + 1]}  bytes anywhere in the region
 *   1 append  {op, width, rsvd, offset[4], value[8]}     a request at the producer index
 *   2 prod    {delta}                                    prod = consumer index + (int8_t)delta
 *   3 process {budget, reject}                           the consumer runs
 *   4 polling {on}                                       set_polling, then has_work
 *   5 kick    {count[8]}                                 the doorbell, then its ack
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/reqring.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

struct fuzz {
	struct reqring_cons c;
	struct reqring_hdr *h;
	size_t size;
	uint64_t bar_size;
	uint8_t reject; /* the handler refuses accesses whose offset has these low bits set */
	uint64_t calls;
};

static int handler(void *ctx, uint32_t offset, unsigned int width, bool is_write, uint64_t *value)
{
	struct fuzz *z = ctx;

	CHECK(!z->c.broken);
	CHECK(width == 1 || width == 2 || width == 4 || width == 8);
	CHECK(offset % width == 0);
	CHECK((uint64_t)offset + width <= z->bar_size);
	if (is_write)
		CHECK(width == 8 || !(*value >> (width * 8)));
	else
		CHECK(*value == 0);
	z->calls++;
	if (offset & z->reject & 0x7f)
		return -1;
	if (!is_write)
		*value = 0xa5a5a5a5a5a5a5a5ull ^ offset; /* wider than most reads: must be masked */
	return 0;
}

static uint64_t take(const uint8_t **p, size_t *n, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = 0; i < bytes && *n; i++, (*p)++, (*n)--)
		v |= (uint64_t) * *p << (8 * i);
	return v;
}

static void check_stats(const struct fuzz *z)
{
	const struct reqring_stats *s = &z->c.stats;

	CHECK(s->requests == s->writes + s->reads + s->malformed);
	CHECK(s->rejected <= s->writes + s->reads);
	CHECK(z->calls == s->writes + s->reads);
	CHECK(s->corrupt <= 1);
	CHECK(s->corrupt == 0 || z->c.broken);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct fuzz z;
	void *region;
	uint32_t entries;
	size_t n = size;
	const uint8_t *p = data;

	if (!quiet) {
		log__set_level(LOG_ERR); /* a broken ring warns once per input */
		quiet = true;
	}
	if (n < 3)
		return 0;
	memset(&z, 0, sizeof(z));
	entries = 1u << (take(&p, &n, 1) % 6 + 1);
	z.bar_size = take(&p, &n, 2) + 1;
	z.size = reqring__region_size(entries);
	if (posix_memalign(&region, REQRING_CACHELINE, z.size))
		return 0;
	if (reqring__init(&z.c, region, z.size, entries, z.bar_size)) {
		free(region);
		return 0;
	}
	z.h = region;

	while (n) {
		uint8_t op = (uint8_t)take(&p, &n, 1);

		switch (op % 6) {
		case 0: {
			size_t off = take(&p, &n, 2) % z.size;
			size_t len = take(&p, &n, 1) % 16 + 1;

			for (size_t i = 0; i < len && off + i < z.size; i++)
				((uint8_t *)region)[off + i] = (uint8_t)take(&p, &n, 1);
			break;
		}
		case 1: {
			struct reqring_slot *s;
			uint32_t prod = z.h->prod;
			uint8_t rsvd;

			s = (struct reqring_slot *)(z.h + 1) + (prod & (entries - 1));
			s->op = (uint8_t)take(&p, &n, 1);
			s->width = (uint8_t)take(&p, &n, 1);
			rsvd = (uint8_t)take(&p, &n, 1);
			s->rsvd =
			    rsvd < 0xf0 ? 0 : rsvd; /* mostly zero, as a driver would leave it */
			s->offset = (uint32_t)take(&p, &n, 4);
			s->value = take(&p, &n, 8);
			z.h->prod = prod + 1;
			break;
		}
		case 2:
			z.h->prod = z.c.cons + (uint32_t)(int32_t)(int8_t)take(&p, &n, 1);
			break;
		case 3: {
			unsigned int budget = (unsigned int)take(&p, &n, 1);
			bool was_broken = z.c.broken;
			uint64_t calls = z.calls;
			uint32_t before = z.c.cons;
			int r;

			z.reject = (uint8_t)take(&p, &n, 1);
			r = reqring__process(&z.c, budget, handler, &z);
			if (was_broken)
				CHECK(r == -EIO && z.calls == calls);
			if (r >= 0) {
				CHECK((unsigned int)r <= budget && (uint32_t)r <= entries);
				CHECK(z.c.cons == before + (uint32_t)r);
				CHECK(r == 0 || z.h->cons == z.c.cons);
			} else {
				CHECK(r == -EIO && z.c.broken && z.c.cons == before);
			}
			check_stats(&z);
			break;
		}
		case 4:
			reqring__set_polling(&z.c, take(&p, &n, 1) & 1);
			if (reqring__has_work(&z.c))
				CHECK(!z.c.broken);
			break;
		default: {
			uint64_t count = take(&p, &n, 8);

			if (count && count != ~0ull)
				CHECK(write(reqring__doorbell_fd(&z.c), &count, sizeof(count)) ==
				      sizeof(count));
			reqring__doorbell_ack(&z.c);
			break;
		}
		}
	}
	/* Whatever happened, a final pass stays within its budget and leaves consistent counters.
	 */
	if (reqring__process(&z.c, entries, handler, &z) >= 0)
		CHECK(!z.c.broken);
	check_stats(&z);
	reqring__destroy(&z.c);
	free(region);
	return 0;
}
