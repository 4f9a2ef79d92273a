/*
 * Request ring: posted writes in order, reads that observe earlier writes, a full ring, malformed
 * and corrupt producers, kick suppression, and real producer/consumer pairs on two threads and
 * across fork() over a memfd.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/compiler.h"
#include "lib/memfd.h"
#include "lib/reqring.h"

#define BAR_SIZE   4096u
#define REG_SEQ	   0x10u /* writes of 8 bytes must arrive as 1, 2, 3, ... */
#define REG_DATA   0x20u
#define REG_REJECT 0x40u /* the handler refuses any access here */
#define REG_STOP   0x80u /* a write here stops the engine */
#define LOG_MAX	   256

/* ---- A device behind the ring: a BAR of plain registers, checking what it is handed ---------- */

struct dev {
	uint8_t bar[BAR_SIZE];
	uint64_t calls;
	uint64_t bad_calls; /* handler called with a request the ring should have dropped */
	uint64_t seq;	    /* last value written to REG_SEQ */
	uint64_t seq_errors;
	bool stop;
	unsigned int nlog;
	struct {
		uint32_t offset;
		unsigned int width;
		bool is_write;
		uint64_t value;
	} log[LOG_MAX];
};

static int dev_access(void *ctx, uint32_t offset, unsigned int width, bool is_write,
		      uint64_t *value)
{
	struct dev *d = ctx;

	d->calls++;
	if ((width != 1 && width != 2 && width != 4 && width != 8) || offset % width ||
	    offset + width > BAR_SIZE || (width < 8 && is_write && *value >> (width * 8)) ||
	    (!is_write && *value)) {
		d->bad_calls++;
		return -EINVAL;
	}
	if (d->nlog < LOG_MAX) {
		d->log[d->nlog].offset = offset;
		d->log[d->nlog].width = width;
		d->log[d->nlog].is_write = is_write;
		d->log[d->nlog].value = *value;
		d->nlog++;
	}
	if (offset == REG_REJECT)
		return -EPERM;
	if (!is_write) {
		memcpy(value, d->bar + offset, width); /* the host is little-endian, as the BAR */
		return 0;
	}
	memcpy(d->bar + offset, value, width);
	if (offset == REG_SEQ && width == 8) {
		if (*value != d->seq + 1)
			d->seq_errors++;
		d->seq = *value;
	}
	if (offset == REG_STOP)
		__atomic_store_n(&d->stop, true, __ATOMIC_RELEASE);
	return 0;
}

/* ---- Fixture: a ring in heap memory of exactly the ring's size, so ASan sees any overflow ---- */

struct fix {
	void *region;
	size_t size;
	struct reqring_cons c;
	struct reqring_prod p;
	struct dev dev;
};

static struct fix *fix_new(uint32_t entries)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->size = reqring__region_size(entries);
	assert_int_equal(posix_memalign(&f->region, REQRING_CACHELINE, f->size), 0);
	assert_int_equal(reqring__init(&f->c, f->region, f->size, entries, BAR_SIZE), 0);
	assert_int_equal(reqring__attach(&f->p, f->region, f->size, reqring__doorbell_fd(&f->c)),
			 0);
	return f;
}

static void fix_free(struct fix *f)
{
	reqring__destroy(&f->c);
	free(f->region);
	free(f);
}

static int process_all(struct fix *f)
{
	int n, total = 0;

	while ((n = reqring__process(&f->c, 64, dev_access, &f->dev)) > 0)
		total += n;
	return n < 0 ? n : total;
}

/* Appends a raw request, as a producer that ignores the API would. */
static void raw_append(struct fix *f, uint8_t op, uint32_t offset, uint8_t width, uint16_t rsvd,
		       uint64_t value)
{
	struct reqring_hdr *h = f->region;
	struct reqring_slot *s = (struct reqring_slot *)(h + 1) + (h->prod & (h->entries - 1));

	s->value = value;
	s->offset = offset;
	s->op = op;
	s->width = width;
	s->rsvd = rsvd;
	__atomic_store_n(&h->prod, h->prod + 1, __ATOMIC_RELEASE);
	f->p.prod = h->prod; /* keep the API's producer in step */
}

