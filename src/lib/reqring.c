/*
 * Request ring: posted writes and non-posted reads through shared memory (see reqring.h).
 *
 * Three hand-overs cross the two processes, each with the ordering it needs:
 *
 *  1. Requests: the producer fills a slot, then stores hdr->prod with release; the consumer loads
 *     hdr->prod with acquire before it reads the slot. Answers go back the same way: the consumer
 *     stores a read's answer into its slot, then stores hdr->cons with release; the producer loads
 *     hdr->cons with acquire before it reads the answer or reuses the slot.
 *
 *  2. The doorbell (producer -> sleeping consumer). Producer: store prod; full fence; load polling;
 *     kick if clear. Consumer going to sleep: store polling = 0; full fence; load prod; sleep only
 *     if there is nothing new. The two fences are ordered one way or the other: either the
 *     producer sees polling cleared and kicks, or the consumer sees the new prod and does not
 * sleep.
 *
 *  3. The futex (consumer -> waiting producer), the same pattern. Producer: store waiting = 1;
 *     full fence; load wake; load cons; FUTEX_WAIT(wake, value loaded) only if cons is not there
 *     yet. Consumer: store cons; full fence; load waiting; if set, bump wake and FUTEX_WAKE. Either
 *     the producer sees the new cons and does not sleep, or the consumer sees the flag; then the
 *     producer either loaded the bumped wake (and, by acquire, the new cons) or the kernel finds
 *     wake changed at FUTEX_WAIT or wakes the waiter, since it compares and enqueues atomically
 *     with respect to FUTEX_WAKE.
 *
 * The futex is shared (no FUTEX_PRIVATE_FLAG): the two processes map the same memfd pages, and the
 * kernel keys a shared futex by the page, not by the address.
 */
#include "lib/reqring.h"

#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/compiler.h"
#include "lib/log.h"

#define load_acquire(p)	    __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define load_relaxed(p)	    __atomic_load_n(p, __ATOMIC_RELAXED)
#define store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define store_relaxed(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)
#define full_fence()	    __atomic_thread_fence(__ATOMIC_SEQ_CST)

