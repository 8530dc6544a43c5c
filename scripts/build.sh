#!/usr/bin/env bash
# Build the BPF objects, the native addon and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -C bpf
npx node-gyp rebuild --silent >/dev/null
npx tsc -p tsconfig.json