static struct reqring_slot *slot_at(struct fix *f, uint32_t idx)
{
	struct reqring_hdr *h = f->region;

	return (struct reqring_slot *)(h + 1) + (idx & (h->entries - 1));
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Waits (up to 10 s) until another thread flags itself as sleeping on the ring's futex. */
static bool wait_for_sleeper(struct fix *f)
{
	struct reqring_hdr *h = f->region;
	uint64_t end = mono_ns() + 10000000000ull;

	while (mono_ns() < end) {
		if (__atomic_load_n(&h->waiting, __ATOMIC_ACQUIRE))
			return true;
		usleep(100);
	}
	return false;
}

/* ---- An engine thread: busy-polls for a while, then sleeps on the doorbell with epoll -------- */

struct engine {
	struct reqring_cons *c;
	struct dev *dev;
	unsigned int poll_rounds; /* empty process() rounds before going to sleep */
	uint64_t sleeps;
	uint64_t lost_wakeups; /* a sleep that timed out with work in the ring */
	int err;
};

static void engine_run(struct engine *e)
{
	struct epoll_event ev = {.events = EPOLLIN};
	unsigned int idle;
	int ep, n;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, reqring__doorbell_fd(e->c), &ev) < 0) {
		e->err = -errno;
		return;
	}
	while (!__atomic_load_n(&e->dev->stop, __ATOMIC_ACQUIRE)) {
		reqring__set_polling(e->c, true);
		for (idle = 0; idle < e->poll_rounds && !e->dev->stop;) {
			n = reqring__process(e->c, 64, dev_access, e->dev);
			if (n < 0) {
				e->err = n;
				goto out;
			}
			idle = n ? 0 : idle + 1;
		}
		if (e->dev->stop)
			break;
		reqring__set_polling(e->c, false);
		if (reqring__has_work(e->c))
			continue;
		e->sleeps++;
		/* A lost doorbell shows up as a timeout with work waiting, not as a hang. */
		if (epoll_wait(ep, &ev, 1, 5000) == 0 && reqring__has_work(e->c))
			e->lost_wakeups++;
		reqring__doorbell_ack(e->c);
	}
out:
	close(ep);
}

static void *engine_thread(void *arg)
{
	engine_run(arg);
	return NULL;
}

static void engine_start(pthread_t *t, struct engine *e, struct fix *f, unsigned int poll_rounds)
{
	memset(e, 0, sizeof(*e));
	e->c = &f->c;
	e->dev = &f->dev;
	e->poll_rounds = poll_rounds;
	assert_int_equal(pthread_create(t, NULL, engine_thread, e), 0);
}