static inline void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void futex_wait(uint32_t *word, uint32_t expected)
{
	/* EAGAIN (the word already changed) and EINTR both send the caller back to re-check. */
	syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool entries_valid(uint32_t entries)
{
	return entries >= REQRING_MIN_ENTRIES && entries <= REQRING_MAX_ENTRIES &&
	       !(entries & (entries - 1));
}

/* Bits an access of @width carries; an invalid width keeps all 64 (its answer is all ones). */
static uint64_t width_mask(unsigned int width)
{
	return width == 1 || width == 2 || width == 4 ? (1ull << (width * 8)) - 1 : ~0ull;
}

/* ---- Consumer ------------------------------------------------------------------------------- */

int reqring__init(struct reqring_cons *c, void *region, size_t size, uint32_t entries,
		  uint64_t bar_size)
{
	struct reqring_hdr *h = region;
	int fd;

	memset(c, 0, sizeof(*c));
	c->doorbell = -1;
	if (!region || !IS_ALIGNED((uintptr_t)region, REQRING_CACHELINE))
		return -EINVAL;
	if (!entries_valid(entries) || !bar_size || bar_size > REQRING_MAX_BAR)
		return -EINVAL;
	if (size < reqring__region_size(entries))
		return -EINVAL;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return -errno;

	/* Clears the magic first, so that a producer never attaches to a half-written header. */
	memset(region, 0, reqring__region_size(entries));
	h->version = REQRING_VERSION;
	h->slot_size = sizeof(struct reqring_slot);
	h->entries = entries;
	h->bar_size = bar_size;
	/* Release: a producer that loads the magic with acquire sees the geometry as well. */
	store_release(&h->magic, REQRING_MAGIC);

	c->hdr = h;
	c->slots = (struct reqring_slot *)(h + 1);
	c->entries = entries;
	c->mask = entries - 1;
	c->bar_size = bar_size;
	c->doorbell = fd;
	return 0;
}

/* Wakes a producer sleeping on hdr->wake; the release orders what it must see before the bump. */
static void cons__wake(struct reqring_cons *c)
{
	store_release(&c->hdr->wake, ++c->wake_seq);
	futex_wake(&c->hdr->wake);
}

static void cons__break(struct reqring_cons *c)
{
	c->broken = true;
	store_relaxed(&c->hdr->broken, 1);
	/* Unconditionally: a producer checks hdr->broken only on its way to sleep, so wake it. */
	cons__wake(c);
}

void reqring__destroy(struct reqring_cons *c)
{
	if (c->hdr && !c->broken)
		cons__break(c);
	if (c->doorbell >= 0)
		close(c->doorbell);
	c->doorbell = -1;
	c->hdr = NULL;
	c->slots = NULL;
}

static bool cons__access_valid(const struct reqring_cons *c, uint32_t offset, unsigned int width)
{
	switch (width) {
	case 1:
	case 2:
	case 4:
	case 8:
		break;
	default:
		return false;
	}
	return IS_ALIGNED(offset, width) && (uint64_t)offset + width <= c->bar_size;
}

static void cons__apply(struct reqring_cons *c, struct reqring_slot *s, reqring_handler_t handler,
			void *ctx)
{
	/*
	 * Each field is loaded exactly once, with an atomic load the compiler may not repeat: the
	 * producer can rewrite the slot while we look at it, and a second load could return a
	 * value that was never validated.
	 */
	uint64_t value = load_relaxed(&s->value);
	uint32_t offset = load_relaxed(&s->offset);
	uint8_t op = load_relaxed(&s->op);
	uint8_t width = load_relaxed(&s->width);
	uint16_t rsvd = load_relaxed(&s->rsvd);
	bool is_write = op == REQRING_OP_WRITE;

	c->stats.requests++;
	if (unlikely((op != REQRING_OP_READ && !is_write) || rsvd ||
		     !cons__access_valid(c, offset, width))) {
		c->stats.malformed++;
		if (op == REQRING_OP_READ)
			store_relaxed(&s->value, ~0ull);
		return;
	}
	if (is_write) {
		c->stats.writes++;
		value &= width_mask(width);
	} else {
		c->stats.reads++;
		value = 0;
	}
	if (handler(ctx, offset, width, is_write, &value)) {
		c->stats.rejected++;
		value = ~0ull;
	}
	if (!is_write)
		store_relaxed(&s->value, value & width_mask(width));
}

int reqring__process(struct reqring_cons *c, unsigned int budget, reqring_handler_t handler,
		     void *ctx)
{
	uint32_t prod, avail, n, i;

	if (unlikely(c->broken))
		return -EIO;
	/* Acquire: the slots before prod were filled before the producer released prod. */
	prod = load_acquire(&c->hdr->prod);
	avail = prod - c->cons;
	if (unlikely(avail > c->entries)) {
		c->stats.corrupt++;
		pr_warn("reqring",
			"producer index %u out of range (consumer at %u, %u entries): "
			"ring broken",
			prod, c->cons, c->entries);
		cons__break(c);
		return -EIO;
	}
	n = MIN(avail, budget);
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		cons__apply(c, &c->slots[(c->cons + i) & c->mask], handler, ctx);
	c->cons += n;
	/*
	 * Release: the answers stored above, and our loads of these slots, happen before the
	 * producer sees them done, reads the answers and refills the slots.
	 */
	store_release(&c->hdr->cons, c->cons);
	/* Hand-over 3 in the file comment: pairs with the fence in prod__sleep(). */
	full_fence();
	if (unlikely(load_relaxed(&c->hdr->waiting)))
		cons__wake(c);
	return (int)n;
}

void reqring__set_polling(struct reqring_cons *c, bool on)
{
	store_relaxed(&c->hdr->polling, on);
	/*
	 * Hand-over 2: pairs with the fence in reqring__kick(). Clearing the flag must be visible
	 * before has_work() loads prod, or a request whose producer still saw the flag set (and so
	 * did not kick) could sit in the ring while we sleep. Setting it needs no fence: a producer
	 * that misses it only kicks once too often.
	 */
	if (!on)
		full_fence();
}

bool reqring__has_work(const struct reqring_cons *c)
{
	return !c->broken && load_acquire(&c->hdr->prod) != c->cons;
}

int reqring__doorbell_fd(const struct reqring_cons *c)
{
	return c->doorbell;
}

uint64_t reqring__doorbell_ack(struct reqring_cons *c)
{
	uint64_t n;

	if (read(c->doorbell, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	c->stats.kicks += n;
	return n;
}

bool reqring__is_broken(const struct reqring_cons *c)
{
	return c->broken;
}

/* ---- Producer ------------------------------------------------------------------------------- */

int reqring__attach(struct reqring_prod *p, void *region, size_t size, int doorbell_fd)
{
	struct reqring_hdr *h = region;
	uint32_t entries, cons;

	memset(p, 0, sizeof(*p));
	p->doorbell = -1;
	if (!region || !IS_ALIGNED((uintptr_t)region, REQRING_CACHELINE) || size < sizeof(*h))
		return -EINVAL;
	if (load_acquire(&h->magic) != REQRING_MAGIC || h->version != REQRING_VERSION ||
	    h->slot_size != sizeof(struct reqring_slot))
		return -EPROTO;
	entries = h->entries;
	if (!entries_valid(entries))
		return -EPROTO;
	if (size < reqring__region_size(entries))
		return -EINVAL;
	if (load_relaxed(&h->broken))
		return -EIO;
	cons = load_acquire(&h->cons);
	if (load_relaxed(&h->prod) != cons)
		return -EBUSY;

	p->hdr = h;
	p->slots = (struct reqring_slot *)(h + 1);
	p->entries = entries;
	p->mask = entries - 1;
	p->prod = cons;
	p->cons = cons;
	p->kicked = cons;
	p->spin_ns = REQRING_SPIN_NS;
	p->doorbell = doorbell_fd;
	return 0;
}

/*
 * Loads the consumer index. It must lie between the last one seen and what we appended: anything
 * else means the consumer re-initialised the ring or is broken, and the ring is dead for us. The
 * index only ever decides how long we wait, never where we store.
 */
static int prod__sync(struct reqring_prod *p)
{
	uint32_t cons = load_acquire(&p->hdr->cons);

	if (unlikely(cons - p->cons > p->prod - p->cons)) {
		p->dead = true;
		return -EIO;
	}
	p->cons = cons;
	return 0;
}

static bool prod__reached(const struct reqring_prod *p, uint32_t target)
{
	return (int32_t)(p->cons - target) >= 0;
}

static int prod__sleep(struct reqring_prod *p, uint32_t target)
{
	struct reqring_hdr *h = p->hdr;
	uint32_t seq;
	int err = 0;

	store_relaxed(&h->waiting, 1);
	/* Hand-over 3 in the file comment: pairs with the fence in reqring__process(). */
	full_fence();
	seq = load_acquire(&h->wake);
	if (load_relaxed(&h->broken)) {
		p->dead = true;
		err = -EIO;
	} else {
		err = prod__sync(p);
	}
	if (!err && !prod__reached(p, target)) {
		p->stats.sleeps++;
		futex_wait(&h->wake, seq);
	}
	/* Only a hint to the consumer: a stale 1 costs it one spurious FUTEX_WAKE. */
	store_relaxed(&h->waiting, 0);
	return err;
}

/* Waits until the consumer index reaches @target: spins for spin_ns, then sleeps on the futex. */
static int prod__wait(struct reqring_prod *p, uint32_t target)
{
	uint64_t deadline = 0, now;
	unsigned int spins = 0;
	int err;

	for (;;) {
		err = prod__sync(p);
		if (err)
			return err;
		if (prod__reached(p, target))
			return 0;
		/* Reading the clock costs more than a pause: look at it every 64 rounds. */
		if (++spins % 64) {
			spin_pause();
			continue;
		}
		now = now_ns();
		if (!deadline)
			deadline = now + p->spin_ns;
		if (now < deadline)
			continue;
		err = prod__sleep(p, target);
		if (err)
			return err;
	}
}

static int prod__ring(struct reqring_prod *p)
{
	uint64_t one = 1;

	if (write(p->doorbell, &one, sizeof(one)) == (ssize_t)sizeof(one)) {
		p->stats.kicks++;
		return 0;
	}
	/* A saturated counter still wakes the consumer: the kick is as good as delivered. */
	return errno == EAGAIN ? 0 : -errno;
}

int reqring__kick(struct reqring_prod *p)
{
	if (unlikely(p->dead))
		return -EIO;
	if (p->kicked == p->prod)
		return 0;
	p->kicked = p->prod;
	/* Hand-over 2 in the file comment: pairs with the fence in reqring__set_polling(). */
	full_fence();
	if (load_relaxed(&p->hdr->polling)) {
		p->stats.suppressed++;
		return 0;
	}
	return prod__ring(p);
}

/* Makes room for one request: if the ring is full, kicks and waits for the consumer. */
int reqring__drain(struct reqring_prod *p)
{
	int err = reqring__kick(p);

	return err ? err : prod__wait(p, p->prod);
}

static int prod__reserve(struct reqring_prod *p)
{
	int err;

	if (unlikely(p->dead))
		return -EIO;
	if (likely(p->prod - p->cons < p->entries))
		return 0;
	err = prod__sync(p);
	if (err)
		return err;
	if (p->prod - p->cons < p->entries)
		return 0;
	p->stats.full++;
	err = reqring__kick(p);
	if (err)
		return err;
	return prod__wait(p, p->prod - p->entries + 1);
}

static void prod__append(struct reqring_prod *p, enum reqring_op op, uint32_t offset,
			 unsigned int width, uint64_t value)
{
	struct reqring_slot *s = &p->slots[p->prod & p->mask];

	s->value = value;
	s->offset = offset;
	s->op = (uint8_t)op;
	s->width = (uint8_t)width;
	s->rsvd = 0;
	p->prod++;
	/* Hand-over 1: the slot's contents are visible before the index that hands it over. */
	store_release(&p->hdr->prod, p->prod);
}

int reqring__post_write(struct reqring_prod *p, uint32_t offset, unsigned int width, uint64_t value)
{
	int err = prod__reserve(p);

	if (err)
		return err;
	prod__append(p, REQRING_OP_WRITE, offset, width, value);
	p->stats.writes++;
	return 0;
}

int reqring__read(struct reqring_prod *p, uint32_t offset, unsigned int width, uint64_t *value)
{
	uint32_t idx;
	int err;

	*value = ~0ull;
	p->stats.reads++;
	err = prod__reserve(p);
	if (err)
		return err;
	idx = p->prod;
	prod__append(p, REQRING_OP_READ, offset, width, 0);
	err = reqring__kick(p);
	if (!err)
		err = prod__wait(p, idx + 1);
	if (err)
		return err;
	/* The acquire load of cons in prod__wait() makes the consumer's answer visible. */
	*value = load_relaxed(&p->slots[idx & p->mask].value) & width_mask(width);
	return 0;
}
