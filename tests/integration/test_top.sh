#!/usr/bin/env bash
# `vfnet top`: two guests on VFs of pf0, one sending to the other; the batch tables show both
# guests, dom0 idle, the hypervisor and the hardware, and the traffic on the right VFs.
# usage: test_top.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
host=
cleanup() {
	[ -n "$host" ] && kill -9 "$host" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for raw protocol requests) not installed"
unset VFNET_SOCKET
sock=$t/s
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

# Errors first: they need no host, or a host that is not there.
v top -b >/dev/null 2>"$t/err"; check "no host: exit 1" test $? -eq 1
has "no host: message" "$t/err" "^vfnet top: no vfnet host at $sock: start one with \`vfnet host\`$"
v top -d 0 >/dev/null 2>"$t/err"; check "-d 0: exit 2" test $? -eq 2
has "-d 0: message" "$t/err" "^vfnet top: bad -d '0': seconds"
v top -d x1 >/dev/null 2>"$t/err"; check "-d x1: exit 2" test $? -eq 2
v top -b -n 0 >/dev/null 2>&1; check "-n 0: exit 2" test $? -eq 2
v top -b -i x >/dev/null 2>&1; check "-i x: exit 2" test $? -eq 2
v top --help >"$t/help"; has "--help has examples" "$t/help" 'vfnet top -d 0\.5'

"$vfnet" host --socket "$sock" >"$t/host.out" 2>"$t/host.err" &
host=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
check "host serves" test -S "$sock"
v sriov pf0 numvfs 2 >/dev/null; check "two VFs on pf0" test $? -eq 0
v ip link set pf0 vf 0 mac 02:00:00:00:00:0a
v ip link set pf0 vf 1 mac 02:00:00:00:00:0b
raw '{"op":"pci-assignable-add","bdf":"01:10.0"}' '{"op":"pci-assignable-add","bdf":"01:10.2"}' \
	'{"op":"create","name":"ga","memory":64,"pci":["01:10.0"],"config":"app=sink\n"}' \
	'{"op":"create","name":"gb","memory":64,"pci":["01:10.2"],"config":"app=pktgen dst=02:00:00:00:00:0a rate=20k\n"}' \
	>"$t/setup"
check "guests created" test "$(grep -c '^{"ok":true' "$t/setup")" -eq 4
# Wait up to 10 s for the first frames to reach ga's VF.
raw '{"op":"top"}' >"$t/top.json"
for _ in $(seq 100); do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
sys.exit(0 if any(f["bdf"]=="01:10.0" and f["rx_packets"] > 0 for f in d["vfs"]) else 1)' \
		"$t/top.json" 2>/dev/null && break
	sleep 0.1
	raw '{"op":"top"}' >"$t/top.json"
done
check "op top: a reading with domains, engines, VFs and owners" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["ok"] and d["time_ns"] > 0 and d["hypervisor_cpu_ns"] > 0
names = {x["name"]: x for x in d["domains"]}
assert names["Domain-0"]["role"] == "dom0" and names["ga"]["role"] == "guest"
assert all("cpu_ns" in x and "hypervisor_ns" in x for x in d["domains"])
assert len(d["ports"]) == 2 and d["ports"][0]["engine_cpu_ns"] > 0
vf = {f["bdf"]: f for f in d["vfs"]}
assert vf["01:10.0"]["domain"] == "ga" and vf["01:10.0"]["domid"] == names["ga"]["id"]
assert vf["01:10.2"]["domain"] == "gb" and vf["01:10.0"]["rx_packets"] > 0
assert vf["01:10.2"]["tx_packets"] > 0 and vf["01:10.2"]["port"] == 0 and vf["01:10.2"]["vf"] == 1
assert "drops" in vf["01:10.0"] and "rx_drops" in vf["01:10.0"]' "$t/top.json"
raw '{"op":"top","x":1}' >"$t/bad"; has "op top takes no keys" "$t/bad" '"ok":false'

v top -b -n 2 -d 1 >"$t/out" 2>"$t/err"; check "top -b -n 2 -d 1 exits 0" test $? -eq 0
sed 's/^/# /' "$t/out"
check "two tables" test "$(grep -c '^ *NAME ' "$t/out")" -eq 2
hasnt "batch mode: no escape codes" "$t/out" $'\033'
has "header: xentop's columns beside who pays" "$t/out" \
	'^ +NAME +STATE +CPU\(sec\) +CPU\(%\) +GUEST% +DOM0% +HYPERV% +MEM\(k\) +MEM\(%\) +MAXMEM\(k\) +MAXMEM\(%\) +VCPUS +NETS$'