static void engine_stop(pthread_t t, struct fix *f, struct engine *e)
{
	assert_int_equal(reqring__write(&f->p, REG_STOP, 4, 1), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(e->err, 0);
	assert_int_equal(e->lost_wakeups, 0);
}

/* ---- Geometry and attach -----------------------------------------------------------------------
 */

static void test_init_checks_geometry(void **state)
{
	size_t size = reqring__region_size(64);
	struct reqring_cons c;
	struct reqring_hdr *h;
	void *region = NULL;

	assert_int_equal(posix_memalign(&region, REQRING_CACHELINE, size + 64), 0);
	assert_int_equal(reqring__init(&c, region, size, 0, BAR_SIZE), -EINVAL);
	assert_int_equal(reqring__init(&c, region, size, 1, BAR_SIZE), -EINVAL);
	assert_int_equal(reqring__init(&c, region, size, 48, BAR_SIZE), -EINVAL);
	assert_int_equal(reqring__init(&c, region, size, REQRING_MAX_ENTRIES * 2, BAR_SIZE),
			 -EINVAL);
	assert_int_equal(reqring__init(&c, region, size, 64, 0), -EINVAL);
	assert_int_equal(reqring__init(&c, region, size, 64, REQRING_MAX_BAR + 1), -EINVAL);
	assert_int_equal(reqring__init(&c, region, size - 1, 64, BAR_SIZE), -EINVAL);
	assert_int_equal(reqring__init(&c, (char *)region + 8, size, 64, BAR_SIZE), -EINVAL);
	assert_int_equal(reqring__doorbell_fd(&c), -1);
	reqring__destroy(&c); /* safe after a failed init */

	assert_int_equal(reqring__init(&c, region, size, 64, BAR_SIZE), 0);
	h = region;
	assert_int_equal(h->magic, REQRING_MAGIC);
	assert_int_equal(h->version, REQRING_VERSION);
	assert_int_equal(h->slot_size, sizeof(struct reqring_slot));
	assert_int_equal(h->entries, 64);
	assert_int_equal(h->bar_size, BAR_SIZE);
	assert_int_equal(h->prod, 0);
	assert_int_equal(h->cons, 0);
	assert_true(reqring__doorbell_fd(&c) >= 0);
	assert_int_equal(size, sizeof(struct reqring_hdr) + 64 * 16);
	reqring__destroy(&c);
	assert_int_equal(h->broken, 1);
	free(region);
}

static void test_attach_checks_header(void **state)
{
	struct fix *f = fix_new(16);
	struct reqring_hdr *h = f->region;
	struct reqring_prod p;
	int db = reqring__doorbell_fd(&f->c);

	assert_int_equal(reqring__attach(&p, f->region, f->size - 1, db), -EINVAL);
	assert_int_equal(reqring__attach(&p, f->region, 8, db), -EINVAL);
	h->magic ^= 1;
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), -EPROTO);
	h->magic ^= 1;
	h->version++;
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), -EPROTO);
	h->version--;
	h->entries = 24;
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), -EPROTO);
	h->entries = 32; /* valid, but more than the mapping holds */
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), -EINVAL);
	h->entries = 16;
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), 0);

	/* Requests of an earlier producer still in flight. */
	assert_int_equal(reqring__post_write(&f->p, 0, 4, 1), 0);
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), -EBUSY);
	assert_int_equal(process_all(f), 1);
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), 0);
	assert_int_equal(p.prod, 1);

	h->prod = 1000;
	assert_int_equal(reqring__process(&f->c, 8, dev_access, &f->dev), -EIO);
	assert_int_equal(reqring__attach(&p, f->region, f->size, db), -EIO);
	fix_free(f);
}

/* ---- Single-threaded behaviour of the consumer -------------------------------------------------
 */

static void test_posted_writes_in_order(void **state)
{
	struct fix *f = fix_new(64);
	unsigned int i;

	for (i = 0; i < 50; i++)
		assert_int_equal(reqring__post_write(&f->p, 0x100 + i * 8, 8, 1000 + i), 0);
	/* Posted: nothing is applied until the consumer runs. */
	assert_int_equal(f->dev.calls, 0);
	assert_true(reqring__has_work(&f->c));
	for (i = 0; i < 5; i++)
		assert_int_equal(reqring__process(&f->c, 10, dev_access, &f->dev), 10);
	assert_int_equal(reqring__process(&f->c, 10, dev_access, &f->dev), 0);
	assert_false(reqring__has_work(&f->c));
	assert_int_equal(f->dev.nlog, 50);
	for (i = 0; i < 50; i++) {
		assert_true(f->dev.log[i].is_write);
		assert_int_equal(f->dev.log[i].offset, 0x100 + i * 8);
		assert_int_equal(f->dev.log[i].width, 8);
		assert_int_equal(f->dev.log[i].value, 1000 + i);
	}
	assert_int_equal(((struct reqring_hdr *)f->region)->cons, 50);

	/* Data above the access width never reaches the device. */
	assert_int_equal(reqring__post_write(&f->p, 3, 1, 0x1234), 0);
	assert_int_equal(reqring__post_write(&f->p, 6, 2, 0xabcdef), 0);
	assert_int_equal(reqring__post_write(&f->p, 12, 4, 0x1122334455667788ull), 0);
	assert_int_equal(process_all(f), 3);
	assert_int_equal(f->dev.log[50].value, 0x34);
	assert_int_equal(f->dev.log[51].value, 0xcdef);
	assert_int_equal(f->dev.log[52].value, 0x55667788);

	/* Wraps around the ring many times. */
	for (i = 0; i < 1000; i++) {
		assert_int_equal(reqring__post_write(&f->p, REG_SEQ, 8, i + 1), 0);
		if (i % 37 == 0)
			assert_true(process_all(f) > 0);
	}
	process_all(f);
	assert_int_equal(f->dev.seq, 1000);
	assert_int_equal(f->dev.seq_errors, 0);

	assert_int_equal(f->c.stats.requests, 1053);
	assert_int_equal(f->c.stats.writes, 1053);
	assert_int_equal(f->c.stats.reads, 0);
	assert_int_equal(f->c.stats.malformed, 0);
	assert_int_equal(f->p.stats.writes, 1053);
	assert_int_equal(f->dev.bad_calls, 0);
	fix_free(f);
}

