#!/usr/bin/env bash
# Build the BPF objects, the native addon and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -C bpf
# build against the headers of the node that runs us, never a download
nodedir=$(dirname "$(dirname "$(command -v node)")")
if [ -f /usr/include/node/node_api.h ]; then nodedir=/usr; fi
npx node-gyp rebuild --silent --nodedir="$nodedir" >/dev/null
npx tsc -p tsconfig.json
