#!/usr/bin/env bash
# The README's copy-paste recipe "Linux network namespaces over VFs", run as it is written (only
# the names of the namespaces, TAP devices and directory are made unique, so that runs side by
# side do not meet): ping and iperf3 between two namespaces through two VFs in a port VLAN.
# usage: test_readme.sh README VFNET
set -u
. "$(dirname "$0")/tap.sh"
readme=$1
vfnet=$2
t=$(mktemp -d)
cleanup() {
	for n in vrna$$ vrnb$$; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$t"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || skip_all "the recipe is for root (network namespaces, TAP devices)"
for c in ip ping iperf3; do command -v $c >/dev/null || skip_all "$c not installed"; done

# The block after the marker, up to its closing fence.
awk '/^<!-- recipe netns/ { on = 1; next } on && /^```sh$/ { inblock = 1; next }
     inblock && /^```$/ { exit } inblock { print }' "$readme" >"$t/block"
check "the README has the recipe" test -s "$t/block"
has "... with ping between the namespaces" "$t/block" '^ip netns exec nsa ping '
has "... and iperf3" "$t/block" '^ip netns exec nsa iperf3 -c '
bin=$(cd "$(dirname "$vfnet")" && pwd)
{
	echo 'set -e'
	echo 'trap "kill %1 2>/dev/null; wait" EXIT'
	sed -e "s|/tmp/vfnet-ns|$t/ns|g" -e "s|\$OLDPWD/build/src/cli|$bin|g" \
		-e "s/\bnsa\b/vrna$$/g" -e "s/\bnsb\b/vrnb$$/g" \
		-e "s/\bvfa\b/vra$$/g" -e "s/\bvfb\b/vrb$$/g" "$t/block"
} >"$t/recipe.sh"
sed 's/^/# /' "$t/recipe.sh"
timeout 120 bash "$t/recipe.sh" >"$t/out" 2>&1
st=$?
check "the recipe runs to its end (exit $st)" test $st -eq 0
[ $st -ne 0 ] && sed 's/^/#   /' "$t/out" | tail -30
has "ping from one namespace to the other: 3 received" "$t/out" '3 packets transmitted, 3 received'
has "iperf3 measures a rate" "$t/out" 'receiver$'
has "top shows both guests" "$t/out" '^ +tb '
done_testing