static void test_malformed_dropped(void **state)
{
	struct fix *f = fix_new(32);
	struct reqring_hdr *h = f->region;
	uint32_t first_read;

	assert_int_equal(reqring__post_write(&f->p, 0, 3, 1), 0);	     /* bad width */
	assert_int_equal(reqring__post_write(&f->p, 0, 0, 1), 0);	     /* bad width */
	assert_int_equal(reqring__post_write(&f->p, 0, 16, 1), 0);	     /* bad width */
	assert_int_equal(reqring__post_write(&f->p, BAR_SIZE, 4, 1), 0);     /* past the BAR */
	assert_int_equal(reqring__post_write(&f->p, BAR_SIZE - 4, 8, 1), 0); /* straddles the end */
	assert_int_equal(reqring__post_write(&f->p, 0xfffffff8u, 8, 1), 0);  /* far past, no wrap */
	assert_int_equal(reqring__post_write(&f->p, 2, 4, 1), 0);	     /* unaligned */
	assert_int_equal(reqring__post_write(&f->p, 1, 2, 1), 0);	     /* unaligned */
	raw_append(f, 7, 0, 4, 0, 1);					     /* bad op */
	raw_append(f, REQRING_OP_WRITE, 0, 4, 1, 1);			     /* reserved bits */
	assert_int_equal(reqring__post_write(&f->p, BAR_SIZE - 8, 8, 42),
			 0); /* the only good one */
	first_read = h->prod;
	raw_append(f, REQRING_OP_READ, 0, 3, 0, 0);
	raw_append(f, REQRING_OP_READ, BAR_SIZE, 4, 0, 0);
	raw_append(f, REQRING_OP_READ, 4, 4, 1, 0);

	assert_int_equal(process_all(f), 14);
	assert_int_equal(f->dev.calls, 1);
	assert_int_equal(f->dev.log[0].offset, BAR_SIZE - 8);
	assert_int_equal(f->dev.log[0].value, 42);
	assert_int_equal(f->dev.bad_calls, 0);
	assert_int_equal(f->c.stats.requests, 14);
	assert_int_equal(f->c.stats.malformed, 13);
	assert_int_equal(f->c.stats.writes, 1);
	assert_int_equal(f->c.stats.reads, 0);
	/* A dropped read answers all ones, like an Unsupported Request. */
	assert_int_equal(slot_at(f, first_read)->value, ~0ull);
	assert_int_equal(slot_at(f, first_read + 1)->value, ~0ull);
	assert_int_equal(slot_at(f, first_read + 2)->value, ~0ull);
	assert_false(reqring__is_broken(&f->c));
	fix_free(f);
}

