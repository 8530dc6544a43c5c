#!/usr/bin/env bash
# What the benchmarks and soak runs do before they start: install what is
# missing, build, and remove what an interrupted earlier run left behind
# (namespaces and pins named PREFIX-*). Usage: lab-prelude.sh PREFIX WHO
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$1 who=$2
bash scripts/setup.sh
bash scripts/build.sh
# Names carry the pid of the run that made them (PREFIX-WHAT-PID...): a
# run still alive on this machine (another checkout's) keeps its own.
leftover() {
	local pid
	pid=$(echo "$1" | sed -n "s/^$prefix-[a-z]*-\([0-9]*\).*/\1/p")
	[ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null
}
for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
	leftover "$ns" || continue
	echo "$who: removing leftover namespace $ns"
	ip netns del "$ns"
done
for pins in /sys/fs/bpf/"$prefix"-*; do
	if [ -e "$pins" ] && leftover "$(basename "$pins")"; then
		echo "$who: removing leftover pins $pins"
		rm -rf "$pins"
	fi
done
