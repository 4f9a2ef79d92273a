/*
 * Request ring: register (BAR) accesses carried from one process to another through shared memory.
 *
 * One side, the producer (a domain's driver runtime), issues register accesses; the other side,
 * the consumer (the device engine in the machine), applies them to its registers. Both map the
 * same region; there is one producer thread and one consumer thread per ring.
 *
 *   - Writes are posted: the producer appends a request and goes on.
 *   - Reads are non-posted: the producer appends a request and waits until the consumer has
 *     written the answer into the request's slot and moved its index past it.
 *   - The consumer applies requests strictly in ring order, so a read never passes an earlier write
 *     (the PCIe ordering rule a driver relies on).
 *   - A doorbell (an eventfd created by the consumer) wakes a sleeping consumer. While the consumer
 *     is awake and will look at the ring again it sets hdr.polling, and the producer then skips the
 *     kick (as ioeventfd plus virtio's notification suppression).
 *   - A waiting producer spins briefly, then sleeps on a futex word in the header; the consumer
 *     wakes it when it completes requests and the producer has flagged itself as waiting.
 *
 * This header is the wire format between two processes: fixed-width fields in host byte order
 * (both processes run on the same host), explicit offsets checked at compile time, and a magic and
 * version that a producer checks before using a region.
 *
 * Trust: the consumer trusts nothing the producer writes. It keeps private copies of the geometry
 * and of its own index, reads each request once and validates it, and never reads or writes outside
 * the region. Of the header it reads only hdr.prod (checked against its own index) and
 * hdr.waiting, a hint that at worst costs it a needless FUTEX_WAKE per batch. The producer, in
 * turn, checks the geometry when it attaches and never lets the consumer's index steer a store
 * outside the ring.
 *
 * Functions return 0 (or a count, where stated) or a negative errno.
 */
#ifndef VFNET_LIB_REQRING_H
#define VFNET_LIB_REQRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REQRING_MAGIC	    0x31515252u /* "RRQ1" in memory on little-endian hosts */
#define REQRING_VERSION	    1
#define REQRING_CACHELINE   64
#define REQRING_MIN_ENTRIES 2
#define REQRING_MAX_ENTRIES (1u << 16)
#define REQRING_MAX_BAR	    (1ull << 32) /* offsets are 32-bit */

enum reqring_op {
	REQRING_OP_READ = 0,
	REQRING_OP_WRITE = 1,
};

/* One register access. Written by the producer, except @value of a read (the consumer's answer). */
struct reqring_slot {
	uint64_t value;	 /* write: the data (bits above @width are ignored); read: the answer */
	uint32_t offset; /* byte offset in the BAR, a multiple of @width */
	uint8_t op;	 /* enum reqring_op */
	uint8_t width;	 /* access size in bytes: 1, 2, 4 or 8 */
	uint16_t rsvd;	 /* must be zero */
};

/*
 * The header, at the start of the region; the slots follow it. Each line has a single writer so
 * that the producer and the consumer do not bounce a cache line they both write.
 * Indexes are free-running 32-bit counters; slot i is slots[i & (entries - 1)].
 */
struct reqring_hdr {
	/* Line 0: geometry, written by the consumer at init, read-only afterwards. */
	uint32_t magic;	    /* REQRING_MAGIC, stored last at init */
	uint16_t version;   /* REQRING_VERSION */
	uint16_t slot_size; /* sizeof(struct reqring_slot) */
	uint32_t entries;   /* number of slots, a power of two */
	uint32_t rsvd0;
	uint64_t bar_size; /* bytes of the BAR: valid offsets are [0, bar_size) */
	uint8_t pad0[REQRING_CACHELINE - 24];

	/* Line 1: written by the producer. */
	uint32_t prod;	  /* index of the next request the producer will append */
	uint32_t waiting; /* nonzero: the producer may sleep on @wake; wake it on progress */
	uint8_t pad1[REQRING_CACHELINE - 8];

	/* Line 2: written by the consumer as it completes requests. */
	uint32_t cons;	 /* requests completed: every slot before it is done (answers too) */
	uint32_t wake;	 /* futex word: bumped by the consumer to wake a waiting producer */
	uint32_t broken; /* nonzero: the consumer stopped processing this ring for good */
	uint8_t pad2[REQRING_CACHELINE - 12];

