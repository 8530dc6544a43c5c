// The V8 flags the daemon runs with, at every launch: the systemd unit
// (`xdp-router install` fills them in), the command's shebang
// (bin/xdp-router.js, also what scripts/lab.sh runs) and the tests' and
// benchmarks' daemons (support/daemon.ts). Node reads them only at start;
// set later (v8.setFlagsFromString), they leave the heap as it was made.
//
// The young generation's floor, in MiB per semispace, at the size a feed
// grows it to: the memory release after a burst (sync/memory-release.ts)
// shrinks it to 1 MiB otherwise, and the churn that follows a quiet spell
// then began with a scavenge every megabyte and its young objects promoted
// to the old generation (lag p99 44 to 266 ms over six runs of the sync
// benchmark's churn against 14 ms with no release, 31 ms with this floor).
// Its pages are committed but not resident until a churn writes them.
export const DAEMON_NODE_FLAGS = ['--min-semi-space-size=16'] as const;
