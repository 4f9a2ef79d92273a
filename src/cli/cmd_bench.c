/* vfnet bench: benchmarks of the model's speed, printed side by side with medians of runs. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench_nic.h"
#include "cli/bench_paper.h"
#include "cli/cmd.h"
#include "lib/benchutil.h"

#define MAX_LIST 8

static void bench_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet bench nic [--seconds S] [--runs N] [--sizes LIST] [--batches LIST]\n"
		"                       [--csv FILE]\n"
		"       vfnet bench paper [--quick] [--out DIR] [--runs N] [--seconds S] [--quiet]\n\n"
		"nic:\n"
		"Measure the 82576 model VF to VF on one port, through the IOMMU: the engine runs on\n"
		"its own thread, a driver thread feeds VF 0's Tx ring and drains VF 1's Rx ring with\n"
		"one tail write per batch through request rings, as a guest does. Prints, for each\n"
		"frame size and batch, the median of the runs: Mpps and Gbit/s over wall time, and\n"
		"the engine's CPU time per frame (what one engine core costs).\n\n"
		"options:\n"
		"  --seconds S    length of one run (default 1)\n"
		"  --runs N       runs per case; the median is shown (default 5)\n"
		"  --sizes LIST   frame sizes in bytes, 60..1518 (default 64,1514)\n"
		"  --batches LIST frames per doorbell, 1..256 (default 1,8,32)\n"
		"  --csv FILE     also write every run to FILE\n\n"
		"paper:\n"
		"The SR-IOV paper's claims against the Xen paravirtual path, measured on this\n"
		"machine, each scenario on a `vfnet host` of its own, SR-IOV and PV runs alternating:\n"
		"1 throughput and CPU per frame by size (64..1514 B) guest to guest, split by who\n"
		"pays (sender, receiver, dom0, hypervisor; NIC engine apart); 2 CPU at a fixed rate;\n"
		"6 netback TX by grant copy against grant map; 4 round-trip latency p50/p99/p99.9;\n"
		"3 host CPU against the number of sending guests; 5 the VF driver's interrupt\n"
		"moderation (InterruptThrottleRate fixed, off, adaptive). Writes into DIR one CSV per\n"
		"scenario, gnuplot figures (PNG and SVG) and report.md (per claim: the statement,\n"
		"the figure, the numbers, whether it holds here, CPU model and load). Needs python3\n"
		"and gnuplot. About 10 minutes with the defaults on 2 CPUs.\n"
		"  --quick        a smoke test: every scenario for a fraction of a second, one run\n"
		"  --out DIR      where the report goes (default ./bench-paper)\n"
		"  --runs N       runs per point, 1 to 99; medians and min..max (default 3)\n"
		"  --seconds S    measured length of one run, 0.05 to 60 (default 3)\n"
		"  --quiet        no progress line on stderr\n\n"
		"examples:\n  vfnet bench nic --runs 3 --sizes 64 --batches 32\n"
		"  vfnet bench paper --out /tmp/paper && less /tmp/paper/report.md\n");
}

static int parse_list(const char *s, unsigned *out, unsigned lo, unsigned hi)
{
	unsigned n = 0;

	while (*s && n < MAX_LIST) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v < lo || v > hi || (*end && *end != ','))
			return -EINVAL;
		out[n++] = (unsigned)v;
		s = *end ? end + 1 : end;
	}
	return *s ? -EINVAL : (int)n;
}

static int bench_nic(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'}, {"runs", required_argument, NULL, 'r'},
		{"sizes", required_argument, NULL, 'z'},   {"batches", required_argument, NULL, 'b'},
		{"csv", required_argument, NULL, 'c'},     {NULL, 0, NULL, 0},
	};
	unsigned sizes[MAX_LIST] = {64, 1514}, batches[MAX_LIST] = {1, 8, 32}, runs = 5;
	int nsizes = 2, nbatches = 3, opt;
	double seconds = 1;
	const char *csv = NULL;
	char cpu[128], *end;
	FILE *cf = NULL;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			seconds = strtod(optarg, &end);
			if (*end || !(seconds >= 0.05 && seconds <= 60))
				return cmd__usage("bench", "--seconds takes 0.05 to 60, not '%s'", optarg);
			break;
		case 'r':
			runs = (unsigned)strtoul(optarg, &end, 10);
			if (*end || runs < 1 || runs > 99)
				return cmd__usage("bench", "--runs takes 1 to 99, not '%s'", optarg);
			break;
		case 'z':
			/* Without LPE a pool takes frames up to 1518 bytes (1522 with a tag). */
			if ((nsizes = parse_list(optarg, sizes, 60, 1518)) <= 0)
				return cmd__usage("bench", "--sizes takes sizes 60..1518, e.g. 64,1514");
			break;
		case 'b':
			if ((nbatches = parse_list(optarg, batches, 1, 256)) <= 0)
				return cmd__usage("bench", "--batches takes counts 1..256, e.g. 1,8,32");
			break;
		case 'c':
			csv = optarg;
			break;
		default:
			return cmd__usage("bench", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd__usage("bench", "unexpected argument '%s'", argv[optind]);
	if (csv && !(cf = fopen(csv, "w")))
		return cmd__fail("bench", "cannot write %s: %s", csv, strerror(errno));
	bench__cpu_model(cpu, sizeof(cpu));
	printf("# vfnet bench nic: VF to VF on one port, IOMMU on, one engine thread\n"
	       "# machine: %s; median of %u runs of %.2f s\n", cpu, runs, seconds);
	printf("%6s %6s %10s %10s %14s %16s %8s %8s\n", "size", "batch", "Mpps", "Gbit/s",
	       "engine ns/fr", "Mpps/engine core", "sleeps/s", "drops");
	if (cf)
		fprintf(cf, "size,batch,run,frames,mpps,gbps,engine_ns_per_frame,sleeps,drops\n");
	for (int s = 0; s < nsizes; s++) {
		for (int b = 0; b < nbatches; b++) {
			double mpps[99], gbps[99], ens[99];
			uint64_t drops = 0;
			double sleeps[99];

			for (unsigned r = 0; r < runs; r++) {
				struct bench_nic_result res;
				int rc = bench_nic__run(sizes[s], batches[b], seconds, &res);

				if (rc) {
					if (cf)
						fclose(cf);
					return cmd__fail("bench", "run failed: %s", strerror(-rc));
				}
				mpps[r] = res.mpps;
				gbps[r] = res.gbps;
				ens[r] = res.engine_ns;
				drops += res.drops;
				sleeps[r] = res.sleeps / seconds;
				if (cf)
					fprintf(cf, "%u,%u,%u,%llu,%.4f,%.4f,%.2f,%llu,%llu\n",
						sizes[s], batches[b], r,
						(unsigned long long)res.frames, res.mpps, res.gbps,
						res.engine_ns, (unsigned long long)res.sleeps,
						(unsigned long long)res.drops);
			}
			double e = bench__median(ens, runs);

			printf("%6u %6u %10.3f %10.3f %14.1f %16.3f %8.0f %8llu\n", sizes[s],
			       batches[b], bench__median(mpps, runs), bench__median(gbps, runs), e,
			       e > 0 ? 1e3 / e : 0, bench__median(sleeps, runs), (unsigned long long)drops);
			fflush(stdout);
		}
	}
	if (cf)
		fclose(cf);
	return EXIT_OK;
}

static int bench_run(int argc, char **argv)
{
	if (argc < 2)
		return cmd__usage("bench", "which benchmark? `vfnet bench nic` or `vfnet bench paper`");
	if (!strcmp(argv[1], "nic"))
		return bench_nic(argc - 1, argv + 1);
	if (!strcmp(argv[1], "paper"))
		return bench_paper__run(argc - 1, argv + 1);
	return cmd__usage("bench", "unknown benchmark '%s'; there are `nic` and `paper`", argv[1]);
}

const struct cmd cmd_bench = {
	.name = "bench",
	.summary = "measure the NIC model's speed, or SR-IOV against PV as the paper did",
	.run = bench_run,
	.help = bench_help,
};
