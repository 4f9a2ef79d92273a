#!/usr/bin/env bash
# The wire backends that need the host's network, checked against the host's own tools: afpacket on
# a veth pair into a network namespace, tap, and pcap files read back by tcpdump. Frames are raw
# Ethernet between locally administered MACs with the experimental EtherType 0x88b5; the only IP
# traffic is one ARP request for a link-local address, on the veth pair. Nothing leaves this machine.
# usage: test_wire_netns.sh WIRE_PROBE
set -u
. "$(dirname "$0")/tap.sh"
probe=$1
[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, veth pairs, TAP devices)"
for tool in ip tcpdump ping; do
	command -v $tool >/dev/null || skip_all "$tool not installed"
done

t=$(mktemp -d)
ns=vfwire-$$ vh=vfwh$$ vn=vfwn$$ tapdev=vfwt$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip link del "$vh" 2>/dev/null
	ip link del "$tapdev" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$ns" 2>"$t/err" || skip_all "ip netns add failed: $(cat "$t/err")"
ip link add "$vh" type veth peer name "$vn" netns "$ns" 2>"$t/err" ||
	skip_all "cannot create a veth pair: $(cat "$t/err")"
# Quiet links: no IPv6 autoconfiguration chatter next to our frames.
sysctl -qw "net.ipv6.conf.$vh.disable_ipv6=1" 2>/dev/null
ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$vn.disable_ipv6=1" 2>/dev/null
ip link set "$vh" up
ip -n "$ns" link set "$vn" up

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_file FILE SECONDS
wait_file() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# capture NETNS|- IFACE OUT.pcap COUNT FILTER...: tcpdump in the background until COUNT frames;
# returns once it listens. Its pid is in $cap.
capture() {
	local where=$1 dev=$2 out=$3 n=$4 run=()
	shift 4
	[ "$where" = - ] || run=(ip netns exec "$where")
	"${run[@]}" timeout 20 tcpdump -Z root -U -nn -i "$dev" -c "$n" -w "$out" "$@" 2>"$out.err" &
	cap=$!
	pids+=("$cap")
	wait_for "$out.err" 'listening on' 10 || { cat "$out.err" >&2; return 1; }
}

# count FILE.pcap REGEX: frames tcpdump -r prints that match
count() { tcpdump -r "$1" -nn -e 2>/dev/null | grep -Ec -- "$2"; }
probe_hdr='02:76:66:00:00:0?%s > 02:76:66:00:01:00, ethertype Unknown \(0x88b5\)'

# --- afpacket on the host end of a veth pair ---
"$probe" "afpacket:$vh" up 5 link >"$t/link" 2>&1
has "afpacket: link up with both veth ends up" "$t/link" '^link up$'
ip -n "$ns" link set "$vn" down
check "afpacket: link down when the namespace's end goes down" "$probe" "afpacket:$vh" down 5
ip -n "$ns" link set "$vn" up
check "afpacket: link up again" "$probe" "afpacket:$vh" up 5

capture "$ns" "$vn" "$t/tx.pcap" 5 ether proto 0x88b5
"$probe" --id 1 "afpacket:$vh" send 5 >"$t/tx.out" 2>&1
has "afpacket: 5 frames sent" "$t/tx.out" '^sent 5 of 5$'
wait "$cap"
check "afpacket: tcpdump in the namespace got them" test $? -eq 0
check "afpacket: 5 probe frames in the namespace" \
	test "$(count "$t/tx.pcap" "$(printf "$probe_hdr" 1)")" -eq 5
"$probe" --verify "$t/tx.pcap" 5 1 >"$t/tx.verify" 2>&1
has "afpacket: sent frames arrive intact and in order" "$t/tx.verify" '^verified 5 of 5$'

"$probe" "afpacket:$vh" mark "$t/rx.ready" recv 5 10 >"$t/rx.out" 2>&1 &
rx=$!
pids+=("$rx")
wait_file "$t/rx.ready" 5
ip netns exec "$ns" "$probe" --id 2 "afpacket:$vn" send 5 >/dev/null 2>&1
wait "$rx"
check "afpacket: 5 frames injected in the namespace received" test $? -eq 0
has "afpacket: received frames intact, last one seq 4" "$t/rx.out" '^rx id=2 seq=4 len=[0-9]+ vid=0 ok$'
hasnt "afpacket: nothing damaged" "$t/rx.out" 'CORRUPT'

# A frame the kernel makes: the ARP request of a ping to a link-local address that nobody has.
ip -n "$ns" addr add 169.254.77.2/24 dev "$vn"
"$probe" "afpacket:$vh" mark "$t/arp.ready" recv 1 10 0x0806 >"$t/arp.out" 2>&1 &
rx=$!
pids+=("$rx")
wait_file "$t/arp.ready" 5
ip netns exec "$ns" ping -c 1 -W 1 -I "$vn" 169.254.77.1 >/dev/null 2>&1
wait "$rx"
check "afpacket: an ARP request from the namespace's stack received" test $? -eq 0
has "afpacket: as the 42-byte broadcast it is" "$t/arp.out" '^rx type=0x0806 len=42$'

