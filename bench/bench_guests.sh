#!/usr/bin/env bash
# Guest to guest over SR-IOV, with real processes: a machine, dom0 with the PF driver, guest A
# (sink) and guest B (pktgen, as fast as it can) each with a VF on port 0. For 64- and 1514-byte
# frames it reports, as medians of RUNS runs, the rate A received, the loss, and the CPU each
# party spent per second of traffic: the sender, the receiver, dom0, the hypervisor (hypercall
# service) and the hardware (the NIC engine threads). The paper's point is in the last three:
# on the SR-IOV path dom0 and the hypervisor stay out of the data path.
# usage: bench_guests.sh VFNET [RUNS] [SECONDS] [CSV]
set -uo pipefail
vfnet=$1
runs=${2:-3}
secs=${3:-3}
csv=${4:-}
t=$(mktemp -d)
export VFNET_SOCKET=$t/vfnet.sock
host=
cleanup() { [ -n "$host" ] && kill "$host" 2>/dev/null; wait 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT

"$vfnet" host --dom0-memory 64 >"$t/host.log" 2>&1 &
host=$!
for _ in $(seq 50); do [ -S "$VFNET_SOCKET" ] && break; sleep 0.1; done
for _ in $(seq 50); do "$vfnet" dmesg 0 2>/dev/null | grep -q "01:00.1 8086:10c9: bound" && break; sleep 0.1; done
"$vfnet" sriov pf0 numvfs 2 >/dev/null
"$vfnet" pci-assignable-add 01:10.0
"$vfnet" pci-assignable-add 01:10.2
"$vfnet" ip link set pf0 vf 0 mac 02:00:00:00:00:0a
"$vfnet" ip link set pf0 vf 1 mac 02:00:00:00:00:0b

# snapshot: prints a JSON object of the counters the report needs
snapshot() { python3 - "$("$vfnet" list -j)" "$("$vfnet" stats -j a)" "$("$vfnet" stats -j b 2>/dev/null || echo '{}')" "$(python3 -c '
import socket, sys, json
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"{\"op\":\"stats\"}\n"); print(s.makefile().readline())' "$VFNET_SOCKET")" <<'PY'
import json, sys, time
l, a, b, st = (json.loads(x) for x in sys.argv[1:5])
a, b = a.get('stats', a), b.get('stats', b)
doms = l if isinstance(l, list) else l.get('domains', [])
cpu = {d['name']: d['cpu_ns'] for d in doms}
hv = sum(d.get('hypervisor_ns', 0) for d in doms)
sink = [x for x in a['apps'] if x['app'] == 'sink'][0]
gen = [x for x in b.get('apps', []) if x['app'] == 'pktgen']
eng = sum(p['engine']['cpu_ns'] for p in st['ports'])
print(json.dumps({'t': time.monotonic_ns(), 'rx': sink['received'], 'lost': sink['lost'],
                  'sent': gen[0]['sent'] if gen else 0, 'a': cpu.get('a', 0), 'b': cpu.get('b', 0),
                  'dom0': cpu.get('Domain-0', 0), 'hv': hv, 'hw': eng}))
PY
}

printf 'name = "a"\npci = [ "01:10.0" ]\napp = [ "sink" ]\n' >"$t/a.cfg"
"$vfnet" create -q "$t/a.cfg"
echo "# machine: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs"
echo "# size  rx_Mpps  rx_Gbit/s  loss%  sender%  receiver%  dom0%  hypervisor%  hardware%   (medians of $runs runs of $secs s)"
[ -n "$csv" ] && echo "size,run,rx_pps,loss,sender_pct,receiver_pct,dom0_pct,hv_pct,hw_pct" >"$csv"
for size in 64 1514; do
	rows=()
	for run in $(seq "$runs"); do
		"$vfnet" destroy b 2>/dev/null
		printf 'name = "b"\npci = [ "01:10.2" ]\napp = [ "pktgen dst=02:00:00:00:00:0a size=%s" ]\n' \
			"$size" >"$t/b.cfg"
		"$vfnet" create -q "$t/b.cfg"
		sleep 1 # let it reach its pace
		s0=$(snapshot); sleep "$secs"; s1=$(snapshot)
		row=$(python3 - "$s0" "$s1" "$size" <<'PY'
import json, sys
a, b, size = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
dt = (b['t'] - a['t']) / 1e9
rx = (b['rx'] - a['rx']) / dt
sent = b['sent'] - a['sent']
loss = 100.0 * max(0, sent - (b['rx'] - a['rx'])) / sent if sent else 0
pct = lambda k: 100.0 * (b[k] - a[k]) / 1e9 / dt
print(f"{rx:.0f} {loss:.2f} {pct('b'):.1f} {pct('a'):.1f} {pct('dom0'):.1f} {pct('hv'):.2f} {pct('hw'):.1f}")
PY
)
		rows+=("$row")
		[ -n "$csv" ] && echo "$size,$run,${row// /,}" >>"$csv"
	done
	printf '%s\n' "${rows[@]}" | python3 -c "
import sys, statistics as s
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
m = [s.median(c) for c in zip(*rows)]
size = $size
print(f'{size:6d}  {m[0]/1e6:7.3f}  {m[0]*size*8/1e9:9.3f}  {m[1]:5.2f}  {m[2]:7.1f}  {m[3]:9.1f}  {m[4]:5.1f}  {m[5]:11.2f}  {m[6]:9.1f}')"
done
