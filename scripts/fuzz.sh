#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (clang, build-fuzz/) and runs each for SECONDS
# (default 300), keeping a corpus per target in build-fuzz/corpus/NAME so runs build on each other.
# A crash leaves its reproducer in build-fuzz/tests/fuzz/ and makes this exit non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Dwerror=true >/dev/null || exit 1
fi
ninja -C build-fuzz >/dev/null || { ninja -C build-fuzz; exit 1; }
status=0
for t in build-fuzz/tests/fuzz/fuzz_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	name=$(basename "$t")
	mkdir -p "build-fuzz/corpus/$name"
	echo "== $name for ${secs}s"
	seeds=()
	[ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
	log="build-fuzz/$name.log"
	"$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/tests/fuzz/" "build-fuzz/corpus/$name" "${seeds[@]}" \
		>"$log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' "$log"
	[ $rc -eq 0 ] || { echo "fuzz: $name crashed (log: $log)"; status=1; }
done
exit $status
