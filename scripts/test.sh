#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every tier
# (unit, fast path over BPF_PROG_TEST_RUN, end to end in namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# namespaces an interrupted earlier run left behind (tests name theirs xrt-*)
for ns in $(ip netns list | awk '{print $1}' | grep '^xrt-' || true); do
	echo "test: removing leftover namespace $ns"
	ip netns del "$ns"
done
exec npx vitest run "$@"