static void test_corrupt_producer_index_breaks_ring(void **state)
{
	struct fix *f = fix_new(16);
	struct reqring_hdr *h = f->region;
	uint64_t v;

	/* Exactly a full ring is legal. */
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(reqring__post_write(&f->p, REG_SEQ, 8, i + 1), 0);
	assert_int_equal(reqring__process(&f->c, 100, dev_access, &f->dev), 16);

	/* Then the producer claims more than a ring's worth. */
	h->prod = f->c.cons + 17;
	assert_int_equal(reqring__process(&f->c, 100, dev_access, &f->dev), -EIO);
	assert_true(reqring__is_broken(&f->c));
	assert_int_equal(f->c.stats.corrupt, 1);
	assert_int_equal(h->broken, 1);
	/* Broken for good: even a plausible index is not processed any more. */
	h->prod = f->c.cons + 1;
	assert_int_equal(reqring__process(&f->c, 100, dev_access, &f->dev), -EIO);
	assert_false(reqring__has_work(&f->c));
	assert_int_equal(f->dev.calls, 16);
	assert_int_equal(f->c.stats.corrupt, 1);
	h->prod = f->c.cons;

	/* The producer finds out when it next waits: a read fails and answers all ones. */
	v = 0;
	assert_int_equal(reqring__read(&f->p, REG_DATA, 4, &v), -EIO);
	assert_int_equal(v, ~0ull);
	assert_int_equal(reqring__post_write(&f->p, 0, 4, 0), -EIO);
	fix_free(f);

	/* An index behind the consumer's is as corrupt as one too far ahead. */
	f = fix_new(16);
	h = f->region;
	assert_int_equal(reqring__post_write(&f->p, 0, 4, 0), 0);
	assert_int_equal(process_all(f), 1);
	h->prod = f->c.cons - 1;
	assert_int_equal(reqring__process(&f->c, 100, dev_access, &f->dev), -EIO);
	assert_int_equal(f->c.stats.corrupt, 1);
	fix_free(f);
}

static void test_producer_distrusts_consumer_index(void **state)
{
	struct fix *f = fix_new(4);
	struct reqring_hdr *h = f->region;

	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(reqring__post_write(&f->p, 0, 4, i), 0);
	/* A consumer index beyond what was appended would let us overwrite pending slots. */
	h->cons = 100;
	assert_int_equal(reqring__post_write(&f->p, 0, 4, 9), -EIO);
	assert_int_equal(reqring__kick(&f->p), -EIO);
	assert_int_equal(h->prod, 4);
	fix_free(f);

	f = fix_new(4);
	h = f->region;
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(reqring__post_write(&f->p, 0, 4, i), 0);
	assert_int_equal(process_all(f), 4);
	/* The first of these finds the ring full and catches up with the consumer (4). */
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(reqring__post_write(&f->p, 0, 4, i), 0);
	h->cons = 2; /* behind the last index seen */
	assert_int_equal(reqring__post_write(&f->p, 0, 4, 9), -EIO);
	fix_free(f);
}

static void test_polling_suppresses_kicks(void **state)
{
	struct fix *f = fix_new(64);
	unsigned int i;

	/* The engine is awake and will look again: no kick. */
	reqring__set_polling(&f->c, true);
	for (i = 0; i < 10; i++)
		assert_int_equal(reqring__write(&f->p, REG_SEQ, 8, i + 1), 0);
	assert_int_equal(f->p.stats.kicks, 0);
	assert_int_equal(f->p.stats.suppressed, 10);
	assert_int_equal(reqring__doorbell_ack(&f->c), 0);
	assert_int_equal(process_all(f), 10);

	/* The engine sleeps: a batch of posted writes costs one kick. */
	reqring__set_polling(&f->c, false);
	for (i = 0; i < 10; i++)
		assert_int_equal(reqring__post_write(&f->p, REG_SEQ, 8, 11 + i), 0);
	assert_int_equal(f->p.stats.kicks, 0);
	assert_int_equal(reqring__kick(&f->p), 0);
	assert_int_equal(f->p.stats.kicks, 1);
	/* Nothing appended since: no second kick. */
	assert_int_equal(reqring__kick(&f->p), 0);
	assert_int_equal(f->p.stats.kicks, 1);
	assert_true(reqring__has_work(&f->c));
	assert_int_equal(reqring__doorbell_ack(&f->c), 1);
	assert_int_equal(f->c.stats.kicks, 1);
	assert_int_equal(reqring__doorbell_ack(&f->c), 0);

	/* Per-write kicks while asleep: one each, and the consumer counts them all. */
	for (i = 0; i < 3; i++)
		assert_int_equal(reqring__write(&f->p, REG_SEQ, 8, 21 + i), 0);
	assert_int_equal(f->p.stats.kicks, 4);
	assert_int_equal(reqring__doorbell_ack(&f->c), 3);
	assert_int_equal(f->c.stats.kicks, 4);
	assert_int_equal(process_all(f), 13);
	assert_int_equal(f->dev.seq, 23);
	assert_int_equal(f->dev.seq_errors, 0);
	fix_free(f);
}

