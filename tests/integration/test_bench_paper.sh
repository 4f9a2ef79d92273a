#!/usr/bin/env bash
# `vfnet bench paper --quick`: every scenario runs on hosts of its own and moves frames on both
# paths, and the report has its shape: a section per claim with its figure, the numbers, a
# verdict, the machine named; CSVs and figures (PNG and SVG) beside it. Never a speed: quick
# runs are too short to mean one. Options are checked before anything starts.
# usage: test_bench_paper.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
command -v python3 >/dev/null || skip_all "python3 not installed"
command -v gnuplot >/dev/null || skip_all "gnuplot not installed (scripts/deps.sh installs it)"

"$vfnet" bench paper --runs 0 2>"$t/e1"
check "--runs 0 is refused (usage, exit 2)" test $? -eq 2
has "... saying what --runs takes" "$t/e1" "--runs takes 1 to 99"
"$vfnet" bench paper --seconds x 2>"$t/e2"
check "--seconds x is refused" test $? -eq 2
"$vfnet" bench paper extra 2>"$t/e3"
check "a stray argument is refused" test $? -eq 2
test ! -e bench-paper
check "... and nothing was written" test ! -e "$t/out"

start=$(date +%s)
"$vfnet" bench paper --quick --out "$t/out" >"$t/stdout" 2>"$t/stderr"
rc=$?
check "vfnet bench paper --quick exits 0" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$t/stderr" | tail -20
has "it names its report" "$t/stdout" "report $t/out/report.md"
has "a progress line names the scenario and the time left" "$t/stderr" \
	'^\[ *[0-9]+%\] 1 size: .*about [0-9]+:[0-9]{2} left'
has "... and reaches the last scenario" "$t/stderr" '5 moderation: '
echo "# took $(($(date +%s) - start)) s"

r=$t/out/report.md
model=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)
has "the report names the CPU model" "$r" "^Machine: .*$(printf '%s' "$model" | sed 's/[][().*^$]/\\&/g'), $(nproc) CPUs"
has "... and the load" "$r" "load average [0-9.]+ [0-9.]+ [0-9.]+ before"
has "... and says it is a quick run" "$r" "Quick mode"
for c in "Claim 1:" "Claim 2:" "Claim 6:" "Claim 4:" "Claim 3:" "Claim 5:"; do
	has "section $c" "$r" "^## $c"
done
n=$(grep -c '^> ' "$r")
check "each measured claim quotes the paper ($n quotes)" test "$n" -ge 5
n=$(grep -Ec '^Claim .*\*\*(holds|does not hold) on this machine\*\*|Claim \*\*|\*\*(holds|does not hold) on this machine\*\*' "$r")
check "each measured claim has a verdict ($n)" test "$n" -ge 5
for f in cpu_per_frame throughput cpu_fixed_rate grant_copy_map latency scaling moderation; do
	has "report shows figure $f" "$r" "!\[[^]]*\]\($f\.png\)"
	check "$f.png is a PNG" sh -c "head -c 8 '$t/out/$f.png' | od -An -c | grep -q 'P   N   G'"
	check "$f.svg is an SVG" grep -q '<svg' "$t/out/$f.svg"
done

# Every scenario moved frames, on both paths.
moved() { # CSV KEYCOL VALUE... : every group named has rows, each with rx (or replies) > 0
	python3 - "$@" <<'PY'
import csv, sys
path, key, want = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = list(csv.DictReader(open(path)))
col = 'rx' if 'rx' in rows[0] else 'replies'
seen = {}
for r in rows:
    seen.setdefault(r[key], []).append(float(r[col]))
sys.exit(0 if all(w in seen and all(v > 0 for v in seen[w]) for w in want) else 1)
PY
}
for f in size fixed_rate latency scaling; do
	check "$f.csv: SR-IOV and PV runs both received frames" moved "$t/out/$f.csv" path sriov pv
done
check "grant.csv: grant map and grant copy runs both received frames" \
	moved "$t/out/grant.csv" mode map copy
check "moderation.csv: every InterruptThrottleRate setting's runs received frames" \
	moved "$t/out/moderation.csv" setting "fixed 4000/s" "fixed 20000/s" off adaptive
check "size.csv has every size asked for quick (64, 1514), both paths" \
	python3 -c "
import csv; r = list(csv.DictReader(open('$t/out/size.csv')))
assert {(x['path'], x['size']) for x in r} == {(p, s) for p in ('sriov', 'pv') for s in ('64', '1514')}"
check "the PV runs cost dom0 CPU, the SR-IOV runs none at 64 B unpaced" \
	python3 -c "
import csv; r = [x for x in csv.DictReader(open('$t/out/size.csv')) if x['size'] == '64']
assert all(float(x['dom0_ns']) > 0 for x in r if x['path'] == 'pv')"
done_testing
