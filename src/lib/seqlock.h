/*
 * Sequence locks for small cache slots read on a hot path.
 *
 * Readers take no lock: they read the sequence, the fields (with READ_ONCE), then the sequence
 * again, and discard what they read if a writer was active or came by in between. Writers exclude
 * each other with a compare-and-swap on the sequence, so that several threads may fill or clear
 * the same slot (an odd sequence means "being written").
 */
#ifndef VFNET_LIB_SEQLOCK_H
#define VFNET_LIB_SEQLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Relaxed atomic accesses: a field of a slot that another thread may write concurrently. */
#define READ_ONCE(x)	 __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

struct seqlock {
	uint32_t seq;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

static inline uint32_t seqlock__read_begin(const struct seqlock *s)
{
	return __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
}

/* True when what was read since @start may be torn and must be discarded. */
static inline bool seqlock__read_retry(const struct seqlock *s, uint32_t start)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return (start & 1) || __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != start;
}

static inline bool seqlock__write_trylock(struct seqlock *s)
{
	uint32_t v = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	if (v & 1)
		return false;
	if (!__atomic_compare_exchange_n(&s->seq, &v, v + 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	/* The odd sequence must be visible before any field store. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return true;
}

static inline void seqlock__write_lock(struct seqlock *s)
{
	while (!seqlock__write_trylock(s))
		cpu_relax();
}

static inline void seqlock__write_unlock(struct seqlock *s)
{
	__atomic_store_n(&s->seq, READ_ONCE(s->seq) + 1, __ATOMIC_RELEASE);
}

#endif
