#!/usr/bin/env bash
# The paper end to end, with real processes: a machine, dom0 with the PF driver, guests with the
# VF driver and apps. SR-IOV enable, assignment, the guest's view against dom0's, traffic from
# guest to guest with dom0 out of the data path, VLAN isolation, spoof checking, administrator
# MACs and trust, link state, the Tx rate limit, a PF reset under traffic, a guest killed with
# SIGKILL; with root also a real Linux stack over VFs (ping, iperf3) and the host reaching a guest
# through the wire.
# usage: test_sriov.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
host=
netns=()
links=()
cleanup() {
	[ -n "$host" ] && kill -9 "$host" 2>/dev/null
	for n in "${netns[@]}"; do ip netns del "$n" 2>/dev/null; done
	for l in "${links[@]}"; do ip link del "$l" 2>/dev/null; done
	pkill -P $$ iperf3 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for JSON requests) not installed"
export VFNET_SOCKET=$t/vfnet.sock

# A raw JSON request to the host; prints the reply line.
req() { python3 - "$VFNET_SOCKET" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b'\n'); print(s.makefile('rb').readline().decode().strip())
PY
}
# jget JSON PYEXPR: evaluate PYEXPR with d = the parsed JSON on stdin.
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# A domain's stats as JSON (through the host's connect op).
stats() { "$vfnet" stats -j "$1" | jget "json.dumps(d['stats'])"; }
dstats() { python3 - "$VFNET_SOCKET" "$1" <<'PY'
import socket, sys, json
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(json.dumps({"op": "connect", "domain": sys.argv[2]}).encode() + b'\n')
msg, fds, _, _ = socket.recv_fds(s, 65536, 1)
d = socket.socket(fileno=fds[0]); d.sendall(b'{"op":"stats"}\n')
print(d.makefile('rb').readline().decode().strip())
PY
}
app() { stats "$1" | jget "[a for a in d['apps'] if a['app']=='$2'][0]['$3']"; }
netdev() { stats "$1" | jget "d['netdevs'][0]['$2']"; }
dom() { "$vfnet" list -j 2>/dev/null | jget "[x for x in (d if isinstance(d, list) else d['domains']) if x['name']=='$1'][0]['$2']" 2>/dev/null || req '{"op":"list"}' | jget "[x for x in d['domains'] if x['name']=='$1'][0]['$2']"; }
create() { # NAME BDF CONFIG
	req "{\"op\":\"create\",\"name\":\"$1\",\"memory\":64,\"pci\":[\"$2\"],\"config\":\"$3\"}" >"$t/create.$1"
	grep -q '"ok":true' "$t/create.$1"
}
dmesg() { "$vfnet" dmesg "$1" 2>/dev/null || req "{\"op\":\"dmesg\",\"domain\":\"$1\"}" | jget "d['log']"; }
dmesg_has() { dmesg "$1" | grep -q -- "$2"; }
gone() { ! req '{"op":"list"}' | grep -q "\"name\":\"$1\""; }
link_state() { "$vfnet" ip --domain "$1" link show 2>/dev/null | grep -q "state $2"; }
# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }
ge() { [ "$(eval "$2")" -ge "$1" ] 2>/dev/null; }

"$vfnet" host --dom0-memory 64 >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
check "host up with dom0's PF driver" wait_for 5 dmesg_has 0 "01:00.1 8086:10c9: bound to mdd"
dmesg 0 >"$t/dom0.log"
has "dom0's PF driver bound both PFs" "$t/dom0.log" "01:00.1 8086:10c9: bound to mdd"

# ---- SR-IOV through the PF driver, sysfs semantics ----
"$vfnet" sriov pf0 numvfs 7 >"$t/sriov" 2>&1
check "sriov pf0 numvfs 7" test $? -eq 0
has "7 VFs, with ARI at 01:10.0 .. 01:11.4" "$t/sriov" "virtfn6 01:11.4"
"$vfnet" sriov pf0 numvfs 3 >"$t/busy" 2>&1; st=$?
check "changing a non-zero count fails" test $st -eq 1
has "... with EBUSY's message" "$t/busy" "already enabled"
"$vfnet" sriov pf1 numvfs 8 >"$t/range" 2>&1; st=$?
check "more than TotalVFs fails" test $st -eq 1
"$vfnet" lspci >"$t/lspci"
check "lspci lists 7 VFs" test "$(grep -c 'Virtual Function' "$t/lspci")" -eq 7
"$vfnet" lspci -s 01:10.0 -x >"$t/raw"
has "dom0 sees the raw VF: vendor and device read 0xFFFF" "$t/raw" "^00: ff ff ff ff"

