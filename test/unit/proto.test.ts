// The API's contract: the generated TypeScript types match the .proto, and
// the .proto keeps the conventions clients rely on (buf STANDARD's naming:
// enum values prefixed by their enum and 0 = _UNSPECIFIED; the names the
// issue fixed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { PROTO_DIR, PROTO_FILE } from '../../router/api/proto.js';

const ROOT = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

describe('the API contract', () => {
  it('the generated types are up to date (scripts/proto.sh)', () => {
    const out = mkdtempSync(join(tmpdir(), 'xrt-proto-'));
    try {
      execFileSync('bash', [join(ROOT, 'scripts', 'proto.sh'), out], { cwd: ROOT, stdio: 'pipe' });
      const committed = join(ROOT, 'router', 'api', 'generated');
      const names = (dir: string): string[] => files(dir).map((f) => relative(dir, f)).sort();
      expect(names(out)).toEqual(names(committed));
      for (const name of names(out)) expect(readFileSync(join(out, name), 'utf8'), name).toBe(readFileSync(join(committed, name), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync(PROTO_FILE);
  root.resolveAll();
  const pkg = root.lookup('xdprouter.v1') as protobuf.Namespace;

  it('has the services, methods and messages the issue names', () => {
    const routes = pkg.lookupService('RouteService');
    expect(Object.keys(routes.methods)).toEqual(expect.arrayContaining(['AddRoute', 'DeleteRoute', 'ListRoutes', 'LookupRoute', 'WatchRoutes', 'AddRoutes']));
    expect(routes.methods.ListRoutes).toMatchObject({ requestType: 'ListRoutesRequest', responseType: 'Route', responseStream: true });
    expect(routes.methods.AddRoutes).toMatchObject({ requestType: 'AddRoutesRequest', requestStream: true, responseType: 'AddRoutesResponse' });
    expect(Object.keys(pkg.lookupService('StatusService').methods)).toEqual(expect.arrayContaining(['GetStats', 'ListInterfaces', 'ListNeighbors']));
    expect(Object.keys(pkg.lookupService('PuntService').methods)).toEqual(['AddPuntRule', 'DeletePuntRule', 'ListPuntRules']);
    expect(pkg.lookupService('StatusService').methods.CapturePackets).toMatchObject({ requestType: 'CapturePacketsRequest', responseType: 'CapturedPacket', responseStream: true });
    expect(Object.keys(pkg.lookupType('PuntRule').fields)).toEqual(['prefix', 'protocol', 'port', 'id', 'packets', 'bytes']);
    expect(Object.keys(pkg.lookupType('CaptureFilter').fields)).toEqual(['prefix', 'protocol', 'port', 'maxPackets']);
    expect(Object.keys(pkg.lookupType('CapturedPacket').fields)).toEqual(['interface', 'queue', 'timeNs', 'data', 'originalLength', 'skippedBefore']);
    expect(Object.keys(pkg.lookupType('Route').fields)).toEqual(['prefix', 'nexthops', 'type', 'table', 'metric', 'protocol', 'source']);
    expect(Object.keys(pkg.lookupType('NextHop').fields)).toEqual(['gateway', 'interface', 'weight']);
    expect(Object.keys(pkg.lookupType('LookupRouteResponse').fields)).toEqual(['route', 'selected', 'neighborMac', 'action']);
  });

  it('every enum starts with ..._UNSPECIFIED = 0 and prefixes its values with its name', () => {
    const enums: protobuf.Enum[] = [];
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const o of ns.nestedArray) {
        if (o instanceof protobuf.Enum) enums.push(o);
        else if (o instanceof protobuf.Namespace) walk(o);
      }
    };
    walk(pkg);
    expect(enums.map((e) => e.name).sort()).toEqual(['AttachMode', 'LinkState', 'RouteType', 'Type']);
    for (const e of enums) {
      const prefix = `${e.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_`;
      expect(e.values[`${prefix}UNSPECIFIED`], e.name).toBe(0);
      for (const name of Object.keys(e.values)) expect(name.startsWith(prefix), `${e.name}.${name}`).toBe(true);
    }
  });

  it('every RPC documents the status codes it answers, or has nothing to refuse', () => {
    const text = readFileSync(join(PROTO_DIR, PROTO_FILE), 'utf8');
    for (const rpc of ['AddRoute', 'DeleteRoute', 'ListRoutes', 'LookupRoute', 'WatchRoutes', 'CapturePackets', 'AddPuntRule', 'DeletePuntRule']) {
      const comment = new RegExp(`((?:\\s*//.*\\n)+)\\s*rpc ${rpc}\\(`).exec(text)?.[1] ?? '';
      expect(comment, rpc).toMatch(/[A-Z_]{9,}:/);
    }
  });
});
