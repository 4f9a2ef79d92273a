#!/usr/bin/env bash
# A guest that misbehaves hurts only itself (docs/hypervisor.md, "Containment"). Beside a victim
# pair (pktgen -> sink over two VFs), a guest whose VF is bound to the hostile driver runs each
# class of attack for a few seconds: filter floods while the administrator sets a VLAN, a held
# mailbox while dom0 serves others, config-space, FLR and MSI-X storms, random registers and
# mailbox words, rings broken and made again, then a crash. Asserted: the victims lose nothing
# and nothing arrives corrupted; the administrator's VLAN fits; dom0 answers within its
# baseline and never waits for the hostile VF; trapped accesses beyond the guest's budget wait
# (counted) and the control thread's CPU stays bounded; the crash dumps no core; the host's
# descriptors are as many as before; and the VF is usable by the next guest.
# usage: test_hostile.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$(realpath "$1")
svc="$(dirname "$0")/domsvc.py"
t=$(mktemp -d)
host=
cleanup() {
	if [ -n "$host" ] && kill -TERM "$host" 2>/dev/null; then
		for _ in $(seq 30); do kill -0 "$host" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$host" 2>/dev/null
		wait "$host" 2>/dev/null
	fi
	if [ "$_tap_failed" != 0 ] && [ -s "$t/host.err" ]; then
		echo "# the host's stderr:"; sed 's/^/#   /' "$t/host.err" | tail -20
	fi
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for JSON requests) not installed"
export VFNET_SOCKET=$t/s
v() { "$vfnet" "$@"; }
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
dom() { v list -j | jget "[x for x in d['domains'] if x['name']=='$1'][0]['$2']"; }
listed() { v list | grep -q "^$1 "; }
attack() { python3 "$svc" "$VFNET_SOCKET" evil "{\"op\":\"hostile\",\"attack\":\"$1\",\"ms\":$2${3:+,$3}}" 60; }
vfstat() { v ip -s -j link show pf0 | jget "[x for x in d[0]['vfinfo_list'] if x['vf']==$1][0]['stats']['$2']"; }
sink() { v stats -j victim | jget "[a for a in d['stats']['apps'] if a['app']=='sink'][0]['$1']"; }
fds() { ls "/proc/$host/fd" | wc -l; }
ctl_ns() { awk '{print $1}' "/proc/$host/task/$host/schedstat"; } # the control thread's CPU
ns_of() { awk '{print $1}' "/proc/$1/schedstat"; }
now_ns() { date +%s%N; }

# The host runs in a directory of its own with core dumps on, so a guest's core would land here.
mkdir "$t/cwd"
(cd "$t/cwd" && ulimit -c unlimited && exec "$vfnet" host --dom0-memory 64) >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
v sriov pf0 numvfs 4 >/dev/null
for b in 01:10.0 01:10.2 01:10.4 01:10.6; do v pci-assignable-add $b; done
v ip link set pf0 vf 0 mac 02:00:00:00:00:0a
v ip link set pf0 vf 1 mac 02:00:00:00:00:0b
printf 'name = "victim"\nmemory = 64\npci = [ "01:10.0" ]\napp = [ "sink" ]\n' >"$t/victim.cfg"
printf 'name = "sender"\nmemory = 64\npci = [ "01:10.2" ]\napp = [ "pktgen dst=02:00:00:00:00:0a rate=50k" ]\n' >"$t/sender.cfg"
printf 'name = "evil"\nmemory = 32\npci = [ "01:10.4,driver=hostile" ]\n' >"$t/evil.cfg"
v create -q "$t/victim.cfg"
check "the victim's sink runs" wait_for 10 sh -c "'$vfnet' dmesg victim | grep -q 'sink started'"
v create -q "$t/sender.cfg"
check "the victim pair exchanges frames" wait_for 10 sh -c "[ \"\$('$vfnet' stats -j victim 2>/dev/null | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin)[\"stats\"][\"apps\"] if a[\"app\"]==\"sink\"][0][\"received\"])')\" -gt 1000 ]"
fds0=$(fds)
sed 's/driver=hostile/driver=nosuch/' "$t/evil.cfg" >"$t/nosuch.cfg"
v create -q "$t/nosuch.cfg" 2>"$t/e"
has "a driver that is not built in is refused at create" "$t/e" "driver 'nosuch' is not built in"
v create -q "$t/evil.cfg"
check "the hostile guest binds its driver by name" wait_for 10 sh -c "'$vfnet' dmesg evil | grep -q 'bound to hostile'"
rx=$(sink received)

# Each phase: the victims still receive, losing nothing.
flowing() {
	local r; r=$(sink received)
	check "$1: the victims' frames kept flowing ($rx -> $r)" test "$r" -gt "$rx"
	rx=$r
}

# ---- shared tables: filter floods while the administrator sets a VLAN ----
share=$(( (31 - 4 - 1) / 4 ))
attack vlan-flood 3000 '"count":200' >"$t/r"
check "VLAN flood: the guest got its share ($share) and no more" \
	test "$(jget "d['acked']" <"$t/r")" -eq "$share"
check "... the rest refused (NACK)" test "$(jget "d['nacked']" <"$t/r")" -eq $((200 - share))
check "the administrator's VLAN on another VF still fits" v ip link set pf0 vf 3 vlan 10
check "... and dom0 counts the refusals" test "$(vfstat 2 filters_refused)" -eq $((200 - share))
attack mac-flood 3000 '"count":50' >"$t/r"
check "MAC filter flood: 3 filters (igbvf's limit), the rest refused" \
	test "$(jget "d['acked']" <"$t/r")" -eq 3 -a "$(jget "d['nacked']" <"$t/r")" -eq 47
v ip link set pf0 vf 3 vlan 0
flowing "filter floods"

