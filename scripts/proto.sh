#!/usr/bin/env bash
# Regenerate the TypeScript types of the gRPC API from proto/ (run after
# changing a .proto; a unit test fails while they are out of date). The
# options must match the loader's in router/api/proto.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-router/api/generated}
rm -rf "$out"
npx proto-loader-gen-types --grpcLib=@grpc/grpc-js --importFileExtension=.js \
	--longs=String --enums=String --defaults --oneofs --includeComments \
	-I proto -O "$out" xdprouter/v1/router.proto
