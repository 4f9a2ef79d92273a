#!/usr/bin/env bash
# Runs one libFuzzer target for FUZZ_SECONDS (default 15) and reports the result as TAP.
# Usage: fuzz-run.sh TARGET [extra libFuzzer args]
# A crash leaves the reproducer beside the build (crash-*) and fails the test.
set -u
target=$1; shift
secs=${FUZZ_SECONDS:-15}
name=$(basename "$target")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds=()
[ -n "${FUZZ_CORPUS:-}" ] && [ -d "$FUZZ_CORPUS" ] && seeds=("$FUZZ_CORPUS")
echo "1..1"
if "$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$(dirname "$target")/" "$@" "$work" "${seeds[@]}" >"$work/log" 2>&1; then
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
	echo "ok 1 - $name: ${runs:-?} inputs in ${secs}s, no crash"
else
	sed 's/^/# /' "$work/log" | tail -60
	echo "not ok 1 - $name: crashed (reproducer beside the binary)"
	exit 1
fi