# ---- assignment and the guest's view ----
for b in 01:10.0 01:10.2 01:10.4 01:10.6; do req "{\"op\":\"pci-assignable-add\",\"bdf\":\"$b\"}" >/dev/null; done
"$vfnet" ip link set pf0 vf 0 mac 02:00:00:00:00:0a
"$vfnet" ip link set pf0 vf 1 mac 02:00:00:00:00:0b
check "guest A (sink) created with VF 01:10.0" create ga 01:10.0 'app=sink\n'
check "guest A's VF driver is up" wait_for 5 dmesg_has ga "8086:10ca: bound to vdd"
"$vfnet" lspci --domain ga -nn >"$t/gview"
has "the guest sees an 82576 VF at 00:04.0 (8086:10ca)" "$t/gview" "^00:04.0 .*\[8086:10ca\]"
if command -v lspci >/dev/null; then
	"$vfnet" lspci --domain ga -xxxx >"$t/gdump"
	lspci -F "$t/gdump" -vv >"$t/gdecoded" 2>/dev/null
	has "real lspci decodes the guest's MSI-X (3 vectors, enabled)" "$t/gdecoded" "MSI-X: Enable\+ Count=3"
	has "... and its BAR0 as the machine placed it" "$t/gdecoded" "Region 0: Memory at f0"
else
	skip "lspci (pciutils) not installed"; skip "lspci (pciutils) not installed"
fi
wait_for 5 link_state ga UP || true

# ---- traffic: 10^6 frames from B to A ----
hc_a0=$(dom ga hypercalls); irq_a0=$(dom ga interrupts); dom0_cpu0=$(dom Domain-0 cpu_ns)
nodesc() { req '{"op":"stats"}' | jget "d['ports'][0]['datapath']['drops']['no_desc']"; }
nodesc0=$(nodesc)
check "guest B (pktgen, 10^6 frames at 250k/s) created with VF 01:10.2" \
	create gb 01:10.2 'app=pktgen dst=02:00:00:00:00:0a count=1000000 rate=250k\n'
wait_for 30 ge 1000000 "app gb pktgen sent"
sleep 0.5
rx=$(app ga sink received); lost=$(app ga sink lost); ooo=$(app ga sink out_of_order)
bad=$(app ga sink corrupted)
check "B sent 10^6 frames" test "$(app gb pktgen sent)" -eq 1000000
# A's Rx ring (4096 frames, 16 ms at this rate) overflows only when A is kept off a CPU that long
# (seen on a 2-CPU machine with other work beside the test); the NIC then drops and counts it,
# as igb's rx_no_buffer_count. Loss that nothing counted, reordering or corruption is a bug.
nodesc=$(( $(nodesc) - nodesc0 ))
check "A received all 10^6 but what the NIC counted as dropped (got $rx, $nodesc without an Rx descriptor)" \
	test "$((rx + nodesc))" -eq 1000000 -a "$nodesc" -lt 50000
check "none lost uncounted, none out of order, none corrupted ($lost/$ooo/$bad)" \
	test "$lost $ooo $bad" = "$nodesc 0 0"
irq_a=$(( $(dom ga interrupts) - irq_a0 )); hc_a=$(( $(dom ga hypercalls) - hc_a0 ))
dom0_cpu=$(( $(dom Domain-0 cpu_ns) - dom0_cpu0 ))
echo "# A: $irq_a interrupts, $hc_a hypercalls during the run; dom0 CPU ${dom0_cpu} ns"
check "A's interrupts reached it ($irq_a) without hypercalls ($hc_a)" \
	test "$irq_a" -gt 1000 -a "$hc_a" -lt 10
check "dom0 spent (close to) no CPU on the data path (< 100 ms)" test "$dom0_cpu" -lt 100000000

"$vfnet" sriov pf0 numvfs 0 >"$t/refuse" 2>&1; st=$?
check "SR-IOV cannot be disabled under a guest" test $st -eq 1
has "... and the refusal names the guest" "$t/refuse" "ga|gb"

