#!/usr/bin/env bash
# `vfnet capture`: a guest's pktgen sends UDP to an address nobody on the port has, so the
# frames leave VF 0 and go out the wire; captures of pf0 (the wire) and pf0vf0 (the VF) write
# pcap files that tcpdump reads back with the right frames and addresses.
# usage: test_capture.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # the test changes directory
t=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	mountpoint -q "$t/small" 2>/dev/null && umount "$t/small"
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for raw protocol requests) not installed"
unset VFNET_SOCKET

sock=$t/s
vf_mac=02:00:00:00:01:00
dst=02:00:00:00:00:0b
v() { "$vfnet" --socket "$sock" "$@"; }
# Send raw request lines to the socket and print one reply line per request.
raw() { python3 - "$sock" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile('rb')
for req in sys.argv[2:]:
    s.sendall(req.encode() + b'\n')
    print(f.readline().decode().rstrip('\n'))
PY
}
# A guest on VF 01:10.0 whose pktgen sends $2 frames to $dst ($3 frames/s, default 1000).
guest() {
	raw "{\"op\":\"create\",\"name\":\"$1\",\"memory\":64,\"pci\":[\"01:10.0\"],\"config\":\"app=pktgen dst=$dst count=$2 rate=${3:-1000}\\n\"}"
}
size() { stat -c %s "$1"; }
# Start `vfnet capture $@` in the background (pid in $cap, stderr in $t/cap.err) and wait until
# it says it captures.
start_capture() {
	"$vfnet" --socket "$sock" capture "$@" 2>"$t/cap.err" & # not through v: $! is vfnet
	cap=$!
	pids+=("$cap")
	for _ in $(seq 50); do
		grep -q '^capturing on' "$t/cap.err" && return 0
		sleep 0.1
	done
	return 1
}
# Wait up to $2 s for pid $1 to exit; its status in $status.
wait_exit() {
	for _ in $(seq $(($2 * 10))); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"; status=$?; return 0
		fi
		sleep 0.1
	done
	status=timeout; return 1
}
# The frames of a pcap file as "dst src ethertype proto len", by its own reading of the format.
frames() { python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
magic, _, _, _, _, snap, link = struct.unpack('<IHHiIII', d[:24])
assert magic == 0xa1b2c3d4 and link == 1 and snap == 2048, (hex(magic), link, snap)
off = 24
mac = lambda b: ':'.join('%02x' % x for x in b)
while off < len(d):
    _, _, incl, orig = struct.unpack('<IIII', d[off:off + 16]); f = d[off + 16:off + 16 + incl]
    print(mac(f[0:6]), mac(f[6:12]), '%04x' % struct.unpack('>H', f[12:14])[0], f[23], orig)
    off += 16 + incl
PY
}

VFNET_LOG=info "$vfnet" host --socket "$sock" --wire0 null >"$t/host.out" 2>"$t/host.err" &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
check "host is up" test -S "$sock"
v sriov pf0 numvfs 2 >/dev/null; check "two VFs on pf0" test $? -eq 0
v ip link set pf0 vf 0 mac "$vf_mac"; check "VF 0 gets $vf_mac" test $? -eq 0
raw '{"op":"pci-assignable-add","bdf":"01:10.0"}' >"$t/assign"
has "VF 0 is assignable" "$t/assign" '"ok":true'

# Errors: each one line, no capture left running.
v capture eth0 -w "$t/x.pcap" 2>"$t/e1"; check "unknown target: exit 2" test $? -eq 2
has "unknown target: message" "$t/e1" "^vfnet capture: unknown target 'eth0': pf0, pf1, a VF such as pf0vf3, a vif such as vif1.0, or --domain DOM IF$"
v capture pf0vf2 -w "$t/x.pcap" 2>"$t/e2"; check "VF out of range: exit 1" test $? -eq 1
has "VF out of range: message" "$t/e2" 'pf0vf2: pf0 has 2 VFs \(pf0vf0\.\.pf0vf1\)'
v capture pf1vf0 -w "$t/x.pcap" 2>"$t/e3"; check "no VFs on pf1: exit 1" test $? -eq 1
has "no VFs on pf1: message" "$t/e3" 'pf1 has no VFs: `vfnet sriov pf1 numvfs N` enables them'
v capture pf0 -w "$t/no/such/dir.pcap" 2>"$t/e4"; check "file not writable: exit 1" test $? -eq 1
has "file not writable: message" "$t/e4" "cannot create $t/no/such/dir\.pcap: No such file or directory"
v capture pf0 2>"$t/e5"; check "no -w: exit 2" test $? -eq 2
"$vfnet" --socket "$t/none" capture pf0 -w "$t/x.pcap" 2>"$t/e6"; check "no host: exit 1" test $? -eq 1
has "no host: message" "$t/e6" "no vfnet host at $t/none"
v capture --help >"$t/help"; has "--help has examples" "$t/help" '^examples:'

