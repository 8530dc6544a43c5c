#!/usr/bin/env bash
# What the benchmarks and soak runs do before they start: install what is
# missing, build, and remove what an interrupted earlier run left behind
# (namespaces and pins named PREFIX-*). Usage: lab-prelude.sh PREFIX WHO
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$1 who=$2
bash scripts/setup.sh
bash scripts/build.sh
# Names carry the pid of the run that made them (PREFIX-[PART-]PID[-...]):
# a live run's are in use (another engineer's run on a shared machine), only
# a dead run's are left over.
run_alive() {
	local pid
	pid=$(echo "$1" | tr '-' '\n' | grep -m1 -E '^[0-9]+$' || true)
	[ -n "$pid" ] && [ -d "/proc/$pid" ]
}
for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
	run_alive "$ns" && continue
	echo "$who: removing leftover namespace $ns"
	ip netns del "$ns"
done
for pins in /sys/fs/bpf/"$prefix"-*; do
	if [ -e "$pins" ] && ! run_alive "$(basename "$pins")"; then
		echo "$who: removing leftover pins $pins"
		rm -rf "$pins"
	fi
done