# NAME STATE CPU(sec) CPU% GUEST% DOM0% HYPERV% MEM(k) MEM% MAXMEM(k) MAXMEM% VCPUS NETS
row='[-rb]{6} +[0-9]+ +[0-9.]+ +[0-9.]+ +- +[0-9.]+ +65536 +[0-9.]+ +65536 +[0-9.]+ +1 +1$'
has "ga's row: blocked or running, 64 MiB, one vCPU, one VF" "$t/out" "^ +ga $row"
has "gb's row" "$t/out" "^ +gb $row"
has "dom0's row: its two PF ports" "$t/out" '^ +Domain-0 [-rb]{6} +[0-9]+ +[0-9.]+ +- +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +1 +2$'
has "the hypervisor's own row" "$t/out" '^ *\(hypervisor\) +- '
has "a hardware line: two engine threads, percent of one CPU" "$t/out" \
	'^HARDWARE \(NIC engines, 2 threads, one per port\) [0-9.]+% of one CPU: pf0 [0-9.]+% pf1 [0-9.]+%$'
has "VF header" "$t/out" '^VF +PF +DOMAIN +RX pkt/s +RX Mbit/s +TX pkt/s +TX Mbit/s +DROPS/s +VLAN-DROP/s$'
# The last table: dom0 idle (its process is not on the SR-IOV path), ga receives at about the
# rate gb sends (20k/s, loose bounds for a loaded machine), the hardware busy.
tail -n 15 "$t/out" >"$t/last"
check "dom0's CPU near 0" awk '$1 == "Domain-0" { found = 1; if ($4 > 5) exit 1 } END { exit !found }' "$t/last"
check "ga's VF receives, sends nothing" awk '$1 == "01:10.0" && $3 == "ga" { found = 1
	if ($4 < 2000 || $4 > 25000 || $6 != 0) exit 1 } END { exit !found }' "$t/last"
check "gb's VF sends, receives nothing" awk '$1 == "01:10.2" && $3 == "gb" { found = 1
	if ($6 < 2000 || $6 > 25000 || $4 != 0) exit 1 } END { exit !found }' "$t/last"
check "the NIC engine works for it" awk '/^HARDWARE/ { v = $9; sub(/%/, "", v); found = 1
	if (v <= 0) exit 1 } END { exit !found }' "$t/last"

# Not a terminal: batch by itself, no escapes; -i as xentop's iterations.
v top -i 2 -d 0.3 >"$t/piped" 2>&1; check "top into a pipe, no -b: exit 0" test $? -eq 0
hasnt "... no escape codes" "$t/piped" $'\033'
check "... -i 2: two tables" test "$(grep -c '^ *NAME ' "$t/piped")" -eq 2
v top -j -i 2 -d 0.3 >"$t/json"; check "top -j: exit 0" test $? -eq 0
check "top -j: one JSON object per table, with xentop's fields and the split" python3 -c '
import json, sys
tabs = [json.loads(l) for l in open(sys.argv[1])]
assert len(tabs) == 2
d = {x["name"]: x for x in tabs[-1]["domains"]}
assert d["ga"]["state"] in "rb" and d["ga"]["mem_kib"] == 65536 and d["ga"]["vcpus"] == 1
assert d["ga"]["nets"] == 1 and d["Domain-0"]["nets"] == 2 and d["ga"]["cpu_s"] >= 0
assert abs(d["ga"]["cpu_pct"] - d["ga"]["guest_pct"] - d["ga"]["hypervisor_pct"]) < 0.01
assert len(tabs[-1]["hardware"]["engines"]) == 2 and tabs[-1]["hardware"]["pct"] > 0
vf = {x["bdf"]: x for x in tabs[-1]["vfs"]}
assert vf["01:10.0"]["rx_pps"] > 1000 and "vlan_drops_ps" in vf["01:10.0"]' "$t/json"

# Frames VLAN filtering keeps from a VF are counted, on its row: gb's frames to ga once ga is
# in a port VLAN of its own.
v ip link set pf0 vf 0 vlan 40
v top -b -d 1 >"$t/vlan"
check "VLAN-DROP/s on ga's VF once gb cannot reach it" awk '$1 == "01:10.0" { found = 1
	if ($4 != 0 || $9 < 2000) exit 1 } END { exit !found }' "$t/vlan"
v ip link set pf0 vf 0 vlan 0

# Interactive, on a terminal: s sorts (the header marks the column), d sets the delay, q quits.
if python3 -c 'import pty' 2>/dev/null; then
	python3 - "$vfnet" "$sock" >"$t/tty" 2>&1 <<'PY'
import os, pty, select, subprocess, sys, time
m, s = pty.openpty()
p = subprocess.Popen([sys.argv[1], "--socket", sys.argv[2], "top", "-d", "0.3"],
                     stdin=s, stdout=s, stderr=s)
os.close(s)
out = b""
def read(secs):
    global out
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([m], [], [], 0.05)
        if r:
            try: out += os.read(m, 65536)
            except OSError: return
read(1.0)
for k in [b"s", b"s", b"s", b"s"]:   # ID -> NAME -> STATE -> CPU(sec) -> CPU(%)
    os.write(m, k); read(0.3)
