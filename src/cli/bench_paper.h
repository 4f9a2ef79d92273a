/*
 * `vfnet bench paper`: the SR-IOV paper's comparison against the Xen paravirtual path. The
 * scenarios are driven by a script (bench/paper.py, installed as LIBEXECDIR/vfnet/bench-paper)
 * that starts `vfnet host`s of its own through this very binary; this side checks the options
 * and finds the script.
 */
#ifndef VFNET_CLI_BENCH_PAPER_H
#define VFNET_CLI_BENCH_PAPER_H

/* argv[0] is "paper". Returns an exit status (the script's, or EXIT_USAGE/EXIT_FAIL). */
int bench_paper__run(int argc, char **argv);

#endif