	/*
	 * Line 3: written by the consumer when it falls asleep or wakes up. Apart from @cons, which
	 * moves with every batch, so that the producer's check before each kick hits its cache.
	 */
	uint32_t polling; /* nonzero: the consumer will look at the ring again, no kick needed */
	uint8_t pad3[REQRING_CACHELINE - 4];
};

_Static_assert(sizeof(struct reqring_slot) == 16, "slot is 16 bytes");
_Static_assert(sizeof(struct reqring_hdr) == 4 * REQRING_CACHELINE, "header is 4 cache lines");
_Static_assert(offsetof(struct reqring_hdr, bar_size) == 16, "wire layout");
_Static_assert(offsetof(struct reqring_hdr, prod) == REQRING_CACHELINE, "producer line");
_Static_assert(offsetof(struct reqring_hdr, cons) == 2 * REQRING_CACHELINE, "consumer line");
_Static_assert(offsetof(struct reqring_hdr, polling) == 3 * REQRING_CACHELINE, "polling line");

/* Bytes of region needed for a ring of @entries slots (header plus slots). */
static inline size_t reqring__region_size(uint32_t entries)
{
	return sizeof(struct reqring_hdr) + (size_t)entries * sizeof(struct reqring_slot);
}

/* ---- Consumer (device) side ---------------------------------------------------------------- */

struct reqring_stats {
	uint64_t requests;  /* slots consumed: writes + reads + malformed */
	uint64_t writes;    /* valid writes passed to the handler */
	uint64_t reads;	    /* valid reads passed to the handler */
	uint64_t malformed; /* dropped: bad op, width, alignment, offset or reserved bits */
	uint64_t rejected;  /* valid requests the handler refused (counted in writes/reads too) */
	uint64_t kicks;	    /* doorbell kicks received (the sum of the eventfd counts) */
	uint64_t corrupt;   /* producer index found out of range (the ring is then broken) */
};

/*
 * Applies one valid request. @offset + @width lie inside the BAR and @offset is aligned to @width.
 * For a write, *@value is the data, masked to @width. For a read, *@value is zero on entry and the
 * handler stores the answer (bits above @width are dropped). Return 0, or a negative errno to
 * refuse the access: a refused read answers all ones, like an Unsupported Request.
 */
typedef int (*reqring_handler_t)(void *ctx, uint32_t offset, unsigned int width, bool is_write,
				 uint64_t *value);

struct reqring_cons {
	struct reqring_hdr *hdr;
	struct reqring_slot *slots;
	uint32_t entries; /* private copies: the producer may overwrite the header */
	uint32_t mask;
	uint64_t bar_size;
	uint32_t cons;	   /* private index; hdr->cons only mirrors it */
	uint32_t wake_seq; /* private value of hdr->wake */
	bool broken;
	int doorbell; /* eventfd, nonblocking, owned */
	struct reqring_stats stats;
};

/*
 * Initialises the ring in @region (@size bytes, 64-byte aligned, mapped shared with the producer):
 * @entries slots (a power of two in [REQRING_MIN_ENTRIES, REQRING_MAX_ENTRIES]) for a BAR of
 * @bar_size bytes (at most REQRING_MAX_BAR), and creates the doorbell eventfd. The machine owns the
 * region: call this before a producer attaches, and again only once no producer is attached.
 */
int reqring__init(struct reqring_cons *c, void *region, size_t size, uint32_t entries,
		  uint64_t bar_size);

/*
 * Marks the ring broken (a waiting producer wakes up and its access fails) and closes the
 * doorbell. Call it before unmapping the region; safe after a failed init.
 */
void reqring__destroy(struct reqring_cons *c);

/*
 * Applies up to @budget requests in ring order through @handler, answers the reads, publishes the
 * consumer index and wakes a waiting producer. Returns the number of requests consumed (malformed
 * ones included), or -EIO when the ring is broken.
 *
 * Policy for a producer index more than @entries ahead of the consumer's (or behind it): the
 * producer has corrupted the ring, and nothing in it can be trusted to be in order any more. The
 * ring is marked broken for good (stats.corrupt counts it, hdr->broken tells the producer, a
 * waiting producer is woken and fails with -EIO), no further request is applied, and the machine is
 * expected to reset the function and give its domain a fresh ring.
 */