# ---- the mailbox lock held while dom0 serves the others ----
base=$(python3 "$svc" --latency 30 "$VFNET_SOCKET" 0 '{"op":"info"}')
attack mbx-hold 1500 >"$t/r" &
holder=$!
sleep 0.5
held=$(python3 "$svc" --latency 30 "$VFNET_SOCKET" 0 '{"op":"info"}')
check "a victim's mailbox request is served meanwhile" v ip --domain victim link set eth0 mtu 1500
wait "$holder"
echo "# dom0's reply time (median, max us): $base alone, $held with the mailbox held"
# The bug made every request of the hostile VF cost dom0 ~11 ms of sleep: the median went from
# microseconds to milliseconds. The bound allows a loaded machine's noise, not a sleep.
check "dom0's replies stay within its baseline while the mailbox is held" \
	test "${held% *}" -le $(( ${base% *} * 4 + 3000 ))
check "... the held mailbox was skipped (deferred), not waited for" test "$(vfstat 2 mbx_deferred)" -gt 0
flowing "held mailbox"

# ---- trapped-access storms: the guest waits, the machine does not pay ----
for a in cfg flr msix; do
	c0=$(ctl_ns); d0=$(ns_of "$(dom Domain-0 pid)"); t0=$(now_ns); delayed0=$(dom evil traps_delayed)
	attack $a 1500 >"$t/r"
	c1=$(ctl_ns); d1=$(ns_of "$(dom Domain-0 pid)"); t1=$(now_ns)
	ctl=$(( (c1 - c0) * 100 / (t1 - t0) )); d0cpu=$(( (d1 - d0) * 100 / (t1 - t0) ))
	echo "# $a storm: $(jget "d['ops']" <"$t/r") accesses in $(( (t1 - t0) / 1000000 )) ms, control thread ${ctl}%, dom0 ${d0cpu}%"
	check "$a storm: accesses beyond the guest's budget waited" \
		test "$(dom evil traps_delayed)" -gt "$delayed0"
	# Unbounded, these storms took the control thread to 15-41% and dom0 to 23-36% (FLR).
	check "$a storm: the control thread stays bounded (${ctl}% < 10%)" test "$ctl" -lt 10
	check "$a storm: dom0 stays bounded (${d0cpu}% < 10%)" test "$d0cpu" -lt 10
	flowing "$a storm"
done
served=$(dom evil traps)
cost=$(dom evil trap_cost)
echo "# the hostile guest: $served trapped accesses served (cost $cost), $(dom evil traps_delayed) waited $(( $(dom evil trap_wait_ns) / 1000000 )) ms"

# ---- registers, mailbox garbage, broken rings, then a crash ----
attack regs 1000 >/dev/null
flowing "register storm"
attack mbx-random 700 >/dev/null
flowing "mailbox garbage"
attack rings 1500 >"$t/r"
check "rings broken and made again, round after round" test "$(jget "d['ops']" <"$t/r")" -gt 50
flowing "broken rings"
attack crash 0 >/dev/null 2>&1
check "the crashed guest is gone" wait_for 5 sh -c "! '$vfnet' list | grep -q '^evil '"
sleep 0.5
check "... and dumped no core where the host runs" test -z "$(ls "$t/cwd")"
flowing "crash"
# Rings broken and made again then a crash, in a loop: once, victims lost ~29 ms of frames so.
gone=0
for round in 1 2; do
	v create -q "$t/evil.cfg" &&
		wait_for 10 sh -c "'$vfnet' dmesg evil | grep -q 'bound to hostile'" &&
		attack rings 700 >/dev/null && { attack crash 0 >/dev/null 2>&1; true; } &&
		wait_for 5 sh -c "! '$vfnet' list | grep -q '^evil '" && gone=$((gone + 1))
done
check "two more rounds of broken rings and a crash" test "$gone" -eq 2
flowing "broken rings and crashes in a loop"

# ---- the victims, the host, the VF afterwards ----
lost=$(sink lost); bad=$(sink corrupted)
check "the victims lost nothing ($lost) and nothing was corrupted ($bad)" test "$lost$bad" = 00
if [ "$lost$bad" != 00 ]; then
	echo "# the port's drops, for the cause:"
	python3 - "$VFNET_SOCKET" <<'PY' | sed 's/^/#   /'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{"op":"stats"}\n')
d = json.loads(s.makefile('rb').readline())
print({k: v for k, v in d['ports'][0]['datapath']['drops'].items() if v})
PY
	v stats victim | sed 's/^/#   /' | head -20
fi
fds1=$(fds)
check "the host's descriptors are as before the hostile guest ($fds0 -> $fds1)" test "$fds0" -eq "$fds1"
v pci-assignable-list >"$t/pool"
has "its VF is back in the pool" "$t/pool" "01:10.4"
v ip link set pf0 vf 2 mac 02:00:00:00:00:0c
printf 'name = "next"\nmemory = 64\npci = [ "01:10.4" ]\napp = [ "sink" ]\n' >"$t/next.cfg"
printf 'name = "next_tx"\nmemory = 64\npci = [ "01:10.6" ]\napp = [ "pktgen dst=02:00:00:00:00:0c count=2000 rate=20k" ]\n' >"$t/next_tx.cfg"
v create -q "$t/next.cfg"
check "the next guest gets the VF and its link" wait_for 10 sh -c "'$vfnet' ip --domain next link show | grep -q 'state UP'"
v create -q "$t/next_tx.cfg"
check "... and receives every frame sent to it" wait_for 10 sh -c "[ \"\$('$vfnet' stats -j next | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin)[\"stats\"][\"apps\"] if a[\"app\"]==\"sink\"][0][\"received\"])')\" -eq 2000 ]"
done_testing