/* ---- With a consumer thread ---------------------------------------------------------------- */

static void test_reads_observe_earlier_writes(void **state)
{
	struct fix *f = fix_new(32);
	struct engine e;
	pthread_t t;
	uint64_t v;

	engine_start(&t, &e, f, 1000);
	for (uint64_t i = 1; i <= 2000; i++) {
		assert_int_equal(reqring__post_write(&f->p, REG_DATA, 8, i * 0x0101010101ull), 0);
		assert_int_equal(reqring__post_write(&f->p, REG_SEQ, 8, i), 0);
		/* No kick: the read behind the writes must still see both. */
		assert_int_equal(reqring__read(&f->p, REG_SEQ, 8, &v), 0);
		assert_int_equal(v, i);
		assert_int_equal(reqring__read(&f->p, REG_DATA, 8, &v), 0);
		assert_int_equal(v, i * 0x0101010101ull);
	}
	/* Narrow reads of a wide register, little-endian like the BAR. */
	assert_int_equal(reqring__write(&f->p, REG_DATA, 8, 0x1122334455667788ull), 0);
	assert_int_equal(reqring__read(&f->p, REG_DATA, 4, &v), 0);
	assert_int_equal(v, 0x55667788);
	assert_int_equal(reqring__read(&f->p, REG_DATA + 4, 4, &v), 0);
	assert_int_equal(v, 0x11223344);
	assert_int_equal(reqring__read(&f->p, REG_DATA + 6, 2, &v), 0);
	assert_int_equal(v, 0x1122);
	assert_int_equal(reqring__read(&f->p, REG_DATA + 1, 1, &v), 0);
	assert_int_equal(v, 0x77);

	/* Malformed and refused reads answer all ones of their width. */
	assert_int_equal(reqring__read(&f->p, REG_DATA, 3, &v), 0);
	assert_int_equal(v, ~0ull);
	assert_int_equal(reqring__read(&f->p, BAR_SIZE, 4, &v), 0);
	assert_int_equal(v, 0xffffffffull);
	assert_int_equal(reqring__read(&f->p, REG_DATA + 2, 4, &v), 0);
	assert_int_equal(v, 0xffffffffull);
	assert_int_equal(reqring__read(&f->p, REG_REJECT, 2, &v), 0);
	assert_int_equal(v, 0xffff);

	engine_stop(t, f, &e);
	assert_int_equal(f->dev.seq_errors, 0);
	assert_int_equal(f->dev.bad_calls, 0);
	assert_int_equal(f->c.stats.reads, 4000 + 4 + 1);
	assert_int_equal(f->c.stats.malformed, 3);
	assert_int_equal(f->c.stats.rejected, 1);
	assert_int_equal(f->p.stats.reads, 4000 + 4 + 4);
	fix_free(f);
}

struct writer {
	struct fix *f;
	unsigned int count;
	int err;
	uint64_t v;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;

	/* Posted writes without kicks: the only kick is the one a full ring sends before waiting.
	 */
	for (unsigned int i = 0; i < w->count && !w->err; i++)
		w->err = reqring__post_write(&w->f->p, REG_SEQ, 8, i + 1);
	return NULL;
}