# pf0, the wire: a relative path is the CLI's working directory's; -c 20 of the guest's 50.
cd "$t" || exit 1
start_capture pf0 -w wire.pcap -c 20; check "capture pf0 starts" test $? -eq 0
has "says what it captures" "$t/cap.err" "^capturing on pf0, writing $t/wire\.pcap$"
v capture pf0vf1 -w "$t/x.pcap" 2>"$t/busy"; check "a second capture on pf0: exit 1" test $? -eq 1
has "a second capture on pf0: message" "$t/busy" 'pf0 is already being captured \(capture [0-9]+, pf0\): stop it first'
guest g1 50 >"$t/g1"; has "guest with pktgen starts" "$t/g1" '"ok":true'
wait_exit "$cap" 30; check "capture -c 20 ends by itself, exit 0" test "$status" = 0
has "tcpdump-like summary" "$t/cap.err" '^20 packets captured, 0 dropped$'
frames "$t/wire.pcap" >"$t/wire.txt"
check "20 frames in wire.pcap" test "$(wc -l <"$t/wire.txt")" -eq 20
# The guest's link-up announcement (a broadcast RARP) comes first, then its UDP.
check "the guest's announcement first" grep -q "^ff:ff:ff:ff:ff:ff $vf_mac 8035" "$t/wire.txt"
check "then UDP from $vf_mac to $dst" test "$(grep -c "^$dst $vf_mac 0800 17 " "$t/wire.txt")" -eq 19
if command -v tcpdump >/dev/null; then
	tcpdump -r "$t/wire.pcap" -nn -e >"$t/wire.td" 2>"$t/wire.tderr"
	check "tcpdump reads wire.pcap" test $? -eq 0
	has "tcpdump: Ethernet, snap length 2048" "$t/wire.tderr" 'link-type EN10MB \(Ethernet\), snapshot length 2048'
	check "tcpdump: 19 UDP frames $vf_mac > $dst" \
		test "$(grep -Ec "$vf_mac > $dst, ethertype IPv4 \(0x0800\), length [0-9]+: .*UDP" "$t/wire.td")" -eq 19
	has "tcpdump: the announcement, a reverse ARP" "$t/wire.td" "$vf_mac > ff:ff:ff:ff:ff:ff, ethertype Reverse ARP"
else
	skip "tcpdump reads wire.pcap (not installed)"; skip "tcpdump: link type"; skip "tcpdump: frames"
fi
if command -v tshark >/dev/null; then
	check "tshark reads wire.pcap: 20 frames" test "$(tshark -r "$t/wire.pcap" 2>/dev/null | wc -l)" -eq 20
else
	skip "tshark reads wire.pcap (not installed)"
fi

# pf0vf0, the VF: a new guest on the same VF sends again.
raw '{"op":"destroy","domain":"g1"}' >/dev/null
start_capture pf0vf0 -w "$t/vf0.pcap" -c 20; check "capture pf0vf0 starts" test $? -eq 0
guest g2 50 >"$t/g2"; has "second guest starts" "$t/g2" '"ok":true'
wait_exit "$cap" 30; check "capture pf0vf0 -c 20 exits 0" test "$status" = 0
has "pf0vf0 summary" "$t/cap.err" '^20 packets captured, 0 dropped$'
frames "$t/vf0.pcap" >"$t/vf0.txt"
check "its announcement and 19 UDP frames from the VF in vf0.pcap" \
	test "$(grep -c "^$dst $vf_mac 0800 17 " "$t/vf0.txt")" -eq 19 -a \
	"$(grep -c "^ff:ff:ff:ff:ff:ff $vf_mac 8035" "$t/vf0.txt")" -eq 1