# A VLAN tag: the receive path moves it into packet metadata; the wire must put it back.
"$probe" "afpacket:$vh" mark "$t/vlan.ready" recv 3 10 >"$t/vlan.out" 2>&1 &
rx=$!
pids+=("$rx")
wait_file "$t/vlan.ready" 5
ip netns exec "$ns" "$probe" --id 8 --vlan 7 "afpacket:$vn" send 3 >/dev/null 2>&1
wait "$rx"
check "afpacket: 3 VLAN-tagged frames received" test $? -eq 0
has "afpacket: with their 802.1Q tag (VID 7) in place, intact" "$t/vlan.out" \
	'^rx id=8 seq=2 len=[0-9]+ vid=7 ok$'

# Our own sends, and other host sends out of the interface, are PACKET_OUTGOING: not received.
"$probe" "afpacket:$vh" send 3 quiet 1 >"$t/own.out" 2>&1
check "afpacket: a wire does not receive its own frames" test $? -eq 0
"$probe" "afpacket:$vh" mark "$t/out.ready" quiet 2 >"$t/out.out" 2>&1 &
rx=$!
pids+=("$rx")
wait_file "$t/out.ready" 5
"$probe" --id 3 "afpacket:$vh" send 5 >/dev/null 2>&1
wait "$rx"
check "afpacket: frames the host sends out of the interface are not received" test $? -eq 0

# Jumbo frames within the MTU pass; one over it is dropped and counted.
ip link set "$vh" mtu 9000
ip -n "$ns" link set "$vn" mtu 9000
capture "$ns" "$vn" "$t/jumbo.pcap" 2 ether proto 0x88b5
"$probe" --id 4 "afpacket:$vh" send 2 9014 trysend 1 9100 stats >"$t/jumbo.out" 2>&1
check "afpacket: two 9014-byte frames sent" test $? -eq 0
wait "$cap"
check "afpacket: both arrive whole" test "$(count "$t/jumbo.pcap" 'length 9014')" -eq 2
has "afpacket: a frame over the MTU is counted too long" "$t/jumbo.out" \
	'^stat tx_drop.too_long 1$'

# --- tap: a new device, brought up by the host, talking to an AF_PACKET socket on it ---
"$probe" --id 5 "tap:$tapdev" link mark "$t/tap.ready" up 10 link recv 5 10 send 5 \
	waitfor "$t/tap.done" 15 >"$t/tap.out" 2>&1 &
tp=$!
pids+=("$tp")
wait_file "$t/tap.ready" 5
check "tap: the device is created" ip link show "$tapdev"
has "tap: link down while the device is down" "$t/tap.out" '^link down$'
sysctl -qw "net.ipv6.conf.$tapdev.disable_ipv6=1" 2>/dev/null
ip link set "$tapdev" up
capture - "$tapdev" "$t/tap.pcap" 5 ether proto 0x88b5 and ether src 02:76:66:00:00:05
wait_for "$t/tap.out" '^link up$' 5
has "tap: link up once the device is up" "$t/tap.out" '^link up$'
"$probe" --id 6 "afpacket:$tapdev" send 5 >/dev/null 2>&1
wait "$cap"
check "tap: tcpdump on the device got the frames the wire sent" test $? -eq 0
"$probe" --verify "$t/tap.pcap" 5 5 >"$t/tap.verify" 2>&1
has "tap: sent frames intact and in order" "$t/tap.verify" '^verified 5 of 5$'
touch "$t/tap.done"
wait "$tp"
check "tap: the wire received 5 and sent 5" test $? -eq 0
has "tap: received frames intact, last one seq 4" "$t/tap.out" '^rx id=6 seq=4 len=[0-9]+ vid=0 ok$'
hasnt "tap: nothing damaged" "$t/tap.out" 'CORRUPT'
check "tap: a device we created goes away with the wire" test -z "$(ip -o link show "$tapdev" 2>/dev/null)"

ip tuntap add dev "$tapdev" mode tap
"$probe" "tap:$tapdev" link >"$t/ptap" 2>&1
has "tap: attaches to an existing persistent device (down)" "$t/ptap" '^link down$'
ip link set "$tapdev" up
check "tap: link up on the persistent device" "$probe" "tap:$tapdev" up 5
check "tap: the persistent device stays" ip link show "$tapdev"
ip link del "$tapdev"

# --- pcap: tcpdump reads the file while the wire is open and after ---
"$probe" --id 7 "pcap:$t/w.pcap" send 5 mark "$t/pcap.sent" waitfor "$t/pcap.done" 10 \
	>"$t/pcap.out" 2>&1 &
pp=$!
pids+=("$pp")
wait_file "$t/pcap.sent" 5
tcpdump -r "$t/w.pcap" -nn -e >"$t/w.live" 2>"$t/w.live.err"
check "pcap: tcpdump -r reads the open file" test $? -eq 0
has "pcap: Ethernet link type" "$t/w.live.err" 'link-type EN10MB'
check "pcap: 5 frames there while the wire is open" \
	test "$(grep -Ec "$(printf "$probe_hdr" 7)" "$t/w.live")" -eq 5
touch "$t/pcap.done"
wait "$pp"
check "pcap: 5 frames after close" test "$(count "$t/w.pcap" "$(printf "$probe_hdr" 7)")" -eq 5
"$probe" --verify "$t/w.pcap" 5 7 >"$t/w.verify" 2>&1
has "pcap: frames intact and in order" "$t/w.verify" '^verified 5 of 5$'
"$probe" "pcap:$t/no-such-dir/w.pcap" link >/dev/null 2>"$t/pcap.err"
check "pcap: a file that cannot be created fails to open" test $? -eq 2
has "pcap: and says why" "$t/pcap.err" 'cannot create the file: No such file or directory'
done_testing
