#!/usr/bin/env bash
# `vfnet host`: the machine as a process with a control socket, and the commands that talk to it.
# usage: test_host.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for raw protocol requests) not installed"
unset VFNET_SOCKET

# Start a host at $1 in the background; its pid in $host. Waits up to 5 s for the socket.
start_host() {
	"$vfnet" host --socket "$1" >"$t/host.out" 2>"$t/host.err" &
	host=$!
	pids+=("$host")
	for _ in $(seq 50); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# Wait up to 5 s for pid $1 to exit; its status in $status.
wait_exit() {
	for _ in $(seq 50); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"; status=$?; return 0
		fi
		sleep 0.1
	done
	status=timeout; return 1
}
# Send raw request lines to the socket $1 and print one reply line per request.
raw() { python3 - "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile('rb')
for req in sys.argv[2:]:
    s.sendall(req.encode() + b'\n')
    print(f.readline().decode().rstrip('\n'))
PY
}

sock=$t/rundir/s
start_host "$sock"; check "host creates its socket (and its directory)" test -S "$sock"
# The line is printed once the socket is served: give it a moment to reach the file.
for _ in $(seq 50); do grep -q "control socket $sock" "$t/host.out" && break; sleep 0.1; done
has "host says where it serves" "$t/host.out" "control socket $sock"

# lspci through the running machine: the same listing and dumps as the power-on view.
"$vfnet" lspci >"$t/pow"
"$vfnet" --socket "$sock" lspci >"$t/run"; check "lspci via the host exits 0" test $? -eq 0
check "lspci via the host = the power-on listing" cmp "$t/pow" "$t/run"
VFNET_SOCKET=$sock "$vfnet" lspci -nn >"$t/env"
has "VFNET_SOCKET is honoured" "$t/env" '^01:00\.0 Ethernet controller \[0200\]: Intel Corporation 82576 Gigabit Network Connection \[8086:10c9\] \(rev 01\)$'
"$vfnet" --socket="$sock" lspci -n -s 01:00.1 >"$t/sel"
has "--socket=PATH and -s" "$t/sel" '^01:00\.1 0200: 8086:10c9 \(rev 01\)$'
check "-s selects one function" test "$(wc -l <"$t/sel")" -eq 1
# dom0 has programmed the PFs and the root port by now (ARI forwarding, memory decoding,
# MSI-X), so only the host bridge, which nobody writes, still matches its power-on bytes.
"$vfnet" lspci -s 00:00.0 -xxxx >"$t/pow.hb"
"$vfnet" --socket "$sock" lspci -s 00:00.0 -xxxx >"$t/run.hb"
check "-xxxx of the host bridge via the host = the power-on dump" cmp "$t/pow.hb" "$t/run.hb"
"$vfnet" --socket "$sock" lspci -xxxx >"$t/run.x"
if command -v lspci >/dev/null; then
	lspci -F "$t/run.x" -n >"$t/run.n" 2>/dev/null
	has "real lspci -F decodes the host's dump" "$t/run.n" '^01:00\.0 0200: 8086:10c9 \(rev 01\)$'
	lspci -F "$t/run.x" -vvv >"$t/run.v" 2>/dev/null
	has "lspci -F sees the SR-IOV capability" "$t/run.v" 'Capabilities: \[160 v1\] Single Root I/O Virtualization'
else
	skip "lspci -F (pciutils not installed)"
	skip "lspci -F SR-IOV capability"
fi
"$vfnet" --socket "$sock" lspci -s 07:00.0 >/dev/null 2>"$t/err"
check "absent function via the host exits 1" test $? -eq 1
has "absent function message" "$t/err" 'no function at 07:00\.0'

# iommu faults: an idle machine has none.
"$vfnet" --socket "$sock" iommu faults >"$t/f"; check "iommu faults exits 0" test $? -eq 0
has "no faults on an idle machine" "$t/f" '^no IOMMU faults recorded$'
"$vfnet" --socket "$sock" iommu faults -j >"$t/fj"
check "iommu faults -j is JSON with an empty list" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["faults"] == [] and d["overflow"] is False' "$t/fj"

# The protocol: stats, and bad requests answered without harm.
raw "$sock" '{"op":"stats"}' >"$t/stats"
check "stats: two ports with datapath drops by name, engine CPU time, IOMMU" python3 -c '
import json, sys; d = json.loads(open(sys.argv[1]).readline())
assert d["ok"] and len(d["ports"]) == 2
p = d["ports"][1]; assert p["port"] == 1
assert "spoof_mac" in p["datapath"]["drops"] and p["engine"]["cpu_ns"] > 0
assert "msi_sent" in p["nic"] and "translations" in d["iommu"]' "$t/stats"
raw "$sock" 'not json' '{"op":"nope"}' '{"op":"lspci","bogus":1}' '{"op":"lspci","config":"64"}' \
	'{"op":"stats"} trailing' "$(head -c 40000 /dev/zero | tr '\0' ' ')" >"$t/bad"
check "six bad requests get six error replies" test "$(grep -c '^{"ok":false,"error":"[^"]' "$t/bad")" -eq 6
has "unknown op named" "$t/bad" 'unknown op \\"nope\\"'
has "oversized refused" "$t/bad" 'request longer than 32768 bytes'
# A client hanging up mid-line does not disturb the host.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"op\":\"shut")' "$sock"
"$vfnet" --socket "$sock" lspci >"$t/run2"; check "host serves after a client left mid-line" cmp "$t/pow" "$t/run2"

# A second host on the same socket is refused; the first keeps running.
"$vfnet" host --socket "$sock" >/dev/null 2>"$t/err2"; check "second host exits 1" test $? -eq 1
has "second host: clear message" "$t/err2" "^vfnet host: a vfnet host already answers at $sock"
check "first host still runs" kill -0 "$host"

# shutdown: the host replies, exits 0 and removes its socket.
raw "$sock" '{"op":"shutdown"}' >"$t/sd"
has "shutdown replies ok" "$t/sd" '^\{"ok":true\}$'
wait_exit "$host"; check "host exits 0 after shutdown" test "$status" = 0
check "socket removed after shutdown" test ! -e "$sock"

# No host: one-line error, exit 1; lspci falls back to the power-on view.
"$vfnet" --socket "$sock" iommu faults >/dev/null 2>"$t/err3"; check "no host: exit 1" test $? -eq 1
has "no host: message" "$t/err3" "^vfnet iommu: no vfnet host at $sock: start one with \`vfnet host\`$"
"$vfnet" --socket "$sock" lspci >"$t/run3"; check "lspci without a host: power-on view" cmp "$t/pow" "$t/run3"

# Bad usage: exit 2.
"$vfnet" host --bogus >/dev/null 2>&1; check "host --bogus exits 2" test $? -eq 2
"$vfnet" host --wire0 >/dev/null 2>&1; check "host --wire0 without SPEC exits 2" test $? -eq 2
"$vfnet" iommu frobnicate >/dev/null 2>&1; check "iommu frobnicate exits 2" test $? -eq 2
"$vfnet" iommu faults -z >/dev/null 2>&1; check "iommu faults -z exits 2" test $? -eq 2
"$vfnet" --socket >/dev/null 2>&1; check "--socket without PATH exits 2" test $? -eq 2
"$vfnet" host --socket "$t/w" --wire0 bogus:x >/dev/null 2>"$t/err4"; check "bad wire spec exits 1" test $? -eq 1
check "bad wire spec leaves no socket" test ! -e "$t/w"

# A stale socket (a host killed with SIGKILL) is reclaimed; SIGTERM stops a host cleanly.
start_host "$sock"; kill -9 "$host"; wait "$host" 2>/dev/null
check "SIGKILL leaves a stale socket" test -S "$sock"
start_host "$sock"; "$vfnet" --socket "$sock" lspci >"$t/run4"
check "a new host reclaims the stale socket" cmp "$t/pow" "$t/run4"
kill -TERM "$host"; wait_exit "$host"; check "host exits 0 on SIGTERM" test "$status" = 0
check "socket removed after SIGTERM" test ! -e "$sock"
start_host "$sock"; kill -INT "$host"; wait_exit "$host"; check "host exits 0 on SIGINT" test "$status" = 0
done_testing