if command -v tcpdump >/dev/null; then
	check "tcpdump: 20 frames in vf0.pcap" \
		test "$(tcpdump -r "$t/vf0.pcap" -nn -e 2>/dev/null | grep -c "$vf_mac > ")" -eq 20
else
	skip "tcpdump reads vf0.pcap (not installed)"
fi

# SIGINT: stops, writes what it has (nothing here), prints the summary, exits 0.
start_capture pf0 -w "$t/idle.pcap"; check "capture without -c starts" test $? -eq 0
sleep 0.3
kill -INT "$cap"
wait_exit "$cap" 5; check "SIGINT: exit 0" test "$status" = 0
has "SIGINT: summary" "$t/cap.err" '^0 packets captured, 0 dropped$'
frames "$t/idle.pcap" >"$t/idle.txt"; check "SIGINT: a valid, empty pcap" test $? -eq 0 -a ! -s "$t/idle.txt"
# The port is free again.
start_capture pf0 -w "$t/again.pcap"; check "pf0 can be captured again" test $? -eq 0
kill -TERM "$cap"
wait_exit "$cap" 5; check "SIGTERM: exit 0" test "$status" = 0

# A capture lives as long as its client: SIGKILL the CLI and the machine stops writing, closes
# the file and frees the port (it used to write the file forever and keep the port busy).
raw '{"op":"destroy","domain":"g2"}' >/dev/null
guest g3 100000000 5000 >"$t/g3"; has "a guest that keeps sending" "$t/g3" '"ok":true'
start_capture pf0 -w "$t/killed.pcap"; check "capture pf0 starts" test $? -eq 0
sleep 0.5
check "the file grows while the client lives" test "$(size "$t/killed.pcap")" -gt 24
kill -9 "$cap"
wait_exit "$cap" 5
sleep 0.3
s1=$(size "$t/killed.pcap"); sleep 1; s2=$(size "$t/killed.pcap")
check "after SIGKILL of the client the file stops growing ($s1 -> $s2 bytes)" test "$s1" -eq "$s2"
check "and it is a whole pcap file" frames "$t/killed.pcap"
v capture --list >"$t/list1"; check "capture --list: exit 0" test $? -eq 0
has "--list: a header" "$t/list1" '^ID +TARGET +FRAMES +DROPPED +STATE +FILE$'
has "--list: the capture ended when its client went" "$t/list1" \
	"^[0-9]+ +pf0 +[0-9]+ +[0-9]+ +ended: its client closed the connection +$t/killed\.pcap$"
grep -q 'ended, its client closed the connection' "$t/host.err"
check "the host logs why it ended" test $? -eq 0
start_capture pf0 -w "$t/after.pcap"; check "pf0 is free for the next capture" test $? -eq 0
first=$cap

# --list and --stop from another command: the first capture ends and says who stopped it.
v capture --list -j >"$t/list2"; check "capture --list -j: exit 0" test $? -eq 0
id=$(python3 -c 'import json,sys; print([c["id"] for c in json.load(open(sys.argv[1]))["captures"] if not c["done"]][0])' "$t/list2")
has "--list -j: the running capture" "$t/list2" '"done":false'
v capture --stop "$id" 2>"$t/stop.err"; check "capture --stop $id: exit 0" test $? -eq 0
has "--stop prints the summary" "$t/stop.err" '^[0-9]+ packets captured, [0-9]+ dropped$'
wait_exit "$first" 5; check "the stopped capture's command exits 0" test "$status" = 0
has "and says another client stopped it" "$t/cap.err" 'stopped by another client'
v capture --stop 999 2>"$t/stop2.err"; check "--stop of no capture: exit 1" test $? -eq 1
has "--stop of no capture: message" "$t/stop2.err" 'no capture 999'
v capture --stop x 2>/dev/null; check "--stop x: exit 2" test $? -eq 2
v capture --list pf0 2>/dev/null; check "--list with a target: exit 2" test $? -eq 2

