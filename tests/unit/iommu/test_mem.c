/* Machine memory: memfd-backed regions at machine addresses, and the hypervisor page pool. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "hw/mem/memory.h"
#include "hw/mem/pool.h"
#include "lib/memfd.h"

static void test_memfd_shared_through_fd(void **state)
{
	struct memfd m;
	uint8_t *other;

	assert_int_equal(memfd__create(&m, "t", 8192), 0);
	assert_true(m.fd >= 0);
	assert_int_equal(((uint8_t *)m.base)[8191], 0);
	/* Another mapping of the fd (what a domain process does) sees the same bytes. */
	other = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);
	assert_true(other != MAP_FAILED);
	((uint8_t *)m.base)[100] = 0x5a;
	assert_int_equal(other[100], 0x5a);
	munmap(other, 8192);
	memfd__destroy(&m);
	assert_int_equal(m.fd, -1);
	assert_null(m.base);
	memfd__destroy(&m);
	assert_int_equal(memfd__create(&m, "empty", 0), -EINVAL);
}

static void test_regions_reject_bad_and_overlapping(void **state)
{
	struct machine_mem mem;

	mem__init(&mem);
	assert_int_equal(mem__add(&mem, "a", 0x10000, 0x10000, NULL), 0);
	assert_int_equal(mem__add(&mem, "over", 0x18000, 0x10000, NULL), -EEXIST);
	assert_int_equal(mem__add(&mem, "under", 0x8000, 0x9000, NULL), -EEXIST);
	assert_int_equal(mem__add(&mem, "unaligned", 0x30100, 0x1000, NULL), -EINVAL);
	assert_int_equal(mem__add(&mem, "empty", 0x30000, 0, NULL), -EINVAL);
	assert_int_equal(mem__add(&mem, "wrap", 0xfffffffffffff000ull, 0x2000, NULL), -EINVAL);
	assert_int_equal(mem__add(&mem, "adjacent", 0x20000, 0x1000, NULL), 0);
	assert_int_equal(mem__remove(&mem, 0x30000), -ENOENT);
	mem__fini(&mem);
}

static void test_ptr_needs_whole_range_in_one_region(void **state)
{
	struct machine_mem mem;
	const struct mem_region *a, *b;
	uint64_t avail;

	mem__init(&mem);
	assert_int_equal(mem__add(&mem, "a", 0x10000, 0x2000, &a), 0);
	assert_int_equal(mem__add(&mem, "b", 0x12000, 0x1000, &b), 0);
	assert_ptr_equal(mem__ptr(&mem, 0x10000, 0x2000), a->host);
	assert_ptr_equal(mem__ptr(&mem, 0x11fff, 1), a->host + 0x1fff);
	assert_ptr_equal(mem__ptr(&mem, 0x12000, 0), b->host);
	/* Adjacent in machine memory, but two mappings: no single host pointer. */
	assert_null(mem__ptr(&mem, 0x11fff, 2));
	assert_null(mem__ptr(&mem, 0xffff, 1));
	assert_null(mem__ptr(&mem, 0x13000, 1));
	assert_ptr_equal(mem__find(&mem, 0x11fff), a);
	assert_ptr_equal(mem__find(&mem, 0x12000), b);
	assert_null(mem__find(&mem, 0x13000));
	assert_string_equal(b->name, "b");
	assert_true(b->mfd.fd >= 0);
	assert_ptr_equal(mem__span(&mem, 0x11000, &avail), a->host + 0x1000);
	assert_int_equal(avail, 0x1000);
	assert_null(mem__span(&mem, 0x14000, &avail));
	assert_int_equal(avail, 0);

	/* A removed region is gone, and its slot can hold a new one. */
	assert_int_equal(mem__remove(&mem, 0x10000), 0);
	assert_null(mem__ptr(&mem, 0x10000, 1));
	assert_int_equal(mem__add(&mem, "c", 0x40000, 0x1000, &a), 0);
	assert_ptr_equal(mem__ptr(&mem, 0x40000, 1), a->host);
	mem__fini(&mem);
}

static void test_pool_pages_are_zeroed_and_reused(void **state)
{
	struct machine_mem mem;
	struct mem_pool pool;
	uint64_t p1, p2, p3, run;
	uint8_t *h;

	mem__init(&mem);
	assert_int_equal(mem_pool__init(&pool, &mem, "hyp", 0x100000, 8 * 4096), 0);
	assert_int_equal(mem_pool__alloc(&pool, 1, &p1), 0);
	assert_int_equal(mem_pool__alloc(&pool, 1, &p2), 0);
	assert_true(p1 != p2);
	assert_true(p1 >= 0x100000 && p1 < 0x108000 && !(p1 & 0xfff));
	h = mem__ptr(&mem, p1, 4096);
	assert_ptr_equal(h, mem_pool__ptr(&pool, p1));
	memset(h, 0xaa, 4096);
	assert_int_equal(mem_pool__free(&pool, p1, 1), 0);
	assert_int_equal(mem_pool__free(&pool, p1, 1), -EINVAL);
	assert_int_equal(mem_pool__free(&pool, 0x200000, 1), -EINVAL);
	assert_int_equal(mem_pool__alloc(&pool, 1, &p3), 0);
	assert_int_equal(p3, p1);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(h[i], 0);

	/* Contiguous runs, and exhaustion. */
	assert_int_equal(mem_pool__alloc(&pool, 6, &run), 0);
	assert_int_equal(mem_pool__alloc(&pool, 1, &p3), -ENOMEM);
	assert_int_equal(mem_pool__free(&pool, run, 6), 0);
	assert_int_equal(mem_pool__alloc(&pool, 7, &run), -ENOMEM);
	assert_int_equal(mem_pool__alloc(&pool, 6, &run), 0);
	assert_null(mem_pool__ptr(&pool, 0x108000));
	mem_pool__fini(&pool);
	assert_null(mem__ptr(&mem, 0x100000, 1));
	mem__fini(&mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memfd_shared_through_fd),
	    cmocka_unit_test(test_regions_reject_bad_and_overlapping),
	    cmocka_unit_test(test_ptr_needs_whole_range_in_one_region),
	    cmocka_unit_test(test_pool_pages_are_zeroed_and_reused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