# ---- VLAN isolation and spoof checking ----
"$vfnet" ip link set pf0 vf 2 mac 02:00:00:00:00:0c vlan 10
"$vfnet" ip link set pf0 vf 3 mac 02:00:00:00:00:0d vlan 20
create gc 01:10.4 'app=sink\n'
create gd 01:10.6 'app=pktgen dst=02:00:00:00:00:0c rate=2k\napp=pktgen dst=02:00:00:00:00:0c rate=1k src=02:00:00:00:00:ee flow=9\n'
wait_for 5 ge 2000 "app gd pktgen sent"
sleep 0.5
check "different port VLANs: C sees none of D's frames" test "$(app gc sink received)" -eq 0
"$vfnet" ip link set pf0 vf 3 vlan 10
sleep 1.5
c1=$(app gc sink received)
check "same port VLAN: C receives D's frames ($c1)" test "$c1" -gt 500
spoof=$(req '{"op":"stats"}' | jget "d['ports'][0]['datapath']['drops']['spoof_mac']")
check "forged source MACs dropped and counted ($spoof)" test "$spoof" -gt 500
dmesg 0 >"$t/dom0.log"
has "dom0 logged the spoof event" "$t/dom0.log" "spoof"
"$vfnet" ip link set pf0 vf 3 spoofchk off
sleep 1.5
s1=$(req '{"op":"stats"}' | jget "d['ports'][0]['datapath']['drops']['spoof_mac']")
sleep 1
s2=$(req '{"op":"stats"}' | jget "d['ports'][0]['datapath']['drops']['spoof_mac']")
check "spoof checking off: forged frames no longer dropped" test "$s1" -eq "$s2"

# ---- administrator MAC, trust, link state ----
"$vfnet" ip --domain ga link set eth0 address 02:00:00:00:00:99 >"$t/mac" 2>&1; st=$?
check "an administrator-set MAC: the guest's change is refused" test $st -eq 1
has "... with RTNETLINK's error" "$t/mac" "Operation not permitted"
"$vfnet" ip link set pf0 vf 0 trust on
check "trusted: the guest's change succeeds" "$vfnet" ip --domain ga link set eth0 address 02:00:00:00:00:99
"$vfnet" ip link show pf0 >"$t/show"
has "ip link show reports the VF's new address and trust" "$t/show" "vf 0 .*02:00:00:00:00:99.*trust on"
check "an untrusted VF may go multicast-promiscuous (igb asks no trust)" \
	"$vfnet" ip --domain gb link set eth0 allmulticast on
check "... and back" "$vfnet" ip --domain gb link set eth0 allmulticast off
check "a trusted one too" "$vfnet" ip --domain ga link set eth0 allmulticast on
"$vfnet" ip --domain ga link set eth0 allmulticast off
"$vfnet" ip --domain ga link set eth0 promisc on >"$t/promisc" 2>&1; st=$?
check "unicast promiscuous is refused even to a trusted VF (no such mode per pool, as igb)" \
	test $st -eq 1
check "a jumbo MTU through the mailbox (SET_LPE)" "$vfnet" ip --domain ga link set eth0 mtu 9000
"$vfnet" ip --domain ga link show >"$t/mtu"
has "... which the guest's interface takes" "$t/mtu" "eth0: .* mtu 9000"
"$vfnet" ip --domain ga link set eth0 mtu 1500 >/dev/null 2>&1
"$vfnet" ip link set pf0 vf 0 state disable
check "state disable: the guest's link goes down" wait_for 3 link_state ga DOWN
"$vfnet" ip link set pf0 vf 0 state enable
check "state enable: it comes back" wait_for 5 link_state ga UP

