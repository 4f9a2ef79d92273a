# TAP helpers for the integration scripts: source it, then ok/check/has/skip, then done_testing
# (which prints the plan last), or skip_all REASON.
_tap_n=0
_tap_failed=0
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=1; echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $* # SKIP"; }
# check "description" command...: ok when the command succeeds
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi; }
# has "description" FILE REGEX: ok when FILE has a line matching the extended regex
has() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else
		not_ok "$1"; echo "# expected /$3/ in:"; sed 's/^/#   /' "$2" | head -40; fi
}
hasnt() {
	if ! grep -Eq -- "$3" "$2"; then ok "$1"; else
		not_ok "$1"; grep -E -- "$3" "$2" | sed 's/^/#   /' | head -5; fi
}
done_testing() { echo "1..$_tap_n"; exit $_tap_failed; }
