#!/usr/bin/env bash
# make bench: runs every microbenchmark (BUILD/bench/bench_*) and `vfnet bench nic`, and prints
# their results.
# Each benchmark writes its CSV beside itself in BUILD/bench/. Usage: scripts/bench.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
status=0
shopt -s nullglob
benches=("$build"/bench/bench_*)
if [ ${#benches[@]} -eq 0 ]; then
	echo "bench: no benchmarks in $build/bench (build first: make)" >&2
	exit 1
fi
for b in "${benches[@]}"; do
	[ -x "$b" ] && [ -f "$b" ] || continue
	name=$(basename "$b")
	echo "== $name"
	"$b" "$build/bench/$name.csv" || { echo "bench: $name failed" >&2; status=1; }
done
# The NIC model end to end (its own subcommand, so users can run it too).
if [ -x "$build/src/cli/vfnet" ]; then
	echo "== vfnet bench nic"
	"$build/src/cli/vfnet" bench nic --csv "$build/bench/bench_nic.csv" ||
		{ echo "bench: vfnet bench nic failed" >&2; status=1; }
fi
# Guest to guest with real processes: who pays for SR-IOV traffic.
if [ -x "$build/src/cli/vfnet" ]; then
	echo "== bench/bench_guests.sh"
	"$(dirname "$0")/../bench/bench_guests.sh" "$build/src/cli/vfnet" 5 3 \
		"$build/bench/bench_guests.csv" || { echo "bench: bench_guests failed" >&2; status=1; }
fi
exit $status
