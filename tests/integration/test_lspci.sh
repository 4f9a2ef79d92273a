#!/usr/bin/env bash
# `vfnet lspci` and SR-IOV config dumps, decoded by the real lspci -F (Debian's pciutils).
# usage: test_lspci.sh VFNET SRIOV_DUMP
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1 dump=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
command -v lspci >/dev/null || skip_all "lspci (pciutils) not installed"
lspcif() { lspci -F "$1" "${@:2}" 2>/dev/null; }

# The power-on machine, by vfnet itself.
"$vfnet" lspci >"$t/list"; check "vfnet lspci exits 0" test $? -eq 0
has "host bridge at 00:00.0" "$t/list" '^00:00\.0 Host bridge: Intel Corporation'
has "root port at 00:01.0" "$t/list" '^00:01\.0 PCI bridge: .*Root Port'
has "PF0 at 01:00.0" "$t/list" '^01:00\.0 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection \(rev 01\)$'
has "PF1 at 01:00.1" "$t/list" '^01:00\.1 Ethernet controller: Intel Corporation 82576'
check "no VF at power-on" test "$(wc -l <"$t/list")" -eq 4
"$vfnet" lspci -n -s 01:00.1 >"$t/n"
has "-n prints class and ids" "$t/n" '^01:00\.1 0200: 8086:10c9 \(rev 01\)$'

# The power-on dump, decoded by the real lspci.
"$vfnet" lspci -xxxx >"$t/pow"
lspcif "$t/pow" -vvv >"$t/pow.v"
lspcif "$t/pow" -n >"$t/pow.n"
has "lspci -F reads the PF's ids" "$t/pow.n" '^01:00\.0 0200: 8086:10c9 \(rev 01\)$'
has "lspci -F reads the root port" "$t/pow.n" '^00:01\.0 0604: 8086:3408'
has "SR-IOV capability at 0x160" "$t/pow.v" 'Capabilities: \[160 v1\] Single Root I/O Virtualization \(SR-IOV\)'
has "Initial VFs 8, Total VFs 8" "$t/pow.v" 'Initial VFs: 8, Total VFs: 8, Number of VFs: 0'
has "offset 384, stride 2 without ARI, VF device 10ca" "$t/pow.v" 'VF offset: 384, stride: 2, Device ID: 10ca'
has "page sizes" "$t/pow.v" 'Supported Page Size: 00000553, System Page Size: 00000001'
has "VF BAR0, 64-bit" "$t/pow.v" 'Region 0: Memory at 00000000e0100000 \(64-bit, non-prefetchable\)'
has "VF BAR3, 64-bit" "$t/pow.v" 'Region 3: Memory at 00000000e0140000 \(64-bit, non-prefetchable\)'
has "PF MSI-X: 10 vectors" "$t/pow.v" 'Capabilities: \[70\] MSI-X: Enable- Count=10 Masked-'
has "MSI-X table in BAR3" "$t/pow.v" 'Vector table: BAR=3 offset=00000000'
has "MSI-X PBA in BAR3 + 0x2000" "$t/pow.v" 'PBA: BAR=3 offset=00002000'
has "PF is FLR capable" "$t/pow.v" 'FLReset\+'
has "PF BAR0 128K 32-bit" "$t/pow.v" 'Region 0: Memory at e0000000 \(32-bit, non-prefetchable\)'
has "root port forwards ARI" "$t/pow.v" 'ARIFwd\+'

# 7 VFs with ARI (a test program doing Linux's enable sequence).
"$dump" --ari --numvfs 7 >"$t/ari"
lspcif "$t/ari" -vvv >"$t/ari.v"
lspcif "$t/ari" -n >"$t/ari.n"
check "7 VFs answer" test "$(grep -c '^01:1[01]\.[0246] ' "$t/ari.n")" -eq 7
has "VF0 at 01:10.0 reads ffff:ffff" "$t/ari.n" '^01:10\.0 0200: ffff:ffff \(rev 01\)$'
has "VF6 at 01:11.4" "$t/ari.n" '^01:11\.4 0200: ffff:ffff'
hasnt "no eighth VF" "$t/ari.n" '^01:11\.6'
has "offset 128 with ARI" "$t/ari.v" 'VF offset: 128, stride: 2, Device ID: 10ca'
has "VF Enable, MSE, ARI hierarchy set" "$t/ari.v" 'IOVCtl:.*Enable\+.*MSE\+ ARIHierarchy\+'
has "Number of VFs 7" "$t/ari.v" 'Number of VFs: 7'
lspcif "$t/ari" -vvv -s 01:10.2 >"$t/vf.v"
has "a VF has MSI-X with 3 vectors" "$t/vf.v" 'MSI-X: Enable- Count=3 Masked-'
has "a VF is a PCIe endpoint with FLR" "$t/vf.v" 'FLReset\+'
hasnt "a VF's BARs read zero" "$t/vf.v" '^\s*Region'

