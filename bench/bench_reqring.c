/*
 * Benchmark of the request ring (src/lib/reqring.h): posted-write throughput and read round-trip
 * latency between a producer thread and a consumer thread, each pinned to its own CPU when there
 * are two, with the consumer either busy-polling or sleeping on the doorbell whenever the ring
 * runs dry.
 *
 *   bench_reqring [-r runs] [-n writes] [-l reads] [-e entries] [CSV]
 *
 * Each line of stdout is "reqring mode=M metric=X median=V min=V max=V unit=U runs=R", the median
 * over the runs; with CSV, the same rows go to that file (header: mode,metric,unit,median,min,max,
 * runs,cpu).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "lib/compiler.h"
#include "lib/memfd.h"
#include "lib/benchutil.h"
#include "lib/reqring.h"

#define BAR_SIZE 4096u
#define REG_DATA 0x100u
#define REG_STOP 0xff8u
#define MAX_RUNS 64

/*
 * How the consumer waits for work: always busy-polling; sleeping on the doorbell as soon as the
 * ring is empty; or busy-polling for a short window after the last request, then sleeping.
 */
enum mode { MODE_POLL, MODE_SLEEP, MODE_WINDOW, MODE_COUNT };

static const char *const mode_names[MODE_COUNT] = {"poll", "sleep", "window"};

#define WINDOW_NS 50000u

struct engine {
	struct reqring_cons *c;
	enum mode mode;
	int cpu;
	uint64_t regs[BAR_SIZE / 8];
	bool ready;
	bool stop;
	int err;
};

static int bar_access(void *ctx, uint32_t offset, unsigned int width, bool is_write,
		      uint64_t *value)
{
	struct engine *e = ctx;

	if (!is_write) {
		*value = e->regs[offset / 8];
		return 0;
	}
	e->regs[offset / 8] = *value;
	if (offset == REG_STOP)
		__atomic_store_n(&e->stop, true, __ATOMIC_RELEASE);
	return 0;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *engine_thread(void *arg)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct engine *e = arg;
	uint64_t last;
	int ep, n;

	pin(e->cpu);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, reqring__doorbell_fd(e->c), &ev) < 0) {
		e->err = -errno;
		__atomic_store_n(&e->ready, true, __ATOMIC_RELEASE);
		return NULL;
	}
	reqring__set_polling(e->c, true);
	__atomic_store_n(&e->ready, true, __ATOMIC_RELEASE);
	last = now_ns();
	while (!__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE)) {
		n = reqring__process(e->c, 64, bar_access, e);
		if (n < 0) {
			e->err = n;
			break;
		}
		if (n) {
			if (e->mode == MODE_WINDOW)
				last = now_ns();
			continue;
		}
		if (e->mode == MODE_POLL)
			continue;
		if (e->mode == MODE_WINDOW && now_ns() - last < WINDOW_NS)
			continue;
		/* The doorbell path. */
		reqring__set_polling(e->c, false);
		if (!reqring__has_work(e->c) && epoll_wait(ep, &ev, 1, -1) > 0)
			reqring__doorbell_ack(e->c);
		reqring__set_polling(e->c, true);
		last = now_ns();
	}
	close(ep);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum metric {
	M_WRITE_MOPS,  /* reqring__write(): a kick decision per write */
	M_BATCH_MOPS,  /* reqring__post_write() x 32, then one reqring__kick() */
	M_WRITE_KICKS, /* doorbell kicks per 1000 writes, per-write decision */
	M_READ_MEDIAN, /* read round trip */
	M_READ_P99,
	M_READ_SLEEPS, /* producer futex sleeps per 1000 reads */
	M_COUNT,
};

static const struct {
	const char *name, *unit;
} metrics[M_COUNT] = {
    [M_WRITE_MOPS] = {"write", "Mops/s"},
    [M_BATCH_MOPS] = {"write_batch32", "Mops/s"},
    [M_WRITE_KICKS] = {"write_kicks", "per_1000_ops"},
    [M_READ_MEDIAN] = {"read_median", "ns"},
    [M_READ_P99] = {"read_p99", "ns"},
    [M_READ_SLEEPS] = {"read_sleeps", "per_1000_ops"},
};

struct params {
	unsigned int runs, writes, reads, entries;
	int cpu_prod, cpu_cons;
};

