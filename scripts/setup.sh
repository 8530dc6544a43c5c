#!/usr/bin/env bash
# Install what xdp-router needs on a Debian machine, idempotently: Debian
# packages, npm packages, and a mounted bpffs. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: run as root: XDP, BPF and network namespaces need it" >&2
	exit 1
fi

# clang 19 builds the BPF objects (bpf/Makefile says why that version);
# libbpf/libxdp link the addon; iproute2,
# ethtool, iputils-ping and tcpdump drive and observe the lab; bird2 peers BGP;
# frr (zebra + bgpd) installs routes through next-hop objects in the tests;
# openssl makes the certificates of the API's TLS tests; curl scrapes /metrics
# in the README's tour.
PACKAGES=(clang-19 llvm-19 make g++ python3 pkg-config libbpf-dev libxdp-dev libelf-dev
	zlib1g-dev iproute2 ethtool bpftool xdp-tools iputils-ping tcpdump bird2 frr openssl curl nftables)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	# BIRD's and FRR's packages start their daemons on the host; the tests run
	# their own in namespaces, and the host's routing is not ours to touch
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "setup: installing npm packages"
	npm ci --no-audit --no-fund --loglevel=error
fi

# `xdp-router` on the PATH, as the README's commands use it: a link to this
# checkout (an earlier link is replaced, a real file never)
link=/usr/local/bin/xdp-router
if [ ! -e "$link" ] || [ -L "$link" ]; then
	ln -sfn "$PWD/bin/xdp-router.js" "$link"
fi

# the name of the router's route protocol (config routeProtocol, 250 by
# default), so `ip route` shows "proto xdp-router" for the routes it installs;
# the same line `xdp-router install` writes
protos=/etc/iproute2/rt_protos.d/xdp-router.conf
if ! grep -qs '^250[[:space:]]\+xdp-router$' "$protos"; then
	mkdir -p "$(dirname "$protos")"
	printf '250\txdp-router\n' >"$protos"
fi

if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi
