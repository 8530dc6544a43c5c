#!/usr/bin/env bash
# Soak runs (`npm run soak -- restart [N]`), on a namespace lab of their own
# (named xrs-*), after the same preparation as the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lab-prelude.sh xrs soak
exec node dist/bench/soak.js "$@"
