#!/usr/bin/env bash
# The README's benchmark command: install what is missing, build, then run
# the benchmarks (all of them, or the parts named: fastpath, forward, sync,
# grpc). Tables on stdout; results in bench/results/ and BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# what an interrupted earlier run left behind (the benchmarks name theirs xrb-*)
for ns in $(ip netns list | awk '{print $1}' | grep '^xrb-' || true); do
	echo "bench: removing leftover namespace $ns"
	ip netns del "$ns"
done
for pins in /sys/fs/bpf/xrb-*; do
	if [ -e "$pins" ]; then
		echo "bench: removing leftover pins $pins"
		rm -rf "$pins"
	fi
done
exec node dist/bench/main.js "$@"
