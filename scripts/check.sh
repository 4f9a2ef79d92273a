#!/usr/bin/env bash
# make check: build three ways and run every test, then print one closing line
# "N passed, N failed, N skipped" counted over the individual test cases (TAP lines).
#   build/       gcc, -Werror: unit and integration tests
#   build-asan/  gcc with ASan + UBSan: unit tests
#   build-fuzz/  clang with libFuzzer: a bounded run of every fuzz target
set -uo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-15}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
logs=()
broken=0 # builds that failed: each counts as one failed test in the closing line

setup() { # dir, meson args...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
}

run() { # dir, meson test args...
	local dir=$1; shift
	echo "== $dir: meson test $*"
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || {
		grep -E 'error|FAILED' "$dir.ninja.log" | head -40; echo "not ok - $dir: build failed"
		status=1; broken=$((broken + 1)); return; }
	meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || status=1
	logs+=("$dir/meson-logs/testlog.json")
}

fail_setup() { echo "not ok - $1: meson setup failed"; status=1; broken=$((broken + 1)); }
if setup build -Dwerror=true; then run build --suite unit --suite integration
else fail_setup build; fi
# A test must stop every process it starts: a vfnet left running in this build tree after the
# suites is a failure (it would load the machine under the next tests), and is stopped here.
leaked() {
	local top pid
	top=$(cd build && pwd)
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		case "$(cat "/proc/$pid/comm" 2>/dev/null)" in vfnet|vfnet:*) ;; *) continue ;; esac
		case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$top"|"$top"/*) echo "$pid" ;; esac
	done
}
if [ -d build ]; then
	sleep 1
	left=$(leaked)
	if [ -n "$left" ]; then
		echo "not ok - processes left running by the tests:"
		for pid in $left; do echo "#   $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"; done
		kill $left 2>/dev/null
		status=1; broken=$((broken + 1))
	fi
fi
if setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true; then
	run build-asan --suite unit
else fail_setup build-asan; fi
if CC=clang setup build-fuzz -Dfuzz=true -Dtests=false -Dwerror=true; then
	run build-fuzz --suite fuzz
else fail_setup build-fuzz; fi

python3 scripts/summary.py --failed "$broken" "${logs[@]}" || status=1
exit $status
