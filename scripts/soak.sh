#!/usr/bin/env bash
# Soak runs (`npm run soak -- restart [N]`): install what is missing, build,
# then run. Like the benchmarks, they run on a namespace lab of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# what an interrupted earlier run left behind (soak runs name theirs xrs-*)
for ns in $(ip netns list | awk '{print $1}' | grep '^xrs-' || true); do
	echo "soak: removing leftover namespace $ns"
	ip netns del "$ns"
done
for pins in /sys/fs/bpf/xrs-*; do
	if [ -e "$pins" ]; then
		echo "soak: removing leftover pins $pins"
		rm -rf "$pins"
	fi
done
exec node dist/bench/soak.js "$@"
