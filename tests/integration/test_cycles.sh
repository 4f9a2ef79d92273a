#!/usr/bin/env bash
# Guests come and go and leave nothing: CYCLES create/destroy cycles of a guest with a VF (the
# VF driver and a sink running) leave the host's resident memory and descriptors as they were
# after the first few (1000 cycles were measured flat: docs/hypervisor.md, "Containment").
# usage: test_cycles.sh VFNET [CYCLES]
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
cycles=${2:-60}
t=$(mktemp -d)
host=
cleanup() {
	if [ -n "$host" ] && kill -TERM "$host" 2>/dev/null; then
		for _ in $(seq 30); do kill -0 "$host" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$host" 2>/dev/null
		wait "$host" 2>/dev/null
	fi
	rm -rf "$t"
}
trap cleanup EXIT
export VFNET_SOCKET=$t/s
v() { "$vfnet" "$@"; }
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$host/status"; }
fds() { ls "/proc/$host/fd" | wc -l; }
booted() { v dmesg g 2>/dev/null | grep -q "sink started"; }

"$vfnet" host --dom0-memory 64 >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
v sriov pf0 numvfs 1 >/dev/null
v pci-assignable-add 01:10.0
v ip link set pf0 vf 0 mac 02:00:00:00:00:0a
printf 'name = "g"\nmemory = 64\npci = [ "01:10.0" ]\napp = [ "sink" ]\n' >"$t/g.cfg"
failed=0
for i in $(seq "$cycles"); do
	v create -q "$t/g.cfg" || { failed=$i; break; }
	wait_for 5 booted || { failed=$i; break; }
	v destroy g || { failed=$i; break; }
	# After a warm-up (the allocator's pools, the first guest's lazily mapped pages).
	[ "$i" = 10 ] && { rss0=$(rss); fds0=$(fds); }
done
check "$cycles guests created, booted and destroyed (failed at ${failed:-none})" test "$failed" = 0
rss1=$(rss); fds1=$(fds)
echo "# after 10 cycles: ${rss0} kB, ${fds0} descriptors; after $cycles: ${rss1} kB, ${fds1}"
check "the host's descriptors stay as they were ($fds0 -> $fds1)" test "$fds0" -eq "$fds1"
# A leak of the size once suspected (0.1 MB a cycle) would be 5 MB here.
check "the host's memory stays flat (${rss0} -> ${rss1} kB, at most 512 kB more)" \
	test "$rss1" -le $((rss0 + 512))
done_testing