os.write(m, b"d"); read(0.2); os.write(m, b"2.5"); read(0.2); os.write(m, b"\r"); read(0.5)
os.write(m, b"q"); read(1.0)
try: rc = p.wait(3)
except subprocess.TimeoutExpired: p.kill(); rc = "timeout"
sys.stdout.write(out.decode(errors="replace"))
print("\nEXIT", rc)
PY
	has "interactive: the screen is redrawn with escapes" "$t/tty" $'\033\\[H'
	has "s: sorted by CPU(%) after four presses, marked in the header" "$t/tty" '\*CPU\(%\)'
	has "s: by NAME on the way" "$t/tty" '\*NAME'
	has "d: xentop's delay prompt echoes what is typed" "$t/tty" 'Delay\(sec\): 2\.5'
	has "... and the new delay is used" "$t/tty" 'd: delay \(2\.5 s\)'
	has "q quits, exit 0" "$t/tty" '^EXIT 0$'
else
	for _ in 1 2 3 4 5 6; do skip "interactive keys (python3 pty)"; done
fi

# The paravirtual path: pv2 sends to pv1 through netback and dom0's bridge. Each vif has a row
# with its traffic and the CPU dom0 spent on it; the guests' NETS count their vifs.
raw '{"op":"create","name":"pv1","memory":32,"vif":[{"mac":"00:16:3e:00:00:11"}],"config":"app=sink\n"}' \
	'{"op":"create","name":"pv2","memory":32,"vif":[{"mac":"00:16:3e:00:00:22"}],"config":"app=pktgen dst=00:16:3e:00:00:11 rate=20k\n"}' \
	>"$t/pv"
check "PV guests created" test "$(grep -c '^{"ok":true' "$t/pv")" -eq 2
for _ in $(seq 100); do
	v top -b -d 0.5 >"$t/vif" 2>&1
	awk '$1 ~ /^vif/ && $2 == "pv1" && $3 > 1000 { f = 1 } END { exit !f }' "$t/vif" && break
done
sed 's/^/# /' "$t/vif" | tail -n 8
has "vif header: traffic and dom0's CPU per vif" "$t/vif" \
	'^VIF +DOMAIN +RX pkt/s +RX Mbit/s +TX pkt/s +TX Mbit/s +DROPS/s +DOM0%$'
check "pv1's vif receives about what pv2 sends, sends nothing" awk '$1 ~ /^vif[0-9]+\.0$/ && $2 == "pv1" {
	found = 1; if ($3 < 2000 || $3 > 25000 || $5 != 0) exit 1 } END { exit !found }' "$t/vif"
check "pv2's vif sends, and dom0 pays for it (DOM0% > 0)" awk '$1 ~ /^vif[0-9]+\.0$/ && $2 == "pv2" {
	found = 1; if ($5 < 2000 || $8 <= 0) exit 1 } END { exit !found }' "$t/vif"
check "dom0's row carries that CPU" awk '$1 == "Domain-0" { found = 1; if ($4 <= 0) exit 1 } END { exit !found }' "$t/vif"
has "pv1's row: one net, its vif" "$t/vif" '^ +pv1 [-rb]{6} .* +1 +1$'
v top -j -d 0.5 >"$t/vif.json"
check "top -j: vifs with their owner and dom0_pct" python3 -c '
import json, sys
tab = json.loads(open(sys.argv[1]).read())
vifs = {x["domain"]: x for x in tab["vifs"]}
assert vifs["pv1"]["rx_pps"] > 1000 and vifs["pv2"]["tx_pps"] > 1000, vifs
assert vifs["pv2"]["dom0_pct"] > 0 and vifs["pv1"]["vif"].startswith("vif"), vifs' "$t/vif.json"
v list -j pv1 pv2 ga >"$t/list.json"
check "list -j: each PV guest's vifs with dom0's CPU for them" python3 -c '
import json, sys
d = {x["name"]: x for x in json.load(open(sys.argv[1]))["domains"]}
v1, v2 = d["pv1"]["vifs"], d["pv2"]["vifs"]
assert len(v1) == 1 and v1[0]["mac"] == "00:16:3e:00:00:11" and v1[0]["devid"] == 0, v1
assert v1[0]["rx_packets"] > 1000 and v1[0]["state"] == "Connected" and v1[0]["bridge"] == "xenbr0", v1
assert v2[0]["tx_packets"] > 1000 and v2[0]["dom0_cpu_ns"] > 0 and v2[0]["vif"].startswith("vif"), v2
assert "vifs" not in d.get("ga", {}), d["ga"]' "$t/list.json"

raw '{"op":"shutdown"}' >/dev/null
for _ in $(seq 50); do kill -0 "$host" 2>/dev/null || break; sleep 0.1; done
check "host stopped" sh -c "! kill -0 $host 2>/dev/null"
done_testing