int reqring__process(struct reqring_cons *c, unsigned int budget, reqring_handler_t handler,
		     void *ctx);

/*
 * Tells producers whether the consumer will look at the ring again without a kick. A consumer
 * about to sleep calls set_polling(false), then has_work(): if that is true, a request arrived
 * while the flag was still set (its producer did not kick), so it must set_polling(true) and
 * process again instead of sleeping.
 */
void reqring__set_polling(struct reqring_cons *c, bool on);

/* True when requests are waiting to be processed (false on a broken ring). */
bool reqring__has_work(const struct reqring_cons *c);

/* The doorbell eventfd, for epoll (readable when kicked). Stays owned by the ring. */
int reqring__doorbell_fd(const struct reqring_cons *c);

/* Drains the doorbell after a wakeup and counts the kicks; returns how many were pending. */
uint64_t reqring__doorbell_ack(struct reqring_cons *c);

bool reqring__is_broken(const struct reqring_cons *c);

/* ---- Producer (driver) side ---------------------------------------------------------------- */

struct reqring_prod_stats {
	uint64_t writes;     /* writes posted */
	uint64_t reads;	     /* reads completed (answered or failed) */
	uint64_t kicks;	     /* doorbell kicks sent */
	uint64_t suppressed; /* kicks skipped because the consumer was polling */
	uint64_t full;	     /* times a request found the ring full and had to wait */
	uint64_t sleeps;     /* futex sleeps while waiting for the consumer */
};

struct reqring_prod {
	struct reqring_hdr *hdr;
	struct reqring_slot *slots;
	uint32_t entries; /* copied and checked at attach, never re-read */
	uint32_t mask;
	uint32_t prod;	  /* next index to append */
	uint32_t cons;	  /* last consumer index seen, never beyond prod */
	uint32_t kicked;  /* prod at the last kick decision */
	uint32_t spin_ns; /* how long a wait spins before sleeping; tunable */
	bool dead;	  /* the consumer broke the ring or its index went out of range */
	int doorbell;	  /* not owned */
	struct reqring_prod_stats stats;
};

#define REQRING_SPIN_NS 20000u

/*
 * Attaches to a ring that a consumer initialised in @region (@size bytes as mapped here) and
 * kicks @doorbell_fd when needed. Fails with -EPROTO on a bad magic, version or geometry, -EINVAL
 * when the region is too small or misaligned, -EIO when the ring is broken and -EBUSY when requests
 * are still in flight from an earlier producer.
 */
int reqring__attach(struct reqring_prod *p, void *region, size_t size, int doorbell_fd);

/*
 * Appends a posted write and publishes it at once (a polling consumer sees it), but does not kick:
 * call reqring__kick() after a batch. Returns at once unless the ring is full, in which case it
 * kicks and waits for room. -EIO once the ring is dead. The consumer, not the producer, validates
 * @offset and @width.
 */
int reqring__post_write(struct reqring_prod *p, uint32_t offset, unsigned int width,
			uint64_t value);

/* Rings the doorbell if requests were appended since the last kick and the consumer is asleep. */
int reqring__kick(struct reqring_prod *p);

/*
 * Kicks if needed and waits until the consumer has taken every request appended so far: after
 * it the ring is idle, and another producer may attach (a BAR unmapped and mapped again).
 * -EIO once the ring is dead.
 */
int reqring__drain(struct reqring_prod *p);

/* A posted write that kicks if needed: the writel() of the driver runtime. */
static inline int reqring__write(struct reqring_prod *p, uint32_t offset, unsigned int width,
				 uint64_t value)
{
	int err = reqring__post_write(p, offset, width, value);

	return err ? err : reqring__kick(p);
}

/*
 * A non-posted read: appends the request after every earlier write, kicks if needed and waits for
 * the answer, masked to @width. A request the device drops or refuses answers all ones. On -EIO (a
 * dead ring) *@value is all ones too, as a read from a device that went away.
 */
int reqring__read(struct reqring_prod *p, uint32_t offset, unsigned int width, uint64_t *value);

#endif
