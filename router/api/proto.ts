// The API's contract, loaded from proto/ at run time: the daemon serves it,
// the command line and the tests call it. The loader's options must match
// the generated types' (scripts/proto.sh).
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { packageRoot } from '../../dataplane/package-root.js';
import type { ProtoGrpcType } from './generated/router.js';

export const PROTO_DIR = join(packageRoot(), 'proto');
export const PROTO_FILE = 'xdprouter/v1/router.proto';
export const PACKAGE = 'xdprouter.v1';
export const SERVICE_NAMES = [`${PACKAGE}.RouteService`, `${PACKAGE}.StatusService`, `${PACKAGE}.PuntService`] as const;

/** camelCase fields, 64-bit integers and enums as strings, defaults filled in, `_field` for set optionals. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

/** Above any single request this API takes; larger is refused before it is decoded. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

let loaded: { definition: protoLoader.PackageDefinition; api: ProtoGrpcType['xdprouter']['v1'] } | undefined;

export function loadApi(): NonNullable<typeof loaded> {
  if (!loaded) {
    const definition = protoLoader.loadSync(PROTO_FILE, LOADER_OPTIONS);
    const api = (grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType).xdprouter.v1;
    loaded = { definition, api };
  }
  return loaded;
}
