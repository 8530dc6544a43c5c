#!/usr/bin/env bash
# The README's benchmark command: install what is missing, build, then run
# the benchmarks (all of them, or the parts named: fastpath, forward, sync,
# grpc). Tables on stdout; results in bench/results/ and BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks name their namespaces and pins xrb-*
bash scripts/lab-prelude.sh xrb bench
exec node dist/bench/main.js "$@"
