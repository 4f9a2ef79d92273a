#!/usr/bin/env bash
# The Xen paravirtual path beside SR-IOV, with real processes: guests with netfront, dom0's
# netback and bridge, the hypervisor's grant copies, event channels and xenstore. 10^6 frames
# each PV to PV, SR-IOV to PV and PV to SR-IOV on one port, at once: none out of order, none
# corrupted, and lost only what the NIC or netback counted (a starved dom0 or receiver); the handshake as xenstore shows it; dom0 paying for PV, not for SR-IOV;
# a dom0 restart under PV traffic (loss only meanwhile); network-detach and -attach; with root a
# Linux stack over a vif (ping, iperf3 to a namespace behind a VF).
# usage: test_pv.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
host=
netns=()
cleanup() {
	[ -n "$host" ] && kill -9 "$host" 2>/dev/null
	for n in "${netns[@]}"; do ip netns del "$n" 2>/dev/null; done
	pkill -P $$ iperf3 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for JSON requests) not installed"
export VFNET_SOCKET=$t/vfnet.sock
. "$(dirname "$0")/host_lib.sh"

create() { # NAME JSON-EXTRA CONFIG
	req "{\"op\":\"create\",\"name\":\"$1\",\"memory\":64$2,\"config\":\"$3\"}" >"$t/create.$1"
	grep -q '"ok":true' "$t/create.$1"
}
fe() { echo "/local/domain/$1/device/vif/${2:-0}"; }
be() { echo "/local/domain/0/backend/vif/$1/${2:-0}"; }
domid() { req '{"op":"list"}' | jget "[x['id'] for x in d['domains'] if x['name']=='$1'][0]"; }
dom0_cpu() { req '{"op":"list"}' | jget "[x['cpu_ns'] for x in d['domains'] if x['id']==0][0]"; }
connected() { wait_xs "${2:-10}" 4 "$(fe "$1")/state" "$(be "$1")/state"; }

"$vfnet" host --dom0-memory 128 >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
check "host up, dom0's bridge xenbr0 with pf0 as its uplink" \
	wait_for 5 dmesg_has 0 "xenbr0: port 1(pf0) entered forwarding state"
"$vfnet" sriov pf0 numvfs 2 >/dev/null
for b in 01:10.0 01:10.2; do req "{\"op\":\"pci-assignable-add\",\"bdf\":\"$b\"}" >/dev/null; done
"$vfnet" ip link set pf0 vf 0 mac 02:00:00:00:00:0a
"$vfnet" ip link set pf0 vf 1 mac 02:00:00:00:00:0b

# ---- the handshake ----
check "PV guest pa (three sinks) created with a vif" \
	create pa ',"vif":[{"mac":"00:16:3e:00:00:a1"}]' 'app=sink flow=1\napp=sink flow=2\napp=sink flow=4\n'
pa=$(domid pa)
check "pa's netfront and dom0's netback connect (frontend and backend Connected)" \
	connected "$pa"
check "xenstore: the frontend names its backend" test "$(xsread "$(fe "$pa")/backend")" = "$(be "$pa")"
check "... and the backend its frontend" test "$(xsread "$(be "$pa")/frontend-id")" = "$pa"
check "netfront wrote its rings and split event channels" \
	test -n "$(xsread "$(fe "$pa")/tx-ring-ref")" -a -n "$(xsread "$(fe "$pa")/event-channel-rx")"
check "... asks for copying receive and RX notifications" \
	test "$(xsread "$(fe "$pa")/request-rx-copy")$(xsread "$(fe "$pa")/feature-rx-notify")" = 11
check "the vif-bridge step: hotplug-status connected" \
	test "$(xsread "$(be "$pa")/hotplug-status")" = connected
dreq 0 '{"op":"brctl-show"}' >"$t/brctl"
has "xenbr0's ports: pf0 and vif$pa.0" "$t/brctl" "\"interfaces\":\[\"pf0\",\"vif$pa\.0\"\]"
dreq 0 '{"op":"netback-vifs"}' >"$t/vifs"
has "dom0 has vif$pa.0 with the guest's MAC" "$t/vifs" "\"ifname\":\"vif$pa\.0\".*\"mac\":\"00:16:3e:00:00:a1\""
check "SR-IOV guest va (sink) created with VF 01:10.0" \
	create va ',"pci":["01:10.0"]' 'app=sink flow=3\n'
wait_for 5 dmesg_has va "bound to vdd"