/* One run of every metric in @mode; returns 0 or a negative errno. */
static int run_once(const struct params *pa, enum mode mode, double out[M_COUNT], uint64_t *samples)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct reqring_cons c;
	struct reqring_prod p;
	struct memfd m;
	pthread_t t;
	uint64_t t0, v, kicks;
	int err;

	if (!e)
		return -ENOMEM;
	err = memfd__create(&m, "bench-reqring", reqring__region_size(pa->entries));
	if (err)
		goto err_free;
	err = reqring__init(&c, m.base, m.size, pa->entries, BAR_SIZE);
	if (err)
		goto err_memfd;
	err = reqring__attach(&p, m.base, m.size, reqring__doorbell_fd(&c));
	if (err)
		goto err_ring;
	e->c = &c;
	e->mode = mode;
	e->cpu = pa->cpu_cons;
	err = -pthread_create(&t, NULL, engine_thread, e);
	if (err)
		goto err_ring;
	while (!__atomic_load_n(&e->ready, __ATOMIC_ACQUIRE))
		usleep(100);

	/* Posted writes, then one read: it completes only after every write before it. */
	kicks = p.stats.kicks;
	t0 = now_ns();
	for (unsigned int i = 0; i < pa->writes && !err; i++)
		err = reqring__write(&p, REG_DATA, 8, i);
	if (!err)
		err = reqring__read(&p, REG_DATA, 8, &v);
	out[M_WRITE_MOPS] = pa->writes * 1e3 / (double)(now_ns() - t0);
	out[M_WRITE_KICKS] = (double)(p.stats.kicks - kicks) * 1000.0 / pa->writes;
	if (!err && v != pa->writes - 1)
		err = -EIO;

	t0 = now_ns();
	for (unsigned int i = 0; i < pa->writes && !err; i++) {
		err = reqring__post_write(&p, REG_DATA, 8, i);
		if (!err && i % 32 == 31)
			err = reqring__kick(&p);
	}
	if (!err)
		err = reqring__read(&p, REG_DATA, 8, &v);
	out[M_BATCH_MOPS] = pa->writes * 1e3 / (double)(now_ns() - t0);

	/* Reads one at a time, each timed; the first tenth warms up and is not counted. */
	for (unsigned int i = 0; i < pa->reads / 10 && !err; i++)
		err = reqring__read(&p, REG_DATA, 8, &v);
	kicks = p.stats.sleeps;
	for (unsigned int i = 0; i < pa->reads && !err; i++) {
		t0 = now_ns();
		err = reqring__read(&p, REG_DATA, 8, &v);
		samples[i] = now_ns() - t0;
	}
	out[M_READ_SLEEPS] = (double)(p.stats.sleeps - kicks) * 1000.0 / pa->reads;
	if (!err) {
		qsort(samples, pa->reads, sizeof(*samples), cmp_u64);
		out[M_READ_MEDIAN] = (double)samples[pa->reads / 2];
		out[M_READ_P99] = (double)samples[(size_t)pa->reads * 99 / 100];
	}

	/* Stops the engine through the ring; if the ring failed, through the flag and a kick. */
	if (reqring__write(&p, REG_STOP, 8, 1)) {
		uint64_t one = 1;

		__atomic_store_n(&e->stop, true, __ATOMIC_RELEASE);
		if (write(reqring__doorbell_fd(&c), &one, sizeof(one)) < 0)
			perror("bench_reqring: doorbell");
	}
	pthread_join(t, NULL);
	if (!err)
		err = e->err;
err_ring:
	reqring__destroy(&c);
err_memfd:
	memfd__destroy(&m);
err_free:
	free(e);
	return err;
}


static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-r runs] [-n writes] [-l reads] [-e entries] [CSV]\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	struct params pa = {.runs = 5, .writes = 500000, .reads = 20000, .entries = 256};
	static double res[MODE_COUNT][M_COUNT][MAX_RUNS];
	const char *csv_path = NULL;
	uint64_t *samples;
	FILE *csv = NULL;
	char cpu[128];
	long ncpu;
	int opt, err;

	while ((opt = getopt(argc, argv, "r:n:l:e:h")) != -1) {
		switch (opt) {
		case 'r':
			pa.runs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			pa.writes = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			pa.reads = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'e':
			pa.entries = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind < argc)
		csv_path = argv[optind++];
	if (optind < argc || !pa.runs || pa.runs > MAX_RUNS || !pa.writes || pa.reads < 100)
		usage(argv[0]);

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pa.cpu_prod = ncpu >= 2 ? 0 : -1;
	pa.cpu_cons = ncpu >= 2 ? 1 : -1;
	pin(pa.cpu_prod);
	bench__cpu_model(cpu, sizeof(cpu));
	printf("# reqring: cpu \"%s\", %ld online, producer on cpu %d, consumer on cpu %d\n", cpu,
	       ncpu, pa.cpu_prod, pa.cpu_cons);
	printf("# %u runs of %u writes and %u reads, %u entries; medians over runs\n", pa.runs,
	       pa.writes, pa.reads, pa.entries);

	samples = calloc(pa.reads, sizeof(*samples));
	if (!samples)
		return 1;
	for (unsigned int r = 0; r < pa.runs; r++) {
		for (int mode = 0; mode < MODE_COUNT; mode++) {
			double row[M_COUNT];

			err = run_once(&pa, mode, row, samples);
			if (err) {
				fprintf(stderr, "bench_reqring: %s run %u: %s\n", mode_names[mode],
					r, strerror(-err));
				return 1;
			}
			for (int k = 0; k < M_COUNT; k++)
				res[mode][k][r] = row[k];
		}
	}
	free(samples);

	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv) {
			perror(csv_path);
			return 1;
		}
		fprintf(csv, "mode,metric,unit,median,min,max,runs,cpu\n");
	}
	for (int mode = 0; mode < MODE_COUNT; mode++) {
		for (int k = 0; k < M_COUNT; k++) {
			double *v = res[mode][k];

			qsort(v, pa.runs, sizeof(*v), cmp_double);
			printf("reqring mode=%s metric=%s median=%.3f min=%.3f max=%.3f unit=%s "
			       "runs=%u\n",
			       mode_names[mode], metrics[k].name, v[pa.runs / 2], v[0],
			       v[pa.runs - 1], metrics[k].unit, pa.runs);
			if (csv)
				fprintf(csv, "%s,%s,%s,%.3f,%.3f,%.3f,%u,\"%s\"\n",
					mode_names[mode], metrics[k].name, metrics[k].unit,
					v[pa.runs / 2], v[0], v[pa.runs - 1], pa.runs, cpu);
		}
	}
	if (csv && fclose(csv)) {
		perror(csv_path);
		return 1;
	}
	return 0;
}
