#!/usr/bin/env bash
# `vfnet ip link` as iproute2's users know it, against a running machine and dom0's PF driver:
# the grammar (abbreviations, dev, several vf groups), a command refused whole, pf0 up/down, and
# the formats (VF lines, -s columns, -br, -d, -j) against Debian's real ip on a veth pair.
# usage: test_ip.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
host=
ns=
cleanup() {
	[ -n "$host" ] && kill -9 "$host" 2>/dev/null
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for JSON checks) not installed"
export VFNET_SOCKET=$t/vfnet.sock
v() { "$vfnet" "$@"; }
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }
bound() { v dmesg 0 2>/dev/null | grep -q "01:00.1 8086:10c9: bound to mdd"; }

"$vfnet" host --dom0-memory 64 >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
check "host up with dom0's PF driver" wait_for 5 bound

# ---- links, ifindex, the grammar ----
v ip link show >"$t/show1"; v ip link show >"$t/show2"
has "pf0 is ifindex 2" "$t/show1" '^2: pf0: <'
has "pf1 is ifindex 3" "$t/show1" '^3: pf1: <'
check "the same indexes every time" cmp "$t/show1" "$t/show2"
v ip link show pf0 >"$t/pf0"
check "ip link show pf0 is pf0 with its own index" grep -q '^2: pf0:' "$t/pf0"
for form in "link show dev pf0" "l sh pf0" "link list pf0" "li lst dev pf0" "link pf0"; do
	# "ip link pf0" is not iproute2's grammar: show is needed before a device
	if [ "$form" = "link pf0" ]; then
		v ip $form >/dev/null 2>"$t/err"; st=$?
		check "ip $form is refused as ip refuses it (exit 2)" test $st -eq 2
		has "... naming the unknown command" "$t/err" 'Command "pf0" is unknown, try "ip link help"'
		continue
	fi
	v ip $form >"$t/form" 2>&1
	check "ip $form = ip link show pf0" cmp "$t/pf0" "$t/form"
done
v ip link show dev nope >/dev/null 2>"$t/err"; st=$?
check "an absent device: exit 1" test $st -eq 1
has "... with iproute2's message" "$t/err" 'Device "nope" does not exist\.'
v ip --domain 0 link show pf1 >"$t/d0"
has "--domain 0 is dom0, the default" "$t/d0" '^3: pf1: '
v ip -d 0 link show >/dev/null 2>"$t/err"; st=$?
check "-d is iproute2's -details, not a domain: '0' is no object (exit 2)" test $st -eq 2

# ---- pf0 up and down from dom0, shown as they are ----
check "ip l s pf0 up" v ip l s pf0 up
v ip link show pf0 >"$t/up"
has "pf0 is UP with carrier" "$t/up" '^2: pf0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT group default $'
check "ip link set dev pf0 down" v ip link set dev pf0 down
v ip link show pf0 >"$t/down"
has "pf0 is DOWN" "$t/down" '^2: pf0: <BROADCAST,MULTICAST> mtu 1500 state DOWN '
check "and up again" v ip link set pf0 up

# ---- several vf groups in one command ----
v sriov pf0 numvfs 3 >/dev/null
check "three vf groups in one command" \
	v ip link set dev pf0 vf 0 mac 02:00:00:00:00:0a vlan 10 qos 3 vf 1 trust on vf 2 max_tx_rate 100
v ip link show pf0 >"$t/vfs"
has "VF lines are indented 4 spaces, as iproute2's" "$t/vfs" '^    vf 0     link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff, vlan 10, qos 3, spoof checking on, link-state auto, trust off$'
hasnt "... never 8" "$t/vfs" '^        vf'
has "vf 1 trusted" "$t/vfs" '^    vf 1 .*, trust on$'
has "vf 2 limited" "$t/vfs" '^    vf 2 .*, tx rate 100 \(Mbps\), max_tx_rate 100Mbps, spoof'
check "vlan V proto 802.1Q is the default protocol, accepted" v ip link set pf0 vf 2 vlan 20 proto 802.1Q

# ---- refused whole: the issue's command ----
v ip link set pf0 vf 1 mac 02:00:00:00:00:0b vlan 30 qos 2 spoofchk off min_tx_rate 10 \
	>"$t/out" 2>"$t/err"; st=$?
check "a command with min_tx_rate 10 fails (exit 1)" test $st -eq 1
has "RTNETLINK's answer" "$t/err" '^vfnet ip: RTNETLINK answers: Invalid argument$'
has "a second line names the keyword and dom0's log" "$t/err" '^vfnet ip: vf 1 min_tx_rate 10 refused .*nothing was changed.*vfnet dmesg 0'
v ip link show pf0 >"$t/after"
has "vf 1 kept its MAC, no VLAN, spoof checking on" "$t/after" '^    vf 1     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, spoof checking on, link-state auto, trust on$'
v dmesg 0 >"$t/dmesg"
has "dom0's log says why" "$t/dmesg" 'vf 1 min_tx_rate 10 refused: the 82576 has no minimum Tx rate'
v ip link set pf0 vf 0 vlan 40 proto 802.1ad vf 1 mac 02:00:00:00:00:0b >"$t/out" 2>"$t/err"; st=$?
check "802.1ad is refused as igb refuses it" test $st -eq 1
has "... with EPROTONOSUPPORT" "$t/err" 'RTNETLINK answers: Protocol not supported'
has "... naming it" "$t/err" 'vf 0 vlan 40 proto 802.1ad refused'
v ip link show pf0 >"$t/after2"
has "vf 0 keeps VLAN 10 and vf 1 got no MAC: the later group was not applied either" "$t/after2" '^    vf 1     link/ether 00:00:00:00:00:00 '
has "..." "$t/after2" '^    vf 0 .*, vlan 10, qos 3,'
v ip link set pf0 vf 0 >/dev/null 2>"$t/err"; st=$?
check "vf N without options: usage error (exit 2)" test $st -eq 2
has "... iproute2's message" "$t/err" 'Command line is not complete. Try option "help"'
v ip link set pf0 vf 0 vlan 5000 >/dev/null 2>"$t/err"; st=$?
has "vlan 5000: iproute2's message" "$t/err" 'Error: argument "5000" is wrong: Invalid "vlan" value'

