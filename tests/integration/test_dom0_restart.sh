#!/usr/bin/env bash
# `vfnet dom0 restart` keeps the administrator's VF policy: two guests in port VLAN 30 with
# administrator MACs talk across the restart (pktgen to sink), the traffic stops only while dom0
# is away, and the new dom0's `ip link show` has the MACs and VLANs back, with no command from
# anyone. (It used to come back with MAC 00:00:00:00:00:00 and no VLAN, and the guests lost
# each other until the VLAN was set again.)
# usage: test_dom0_restart.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
host=
cleanup() {
	[ -n "$host" ] && kill -9 "$host" 2>/dev/null
	wait 2>/dev/null
	if [ "$_tap_failed" != 0 ] && [ -s "$t/host.err" ]; then
		echo "# the host's stderr:"; sed 's/^/#   /' "$t/host.err" | tail -30
	fi
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (to read stats -j) not installed"
export VFNET_SOCKET=$t/s
v() { "$vfnet" "$@"; }
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }
# sink's counter $1 in guest rx
sink() { v stats -j rx 2>/dev/null | python3 -c "
import json, sys; print([a for a in json.load(sys.stdin)['stats']['apps'] if a['app'] == 'sink'][0]['$1'])"; }
grows() { local a; a=$(sink received) || return 1; sleep 0.3; [ "$(sink received)" -gt "$a" ]; }
dom0_has() { v dmesg 0 | grep -q -- "$1"; }

"$vfnet" host --dom0-memory 64 >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
check "host is up" wait_for 5 dom0_has "01:00.1 8086:10c9: bound to mdd"
v sriov pf0 numvfs 2 >/dev/null; check "two VFs" test $? -eq 0
v pci-assignable-add 01:10.0 && v pci-assignable-add 01:10.2
v ip link set pf0 vf 0 mac 02:00:00:00:30:0a vlan 30 qos 2; check "VF 0: MAC, VLAN 30, qos 2" test $? -eq 0
v ip link set pf0 vf 1 mac 02:00:00:00:30:0b vlan 30; check "VF 1: MAC, VLAN 30" test $? -eq 0
v ip link set pf0 vf 1 spoofchk off trust on; check "VF 1: spoof checking off, trusted" test $? -eq 0
v ip link show pf0 >"$t/before"
printf 'name = "rx"\nmemory = 32\npci = [ "01:10.2" ]\napp = [ "sink" ]\n' >"$t/rx.cfg"
printf 'name = "tx"\nmemory = 32\npci = [ "01:10.0" ]\napp = [ "pktgen dst=02:00:00:00:30:0b rate=2000" ]\n' >"$t/tx.cfg"
v create -q "$t/rx.cfg" && v create -q "$t/tx.cfg"; check "two guests" test $? -eq 0
check "traffic flows in VLAN 30 before the restart" wait_for 10 grows

v dom0 restart; check "dom0 restart" test $? -eq 0
check "the new dom0 takes the policy back from the machine" wait_for 5 dom0_has "policy of 2 VFs taken back"
check "traffic flows again after the restart, by itself" wait_for 10 grows
v ip link show pf0 >"$t/after"
for vf in 0 1; do
	b=$(grep -E "^ *vf $vf " "$t/before"); a=$(grep -E "^ *vf $vf " "$t/after")
	check "ip link show: VF $vf's line is what it was ($a)" test -n "$b" -a "$a" = "$b"
done
has "VF 0 has its MAC and VLAN 30" "$t/after" "vf 0 .*02:00:00:00:30:0a.*vlan 30"
hasnt "no VF with MAC 00:00:00:00:00:00" "$t/after" "vf [0-9].*00:00:00:00:00:00"

# Loss only during the restart: from now on every frame sent arrives.
sleep 1
l1=$(sink lost); r1=$(sink received)
sleep 3
l2=$(sink lost); r2=$(sink received)
check "frames keep arriving ($r1 -> $r2 in 3 s at 2000/s)" test $((r2 - r1)) -gt 3000
check "none lost after the restart (lost $l1 -> $l2)" test "$l2" -eq "$l1"
done_testing
