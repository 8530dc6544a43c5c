#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every tier
# (unit, fast path over BPF_PROG_TEST_RUN, end to end in namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# namespaces an interrupted earlier run left behind: tests name theirs
# xrt-TAG-PID[-...]; one whose test process still runs (another run on this
# machine) is not left behind, and stays
for ns in $(ip netns list | awk '{print $1}' | grep '^xrt-' || true); do
	pid=$(echo "$ns" | sed -n 's/^xrt-[a-z0-9]*-\([0-9]\+\).*/\1/p')
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then continue; fi
	echo "test: removing leftover namespace $ns"
	ip netns del "$ns"
done
# libxdp makes /sys/fs/bpf/xdp for its dispatcher pins: remove it after the
# run when the run made it and it is empty again
libxdp_dir_existed=$([ -e /sys/fs/bpf/xdp ] && echo yes || echo no)
rc=0
npx vitest run "$@" || rc=$?
if [ "$libxdp_dir_existed" = no ]; then rmdir /sys/fs/bpf/xdp 2>/dev/null || true; fi
exit $rc