# ---- formats: -s, -br, -d ----
v ip -s link show pf0 >"$t/stats"
has "VF RX columns" "$t/stats" '^    RX: bytes  packets  mcast   bcast   dropped $'
has "VF TX columns" "$t/stats" '^    TX: bytes  packets   dropped $'
has "PF RX columns (missed mcast)" "$t/stats" '^    RX: +bytes packets errors dropped  missed   mcast +$'
has "PF TX columns (carrier collsns)" "$t/stats" '^    TX: +bytes packets errors dropped carrier collsns +$'
v ip -br link >"$t/br"
has "-br: name, state, address, flags" "$t/br" '^pf0              UP             00:1b:21:4a:5c:60 <BROADCAST,MULTICAST,UP,LOWER_UP> $'
v ip -d link show pf0 >"$t/det"
has "-d: details on the link line" "$t/det" 'brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 9216 parentbus pci parentdev 0000:01:00.0 $'

# ---- -j in iproute2's schema ----
v ip -j -s link show pf0 >"$t/j"
check "-j: ifindex, ifname, flags, operstate, vfinfo_list with vlan_list, rate, spoofchk, trust, link_state, stats" python3 - "$t/j" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l = d[0]
assert l["ifindex"] == 2 and l["ifname"] == "pf0" and "UP" in l["flags"] and l["operstate"] == "UP"
assert set(l["stats64"]["rx"]) >= {"bytes", "packets", "errors", "dropped", "over_errors", "multicast"}
vf = l["vfinfo_list"][0]
assert vf["vf"] == 0 and vf["address"] == "02:00:00:00:00:0a"
assert vf["vlan_list"] == [{"vlan": 10, "qos": 3}], vf["vlan_list"]
assert vf["rate"] == {"max_tx": 0, "min_tx": 0}
assert vf["spoofchk"] is True and vf["trust"] is False and vf["link_state"] == "auto"
assert set(vf["stats"]["rx"]) == {"bytes", "packets", "multicast", "broadcast", "dropped"}
assert set(vf["stats"]["tx"]) == {"tx_bytes", "tx_packets", "dropped"}
assert l["vfinfo_list"][2]["tx_rate"] == 100 and l["vfinfo_list"][2]["rate"]["max_tx"] == 100
PY

# ---- against Debian's ip, on a veth in a namespace of our own ----
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns add "vfnip$$" 2>/dev/null; then
	ns=vfnip$$
	ip -n "$ns" link add a0 type veth peer name b0
	ip -n "$ns" link set a0 up; ip -n "$ns" link set b0 up
	ip -n "$ns" -s link show a0 >"$t/real.s"
	for dir in RX TX; do
		grep "^    $dir:" "$t/real.s" >"$t/real.$dir"; grep "^    $dir:  " "$t/stats" | head -1 >"$t/ours.$dir"
		check "ip -s $dir header: the same as Debian's ip" cmp "$t/real.$dir" "$t/ours.$dir"
	done
	ip -n "$ns" -j -s -d link show a0 >"$t/real.j"
	v ip -j -s -d link show pf0 >"$t/ours.j"
	check "ip -j -s -d: every link key we print is one Debian's ip prints, of the same type" \
		python3 - "$t/real.j" "$t/ours.j" <<'PY'
import json, sys
real = json.load(open(sys.argv[1]))[0]; ours = json.load(open(sys.argv[2]))[0]
extra = set(ours) - set(real) - {"vfinfo_list", "parentbus", "parentdev"}
assert not extra, extra
for k in set(ours) & set(real):
    assert type(ours[k]) == type(real[k]), (k, ours[k], real[k])
for side in ("rx", "tx"):
    assert set(real["stats64"][side]) <= set(ours["stats64"][side]), side
PY
	ip -n "$ns" -br link show a0 >"$t/real.br"
	check "-br columns line up as Debian's (name 16, state 14)" python3 - "$t/real.br" "$t/br" <<'PY'
import sys
real = open(sys.argv[1]).readline(); ours = open(sys.argv[2]).readline()
def cols(s): return [s.index(x) for x in s.split()[:3]]
assert cols(real)[1:] == cols(ours)[1:] == [17, 32], (cols(real), cols(ours))
PY
else
	skip "Debian's ip in a namespace (needs root)"; skip "ip -s TX header"; skip "ip -j keys"; skip "-br columns"
fi
done_testing
