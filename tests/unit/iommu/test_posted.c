/* The posted-interrupt descriptor: one notification per batch, coalescing, SN and URG, and the
 * destination taking the pending vectors while devices keep posting. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/iommu/posted.h"

static void test_notify_once_then_coalesce(void **state)
{
	struct pi_desc pd;
	uint64_t pending[4];

	pi_desc__init(&pd, 0xf2, 7);
	assert_int_equal(pd.control >> PI_CTRL_NV_SHIFT & 0xff, 0xf2);
	assert_int_equal(pd.control >> PI_CTRL_NDST_SHIFT, 7);
	assert_true(pi_desc__post(&pd, 0x20, false));
	assert_true(pd.control & PI_CTRL_ON);
	assert_false(pi_desc__post(&pd, 0x21, false));
	assert_false(pi_desc__post(&pd, 0x20, true)); /* ON already set: nothing to send */
	assert_true(pi_desc__take(&pd, pending));
	assert_int_equal(pending[0], BIT64(0x20) | BIT64(0x21));
	assert_int_equal(pending[1] | pending[2] | pending[3], 0);
	assert_false(pd.control & PI_CTRL_ON);
	assert_false(pi_desc__take(&pd, pending));
	assert_true(pi_desc__post(&pd, 0xff, false));
	assert_true(pi_desc__take(&pd, pending));
	assert_int_equal(pending[3], BIT64(63));
}

static void test_suppressed_unless_urgent(void **state)
{
	struct pi_desc pd;
	uint64_t pending[4];

	pi_desc__init(&pd, 0xf2, 0);
	pi_desc__suppress(&pd, true);
	/* A descheduled destination: the vector is recorded, nobody is woken... */
	assert_false(pi_desc__post(&pd, 0x30, false));
	assert_false(pd.control & PI_CTRL_ON);
	/* ...unless the entry is urgent. */
	assert_true(pi_desc__post(&pd, 0x31, true));
	assert_true(pi_desc__take(&pd, pending));
	assert_int_equal(pending[0], BIT64(0x30) | BIT64(0x31));
	pi_desc__suppress(&pd, false);
	assert_true(pi_desc__post(&pd, 0x30, false));
}

#define POSTERS 3
#define POSTS	100000

struct race {
	struct pi_desc pd;
	unsigned notifications;
	unsigned done;
};

static void *poster(void *arg)
{
	struct race *r = arg;

	for (unsigned i = 0; i < POSTS; i++)
		if (pi_desc__post(&r->pd, (uint8_t)(i % 200 + 32), false))
			__atomic_fetch_add(&r->notifications, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_no_vector_is_lost_under_concurrency(void **state)
{
	static struct race r;
	pthread_t th[POSTERS];
	uint64_t pending[4], seen[4] = {0};
	unsigned takes = 0;

	pi_desc__init(&r.pd, 0xf2, 0);
	for (unsigned i = 0; i < POSTERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, poster, &r), 0);
	/* The destination: take only after a notification, like a vCPU woken by its eventfd. */
	while (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) < POSTERS ||
	       (__atomic_load_n(&r.pd.control, __ATOMIC_ACQUIRE) & PI_CTRL_ON)) {
		if (!(__atomic_load_n(&r.pd.control, __ATOMIC_ACQUIRE) & PI_CTRL_ON))
			continue;
		takes++;
		pi_desc__take(&r.pd, pending);
		for (unsigned w = 0; w < 4; w++)
			seen[w] |= pending[w];
	}
	for (unsigned i = 0; i < POSTERS; i++)
		pthread_join(th[i], NULL);
	/* Every vector that was posted was announced: nothing is left pending without ON. */
	assert_false(pi_desc__take(&r.pd, pending));
	for (unsigned v = 32; v < 232; v++)
		assert_true(seen[v / 64] & BIT64(v % 64));
	assert_true(r.notifications >= 1);
	assert_true(r.notifications <= POSTERS * POSTS);
	assert_int_equal(r.notifications, takes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_notify_once_then_coalesce),
	    cmocka_unit_test(test_suppressed_unless_urgent),
	    cmocka_unit_test(test_no_vector_is_lost_under_concurrency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