# Without ARI the VFs land on bus 02 (PF RID + 0x180); port 1's VFs take the odd functions.
"$dump" --numvfs 2 --port 2 >"$t/noari"
lspcif "$t/noari" -n >"$t/noari.n"
has "non-ARI VF0 of PF0 at 02:10.0" "$t/noari.n" '^02:10\.0 0200: ffff:ffff'
has "non-ARI VF0 of PF1 at 02:10.1" "$t/noari.n" '^02:10\.1 0200: ffff:ffff'
has "non-ARI VF1 of PF1 at 02:10.3" "$t/noari.n" '^02:10\.3 '

# -v, -vv, -vvv: the same lines as the real lspci decoding our dump, but for the region sizes
# (a dump has none; the OS knows them, and so does vfnet).
nosize() { sed -E '/^\t(Region [0-9]: )?(Memory|I\/O ports) at /s/ \[size=[0-9]+[KMG]?\]//' "$1"; }
for vv in -v -vv -vvv; do
	"$vfnet" lspci $vv >"$t/ours$vv" 2>/dev/null
	lspcif "$t/pow" $vv >"$t/real$vv"
	check "lspci $vv = real lspci -F $vv of our dump (sizes aside)" cmp "$t/real$vv" <(nosize "$t/ours$vv")
done
has "-v shows the PF's BAR sizes" "$t/ours-v" '^.Memory at e0000000 \(32-bit, non-prefetchable\) \[disabled\] \[size=128K\]$'
has "-vv: the root port forwards ARI (DevCap2)" "$t/ours-vv" 'ARIFwd\+'
has "-vv: SR-IOV TotalVFs is 8 in the capability" "$t/ours-vv" 'Initial VFs: 8, Total VFs: 8'
# -t, -s and -d, against the real lspci on the same dump
for args in "-t" "-tv" "-t -s 01:00.1" "-s 01:00" "-s .1" "-s 00:" "-s 01:*.1" "-d :10c9" "-d 8086:" \
	"-d ::0604" "-d ::02xx" "-n -d 8086:3406" "-D" "-D -n -s .0"; do
	"$vfnet" lspci $args >"$t/ours" 2>/dev/null
	lspcif "$t/pow" $args >"$t/real"
	check "lspci $args = real lspci -F $args" cmp "$t/real" "$t/ours"
done
"$vfnet" lspci -s 01:00 >"$t/partial" 2>/dev/null
check "-s 01:00 (no function) lists both PFs" test "$(wc -l <"$t/partial")" -eq 2
"$vfnet" lspci >/dev/null 2>"$t/note"
has "no host: stderr says this is the power-on machine" "$t/note" 'no vfnet host at .*showing the machine as it powers on'
"$vfnet" lspci -j -s 01:00.0 >"$t/j" 2>/dev/null
check "-j: JSON with the ids, names and subsystem" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert len(d) == 1; f = d[0]
assert f["slot"] == "01:00.0" and f["vendor"] == "8086" and f["device"] == "10c9" and f["class"] == "0200"
assert f["subsystem_device"] == "a03c" and f["device_name"].startswith("82576")' "$t/j"

# Errors: a bad slot is a usage error (exit 2), an absent one a failure (exit 1); -d is lspci's
# id filter, and a domain name given to it says where the domain view went.
"$vfnet" lspci -s 1:0.0:0:0 >/dev/null 2>"$t/err"; check "bad slot exits 2" test $? -eq 2
has "... with pciutils' message" "$t/err" '\-s: Too many fields'
"$vfnet" lspci -d a -vv >/dev/null 2>"$t/err"; check "-d a: usage error (exit 2)" test $? -eq 2
has "... which points at --domain" "$t/err" 'At least two fields must be given.*--domain a'
"$vfnet" lspci --domain a >/dev/null 2>"$t/err"; check "--domain without a host exits 1" test $? -eq 1
done_testing