static void test_full_ring_waits(void **state)
{
	struct fix *f = fix_new(8);
	struct reqring_hdr *h = f->region;
	struct writer w = {.f = f, .count = 100};
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, writer_thread, &w), 0);
	/* The writer fills the ring, spins, then sleeps on the futex. */
	assert_true(wait_for_sleeper(f));
	assert_int_equal(h->prod, 8);
	assert_int_equal(f->dev.calls, 0);
	/* Before waiting it kicked, so a sleeping engine would have woken. */
	assert_int_equal(f->p.stats.kicks, 1);
	assert_int_equal(reqring__doorbell_ack(&f->c), 1);

	/* Free a few slots at a time: each batch must wake the writer to refill them. */
	while (f->dev.seq < 100) {
		int n = reqring__process(&f->c, 3, dev_access, &f->dev);

		assert_true(n >= 0);
		if (!n)
			usleep(50);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.err, 0);
	assert_int_equal(f->dev.seq_errors, 0);
	assert_int_equal(f->c.stats.writes, 100);
	assert_true(f->p.stats.full >= 1);
	assert_true(f->p.stats.sleeps >= 1);
	assert_int_equal(h->waiting, 0);
	fix_free(f);
}

static void *drain_thread(void *arg)
{
	struct writer *w = arg;

	w->err = reqring__drain(&w->f->p);
	return NULL;
}

/* A producer that goes away after posted writes (a BAR unmapped) lets them reach the device
 * first, and the next producer can attach; without the drain it gets -EBUSY. */
static void test_drain_then_reattach(void **state)
{
	struct fix *f = fix_new(8);
	struct writer w = {.f = f};
	struct reqring_prod again;
	pthread_t t;

	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(reqring__post_write(&f->p, REG_SEQ, 8, i + 1), 0);
	assert_int_equal(reqring__attach(&again, f->region, f->size, reqring__doorbell_fd(&f->c)),
			 -EBUSY);
	assert_int_equal(pthread_create(&t, NULL, drain_thread, &w), 0);
	assert_true(wait_for_sleeper(f)); /* it waits for the device, asleep */
	assert_int_equal(reqring__doorbell_ack(&f->c), 1); /* after kicking it */
	assert_int_equal(process_all(f), 3);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.err, 0);
	assert_int_equal(f->dev.seq, 3);
	assert_int_equal(reqring__attach(&again, f->region, f->size, reqring__doorbell_fd(&f->c)),
			 0);
	assert_int_equal(reqring__drain(&again), 0); /* nothing in flight: at once */
	fix_free(f);
}

static void *reader_thread(void *arg)
{
	struct writer *w = arg;

	w->err = reqring__read(&w->f->p, REG_DATA, 8, &w->v);
	return NULL;
}

static void test_broken_ring_wakes_reader(void **state)
{
	struct fix *f = fix_new(8);
	struct reqring_hdr *h = f->region;
	struct writer w = {.f = f};
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, reader_thread, &w), 0);
	assert_true(wait_for_sleeper(f));
	h->prod += 100;
	assert_int_equal(reqring__process(&f->c, 8, dev_access, &f->dev), -EIO);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.err, -EIO);
	assert_int_equal(w.v, ~0ull);
	assert_int_equal(f->dev.calls, 0);
	fix_free(f);
}

static void test_destroy_wakes_reader(void **state)
{
	struct fix *f = fix_new(8);
	struct writer w = {.f = f};
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, reader_thread, &w), 0);
	assert_true(wait_for_sleeper(f));
	reqring__destroy(&f->c);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.err, -EIO);
	assert_int_equal(w.v, ~0ull);
	assert_int_equal(f->c.stats.corrupt, 0);
	fix_free(f);
}

/*
 * The producer's side of the stress runs: @count writes to REG_SEQ, batched differently as it
 * goes, with a read every @read_every checking that the device has applied exactly the writes
 * before it. Pauses now and then let the engine fall asleep, so that both the doorbell and the
 * polling paths are taken. Returns 0 or the index of the first failing step (never 0 itself).
 */
