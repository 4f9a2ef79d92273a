/* vfnet bench paper: options checked here, then the driver script run with this binary. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/bench_paper.h"
#include "cli/cmd.h"

/* The script beside a build tree (its source), and relative to an installed binary. */
#ifndef VFNET_PAPER_SOURCE
#error "meson defines VFNET_PAPER_SOURCE"
#endif

static int is_file(const char *p)
{
	return access(p, R_OK) == 0;
}

/* Where the driver script is for the binary at @exe: a binary in the build tree runs its
 * source's script, an installed one the script installed beside it. */
static int find_script(const char *exe, char *out, size_t len)
{
	size_t broot = strlen(VFNET_BUILD_ROOT);
	char dir[PATH_MAX], *slash;

	if (!strncmp(exe, VFNET_BUILD_ROOT, broot) && exe[broot] == '/' &&
	    is_file(VFNET_PAPER_SOURCE)) {
		snprintf(out, len, "%s", VFNET_PAPER_SOURCE);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", exe);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	if (VFNET_PAPER_INSTALLED[0] != '/' &&
	    (size_t)snprintf(out, len, "%s/%s", dir, VFNET_PAPER_INSTALLED) < len && is_file(out))
		return 0;
	if (VFNET_PAPER_INSTALLED[0] == '/' && is_file(VFNET_PAPER_INSTALLED)) {
		snprintf(out, len, "%s", VFNET_PAPER_INSTALLED);
		return 0;
	}
	return -ENOENT;
}

int bench_paper__run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quick", no_argument, NULL, 'q'},	    {"out", required_argument, NULL, 'o'},
	    {"runs", required_argument, NULL, 'r'}, {"seconds", required_argument, NULL, 's'},
	    {"quiet", no_argument, NULL, 'Q'},	    {NULL, 0, NULL, 0},
	};
	const char *out = "bench-paper", *runs = NULL, *secs = NULL;
	char exe[PATH_MAX], script[PATH_MAX + 64], *end;
	const char *args[16];
	bool quick = false, quiet = false;
	unsigned n = 0;
	ssize_t el;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quick = true;
			break;
		case 'Q':
			quiet = true;
			break;
		case 'o':
			if (!*optarg)
				return cmd__usage("bench", "--out takes a directory");
			out = optarg;
			break;
		case 'r': {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 99)
				return cmd__usage("bench", "--runs takes 1 to 99, not '%s'",
						  optarg);
			runs = optarg;
			break;
		}
		case 's': {
			double v;

			errno = 0;
			v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(v >= 0.05 && v <= 60))
				return cmd__usage("bench", "--seconds takes 0.05 to 60, not '%s'",
						  optarg);
			secs = optarg;
			break;
		}
		case ':':
			return cmd__usage("bench", "%s needs a value", argv[optind - 1]);
		default:
			return cmd__usage("bench", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd__usage("bench", "unexpected argument '%s'", argv[optind]);

	el = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (el <= 0)
		return cmd__fail("bench", "cannot find this program's path: %s", strerror(errno));
	exe[el] = '\0';
	if (find_script(exe, script, sizeof(script)))
		return cmd__fail("bench",
				 "the paper's driver script is missing (looked for %s and %s "
				 "beside %s): reinstall vfnet",
				 VFNET_PAPER_SOURCE, VFNET_PAPER_INSTALLED, exe);
	args[n++] = "python3";
	args[n++] = script;
	args[n++] = "--vfnet";
	args[n++] = exe;
	args[n++] = "--out";
	args[n++] = out;
	if (quick)
		args[n++] = "--quick";
	if (quiet)
		args[n++] = "--quiet";
	if (runs) {
		args[n++] = "--runs";
		args[n++] = runs;
	}
	if (secs) {
		args[n++] = "--seconds";
		args[n++] = secs;
	}
	args[n] = NULL;
	fflush(NULL);
	execvp("python3", (char *const *)args);
	return cmd__fail("bench", "cannot run python3 (the paper's driver needs it): %s",
			 strerror(errno));
}