# A full disk ends the capture with the reason (root: a 64 KiB tmpfs).
if [ "$(id -u)" = 0 ] && mkdir "$t/small" && mount -t tmpfs -o size=64k vfnet-cap-$$ "$t/small"; then
	start_capture pf0 -w "$t/small/full.pcap"; check "capture onto a small disk starts" test $? -eq 0
	wait_exit "$cap" 20; check "a full disk ends the capture: exit 1" test "$status" = 1
	has "with the reason" "$t/cap.err" '^vfnet capture: writing the file failed: No space left on device$'
	grep -q 'ended, the file could not be written: writing the file failed: No space left' "$t/host.err"
	check "and the host logs it" test $? -eq 0
	start_capture pf0 -w "$t/after2.pcap"; check "the port is free after a full disk" test $? -eq 0
	kill -TERM "$cap"; wait_exit "$cap" 5
else
	skip "full disk (needs root for a tmpfs)"; skip "full disk: reason"; skip "full disk: log"
	skip "full disk: port free"
fi

# A domain's own interfaces: dom0's end of a PV guest's vif (netback's netdev), and a guest's
# eth0 with --domain, as tcpdump -i in that domain. g3's frames (to a MAC nobody has) would be
# flooded to the vif by the bridge, as a real one floods: it goes first.
raw '{"op":"destroy","domain":"g3"}' >/dev/null
raw '{"op":"create","name":"pv1","memory":32,"vif":[{"mac":"00:16:3e:00:00:31"}],"config":"app=pktgen dst=00:16:3e:00:00:99 rate=500\n"}' >"$t/pv"
pvid=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$t/pv")
for _ in $(seq 100); do v dmesg pv1 2>/dev/null | grep -q "pktgen" && break; sleep 0.1; done
start_capture vif$pvid.0 -w "$t/vif.pcap" -c 20; check "capture vif$pvid.0 starts" test $? -eq 0
has "... in dom0" "$t/cap.err" "^capturing on vif$pvid.0 of dom0, writing $t/vif.pcap$"
wait_exit "$cap" 20; check "capture vif -c 20: exit 0" test "$status" = 0
has "vif: the summary" "$t/cap.err" '^20 packets captured, 0 dropped$'
if command -v tcpdump >/dev/null; then
	tcpdump -r "$t/vif.pcap" -nn -e >"$t/vif.td" 2>/dev/null
	check "tcpdump reads 20 frames of the guest's, from its MAC" \
		test "$(grep -c '^[0-9:.]* 00:16:3e:00:00:31 > 00:16:3e:00:00:99' "$t/vif.td")" -eq 20
else
	skip "tcpdump not installed"
fi
start_capture --domain pv1 eth0 -w "$t/eth0.pcap" -c 5; check "capture --domain pv1 eth0 starts" test $? -eq 0
wait_exit "$cap" 20; check "... and ends after 5 frames: exit 0" test "$status" = 0
check "... 5 records in the file" test "$(tcpdump -r "$t/eth0.pcap" -nn 2>/dev/null | wc -l)" -eq 5
start_capture vif$pvid.0 -w "$t/vif2.pcap"; first=$cap
v capture vif$pvid.0 -w "$t/vif3.pcap" 2>"$t/e"; check "a second capture of one vif: exit 1" test $? -eq 1
has "... and why" "$t/e" "vif$pvid.0: a capture of it is running"
kill -TERM "$first"; wait_exit "$first" 5; check "SIGTERM ends a vif capture: exit 0" test "$status" = 0
v capture vif$pvid.0 -w "$t/vif4.pcap" -c 1 2>/dev/null; check "the vif is free again" test $? -eq 0
v capture vif99.0 -w "$t/x.pcap" 2>"$t/e"; check "no such vif: exit 1" test $? -eq 1
has "... and why" "$t/e" "vif99.0: no such device"
v capture --domain nosuch eth0 -w "$t/x.pcap" 2>"$t/e"; check "no such domain: exit 1" test $? -eq 1
start_capture vif$pvid.0 -w "$t/vif5.pcap"; gone=$cap
raw '{"op":"destroy","domain":"pv1"}' >/dev/null
wait_exit "$gone" 10; check "the guest's destroy ends its vif's capture: exit 1" test "$status" = 1
has "... saying so" "$t/cap.err" "the domain ended the capture"

done_testing