# ---- 10^6 frames each: PV to PV, SR-IOV to PV, PV to SR-IOV, at once ----
n=1000000 rate=30k
cpu0=$(dom0_cpu)
nodesc() { req '{"op":"stats"}' | jget "d['ports'][0]['datapath']['drops']['no_desc']"; }
nodesc0=$(nodesc)
qdrops() { dreq 0 '{"op":"netback-vifs"}' | jget "sum(v['rx_queue_drops'] for v in d['vifs'])"; }
qdrops0=$(qdrops)
check "PV guest pb: to pa (flow 1) and to va (flow 3)" \
	create pb ',"vif":[{"mac":"00:16:3e:00:00:b1"}]' "app=pktgen dst=00:16:3e:00:00:a1 flow=1 count=$n rate=$rate\napp=pktgen dst=02:00:00:00:00:0a flow=3 count=$n rate=$rate\n"
check "SR-IOV guest vb: to pa (flow 2)" \
	create vb ',"pci":["01:10.2"]' "app=pktgen dst=00:16:3e:00:00:a1 flow=2 count=$n rate=$rate\n"
wait_for 60 ge $n "app pb pktgen sent 0"
wait_for 20 ge $n "app pb pktgen sent 1"
wait_for 20 ge $n "app vb pktgen sent 0"
wait_for 5 ge $n "app pa sink received 0"
wait_for 5 ge $n "app pa sink received 1"
wait_for 5 ge $n "app va sink received 0"
cpu=$(( $(dom0_cpu) - cpu0 ))
for spec in "pa 0 PV to PV" "pa 1 SR-IOV to PV" "va 0 PV to SR-IOV"; do
	set -- $spec; d=$1 i=$2; shift 2
	st=$(dreq "$d" '{"op":"stats"}' | python3 -c "import json,sys; d=json.load(sys.stdin)
a=[x for x in d['apps'] if x['app']=='sink'][$i]
print(a['received'], a['lost'], a['out_of_order'], a['duplicates'], a['corrupted'])")
	set -- $st
	# Neither a wire nor a starved receiver is back-pressured: when dom0 is kept from its
	# PF's Rx ring longer than the ring lasts (2048 frames, 68 ms at this rate), the NIC drops
	# and counts it (igb's rx_no_buffer_count); when a receiving guest is kept from its ring,
	# netback queues half a ring's pages in bytes, then drops and counts (as Linux's
	# netback). Both were seen on a 2-CPU machine with other work beside the test. A little of
	# that is the machine; loss that nothing counted is a bug.
	check "$spec: $1 of 10^6 frames received, none out of order/duplicated/corrupted ($3/$4/$5), under 5% lost ($2)" \
		test "$(($1 + $2)) $3 $4 $5" = "$n 0 0 0" -a "$2" -lt $((n / 20))
	lost=$(( ${lost:-0} + $2 ))
done
nodesc=$(( $(nodesc) - nodesc0 )) qdrops=$(( $(qdrops) - qdrops0 ))
check "every frame lost was counted where it went ($lost lost; $nodesc without an Rx descriptor in the NIC, $qdrops dropped from netback's queues)" \
	test "$lost" -eq $((nodesc + qdrops))
echo "# dom0 CPU during the run: $((cpu / 1000000)) ms for 2x10^6 PV frames"
# Where frames went missing, if any did: the NIC's drops, netback's queue, the bridge's ports.
req '{"op":"stats"}' | jget "json.dumps(d['ports'][0]['datapath']['drops'])" | sed 's/^/# NIC port 0 drops: /'
dreq 0 '{"op":"netback-vifs"}' | jget "' '.join('%s: queued %d, queue drops %d, fatal %d' % (v['ifname'], v['rx_queued'], v['rx_queue_drops'], v['fatal']) for v in d['vifs'])" | sed 's/^/# netback: /'
dreq 0 '{"op":"bridge-stats"}' | jget "' '.join('%s tx_dropped %d' % (p['ifname'], p['tx_dropped']) for p in d['bridges'][0]['ports'])" | sed 's/^/# bridge: /'
check "dom0 paid for the PV frames (netback, bridge: $((cpu / 1000000)) ms)" test "$cpu" -gt 100000000
check "... measured in nanoseconds of its vCPU, not in 10 ms ticks" test $((cpu % 10000000)) -ne 0
dreq 0 '{"op":"bridge-stats"}' >"$t/brstats"
check "the bridge forwarded by learnt addresses, not by flooding" python3 -c '
import json, sys; b = json.load(open(sys.argv[1]))["bridges"][0]
assert b["forwarded"] > 2900000 and b["flooded"] < 1000, b' "$t/brstats"

# ---- a guest's death takes its vif's directories; dom0's netback does not bring them back ----
pb=$(domid pb)
req '{"op":"destroy","domain":"pb"}' >/dev/null
sleep 1
check "destroy removed pb's frontend and backend directories, for good" \
	test -z "$(xsread "$(fe "$pb")/state")$(xsread "$(be "$pb")/state")"

# ---- dom0 restart under PV traffic ----
create pb ',"vif":[{"mac":"00:16:3e:00:00:b1"}]' 'app=pktgen dst=00:16:3e:00:00:a1 flow=4 count=150000 rate=20k\n'
pb=$(domid pb)
connected "$pb"
sleep 1
s0=$(date +%s%N)
"$vfnet" dom0 restart >/dev/null 2>&1
check "dom0 restart" test $? -eq 0
echo "# dom0 restart command: $(( ($(date +%s%N) - s0) / 1000000 )) ms"
check "both frontends reconnect to the new netback" connected "$pa" 15
echo "# pa connected again after $(( ($(date +%s%N) - s0) / 1000000 )) ms"
connected "$pb" 15
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
wait_for 20 ge 150000 "app pb pktgen sent 0"
sleep 1
got=$(app pa sink received 2); lost=$((150000 - got))
echo "# dom0 restart: PV back in $ms ms, $lost of 150000 frames lost"
check "traffic resumed: loss only while dom0 was away ($lost frames, at most $(( (ms + 1000) * 20 )))" \
	test "$lost" -le $(( (ms + 1000) * 20 ))
check "... and nothing out of order, duplicated or corrupted" \
	test "$(app pa sink out_of_order 2)$(app pa sink duplicates 2)$(app pa sink corrupted 2)" = 000
check "netfront saw its backend go and come back" \
	test "$(dmesg pa | grep -c 'netfront: eth0: rings')" -ge 2

# ---- network-detach and network-attach ----
req "{\"op\":\"network-detach\",\"domain\":\"pb\",\"devid\":0}" >"$t/detach"
has "network-detach of pb's vif" "$t/detach" '"ok":true'
check "both directories are gone" test -z "$(xsread "$(fe "$pb")/state")$(xsread "$(be "$pb")/state")"
vif_gone() { ! dreq 0 '{"op":"netback-vifs"}' | grep -q "\"vif$pb\.0\""; }
check "dom0's vif$pb.0 went with it" wait_for 5 vif_gone
check "the guest's eth0 went (its app stopped)" wait_for 5 dmesg_has pb "eth0 went away"
dreq 0 '{"op":"brctl-show"}' >"$t/brctl2"
hasnt "... and the bridge let go of its port" "$t/brctl2" "vif$pb\.0"
req '{"op":"network-attach","domain":"pb","mac":"00:16:3e:00:00:b2"}' >"$t/attach"
has "network-attach gives pb a new vif" "$t/attach" '"devid":0'
check "it connects" connected "$pb"

# ---- a Linux stack over a vif (root): ping and iperf3 to a namespace behind a VF ----
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! ip netns add vfpvA$$ 2>/dev/null; then
	for _ in 1 2 3; do skip "ping/iperf3 over a vif need root and iproute2"; done
else
	netns+=(vfpvA$$ vfpvB$$)
	ip netns add vfpvB$$
	for d in va vb; do req "{\"op\":\"destroy\",\"domain\":\"$d\"}" >/dev/null; done
	create ta ',"vif":[{"mac":"00:16:3e:00:00:c1"}]' "app=tapbridge tap=pva$$ netns=vfpvA$$\n"
	create tb ',"pci":["01:10.0"]' "app=tapbridge tap=pvb$$ netns=vfpvB$$\n"
	wait_for 5 ip -n vfpvA$$ link show pva$$ >/dev/null
	wait_for 5 ip -n vfpvB$$ link show pvb$$ >/dev/null
	ip -n vfpvA$$ addr add 10.79.0.1/24 dev pva$$
	ip -n vfpvB$$ addr add 10.79.0.2/24 dev pvb$$
	ip -n vfpvA$$ link set pva$$ up; ip -n vfpvB$$ link set pvb$$ up
	connected "$(domid ta)"
	check "ping from a namespace behind a vif to one behind a VF" \
		ip netns exec vfpvA$$ ping -c 3 -W 2 10.79.0.2
	if command -v iperf3 >/dev/null; then
		ip netns exec vfpvB$$ iperf3 -s -1 >/dev/null 2>&1 &
		sleep 0.5
		ip netns exec vfpvA$$ timeout 20 iperf3 -c 10.79.0.2 -t 2 >"$t/iperf" 2>&1
		check "iperf3 TCP from the vif to the VF (netfront, netback, bridge, PF, NIC switch)" \
			test $? -eq 0
		grep -E "receiver" "$t/iperf" | sed 's/^/# /'
	else
		skip "iperf3 not installed"
	fi
fi

req '{"op":"shutdown"}' >/dev/null
wait "$host" 2>/dev/null
host=
done_testing