static long drive(struct reqring_prod *p, unsigned int count, unsigned int read_every)
{
	uint64_t v;

	for (unsigned int i = 1; i <= count; i++) {
		int err;

		switch ((i >> 10) % 3) {
		case 0: /* writel(): a kick decision per write */
			err = reqring__write(p, REG_SEQ, 8, i);
			break;
		case 1: /* a batch of 16 posted writes, one kick */
			err = reqring__post_write(p, REG_SEQ, 8, i);
			if (!err && i % 16 == 0)
				err = reqring__kick(p);
			break;
		default: /* a 4-byte write to another register in between */
			err = reqring__post_write(p, REG_DATA, 4, i);
			if (!err)
				err = reqring__write(p, REG_SEQ, 8, i);
			break;
		}
		if (err)
			return i;
		if (i % read_every == 0) {
			if (reqring__read(p, REG_SEQ, 8, &v) || v != i)
				return i;
		}
		if (i % (count / 8) == 0)
			usleep(2000);
	}
	if (reqring__write(p, REG_STOP, 4, 1))
		return -1;
	return 0;
}

static void test_two_threads(void **state)
{
	const unsigned int count = 1000000;
	struct fix *f = fix_new(256);
	struct engine e;
	pthread_t t;

	engine_start(&t, &e, f, 200);
	assert_int_equal(drive(&f->p, count, 997), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(e.err, 0);
	assert_int_equal(e.lost_wakeups, 0);
	assert_int_equal(f->dev.seq, count);
	assert_int_equal(f->dev.seq_errors, 0);
	assert_int_equal(f->dev.bad_calls, 0);
	assert_int_equal(f->c.stats.malformed, 0);
	assert_int_equal(f->c.stats.reads, count / 997);
	assert_int_equal(f->c.stats.reads, f->p.stats.reads);
	assert_int_equal(f->c.stats.writes, f->p.stats.writes);
	/* The pauses put the engine to sleep, and the next write had to ring the doorbell. */
	assert_true(e.sleeps >= 1);
	assert_true(f->p.stats.kicks >= 1);
	assert_true(f->c.stats.kicks >= 1);
	fix_free(f);
}

static void test_cross_process(void **state)
{
	const unsigned int count = 100000;
	const uint32_t entries = 64;
	struct reqring_cons c;
	struct engine e = {.c = &c, .poll_rounds = 100};
	struct memfd m;
	struct dev *dev;
	int status;
	pid_t pid;

	assert_int_equal(memfd__create(&m, "reqring-test", reqring__region_size(entries)), 0);
	assert_int_equal(reqring__init(&c, m.base, m.size, entries, BAR_SIZE), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The domain: its own mapping of the memfd, and the doorbell fd inherited. */
		struct reqring_prod p;
		void *base = mmap(NULL, m.size, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);

		if (base == MAP_FAILED ||
		    reqring__attach(&p, base, m.size, reqring__doorbell_fd(&c)))
			_exit(2);
		_exit(drive(&p, count, 101) ? 1 : 0);
	}
	dev = calloc(1, sizeof(*dev));
	assert_non_null(dev);
	e.dev = dev;
	engine_run(&e);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(e.err, 0);
	assert_int_equal(e.lost_wakeups, 0);
	assert_int_equal(dev->seq, count);
	assert_int_equal(dev->seq_errors, 0);
	assert_int_equal(dev->bad_calls, 0);
	assert_int_equal(c.stats.reads, count / 101);
	assert_true(c.stats.kicks >= 1);
	reqring__destroy(&c);
	memfd__destroy(&m);
	free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_checks_geometry),
	    cmocka_unit_test(test_attach_checks_header),
	    cmocka_unit_test(test_posted_writes_in_order),
	    cmocka_unit_test(test_malformed_dropped),
	    cmocka_unit_test(test_corrupt_producer_index_breaks_ring),
	    cmocka_unit_test(test_producer_distrusts_consumer_index),
	    cmocka_unit_test(test_polling_suppresses_kicks),
	    cmocka_unit_test(test_reads_observe_earlier_writes),
	    cmocka_unit_test(test_full_ring_waits),
	    cmocka_unit_test(test_drain_then_reattach),
	    cmocka_unit_test(test_broken_ring_wakes_reader),
	    cmocka_unit_test(test_destroy_wakes_reader),
	    cmocka_unit_test(test_two_threads),
	    cmocka_unit_test(test_cross_process),
	};

	return cmocka_run_group_tests_name("reqring", tests, NULL, NULL);
}
