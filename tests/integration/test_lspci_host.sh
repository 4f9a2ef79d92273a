#!/usr/bin/env bash
# `vfnet lspci` against a running machine: dom0's physical view with VFs (8086:10ca as Linux's
# lspci names them, their BARs virtual), -k from the domains' PCI cores, a guest's view through
# --domain (the README's example), and -v/-t/-s/-d checked against the real lspci on our dumps.
# usage: test_lspci_host.sh VFNET
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
command -v lspci >/dev/null || skip_all "lspci (pciutils) not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
export VFNET_SOCKET=$t/vfnet.sock
v() { "$vfnet" "$@"; }
lspcif() { lspci -F "$1" "${@:2}" 2>/dev/null; }
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }
logs() { v dmesg "$1" 2>/dev/null | grep -q "$2"; }

"$vfnet" host --dom0-memory 64 >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
check "host up with dom0's PF driver" wait_for 5 logs 0 "01:00.1 8086:10c9: bound to mdd"
v sriov pf0 numvfs 2 >"$t/sriov"
has "sriov_totalvfs is 7 (igb keeps a pool for the PF)" "$t/sriov" 'sriov_totalvfs 7'
v lspci -vv -s 01:00.0 >"$t/pf.vv" 2>&1
has "... while the capability's TotalVFs is 8" "$t/pf.vv" 'Initial VFs: 8, Total VFs: 8, Number of VFs: 2'

# ---- dom0's view: a VF is 8086:10ca; its raw registers read 0xFFFF ----
v lspci -nn -s 01:10.0 >"$t/vf.nn"
has "the VF is named by its PF's vendor and VF Device ID" "$t/vf.nn" '^01:10\.0 Ethernet controller \[0200\]: Intel Corporation 82576 Virtual Function \[8086:10ca\] \(rev 01\)$'
v lspci -x -s 01:10.0 >"$t/vf.x"
has "... its own ID registers read 0xFFFF in the raw dump" "$t/vf.x" '^00: ff ff ff ff '
v lspci -d 8086:10ca >"$t/d"
check "-d 8086:10ca finds both VFs" test "$(grep -c 'Virtual Function' "$t/d")" -eq 2
v lspci -v -s 01:10.2 >"$t/vf.v"
has "a VF's BAR0 is virtual, a slice of the PF's VF BAR0" "$t/vf.v" '^.Memory at e0104000 \(64-bit, non-prefetchable\) \[virtual\] \[size=16K\]$'

# ---- -k: mdd on the PFs, nothing bound to a VF in dom0, vdd matching it ----
v lspci -k >"$t/k"
python3 - "$t/k" >"$t/k.parsed" <<'PY'
import sys
cur = None
for line in open(sys.argv[1]):
    if not line.startswith("\t"):
        cur = line.split()[0]
    elif "Kernel" in line:
        print(cur, line.strip())
PY
has "PF driver in use: mdd" "$t/k.parsed" '^01:00\.0 Kernel driver in use: mdd$'
has "... and the module that matches" "$t/k.parsed" '^01:00\.1 Kernel modules: mdd$'
hasnt "no driver in use on a VF in dom0" "$t/k.parsed" '^01:10\.0 Kernel driver'
has "vdd matches the VF" "$t/k.parsed" '^01:10\.0 Kernel modules: vdd$'

# ---- against the real lspci decoding our dump of the running machine ----
v lspci -xxxx >"$t/run.x"
nosize() { sed -E '/^\t(Region [0-9]: )?(Memory|I\/O ports) at /s/ \[size=[0-9]+[KMG]?\]//'; }
for s in 00:00.0 00:01.0 01:00.0 01:00.1; do
	v lspci -vv -s $s | nosize | sed '/^.Kernel/d' >"$t/ours"
	lspcif "$t/run.x" -vv -s $s >"$t/real"
	check "-vv of $s = real lspci -F -vv (sizes and drivers aside)" cmp "$t/real" "$t/ours"
done
# A VF: the real lspci reads its 0xFFFF IDs and no BARs from the dump (so it has no memory BAR
# to print AtomicOpsCap for, as it does on Linux, which knows the VF's BARs); the rest is equal.
v lspci -vv -s 01:10.0 | sed '1d; /\[virtual\]/d; /^.Kernel/d; /AtomicOpsCap/d' >"$t/ours"
lspcif "$t/run.x" -vv -s 01:10.0 | sed 1d >"$t/real"
check "-vv of a VF = real lspci -F -vv but for the name line and the virtual BARs" cmp "$t/real" "$t/ours"
for args in "-t" "-t -s 01:10.2" "-s 01:10" "-s .2" "-s 01:" "-d ::0604" "-d :10c9" "-D -s .0"; do
	v lspci $args >"$t/ours"
	lspcif "$t/run.x" $args | sed -E 's/Illegal Vendor ID Device ffff/Intel Corporation 82576 Virtual Function/' >"$t/real"
	check "lspci $args = real lspci -F $args" cmp "$t/real" "$t/ours"
done

# ---- a guest's view: the README's example ----
v pci-assignable-add 01:10.0 >/dev/null
printf 'name = "a"\npci = [ "01:10.0" ]\napp = [ "sink" ]\n' >"$t/a.cfg"
check "guest a created with VF 01:10.0" v create -q "$t/a.cfg"
check "its VF driver is up" wait_for 5 logs a "8086:10ca: bound to vdd"
v lspci --domain a -vv >"$t/g.vv" 2>"$t/g.err"; st=$?
check "vfnet lspci --domain a -vv exits 0" test $st -eq 0
has "the guest sees its VF at 00:04.0" "$t/g.vv" '^00:04\.0 Ethernet controller: Intel Corporation 82576 Virtual Function \(rev 01\)$'
has "... with vdd bound" "$t/g.vv" '^.Kernel driver in use: vdd$'
has "... MSI-X enabled by the guest's driver" "$t/g.vv" 'MSI-X: Enable\+ Count=3'
has "... BAR0 where the machine placed it, not virtual" "$t/g.vv" '^.Region 0: Memory at f[0-9a-f]+ \(64-bit, non-prefetchable\) \[size=16K\]$'
v lspci --domain=a -k -n >"$t/g.k"
has "--domain=DOM and -k -n" "$t/g.k" '^00:04\.0 0200: 8086:10ca \(rev 01\)$'
v lspci --domain a -xxxx >"$t/g.x"
lspcif "$t/g.x" -vv | sed -E 's/ \[size=[0-9]+K\]//' >"$t/g.real"
v lspci --domain a -vv | nosize | sed '/^.Kernel/d' >"$t/g.ours"
check "the guest's -vv = real lspci -F -vv of the guest's dump (sizes, drivers aside)" cmp "$t/g.real" "$t/g.ours"
v lspci -d a -vv >/dev/null 2>"$t/err"; st=$?
check "the old spelling -d a is lspci's id filter now: usage error" test $st -eq 2
has "... pointing at --domain" "$t/err" '\-\-domain a'
v lspci --domain nosuch >/dev/null 2>"$t/err"; st=$?
check "an unknown domain: exit 1" test $st -eq 1
done_testing
