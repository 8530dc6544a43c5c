#!/usr/bin/env bash
# Build the BPF objects, the native addon and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -C bpf
# build against the headers of the node that runs us, never a download
nodedir=$(dirname "$(dirname "$(command -v node)")")
if [ -f /usr/include/node/node_api.h ]; then nodedir=/usr; fi
# incremental: reconfigure only when the binding changed, and leave an
# unchanged addon in place, since a running daemon or test has it mapped
if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ]; then
	npx node-gyp configure --silent --nodedir="$nodedir" >/dev/null
fi
npx node-gyp build --silent --nodedir="$nodedir" >/dev/null
npx tsc -p tsconfig.json
# the tests and benchmarks are type-checked too (vitest runs them untyped)
npx tsc -p tsconfig.check.json
# the lab's counting UDP receiver
if [ ! -x build/udp-sink ] || [ tools/udp-sink/udp_sink.c -nt build/udp-sink ]; then
	clang-19 -O2 -Wall -Wextra -Werror -o build/udp-sink tools/udp-sink/udp_sink.c
fi