# ---- Tx rate limit ----
req '{"op":"destroy","domain":"gb"}' >/dev/null
"$vfnet" ip link set pf0 vf 1 max_tx_rate 100
create gb 01:10.2 'app=pktgen dst=02:00:00:00:00:99 size=1514 count=25000\n'
wait_for 20 ge 25000 "app gb pktgen sent"
mbps=$(stats gb | jget "[a for a in d['apps'] if a['app']=='pktgen'][0]" | python3 -c "
import sys, ast; a = ast.literal_eval(sys.stdin.read())
print(int(a['bytes'] * 8 / ((a['stop_ns'] - a['start_ns']) / 1e3)))")
echo "# max_tx_rate 100: $mbps Mbit/s of frames"
# The limit must hold: never more than 5% above it. Below it the sender may simply not have
# been scheduled on a loaded CI machine, so only a gross shortfall fails.
check "max_tx_rate 100 holds within 5% ($mbps Mbit/s)" test "$mbps" -le 105
check "... and the VF still gets most of it" test "$mbps" -ge 75

# ---- PF reset under traffic ----
req '{"op":"destroy","domain":"gb"}' >/dev/null
"$vfnet" ip link set pf0 vf 1 max_tx_rate 0
r0=$(app ga sink received)
create gb 01:10.2 'app=pktgen dst=02:00:00:00:00:99 count=300000 rate=100k\n'
sleep 1
# Down and up, as igb's PF reset: while pf0 is down its PHY is powered down and the VFs have
# no link.
"$vfnet" ip link set pf0 down
check "the PF down: the VFs have no link" wait_for 3 link_state ga DOWN
"$vfnet" ip link set pf0 up
wait_for 10 ge 300000 "app gb pktgen sent"
sleep 0.5
got=$(( $(app ga sink received) - r0 ))
echo "# PF reset under traffic: $got of 300000 frames arrived"
check "traffic resumed after the PF reset (got $got of 300000)" test "$got" -gt 270000
check "the VF driver reset itself" test "$(netdev ga resets)" -ge 1

# ---- a guest killed with SIGKILL ----
fds0=$(ls /proc/$host/fd | wc -l)
req '{"op":"pci-assignable-add","bdf":"01:11.0"}' >/dev/null
create ge 01:11.0 'app=sink\n'
wait_for 5 dmesg_has ge "bound to vdd"
pid=$(dom ge pid)
kill -9 "$pid"
check "the killed guest is gone within a second" wait_for 1 gone ge
req '{"op":"pci-assignable-list"}' >"$t/pool"
has "its VF is assignable again" "$t/pool" '"bdf":"01:11.0"'
hasnt "... and held by nobody" "$t/pool" '"bdf":"01:11.0","port":[0-9],"vf":[0-9],"domain"'
fds1=$(ls /proc/$host/fd | wc -l)
check "the machine leaked no descriptor ($fds0 before, $fds1 after)" test "$fds0" -eq "$fds1"
check "the other guests live on" test "$(dom ga pid)" -gt 0

# ---- hot-plug into a running guest: pci-attach, pci-list, pci-detach ----
printf 'name = "hp"\nmemory = 32\napp = [ "sink" ]\n' >"$t/hp.cfg"
check "create from an xl.cfg file" "$vfnet" create -q "$t/hp.cfg"
check "pci-attach of a VF from the pool" "$vfnet" pci-attach hp 01:11.0
check "the guest's PCI core probes it and binds the VF driver" wait_for 5 dmesg_has hp "bound to vdd"
check "its sink starts on the hot-plugged eth0" wait_for 5 dmesg_has hp "sink started on eth0"
"$vfnet" pci-list hp >"$t/plist"
check "pci-list in xl's format: a header, then Vdev (DD.F) and Device" \
	test "$(cat "$t/plist")" = "$(printf 'Vdev Device\n04.0 0000:01:11.0')"
"$vfnet" pci-assignable-remove 01:11.0 2>"$t/inuse"
has "pci-assignable-remove of a VF in use names the guest" "$t/inuse" \
	"^vfnet pci-assignable-remove: 01:11.0: in use by guest 'hp' \(id [0-9]+\) at 00:04.0$"
check "pci-detach" "$vfnet" pci-detach hp 01:11.0
check "the guest is told and removes its driver" wait_for 5 dmesg_has hp "unbound from vdd"
"$vfnet" lspci --domain hp >"$t/hplspci"
check "its bus is empty again" test ! -s "$t/hplspci"
"$vfnet" pci-assignable-list >"$t/pool2"
has "the VF is back in the pool" "$t/pool2" "01:11.0"
# A guest that does not answer (stopped) loses the device after the timeout, not never.
"$vfnet" pci-attach hp 01:11.0
wait_for 5 dmesg_has hp "bound to vdd"
hpid=$(dom hp pid)
kill -STOP "$hpid"
s0=$(date +%s%N)
"$vfnet" pci-detach hp 01:11.0; st=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
kill -CONT "$hpid"
check "pci-detach of a guest that does not answer succeeds after the timeout (${ms} ms)" \
	test $st -eq 0 -a "$ms" -ge 1500 -a "$ms" -lt 10000
req '{"op":"pci-assignable-list"}' >"$t/pool3"
hasnt "... and the VF is free again" "$t/pool3" '"bdf":"01:11.0","port":[0-9],"vf":[0-9],"domain"'
check "the guest lives on after it" test "$(dom hp pid)" = "$hpid"
# -f takes it at once, without asking.
"$vfnet" pci-attach hp 01:11.0
wait_for 5 dmesg_has hp "bound to vdd"
kill -STOP "$hpid"
s0=$(date +%s%N)
"$vfnet" pci-detach -f hp 01:11.0; st=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
kill -CONT "$hpid"
check "pci-detach -f does not wait for the guest (${ms} ms)" test $st -eq 0 -a "$ms" -lt 1500

# ---- a real Linux stack over VFs (root) ----
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! ip netns add vfnetA$$ 2>/dev/null; then
	for _ in 1 2 3 4; do skip "ping/iperf3 over VFs need root and iproute2"; done
else
	netns+=(vfnetA$$ vfnetB$$)
	ip netns add vfnetB$$
	for d in gc gd; do req "{\"op\":\"destroy\",\"domain\":\"$d\"}" >/dev/null; done
	# Both VFs in a port VLAN: the switch tags and strips, and the Linux stacks on either side
	# must see plain untagged frames (the VF driver hands no port-VLAN tag up).
	"$vfnet" ip link set pf0 vf 2 vlan 30
	"$vfnet" ip link set pf0 vf 3 vlan 30 spoofchk on
	create ta 01:10.4 "app=tapbridge tap=vfa$$ netns=vfnetA$$\n"
	create tb 01:10.6 "app=tapbridge tap=vfb$$ netns=vfnetB$$\n"
	wait_for 5 ip -n vfnetA$$ link show vfa$$ >/dev/null
	wait_for 5 ip -n vfnetB$$ link show vfb$$ >/dev/null
	ip -n vfnetA$$ addr add 10.77.0.1/24 dev vfa$$
	ip -n vfnetB$$ addr add 10.77.0.2/24 dev vfb$$
	ip -n vfnetA$$ link set vfa$$ up; ip -n vfnetB$$ link set vfb$$ up
	check "ping from namespace A to B over two VFs in a port VLAN" \
		ip netns exec vfnetA$$ ping -c 3 -W 2 10.77.0.2
	if command -v iperf3 >/dev/null; then
		ip netns exec vfnetB$$ iperf3 -s -1 >/dev/null 2>&1 &
		sleep 0.5
		ip netns exec vfnetA$$ timeout 20 iperf3 -c 10.77.0.2 -t 2 >"$t/iperf" 2>&1
		check "iperf3 TCP from A to B over the NIC's switch" test $? -eq 0
		has "... with a measured bit rate" "$t/iperf" "receiver"
	else
		skip "iperf3 not installed"; skip "iperf3 not installed"
	fi
	# The host reaches a guest's responder through pf0's wire: a second machine whose port 0
	# is one end of a veth pair, the other end in a namespace with an address.
	links+=(vfh$$)
	ip link add vfh$$ type veth peer name vfhp$$
	netns+=(vfnetH$$)
	ip netns add vfnetH$$
	ip link set vfhp$$ netns vfnetH$$
	ip -n vfnetH$$ addr add 10.78.0.1/24 dev vfhp$$
	ip -n vfnetH$$ link set vfhp$$ up
	ip link set vfh$$ up
	s2=$t/m2.sock
	"$vfnet" host --socket "$s2" --dom0-memory 64 --wire0 afpacket:vfh$$ \
		--dom0-app "responder dev=pf0 ip=10.78.0.3" >/dev/null 2>&1 &
	host2=$!
	wait_for 5 test -S "$s2"
	wait_for 5 sh -c "'$vfnet' --socket '$s2' sriov pf0 numvfs 1 >/dev/null 2>&1"
	VFNET_SOCKET=$s2 req '{"op":"pci-assignable-add","bdf":"01:10.0"}' >/dev/null
	"$vfnet" --socket "$s2" ip link set pf0 vf 0 mac 02:00:00:00:01:01
	VFNET_SOCKET=$s2 req '{"op":"create","name":"resp","memory":64,"pci":["01:10.0"],"config":"app=responder ip=10.78.0.2\n"}' >/dev/null
	sleep 1
	check "the host pings a guest's responder through pf0's wire" \
		ip netns exec vfnetH$$ ping -c 3 -W 2 10.78.0.2
	check "... and dom0's own, on its PF netdev pf0" \
		ip netns exec vfnetH$$ ping -c 3 -W 2 10.78.0.3
	kill "$host2" 2>/dev/null; wait "$host2" 2>/dev/null
fi

req '{"op":"shutdown"}' >/dev/null
wait "$host" 2>/dev/null
host=
done_testing
