#!/usr/bin/env bash
# A PV guest destroyed while it sends unpaced: netback's TX work, which re-queues itself after a
# full batch, is still queued when the vif goes. dom0 must survive it (it used to run that work
# on the freed vif: with freed memory scrambled, as MALLOC_PERTURB_ does, dom0 died).
# usage: test_pv_destroy.sh VFNET
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
command -v python3 >/dev/null || skip_all "python3 (for JSON requests) not installed"
export VFNET_SOCKET=$t/vfnet.sock
. "$(dirname "$0")/host_lib.sh"
create() { req "{\"op\":\"create\",\"name\":\"$1\",\"memory\":32,$2,\"config\":\"$3\"}" | grep -q '"ok":true'; }
dom0_listed() { req '{"op":"list"}' | jget "[x['id'] for x in d['domains']].count(0)" | grep -qx 1; }

MALLOC_PERTURB_=165 "$vfnet" host --dom0-memory 128 >"$t/host.out" 2>&1 &
host=$!
wait_for 5 test -S "$VFNET_SOCKET"
check "host up with dom0's bridge" wait_for 5 dmesg_has 0 "xenbr0: port 1(pf0) entered forwarding"
check "PV guest pa (sink)" create pa '"vif":[{"mac":"00:16:3e:00:00:a1"}]' 'app=sink\n'
for i in 1 2 3 4; do
	check "round $i: PV guest pb sends unpaced to pa" \
		create pb '"vif":[{"mac":"00:16:3e:00:00:b1"}]' 'app=pktgen dst=00:16:3e:00:00:a1\n'
	check "... pa receives" wait_for 10 ge $((i * 1000)) "app pa sink received"
	req '{"op":"destroy","domain":"pb"}' >/dev/null
	sleep 0.2
	check "... pb destroyed under traffic: dom0 still runs" dom0_listed
done
check "dom0's netback still answers, pa's vif there" \
	sh -c "$(declare -f dreq); VFNET_SOCKET=$VFNET_SOCKET dreq 0 '{\"op\":\"netback-vifs\"}' | grep -q '00:16:3e:00:00:a1'"
done_testing
