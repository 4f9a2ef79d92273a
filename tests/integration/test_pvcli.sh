#!/usr/bin/env bash
# What a user sees of the paravirtual path through the CLI, against a real host with two PV
# guests: network-list (xl's table and -j), network-attach and -detach (xl's), xenstore-ls, -read,
# -write, -rm (Xen's tools' formats and words), brctl show and bridge fdb show (bridge-utils' and
# iproute2's).
# Then the README's recipe "Paravirtual guests", run as it is written.
# usage: test_pvcli.sh VFNET README
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
readme=$2
t=$(mktemp -d)
host=
cleanup() {
	if [ -n "$host" ] && kill -TERM "$host" 2>/dev/null; then
		for _ in $(seq 30); do kill -0 "$host" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$host" 2>/dev/null
		wait "$host" 2>/dev/null
	fi
	if [ "$_tap_failed" != 0 ] && [ -s "$t/host.err" ]; then
		echo "# the host's stderr:"; sed 's/^/#   /' "$t/host.err" | tail -20
	fi
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (to read -j) not installed"
export VFNET_SOCKET=$t/s
. "$(dirname "$0")/host_lib.sh"
v() { "$vfnet" "$@"; }
# run NAME CMD...: CMD's stdout in $t/NAME.out, stderr in $t/NAME.err, status in $rc
run() { local n=$1; shift; "$@" >"$t/$n.out" 2>"$t/$n.err"; rc=$?; }
domid() { v list -j | jget "[x['id'] for x in d['domains'] if x['name']=='$1'][0]"; }
fe() { echo "/local/domain/$1/device/vif/$2"; }
be() { echo "/local/domain/0/backend/vif/$1/$2"; }
connected() { wait_xs 10 4 "$(fe "$1" "$2")/state" "$(be "$1" "$2")/state"; }
# The whole of a domain's vif directories, to show that a refused command changed nothing.
snap() { v xenstore-ls -f "/local/domain/$1/device" 2>&1; v xenstore-ls -f "/local/domain/0/backend/vif/$1" 2>&1; }

"$vfnet" host --dom0-memory 128 >"$t/host.out" 2>"$t/host.err" &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
check "host up, dom0's bridge xenbr0" wait_for 5 dmesg_has 0 "xenbr0: port 1(pf0) entered forwarding state"
printf 'name = "ga"\nmemory = 64\nvif = [ "mac=00:16:3e:00:00:a1" ]\n' >"$t/ga.cfg"
printf 'name = "gb"\nmemory = 64\nvif = [ "mac=00:16:3e:00:00:b1,bridge=xenbr0" ]\n' >"$t/gb.cfg"
run c v create "$t/ga.cfg"; check "PV guest ga created from an xl.cfg with vif = [...]" test $rc -eq 0
run c v create "$t/gb.cfg"; check "PV guest gb too" test $rc -eq 0
ga=$(domid ga) gb=$(domid gb)
check "both netfronts connect to dom0's netback" connected "$ga" 0
connected "$gb" 0

# ---- network-list ----
run nl v network-list ga gb
check "network-list: exit 0" test $rc -eq 0
has "network-list: xl's header, once" "$t/nl.out" '^Idx BE Mac Addr\.         handle state evt-ch   tx-/rx-ring-ref BE-path {23}$'
check "... one header and one row per vif for two domains" test "$(wc -l <"$t/nl.out")" -eq 3
has "network-list: ga's vif 0, Connected (4), split channels (-1), its rings, its BE path" "$t/nl.out" \
	"^0   0  00:16:3e:00:00:a1     0     4     -1 +[0-9]+/[0-9]+ +/local/domain/0/backend/vif/$ga/0 *\$"
has "network-list: gb's row" "$t/nl.out" "^0   0  00:16:3e:00:00:b1     0     4     -1 +[0-9]+/[0-9]+ +/local/domain/0/backend/vif/$gb/0 *\$"
txr=$(v xenstore-read "$(fe "$ga" 0)/tx-ring-ref") rxr=$(v xenstore-read "$(fe "$ga" 0)/rx-ring-ref")
has "network-list: the ring refs are the frontend's ($txr/$rxr)" "$t/nl.out" "^0   0  00:16:3e:00:00:a1 .* $txr/$rxr "
run nlj v network-list -j ga
check "network-list -j: both states Connected, rings, channels, bridge, hotplug, paths" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["domains"]
assert [x["domain"] for x in d] == ["ga"], d
v = d[0]["vifs"][0]
assert (v["state"], v["backend_state"], v["hotplug_status"]) == ("4", "4", "connected"), v
assert v["tx_ring_ref"] == sys.argv[2] and v["rx_ring_ref"] == sys.argv[3], v
assert v["evtch_tx"].isdigit() and v["evtch_rx"].isdigit() and "evtch" not in v, v
assert v["be_path"] == "/local/domain/0/backend/vif/%s/0" % sys.argv[4], v
assert v["fe_path"] == "/local/domain/%s/device/vif/0" % sys.argv[4], v
assert (v["mac"], v["bridge"], v["vifname"]) == ("00:16:3e:00:00:a1", "xenbr0", "vif%s.0" % sys.argv[4]), v
' "$t/nlj.out" "$txr" "$rxr" "$ga"
run nlx v network-list nosuch
check "network-list of an unknown domain: exit 1, no table" test $rc -eq 1 -a ! -s "$t/nlx.out"
has "... says so" "$t/nlx.err" "^vfnet network-list: no domain 'nosuch'"

# ---- network-attach ----
run na v network-attach ga mac=00:16:3e:00:00:a2 bridge=xenbr0 devid=3
check "network-attach mac= bridge= devid=: exit 0, nothing printed" test $rc -eq 0 -a ! -s "$t/na.out" -a ! -s "$t/na.err"
check "the second vif connects" connected "$ga" 3
run nl v network-list ga
has "network-list: vif 3 with the MAC asked for, Connected" "$t/nl.out" \
	"^3   0  00:16:3e:00:00:a2     3     4     -1 +[0-9]+/[0-9]+ +/local/domain/0/backend/vif/$ga/3 *\$"
check "... beside vif 0" test "$(grep -c '^[03]   0  ' "$t/nl.out")" -eq 2
check "its backend is on the bridge asked for" test "$(v xenstore-read "$(be "$ga" 3)/bridge")" = xenbr0
check "... and dom0 made vif$ga.3" test "$(v xenstore-read "$(be "$ga" 3)/vifname")" = "vif$ga.3"
run na v network-attach gb
check "network-attach with no keys: the lowest free devid (1), a MAC in 00:16:3e" \
	test $rc -eq 0 -a "$(v xenstore-read "$(fe "$gb" 1)/mac" | cut -c1-9)" = 00:16:3e:
connected "$gb" 1
before=$(snap "$ga")
for spec in "mac=zz:16:3e:00:00:a9|mac 'zz:16:3e:00:00:a9' is not xx:xx:xx:xx:xx:xx" \
	"mac=01:16:3e:00:00:a9|multicast" "devid=3|'ga' has a vif 3 already" "devid=8|devid must be 0..7" \
	"bridge=xenbr9|dom0's vif-bridge step failed for vif [0-9]: Could not find bridge device xenbr9; removed it"; do
	arg=${spec%%|*} msg=${spec#*|}
	run nx v network-attach ga "$arg"
	check "network-attach ga $arg: exit 1, nothing on stdout" test $rc -eq 1 -a ! -s "$t/nx.out"
	has "... one line saying why" "$t/nx.err" "^vfnet network-attach: .*$msg"
	check "... and ga's vifs are as they were" test "$(snap "$ga")" = "$before"
done
run nx v network-attach nosuch mac=00:16:3e:00:00:a9
check "network-attach to an unknown domain: exit 1" test $rc -eq 1
has "... says so" "$t/nx.err" "^vfnet network-attach: no domain 'nosuch'"

# ---- network-detach ----
run nd v network-detach ga 3
check "network-detach by devid: exit 0, nothing printed" test $rc -eq 0 -a ! -s "$t/nd.out" -a ! -s "$t/nd.err"
check "... both directories gone when it returns" \
	test -z "$(v xenstore-ls "$(fe "$ga" 3)" 2>/dev/null)$(v xenstore-ls "$(be "$ga" 3)" 2>/dev/null)"
run nx v xenstore-ls "$(be "$ga" 3)"
has "... xenstore-ls says the node is not there, in Xen's words" "$t/nx.err" \
	"^vfnet xenstore-ls: xs_directory \\($(be "$ga" 3)\\): no such node$"
m=$(v xenstore-read "$(fe "$gb" 1)/mac")
run nd v network-detach gb "$m"
check "network-detach by MAC ($m): exit 0" test $rc -eq 0
check "... gb's vif 1 is gone, vif 0 stays" \
	test -z "$(v xenstore-read "$(fe "$gb" 1)/state" 2>/dev/null)" -a "$(v xenstore-read "$(fe "$gb" 0)/state")" = 4
v network-attach ga devid=5 >/dev/null
run nd v network-detach -f ga 5
check "network-detach -f: exit 0, the directories gone at once" \
	test $rc -eq 0 -a -z "$(v xenstore-read "$(fe "$ga" 5)/state" 2>/dev/null)$(v xenstore-read "$(be "$ga" 5)/state" 2>/dev/null)"
before=$(snap "$ga")
for spec in "ga 4|'ga' has no vif 4" "ga 00:16:3e:00:00:ff|unknown device 00:16:3e:00:00:ff" \
	"ga 9|'9' is not a DEVID \\(0..7\\)" "nosuch 0|no domain 'nosuch'"; do
	run nx v network-detach ${spec%%|*}
	check "network-detach ${spec%%|*}: exit 1" test $rc -eq 1
	has "... says why" "$t/nx.err" "^vfnet network-detach: ${spec#*|}"
done
check "... and changed nothing" test "$(snap "$ga")" = "$before"

# ---- xenstore-ls ----
run ls v xenstore-ls "/local/domain/$ga"
check "xenstore-ls: exit 0" test $rc -eq 0
has "xenstore-ls: the listed node's children unindented" "$t/ls.out" '^name = "ga"$'
has "... one space per level" "$t/ls.out" '^ vif = ""$'
has "... three levels down" "$t/ls.out" '^   state = "4"$'
has "... the frontend's backend key" "$t/ls.out" "^   backend = \"$(be "$ga" 0)\"\$"
run ls v xenstore-ls -f "$(fe "$ga" 0)"
has "xenstore-ls -f: whole paths, no indent" "$t/ls.out" "^$(fe "$ga" 0)/state = \"4\"\$"
hasnt "... and no line starts with a space" "$t/ls.out" '^ '
run ls v xenstore-ls -p "$(be "$ga" 0)"
has "xenstore-ls -p: permissions after dots to column 60 (backend dom0's, the guest reads)" "$t/ls.out" \
	'^state = "4"  (\. )+\.  \(n0,r1\)$'
check "... every line's permissions start at column 62" \
	awk '{ if (index($0, "  (n0,r1)") != 61) exit 1 }' "$t/ls.out"
run ls v xenstore-ls -p "$(fe "$ga" 0)"
has "... the frontend's are the guest's own" "$t/ls.out" '^state = "4" .*  \(n'"$ga"',r0\)$|^state = "4" .*  \(n'"$ga"'\)$'
run lsj v xenstore-ls -j "$(fe "$ga" 0)"
check "xenstore-ls -j: the node first at depth 0, then its children at 1, whole paths and perms" python3 -c '
import json, sys
n = json.load(open(sys.argv[1]))["nodes"]
assert n[0]["path"] == sys.argv[2] and n[0]["depth"] == 0, n[0]
s = [x for x in n if x["path"] == sys.argv[2] + "/state"][0]
assert s["value"] == "4" and s["depth"] == 1 and s["perms"].startswith("n"), s' "$t/lsj.out" "$(fe "$ga" 0)"
long=$(printf 'x%.0s' $(seq 100))
v xenstore-write "/local/domain/$ga/data/long" "$long"
run ls v xenstore-ls "/local/domain/$ga/data"
check "xenstore-ls off a terminal: a long value cut to 80 columns, ending in \\..." \
	test "$(grep '^long' "$t/ls.out")" = "long = \"$(printf 'x%.0s' $(seq 68))\\...\""
if command -v script >/dev/null; then
	script -qc "stty cols 50; $vfnet xenstore-ls /local/domain/$ga/data" /dev/null | tr -d '\r' >"$t/tty.out"
	check "xenstore-ls on a 50-column terminal: cut to its width less 2" \
		test "$(grep '^long' "$t/tty.out")" = "long = \"$(printf 'x%.0s' $(seq 36))\\...\""
else
	skip "script (util-linux) not installed: no terminal to list on"
fi
run ls v xenstore-ls -f "/local/domain/$ga/data"
has "xenstore-ls -f cuts nothing" "$t/ls.out" "^/local/domain/$ga/data/long = \"$long\"\$"

# ---- xenstore-write, -read ----
run w v xenstore-write "/local/domain/$ga/data/q" 'a\xff\001\tb\\c\n' data/plain hello
check "xenstore-write of quoted bytes (\\xff, \\001, \\t, \\\\, \\n) and a relative path: exit 0" test $rc -eq 0
run r v xenstore-read "/local/domain/$ga/data/q"
check "xenstore-read quotes them back as they were written" test "$(cat "$t/r.out")" = 'a\xff\001\tb\\c\n'
v xenstore-read -R "/local/domain/$ga/data/q" >"$t/raw"
check "xenstore-read -R: the bytes themselves, no newline after" \
	test "$(od -An -tx1 "$t/raw" | tr -d ' \n')" = 61ff0109625c630a
run r v xenstore-read -p "/local/domain/$ga/data/q" data/plain
check "xenstore-read -p: PATH: before each value, the path as given" \
	test "$(cat "$t/r.out")" = "/local/domain/$ga/data/q: a\\xff\\001\\tb\\\\c\\n
data/plain: hello"
check "a relative path is below dom0's home" test "$(v xenstore-read /local/domain/0/data/plain)" = hello
run ls v xenstore-ls "/local/domain/$ga/data"
has "xenstore-ls quotes the same way" "$t/ls.out" '^q = "a\\xff\\001\\tb\\\\c\\n"$'
run lsj v xenstore-ls -j "/local/domain/$ga/data"
check "xenstore-ls -j: a value that is not UTF-8 as its bytes in value_hex (valid JSON)" python3 -c '
import json, sys
n = [x for x in json.load(open(sys.argv[1]))["nodes"] if x["path"].endswith("/q")][0]
assert n["value_hex"] == "61ff0109625c630a" and "value" not in n, n' "$t/lsj.out"
v xenstore-write -R data/rawv 'a\tb'
check "xenstore-write -R: backslashes as they are" test "$(v xenstore-read -R data/rawv)" = 'a\tb'
big=$(python3 -c 'print("\\xff" * 2048, end="")')
run w v xenstore-write data/big "$big"
check "xenstore-write of 2048 bytes of \\xff, the most a value may hold: exit 0" test $rc -eq 0
check "... read back as 2048 of them" test "$(v xenstore-read -R data/big | od -An -v -tx1 | tr -s ' \n' '\n' | grep -c '^ff$')" -eq 2048
run w v xenstore-write data/big2 "$big\\xff"
check "one byte more: exit 1, nothing written" test $rc -eq 1 -a -z "$(v xenstore-read data/big2 2>/dev/null)"
has "... E2BIG, as Xen's tool says it" "$t/w.err" "^vfnet xenstore-write: could not write path data/big2: Argument list too long$"
run w v xenstore-write data/nul 'a\000b'
check "xenstore-write of a NUL byte: exit 1" test $rc -eq 1
has "... in Xen's words, with the host's reason" "$t/w.err" "^vfnet xenstore-write: could not write path data/nul: a value with a NUL byte$"
check "... and the node was not made" test -z "$(v xenstore-read data/nul 2>/dev/null)"
# The control socket's value_hex, checked where it enters.
req '{"op":"xenstore-read","path":"/local/domain/0/data/big"}' >"$t/rq"
check "xenstore-read request of a value that is not UTF-8: valid JSON, its bytes in value_hex" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["value_hex"] == "ff" * 2048 and "value" not in d, d' "$t/rq"
for spec in '"value_hex":"6"|even number of hex digits' '"value_hex":"zz"|not a hex digit' \
	'"value_hex":"6100"|a value with a NUL byte' '"value":"a","value_hex":"61"|one of' '"value_hex":6|even number' \
	'"x":1|takes no key'; do
	req "{\"op\":\"xenstore-write\",\"path\":\"/local/domain/0/data/h\",${spec%%|*}}" >"$t/rq"
	has "xenstore-write request with ${spec%%|*}: refused" "$t/rq" "\"ok\":false,\"error\":\".*(${spec#*|})"
done
check "... and none of them wrote the node" test -z "$(v xenstore-read data/h 2>/dev/null)"
req '{"op":"xenstore-write","path":"/local/domain/0/data/h","value_hex":"41ff"}' >/dev/null
check "value_hex 41ff writes A and 0xff" test "$(v xenstore-read data/h)" = 'A\xff'
run r v xenstore-read /local/domain/0/nope
check "xenstore-read of a missing node: exit 1" test $rc -eq 1 -a ! -s "$t/r.out"
has "... Xen's \"couldn't read path\"" "$t/r.err" "^vfnet xenstore-read: couldn't read path /local/domain/0/nope: no such node$"
run r v xenstore-read data/plain nope data/plain
check "xenstore-read: the values before the first missing path, then exit 1" \
	test $rc -eq 1 -a "$(cat "$t/r.out")" = hello
run w v xenstore-write /bad//path 1
has "xenstore-write of a malformed path: Xen's \"could not write path\"" "$t/w.err" \
	"^vfnet xenstore-write: could not write path /bad//path: not a valid xenstore path$"
run w v xenstore-write data/odd
check "xenstore-write with a PATH and no VALUE: usage error (2)" test $rc -eq 2

# ---- xenstore-rm ----
v xenstore-write data/t/a/b/c 1 data/t/keep 1
run rm v xenstore-rm -t data/t/a/b/c
check "xenstore-rm -t: exit 0" test $rc -eq 0
check "... removed the node and its parents left bare (b, a)" \
	test -z "$(v xenstore-ls /local/domain/0/data/t/a 2>/dev/null)"
check "... but not a parent with another child" test "$(v xenstore-read data/t/keep)" = 1
v xenstore-write data/u/v 1
run rm v xenstore-rm data/u/v
check "xenstore-rm without -t leaves the parent" test $rc -eq 0 -a "$(v xenstore-ls /local/domain/0/data/u 2>&1)" = ""
check "... which is still there" v xenstore-read data/u
run rm v xenstore-rm data/u/gone
check "xenstore-rm of a missing node whose parent is there succeeds, as in Xen" test $rc -eq 0
run rm v xenstore-rm /nope/x
check "xenstore-rm below a missing node: exit 1" test $rc -eq 1
has "... Xen's \"could not remove path\"" "$t/rm.err" "^vfnet xenstore-rm: could not remove path /nope/x: no such node$"

# ---- brctl show, bridge fdb show ----
run br v brctl show
check "brctl show: exit 0" test $rc -eq 0
has "brctl show: bridge-utils' header" "$t/br.out" $'^bridge name\tbridge id\t\tSTP enabled\tinterfaces$'
has "... xenbr0 with its id, STP off, its first port" "$t/br.out" $'^xenbr0\t\t8000\\.[0-9a-f]{12}\tno\t\tpf0$'
for p in "vif$ga.0" "vif$gb.0"; do
	has "... $p on a line of its own under interfaces" "$t/br.out" $'^\t\t\t\t\t\t\t'"$p\$"
done
check "... one line per port, nothing else" test "$(wc -l <"$t/br.out")" -eq 4
run brj v brctl -j show
check "brctl -j show: the bridges as JSON, the ports in order" python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["bridges"][0]
assert b["name"] == "xenbr0" and b["stp"] == "no" and b["interfaces"][0] == "pf0", b
assert sorted(b["interfaces"][1:]) == sorted(["vif%s.0" % sys.argv[2], "vif%s.0" % sys.argv[3]]), b
' "$t/brj.out" "$ga" "$gb"
run brx v brctl show xenbr9
check "brctl show of a bridge that is not there: exit 1" test $rc -eq 1
has "... bridge-utils' words" "$t/brx.err" "bridge xenbr9 does not exist!$"
run brn v brctl show xenbr0
check "brctl show xenbr0: that bridge only" test $rc -eq 0 -a "$(head -2 "$t/brn.out" | tail -1 | cut -f1)" = xenbr0
# Traffic so that the bridge learns the guests' addresses: ga's sink, gb's generator.
gb_old=$gb
v destroy gb
printf 'name = "gb"\nmemory = 64\nvif = [ "mac=00:16:3e:00:00:b1" ]\napp = [ "pktgen dst=00:16:3e:00:00:a1 count=50 rate=1k" ]\n' >"$t/gb.cfg"
run c v create -q "$t/gb.cfg"
check "gb again, with a generator sending to ga" test $rc -eq 0
gb=$(domid gb)
check "... with a new domain id ($gb), not the one dom0 is still taking down ($gb_old), as Xen" \
	test "$gb" != "$gb_old"
check "... and its vif connects" connected "$gb" 0
fdb_has() { v bridge fdb show | grep -q "^00:16:3e:00:00:b1 dev vif$gb.0 master xenbr0 \$"; }
check "bridge fdb show: the generator's address, learnt on its vif (iproute2's line)" wait_for 10 fdb_has
if ! fdb_has; then
	v bridge fdb show | sed 's/^/# fdb: /'; v dmesg 0 | tail -8 | sed 's/^/# dom0: /'
	dreq 0 '{"op":"bridge-stats"}' | sed 's/^/# /'
fi
run fdb v bridge fdb show br xenbr0
check "bridge fdb show br xenbr0: exit 0" test $rc -eq 0
check "... every line is 'MAC dev IFNAME master xenbr0 '" \
	awk '!/^([0-9a-f][0-9a-f]:)+[0-9a-f][0-9a-f] dev [a-z0-9.]+ master xenbr0 $/ { exit 1 }' "$t/fdb.out"
run fdbj v bridge -j fdb show
check "bridge -j fdb show: iproute2's JSON (mac, ifname, flags, master, no state when dynamic)" python3 -c '
import json, sys
e = [x for x in json.load(open(sys.argv[1])) if x["mac"] == "00:16:3e:00:00:b1"][0]
assert e == {"mac": "00:16:3e:00:00:b1", "ifname": "vif%s.0" % sys.argv[2], "flags": [], "master": "xenbr0"}, e
' "$t/fdbj.out" "$gb"
run fdbx v bridge fdb show br xenbr9
check "bridge fdb show br of a bridge that is not there: exit 1" test $rc -eq 1 -a ! -s "$t/fdbx.out"
has "... iproute2's words" "$t/fdbx.err" 'Cannot find bridge device "xenbr9"$'
run fdbx v bridge fdb show brport
check "bridge fdb show with an argument it does not take: usage error (2)" test $rc -eq 2

v destroy ga; v destroy gb
check "destroy takes the guests' vifs off the bridge" test "$(v brctl show | wc -l)" -eq 2

# ---- the README's recipe, on a host of its own ----
awk '/^<!-- recipe pv/ { on = 1; next } on && /^```sh$/ { inblock = 1; next }
     inblock && /^```$/ { exit } inblock { print }' "$readme" >"$t/block"
check "the README has the PV recipe" test -s "$t/block"
bin=$(cd "$(dirname "$vfnet")" && pwd)
{
	echo 'set -e'
	echo 'trap "kill %1 2>/dev/null; wait" EXIT'
	sed -e "s|/tmp/vfnet-pv|$t/pv|g" -e "s|\$OLDPWD/build/src/cli|$bin|g" "$t/block"
} >"$t/recipe.sh"
(unset VFNET_SOCKET; timeout 60 bash "$t/recipe.sh" >"$t/recipe.out" 2>&1)
st=$?
check "the recipe runs to its end (exit $st)" test $st -eq 0
[ $st -ne 0 ] && sed 's/^/#   /' "$t/recipe.out" | tail -30
has "... network-list shows both vifs Connected" "$t/recipe.out" '^0   0  00:16:3e:00:00:02     0     4 '
has "... xenstore-ls the frontend's rings" "$t/recipe.out" '^tx-ring-ref = "[0-9]+"$'
has "... the backend's permissions" "$t/recipe.out" '^hotplug-status = "connected" .*\(n0,r2\)$'
has "... brctl show the two vifs on xenbr0" "$t/recipe.out" $'^\t\t\t\t\t\t\tvif2\.0$'
has "... bridge fdb show the sender learnt" "$t/recipe.out" '^00:16:3e:00:00:02 dev vif2\.0 master xenbr0 $'
done_testing
