/*
 * IOMMU translation cost: ns per iommu__translate for an IOTLB hit and for a full 4-level walk
 * (a context-cache hit, then an IOTLB miss: the walk reads four page-table entries), each the
 * median of several runs, in thread CPU time. Prints the CPU model and writes a CSV.
 * Usage: bench_iommu [CSV path]   (default: bench_iommu.csv beside the executable, in the build)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/benchutil.h"
#include "hw/iommu/context.h"
#include "hw/iommu/iommu.h"
#include "hw/iommu/pgtable.h"
#include "hw/mem/pool.h"

#define RAM_BASE   0x40000000ull
#define RAM_SIZE   (64ull << 20)
#define POOL_BASE  0x00100000ull
#define RID	   0x0110
#define HIT_PAGES  64	 /* a working set the IOTLB holds */
#define WALK_PAGES 16384 /* 16x the IOTLB: every access misses */
#define RUNS	   9
#define ITERS	   2000000

struct bench {
	struct machine_mem mem;
	struct mem_pool pool;
	struct iommu *iommu;
	struct context_tables ct;
	struct dma_domain dom;
};

/* BUILD/bench/bench_iommu.csv when run from the build tree. */
static void default_csv(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	buf[n > 0 ? n : 0] = 0;
	slash = strrchr(buf, '/');
	if (n <= 0 || !slash || (size_t)(slash - buf) + sizeof("/bench_iommu.csv") > len) {
		snprintf(buf, len, "bench_iommu.csv");
		return;
	}
	strcpy(slash, "/bench_iommu.csv");
}

/* Thread CPU time, not wall time: on a shared machine a descheduled benchmark thread would
 * otherwise count other processes' time as translation cost. */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}


/* ns per translation of one 64-byte read, cycling through @pages (a power of two) pages with a
 * stride that keeps consecutive accesses in different IOTLB slots. */
static double run(struct bench *b, unsigned pages)
{
	struct dma_seg seg;
	uint64_t sink = 0;
	double t0 = now_ns();

	for (unsigned i = 0; i < ITERS; i++) {
		uint64_t iova = (uint64_t)((i * 7919u) & (pages - 1)) << 12;

		if (iommu__translate(b->iommu, RID, iova + 64, 64, IOMMU_READ, &seg, 1) != 1) {
			fprintf(stderr, "bench_iommu: translation failed at %#llx\n",
				(unsigned long long)iova);
			exit(1);
		}
		sink += (uintptr_t)seg.host;
	}
	__asm__ volatile("" : : "r"(sink));
	return (now_ns() - t0) / ITERS;
}

static double median_of_runs(struct bench *b, unsigned pages, double *runs)
{
	double sorted[RUNS];

	run(b, pages); /* warm up: fill the caches, fault the pages in */
	for (unsigned r = 0; r < RUNS; r++)
		runs[r] = sorted[r] = run(b, pages);
	return bench__median(sorted, RUNS);
}

static int setup(struct bench *b)
{
	int err;

	mem__init(&b->mem);
	err = mem_pool__init(&b->pool, &b->mem, "hyp", POOL_BASE, 4ull << 20);
	if (!err)
		err = mem__add(&b->mem, "ram", RAM_BASE, RAM_SIZE, NULL);
	if (!err)
		err = iommu__create(&b->iommu, &b->mem, NULL);
	if (!err)
		err = context__init(&b->ct, &b->pool, b->iommu);
	if (!err)
		err = dma_domain__create(&b->dom, &b->pool, b->iommu, 1, VTD_AW_48BIT);
	if (!err)
		err = context__attach(&b->ct, RID, &b->dom);
	/* 4 KiB pages scattered over RAM (not a superpage): each miss walks all four levels. */
	for (uint64_t p = 0; !err && p < WALK_PAGES; p++)
		err = dma_domain__map(&b->dom, p << 12, RAM_BASE + ((p * 37) % WALK_PAGES) * 4096,
				      4096, IOMMU_READ | IOMMU_WRITE);
	return err;
}

int main(int argc, char **argv)
{
	char csv_buf[4096];
	const char *csv = csv_buf;
	double hit[RUNS], walk[RUNS], hit_med, walk_med;
	struct iommu_stats st;
	struct bench b;
	char cpu[128];
	FILE *out;
	int err;

	if (argc > 1)
		csv = argv[1];
	else
		default_csv(csv_buf, sizeof(csv_buf));
	err = setup(&b);
	if (err) {
		fprintf(stderr, "bench_iommu: setup: %s\n", strerror(-err));
		return 1;
	}
	bench__cpu_model(cpu, sizeof(cpu));
	hit_med = median_of_runs(&b, HIT_PAGES, hit);
	walk_med = median_of_runs(&b, WALK_PAGES, walk);
	iommu__stats(b.iommu, &st);

	printf("bench_iommu: cpu: %s\n", cpu);
	printf("bench_iommu: iotlb hit:         %6.1f ns/translation (median of %d runs of %d)\n",
	       hit_med, RUNS, ITERS);
	printf("bench_iommu: 4-level walk:      %6.1f ns/translation (median of %d runs of %d)\n",
	       walk_med, RUNS, ITERS);
	printf("bench_iommu: iotlb hits %llu, misses %llu\n", (unsigned long long)st.iotlb_hits,
	       (unsigned long long)st.iotlb_misses);

	out = fopen(csv, "w");
	if (!out) {
		fprintf(stderr, "bench_iommu: %s: %s\n", csv, strerror(errno));
		return 1;
	}
	fprintf(out, "benchmark,case,run,ns_per_op,cpu\n");
	for (unsigned r = 0; r < RUNS; r++) {
		fprintf(out, "iommu,iotlb_hit,%u,%.2f,\"%s\"\n", r, hit[r], cpu);
		fprintf(out, "iommu,walk_4level,%u,%.2f,\"%s\"\n", r, walk[r], cpu);
	}
	fclose(out);
	printf("bench_iommu: wrote %s\n", csv);

	dma_domain__destroy(&b.dom);
	context__fini(&b.ct);
	iommu__destroy(b.iommu);
	mem_pool__fini(&b.pool);
	mem__fini(&b.mem);
	return 0;
}
