#!/usr/bin/env bash
# Live migration within one machine (`vfnet migrate DOM localhost`): a guest whose app writes
# and checks its memory moves to a new domain and goes on where it was (its counters continue,
# no page reads wrong); the destination dying midway leaves the guest running where it was; a
# guest that writes faster than the stream converges is stopped after --max-rounds; errors.
# usage: test_migrate.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
host=
cleanup() {
	if [ -n "$host" ] && kill -TERM "$host" 2>/dev/null; then
		for _ in $(seq 30); do kill -0 "$host" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$host" 2>/dev/null
		wait "$host" 2>/dev/null
	fi
	if [ "$_tap_failed" != 0 ] && [ -s "$t/host.err" ]; then
		echo "# the host's stderr:"; sed 's/^/#   /' "$t/host.err" | tail -40
	fi
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (to read list -j) not installed"
export VFNET_SOCKET=$t/s
. "$(dirname "$0")/host_lib.sh"
v() { "$vfnet" "$@"; }
info() { v list -j | python3 -c '
import json, sys
for d in json.load(sys.stdin)["domains"]:
    if d["name"] == sys.argv[1]: print(d[sys.argv[2]])' "$1" "$2"; }
mt() { app "$1" memtouch "$2"; }
listed_incoming() { v list | grep -q "^g1--incoming "; }

"$vfnet" host >"$t/host.out" 2>"$t/host.err" &
host=$!
for _ in $(seq 50); do [ -S "$t/s" ] && break; sleep 0.1; done
check "host is up" test -S "$t/s"

printf 'name = "g1"\nmemory = 32\napp = [ "memtouch mib=4 pages=16 dev=none" ]\n' >"$t/g1.cfg"
v create "$t/g1.cfg" >/dev/null 2>&1
check "a guest writing its memory runs" wait_for 10 ge 20 "mt g1 ticks"
id0=$(info g1 id); pid0=$(info g1 pid); ticks0=$(mt g1 ticks)

# ---- a migration that works ----
v migrate g1 localhost >"$t/o" 2>"$t/e"; check "migrate exits 0" test $? -eq 0
has "a line per pre-copy round" "$t/o" '^round 1: 8192 pages in [0-9]+ ms, [0-9]+ written meanwhile \([0-9]+ pages/s\)$'
has "a summary: time, downtime, rounds, bytes" "$t/o" '^migrated g1 to domain [0-9]+: [0-9]+ ms in all, downtime [0-9]+\.[0-9]{3} ms, [0-9]+ rounds, [0-9]+ pages, [0-9]+ bytes sent$'
id1=$(info g1 id); pid1=$(info g1 pid)
check "g1 is a new domain" test -n "$id1" -a "$id1" != "$id0"
check "the old process is gone" bash -c "! kill -0 $pid0"
check "one g1 and no incoming domain left" test "$(v list | grep -c '^g1')" -eq 1
check "the guest says it resumed" dmesg_has g1 "resumed after migration"
check "its app goes on from where it was" wait_for 5 ge $((ticks0 + 20)) "mt g1 ticks"
check "no page of its memory reads wrong" eq 0 "mt g1 errors"
check "it checks its memory after the move" ge 1000 "mt g1 verified"

# ---- JSON: the summary's figures ----
v migrate -j g1 localhost >"$t/j" 2>&1; check "migrate -j exits 0" test $? -eq 0
check "-j: the guest's writes were logged" eq True "jget \"d['dirty_logged']\" <$t/j"
check "-j: downtime below a second" python3 -c "import json; d=json.load(open('$t/j')); assert 0 < d['downtime_us'] < 1000000"
check "-j: all of RAM sent at least once" python3 -c "import json; d=json.load(open('$t/j')); assert d['pages'] >= 8192 and d['bytes'] > 8192*4096"
check "still no page reads wrong" eq 0 "mt g1 errors"

# ---- the destination dies midway: the guest stays where it was ----
id1=$(info g1 id); pid1=$(info g1 pid); ticks1=$(mt g1 ticks)
v migrate --bandwidth 4M g1 localhost >"$t/o" 2>"$t/e" &
mig=$!
check "the incoming domain is listed while RAM arrives" wait_for 5 listed_incoming
ipid=$(info g1--incoming pid)
[ -n "$ipid" ] && kill -9 "$ipid"
wait $mig; check "migrate exits 1" test $? -eq 1
has "migrate says why" "$t/e" '^vfnet migrate: .*destination'
check "g1 runs where it was" test "$(info g1 id)" = "$id1" -a "$(info g1 pid)" = "$pid1"
check "no incoming domain left" bash -c "! '$vfnet' list | grep -q incoming"
check "its app goes on" wait_for 5 ge $((ticks1 + 50)) "mt g1 ticks"
check "no page reads wrong after the failed move" eq 0 "mt g1 errors"

# ---- a guest that writes faster than the stream: stopped after --max-rounds ----
printf 'name = "fast"\nmemory = 32\napp = [ "memtouch mib=8 pages=2048 dev=none" ]\n' >"$t/f.cfg"
v create "$t/f.cfg" >/dev/null 2>&1
check "a fast writer runs" wait_for 10 ge 10 "mt fast ticks"
v migrate --max-rounds 2 --bandwidth 64M fast localhost >"$t/o" 2>"$t/e"
check "it migrates all the same" test $? -eq 0
has "and says it did not converge" "$t/o" 'did not converge'
check "two pre-copy rounds and the last" test "$(grep -c '^round' "$t/o")" -eq 3
check "the fast writer's memory is whole" wait_for 3 ge 1 "mt fast verified"
check "none of its pages reads wrong" eq 0 "mt fast errors"

# ---- errors ----
v migrate nosuch localhost >/dev/null 2>"$t/e"; check "unknown domain: exit 1" test $? -eq 1
has "unknown domain: message" "$t/e" "^vfnet migrate: no domain 'nosuch'"
v migrate g1 otherhost:8002 >/dev/null 2>"$t/e"; check "another host: exit 1" test $? -eq 1
has "another host: not built yet" "$t/e" "only localhost"
v migrate Domain-0 localhost >/dev/null 2>"$t/e"; check "dom0: exit 1" test $? -eq 1
has "dom0: only a guest migrates" "$t/e" "only a guest migrates"
v migrate g1 >/dev/null 2>"$t/e"; check "no target: usage error" test $? -eq 2
v migrate --max-rounds 0 g1 localhost >/dev/null 2>"$t/e"; check "--max-rounds 0: usage error" test $? -eq 2
check "g1 still runs after the errors" eq 0 "mt g1 errors"
done_testing
