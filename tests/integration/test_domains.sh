#!/usr/bin/env bash
# The xl-like commands against a running host: list, create, dmesg, stats, destroy, dom0 restart,
# the pci-* commands, and their errors.
# usage: test_domains.sh VFNET
set -u
. "$(dirname "$0")/tap.sh"
vfnet=$1
t=$(mktemp -d)
host=
# The host stops its domains on SIGTERM; SIGKILL if it does not exit within 3 s.
cleanup() {
	if [ -n "$host" ] && ! kill -0 "$host" 2>/dev/null; then
		wait "$host"; echo "# the host had exited before the end, status $?"
	elif [ -n "$host" ] && kill -TERM "$host" 2>/dev/null; then
		for _ in $(seq 30); do kill -0 "$host" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$host" 2>/dev/null
		wait "$host" 2>/dev/null
	fi
	if [ "$_tap_failed" != 0 ] && [ -s "$t/host.err" ]; then
		echo "# the host's stderr:"; sed 's/^/#   /' "$t/host.err" | tail -40
	fi
	rm -rf "$t"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (to read list -j) not installed"
export VFNET_SOCKET=$t/s
v() { "$vfnet" "$@"; }
# The pid of domain $1 from `list -j`, empty when it is not listed.
pid_of() {
	v list -j | python3 -c '
import json, sys
for d in json.load(sys.stdin)["domains"]:
    if d["name"] == sys.argv[1] or str(d["id"]) == sys.argv[1]: print(d["pid"])' "$1"
}
listed() { v list | grep -Eq "^$1 +[0-9]"; }

# No host: one line naming the socket, exit 1.
v list >/dev/null 2>"$t/e"; check "no host: list exits 1" test $? -eq 1
has "no host: message" "$t/e" "^vfnet list: no vfnet host at $t/s: start one with \`vfnet host\`$"
check "no host: one line" test "$(wc -l <"$t/e")" -eq 1

"$vfnet" host >"$t/host.out" 2>"$t/host.err" &
host=$!
for _ in $(seq 50); do [ -S "$t/s" ] && break; sleep 0.1; done
check "host is up" test -S "$t/s"

v list >"$t/l"; check "list exits 0" test $? -eq 0
has "list: xl's header" "$t/l" $'^Name {40}ID   Mem VCPUs\tState\tTime\\(s\\)$'
has "list: Domain-0, id 0, running" "$t/l" '^Domain-0 {32} +0 +256 +1 +(r-----|-b----) +[0-9]+\.[0-9]$'

cat >"$t/g1.cfg" <<'CFG'
# a guest with nothing passed through
name   = "g1"
memory = 32
CFG
v create "$t/g1.cfg" >"$t/o" 2>"$t/e"; check "create exits 0" test $? -eq 0
has "create: xl's line on stderr" "$t/e" "^Parsing config from $t/g1.cfg$"
check "create: nothing on stdout" test ! -s "$t/o"
v list >"$t/l"
has "list shows the guest with its memory" "$t/l" '^g1 {38} +1 +32 +1 +(r-----|-b----) +[0-9]+\.[0-9]$'
v list g1 >"$t/l1"; check "list DOM: header and one domain" test "$(wc -l <"$t/l1")" -eq 2
for _ in $(seq 50); do v dmesg g1 2>/dev/null | grep -q 'up:' && break; sleep 0.1; done
v dmesg g1 >"$t/d"; check "dmesg exits 0" test $? -eq 0
has "dmesg: the guest's boot line" "$t/d" 'domain 1 \(g1\) up: 32 MiB, guest'
v stats g1 >"$t/st"; check "stats exits 0" test $? -eq 0
has "stats: the domain answers for itself" "$t/st" '^domain g1 \(id 1, guest\): [0-9]+ hypercalls$'
has "stats: netdevs section" "$t/st" '^netdevs:'
v stats -j 1 >"$t/stj"
check "stats -j: the domain's info and stats" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["info"]["name"] == "g1" and d["info"]["role"] == "guest"
assert d["stats"]["apps"] == [] and "netdevs" in d["stats"] and "interrupts" in d["stats"]' "$t/stj"
v pci-list g1 >"$t/p"; check "pci-list of a guest without devices: exit 0, nothing" test $? -eq 0 -a ! -s "$t/p"
v pci-list -j g1 >"$t/pj"
check "pci-list -j: an empty list" python3 -c '
import json, sys; assert json.load(open(sys.argv[1]))["devices"] == []' "$t/pj"
v pci-assignable-list >"$t/a"; check "pci-assignable-list: empty pool" test $? -eq 0 -a ! -s "$t/a"

# The command line as xl's and getopt's users expect it.
v --version >"$t/ver"; has "--version" "$t/ver" '^vfnet [0-9]+\.[0-9]+\.[0-9]+$'
v stats g1 -j >"$t/stj2"; check "options after operands, as getopt permutes: stats g1 -j" \
	python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["info"]["name"] == "g1"' "$t/stj2"
v dmesg g1 -j >"$t/dj"; check "dmesg -j: the log as JSON lines with their times" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["domain"] == "g1" and d["id"] == 1, d
assert any("up:" in l["text"] and l["time"] > 0 for l in d["lines"]), d' "$t/dj"
v lsit 2>"$t/e"; check "a mistyped command: exit 2" test $? -eq 2
has "... and did you mean" "$t/e" "^vfnet: unknown command 'lsit'; did you mean 'list'\?"
v help destory 2>"$t/e"; has "help of a mistyped command: did you mean" "$t/e" "did you mean 'destroy'"
v help dmesg >"$t/h"; has "help CMD: the command's usage" "$t/h" '^usage: vfnet dmesg \[-j\] DOM$'
v help >"$t/h"
check "help: the summaries in one column" python3 -c '
import re, sys
lines = open(sys.argv[1]).read().split("commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
cols = {re.match(r"  (\S+) +", l).end() for l in lines}
assert len(lines) > 20 and len(cols) == 1, cols' "$t/h"

# Errors: one line each, actionable, exit 1.
v create "$t/g1.cfg" 2>"$t/e"; check "duplicate name: exit 1" test $? -eq 1
has "duplicate name: message" "$t/e" "^vfnet create: a domain called 'g1' exists$"
v destroy nosuch 2>"$t/e"; check "destroy unknown domain: exit 1" test $? -eq 1
has "unknown domain: points to list" "$t/e" "^vfnet destroy: no domain 'nosuch': \`vfnet list\` shows them$"
v dmesg 42 2>/dev/null; check "dmesg of an unknown id: exit 1" test $? -eq 1
v stats nosuch 2>"$t/e"; has "stats of an unknown domain" "$t/e" "^vfnet stats: no domain 'nosuch'"
v pci-assignable-add 1:2:3:4 2>"$t/e"; check "bad BDF: exit 1" test $? -eq 1
has "bad BDF: message" "$t/e" "^vfnet pci-assignable-add: '1:2:3:4' is not a PCI address"
v pci-attach g1 01:20.0 2>"$t/e"; check "bad BDF in pci-attach: exit 1" test $? -eq 1
has "bad BDF: device out of range" "$t/e" "^vfnet pci-attach: device 20 is out of range 00-1f$"
v pci-assignable-add 01:00.0 2>"$t/e"; check "pci-assignable-add of a PF: exit 1" test $? -eq 1
has "PF refused: its driver stays in dom0" "$t/e" "^vfnet pci-assignable-add: 01:00.0 is a physical function: its driver stays in dom0$"
v pci-attach g1 01:00.1 2>"$t/e"; check "pci-attach of a non-assignable BDF: exit 1" test $? -eq 1
has "a PF: the message says it is one" "$t/e" "^vfnet pci-attach: 01:00.1 is a physical function: its driver stays in dom0"
v pci-attach g1 01:10.0 2>"$t/e"; has "pci-attach of an absent VF: message" "$t/e" "01:10.0: no such function"
v pci-detach g1 01:00.0 2>"$t/e"; check "pci-detach of a device the guest lacks: exit 1" test $? -eq 1
has "pci-detach: message" "$t/e" "^vfnet pci-detach: 01:00.0 is not attached to 'g1'$"
v destroy 0 2>"$t/e"; has "dom0 is not destroyed" "$t/e" 'dom0 restart'

printf 'name = "g2"\nmemory = 32\npci = [ "01:10.0"\n' >"$t/bad.cfg"
v create -q "$t/bad.cfg" 2>"$t/e"; check "malformed config: exit 1" test $? -eq 1
has "malformed config: FILE:LINE:COL" "$t/e" "^vfnet create: $t/bad.cfg:[0-9]+:[0-9]+: "
check "malformed config: -q, one line" test "$(wc -l <"$t/e")" -eq 1
# A real Xen config: what vfnet has no use for is accepted, one warning line each, all at once.
cat >"$t/xen.cfg" <<'CFG'
name = "g2"
builder = "generic"
memory = 32
maxmem = 64
vcpus = 2
kernel = "/boot/vmlinuz"
extra = "console=hvc0"
disk = [ 'phy:/dev/vg0/g2,xvda,w' ]
on_reboot = "restart"
CFG
v create -n "$t/xen.cfg" >"$t/o" 2>"$t/e"; check "a real Xen config: create -n exits 0" test $? -eq 0
check "one warning line per ignored key" test "$(grep -c ': warning: .* ignored: ' "$t/e")" -eq 7
has "a warning names FILE:LINE and the key" "$t/e" "^$t/xen\.cfg:4: warning: maxmem ignored: "
has "vcpus above 1: a warning" "$t/e" "^$t/xen\.cfg:5: warning: vcpus = 2 ignored: vfnet domains have one vCPU$"
printf 'name = "g2"\nmemroy = 32\n' >"$t/key.cfg"
v create -q "$t/key.cfg" 2>"$t/e"; check "misspelled key: exit 1" test $? -eq 1
has "misspelled key: did you mean, with its position" "$t/e" "^vfnet create: $t/key.cfg:2:1: key 'memroy' is not an xl.cfg key; did you mean 'memory'\?$"
printf 'name = "g2"\npci = [ "01:10.0,seeze=1" ]\n' >"$t/pci.cfg"
v create -q "$t/pci.cfg" 2>"$t/e"; check "a bad pci spec: exit 1" test $? -eq 1
has "a bad pci spec: LINE:COL of the bad key, what the user wrote" "$t/e" \
	"^vfnet create: $t/pci.cfg:2:18: pci entry '01:10.0,seeze=1': key 'seeze' is not supported by vfnet; did you mean 'seize'\?$"
# An app's options are checked before the guest starts, with the app's own message.
for a in "pktgen dst=zz" "sink bogus=1" "tapbridge tap=t$$ netns=vfnet-none-$$"; do
	printf 'name = "g2"\napp = [ "sink", "%s" ]\n' "$a" >"$t/app.cfg"
	v create -q "$t/app.cfg" 2>"$t/e"; check "app '$a': refused at create" test $? -eq 1
	v create -q -n "$t/app.cfg" >/dev/null 2>"$t/en"; check "app '$a': refused by create -n too" test $? -eq 1
	cat "$t/e" >>"$t/apps"
done
has "pktgen's message, at the app's position" "$t/apps" "^vfnet create: $t/app\.cfg:2:17: app 'pktgen dst=zz': pktgen: bad value 'zz' for dst"
has "sink's message" "$t/apps" "app 'sink bogus=1': sink: unknown option 'bogus'"
has "tapbridge: a namespace that does not exist" "$t/apps" "tapbridge: no network namespace 'vfnet-none-$$'"
v create -q -n "$t/g1.cfg" name=vm2 >"$t/dry"
check "KEY=VALUE takes a bare word, as xl does: name=vm2" python3 -c '
import json, sys; assert json.load(open(sys.argv[1]))["name"] == "vm2"' "$t/dry"
printf 'name = "g2"\nvif = [ "mac=00:16:3e:0a:0b:0c,bridge=xenbr0,script=vif-nat", "" ]\n' >"$t/vif.cfg"
v create -q -n "$t/vif.cfg" >"$t/dry" 2>"$t/e"; check "vif: create -n exit 0" test $? -eq 0
check "vif: the request carries each vif, mac and bridge as given" python3 -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert r["vif"] == [{"mac": "00:16:3e:0a:0b:0c", "bridge": "xenbr0"}, {}], r' "$t/dry"
has "vif: an ignored key is named with why" "$t/e" "warning: vif 'mac=00:16:3e:0a:0b:0c,bridge=xenbr0,script=vif-nat': script ignored"
printf 'name = "g2"\nvif = [ "backend=dd1" ]\n' >"$t/vif.cfg"
v create -q "$t/vif.cfg" 2>"$t/e"; check "vif: a driver domain backend: exit 1" test $? -eq 1
has "vif: a backend other than dom0 refused, not ignored" "$t/e" "vif 'backend=dd1': backend 'dd1' is not supported"
v create -q "$t/g1.cfg" "memory=zz" 2>"$t/e"; has "bad override: <command line>:1:COL" "$t/e" "<command line>:1:[0-9]+: "
v create -q "$t/g1.cfg" "app=['nosuchapp']" name="'g3'" 2>"$t/e"; check "unknown app: exit 1" test $? -eq 1
has "unknown app: refused before the guest starts" "$t/e" "app 'nosuchapp': unknown app"
v create -q "$t/g1.cfg" "pci=['01:10.0@5']" name="'g3'" 2>"$t/e"
has "vslot at create: refused with the way round it" "$t/e" "vfnet pci-attach g3 01:10.0@05"
check "none of the failed creates left a domain" test "$(v list | wc -l)" -eq 3
v create -q -n "$t/g1.cfg" name="'g4'" "ip='10.0.0.4/24'" >"$t/dry"
check "create -n: the request, with the runtime config" python3 -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert r == {"op": "create", "name": "g4", "memory": 32, "config": "ip=10.0.0.4/24\n"}, r' "$t/dry"
check "create -n created nothing" test "$(v list | wc -l)" -eq 3

# Usage errors: exit 2.
v destroy >/dev/null 2>&1; check "destroy without DOM: exit 2" test $? -eq 2
v list -z >/dev/null 2>&1; check "list -z: exit 2" test $? -eq 2
v pci-attach g1 >/dev/null 2>&1; check "pci-attach without BDF: exit 2" test $? -eq 2
v dom0 reboot >/dev/null 2>&1; check "dom0 reboot: exit 2" test $? -eq 2
v create >/dev/null 2>&1; check "create without FILE: exit 2" test $? -eq 2

# dom0 restart: a new dom0 process, the guest's process untouched.
d0=$(pid_of Domain-0); g1=$(pid_of g1)
v dom0 restart; check "dom0 restart exits 0" test $? -eq 0
d0b=$(pid_of Domain-0)
check "dom0 has a new pid" test -n "$d0b" -a "$d0b" != "$d0"
check "the guest keeps its pid" test -n "$g1" -a "$(pid_of g1)" = "$g1"
check "the guest's process still runs" kill -0 "$g1"
check "ps names the guest's process for it (vfnet:g1)" test "$(cat "/proc/$g1/comm")" = vfnet:g1
check "... and dom0's (vfnet:Domain-0)" test "$(cat "/proc/$d0b/comm")" = vfnet:Domain-0
v stats g1 >/dev/null; check "the guest still answers" test $? -eq 0
v stats 0 >"$t/st0"; has "the new dom0 answers" "$t/st0" '^domain Domain-0 \(id 0, dom0\)'

# A guest whose process dies leaves the list within a second.
kill -9 "$g1"
for _ in $(seq 10); do listed g1 || break; sleep 0.1; done
if listed g1; then not_ok "kill -9 of a guest: gone from the list within 1 s"; else
	ok "kill -9 of a guest: gone from the list within 1 s"; fi

# on_crash: restart brings the guest back with its VF at the same slot; preserve keeps it as
# crashed; a crash right after the start is not restarted.
v sriov pf0 numvfs 1 >/dev/null && v pci-assignable-add 01:10.0
printf 'name = "rs"\nmemory = 32\npci = [ "01:10.0" ]\napp = [ "sink" ]\non_crash = "restart"\n' >"$t/rs.cfg"
v create -q "$t/rs.cfg"; check "create with on_crash = restart" test $? -eq 0
sleep 2.5
rs=$(pid_of rs); kill -9 "$rs"
for _ in $(seq 30); do p=$(pid_of rs); [ -n "$p" ] && [ "$p" != "$rs" ] && break; sleep 0.1; done
check "on_crash = restart: the guest runs again, a new process" test -n "$p" -a "$p" != "$rs"
v list -j >"$t/lj"
check "... counted as a restart" python3 -c '
import json, sys; d = [x for x in json.load(open(sys.argv[1]))["domains"] if x["name"] == "rs"][0]
assert d["on_crash"] == "restart" and d["restarts"] == 1, d' "$t/lj"
v pci-list rs >"$t/p"; has "... with its VF at the same slot" "$t/p" '^04\.0 0000:01:10\.0$'
for _ in $(seq 50); do v dmesg rs 2>/dev/null | grep -q 'sink started' && break; sleep 0.1; done
v dmesg rs >"$t/d"; has "... and its app" "$t/d" 'sink started on eth0'
# A crash right after a start: a new guest killed as soon as it runs (not after its app is up,
# which on a loaded machine can take longer than the 2 s the rule allows).
v destroy rs
v create -q "$t/rs.cfg" name=rs
kill -9 "$(pid_of rs)"
for _ in $(seq 20); do listed rs || break; sleep 0.1; done
if listed rs; then not_ok "a crash within 2 s of the start is not restarted"; else
	ok "a crash within 2 s of the start is not restarted"; fi
v pci-assignable-list >"$t/a"; has "... and its VF is back in the pool" "$t/a" '^0000:01:10\.0$'

v create -q "$t/g1.cfg" name=pr on_crash=preserve; check "create with on_crash=preserve" test $? -eq 0
for _ in $(seq 50); do v dmesg pr 2>/dev/null | grep -q 'up:' && break; sleep 0.1; done
kill -9 "$(pid_of pr)"
for _ in $(seq 20); do v list pr 2>/dev/null | grep -q -- '----c-' && break; sleep 0.1; done
v list pr >"$t/l"; has "on_crash = preserve: listed as crashed, xl's c" "$t/l" '^pr +[0-9]+ +32 +1 +----c- '
v dmesg pr >"$t/d"; has "... its log kept" "$t/d" 'up: 32 MiB'
v stats pr 2>"$t/e"; has "... stats says it crashed" "$t/e" "domain 'pr' crashed and is kept for a look"
v destroy pr; check "destroy removes a preserved guest" test $? -eq 0
if listed pr; then not_ok "... gone from the list"; else ok "... gone from the list"; fi

# destroy: gone from the list, its process too.
v create -q "$t/g1.cfg" name="'g5'"; check "create g5" test $? -eq 0
g5=$(pid_of g5)
v destroy g5; check "destroy exits 0" test $? -eq 0
if listed g5; then not_ok "destroy removes the guest from the list"; else
	ok "destroy removes the guest from the list"; fi
for _ in $(seq 10); do kill -0 "$g5" 2>/dev/null || break; sleep 0.1; done
check "destroy ends the guest's process" test -n "$g5" -a ! -d "/proc/$g5"
v list >"$t/l"; check "only Domain-0 is left" test "$(wc -l <"$t/l")" -eq 2
done_testing
