#!/bin/sh
# Installs the Debian packages vfnet builds and tests with, when any is missing.
# Idempotent and quick: one dpkg-query when everything is already there.
set -e
PKGS="meson ninja-build gcc clang pkg-config libcmocka-dev libjson-c-dev libpcap-dev
      libclang-rt-dev pciutils tcpdump iproute2 iputils-ping iperf3 python3
      gnuplot-nox"

missing=""
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vfnet needs these Debian packages:$missing" >&2
	echo "install them as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
