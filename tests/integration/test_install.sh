#!/usr/bin/env bash
# `meson install` puts the command, its manual page and its bash completion where they belong,
# the manual renders, and the completion completes commands, options and a running machine's
# domains.
# usage: test_install.sh BUILDDIR VFNET
set -u
. "$(dirname "$0")/tap.sh"
build=$1
vfnet=$2
t=$(mktemp -d)
host=
cleanup() {
	[ -n "$host" ] && kill -9 "$host" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
command -v meson >/dev/null || skip_all "meson not installed"

meson install -C "$build" --no-rebuild --quiet --destdir "$t/root" >"$t/install.log" 2>&1
check "meson install --destdir exits 0" test $? -eq 0
prefix=$(meson introspect --buildoptions "$build" 2>/dev/null |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
check "the command is installed" test -x "$t/root$prefix/bin/vfnet"
paper=$(find "$t/root" -path '*/vfnet/bench-paper' | head -1)
check "bench paper's driver is installed, executable ($paper)" test -x "$paper"
if command -v gnuplot >/dev/null; then
	"$t/root$prefix/bin/vfnet" bench paper --quick --quiet --out "$t/paper" >"$t/paper.out" 2>&1
	rc=$?
	check "the installed vfnet runs it (bench paper --quick) from the installed tree" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$t/paper.out" | tail -8
	check "... which wrote the report" test -s "$t/paper/report.md"
else
	skip "gnuplot not installed"; skip "gnuplot not installed"
fi
man1=$(find "$t/root" -path '*/man1/vfnet.1*' | head -1)
check "the manual page is installed in man1 ($man1)" test -n "$man1"
comp=$(find "$t/root" -path '*/bash-completion/completions/vfnet' | head -1)
check "the bash completion is installed ($comp)" test -n "$comp"
if command -v man >/dev/null && [ -n "$man1" ]; then
	MANWIDTH=100 man -l "$man1" >"$t/man.txt" 2>"$t/man.err"
	has "the manual renders" "$t/man.txt" 'vfnet - SR-IOV networking in Xen'
	hasnt "... without warnings" "$t/man.err" '.'
else
	skip "man not installed"; skip "man not installed"
fi

# The completion, as bash calls it.
complete_words() { # COMP_CWORD WORD...
	local cword=$1; shift
	bash -c '. "$0"; COMP_WORDS=("${@:2}"); COMP_CWORD=$1; _vfnet; printf "%s\n" "${COMPREPLY[@]}"' \
		"$comp" "$cword" "$@"
}
[ -n "$comp" ] || comp=$(dirname "$0")/../../completions/vfnet
complete_words 1 "$vfnet" cr >"$t/c1"; has "a command from its first letters" "$t/c1" '^create$'
complete_words 1 "$vfnet" pci-assignable-r >"$t/c2"; has "pci-assignable-remove" "$t/c2" '^pci-assignable-remove$'
complete_words 2 "$vfnet" capture -- >"$t/c3"
has "capture's long options" "$t/c3" '^--list$'
has "... --stop" "$t/c3" '^--stop$'
complete_words 2 "$vfnet" top - >"$t/c4"; has "top's options" "$t/c4" '^-i$'
complete_words 2 "$vfnet" capture pf0v >"$t/c5"; has "capture targets" "$t/c5" '^pf0vf3$'
export VFNET_SOCKET=$t/s
"$vfnet" host >/dev/null 2>&1 &
host=$!
for _ in $(seq 50); do [ -S "$t/s" ] && break; sleep 0.1; done
printf 'name = "compl1"\nmemory = 16\n' >"$t/c.cfg"
"$vfnet" create -q "$t/c.cfg"
complete_words 2 "$vfnet" destroy co >"$t/c6"; has "a running guest's name, from the host" "$t/c6" '^compl1$'
complete_words 2 "$vfnet" dmesg D >"$t/c7"; has "dom0 for dmesg" "$t/c7" '^Domain-0$'
complete_words 1 "$vfnet" xenstore-l >"$t/c8"; has "xenstore-ls" "$t/c8" '^xenstore-ls$'
complete_words 3 "$vfnet" brctl show x >"$t/c9"; has "brctl show: dom0's bridges, from the host" "$t/c9" '^xenbr0$'
complete_words 4 "$vfnet" bridge fdb show b >"$t/c10"; has "bridge fdb show: br" "$t/c10" '^br$'
printf 'name = "compl2"\nmemory = 16\nvif = [ "mac=00:16:3e:00:00:c2" ]\n' >"$t/c2.cfg"
"$vfnet" create -q "$t/c2.cfg"
complete_words 3 "$vfnet" network-detach compl2 0 >"$t/c11"; has "network-detach: a guest's vifs by devid" "$t/c11" '^0$'
complete_words 3 "$vfnet" network-detach compl2 00: >"$t/c12"; has "... and by MAC" "$t/c12" '^00:16:3e:00:00:c2$'
done_testing
