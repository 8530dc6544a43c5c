// Where the API listens, checked before the daemon touches anything: the
// unix socket (a stale one from an unclean stop is removed, a live one is
// not), its mode and group, and the TCP credentials (TLS 1.3, client
// certificates when a client CA is set, plain text only on loopback when
// the config says insecure).
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { SecureServerOptions } from 'node:http2';
import type { SecureContextOptions } from 'node:tls';
import { formatEndpoint, isLoopback, type TcpApiConfig, type UnixApiConfig } from '../../config/schema.js';

/** The API cannot listen as configured: the daemon does not start. */
export class ApiListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiListenError';
  }
}

/** Does something accept connections on this unix socket? */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === group);
  const gid = line?.split(':')[2];
  if (gid === undefined) throw new ApiListenError(`api.unix.group: no group "${group}" in /etc/group`);
  return Number(gid);
}

/** Make way for the socket; returns the function that sets its mode and group once bound. */
export async function prepareUnixSocket(unix: UnixApiConfig): Promise<() => void> {
  const gid = unix.group === undefined ? undefined : groupId(unix.group);
  mkdirSync(dirname(unix.path), { recursive: true, mode: 0o755 });
  let isSocket: boolean | undefined;
  try {
    isSocket = lstatSync(unix.path).isSocket();
  } catch {
    // nothing there
  }
  if (isSocket === false) throw new ApiListenError(`api.unix.path: ${unix.path} exists and is not a socket; not removing it`);
  if (isSocket) {
    if (await socketAnswers(unix.path)) {
      throw new ApiListenError(`api.unix.path: another process serves ${unix.path}; stop it, or give this daemon another path`);
    }
    // left by a daemon that did not stop cleanly
    unlinkSync(unix.path);
  }
  return () => {
    chmodSync(unix.path, unix.mode);
    if (gid !== undefined) chownSync(unix.path, -1, gid);
  };
}

/**
 * grpc-js's createSsl takes no minimum TLS version; these credentials pass
 * it (and the client certificate check) straight to Node's TLS server.
 */
class Tls13ServerCredentials extends grpc.ServerCredentials {
  constructor(serverOptions: SecureServerOptions, context: SecureContextOptions) {
    super(serverOptions, context);
  }

  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ApiListenError(`${field}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The credentials the TCP listener serves with; refuses plain text off loopback. */
export function tcpCredentials(tcp: TcpApiConfig): grpc.ServerCredentials {
  if (!tcp.tls) {
    if (!tcp.insecure || !isLoopback(tcp.listen.host)) {
      throw new ApiListenError(
        `api.tcp: plain text on ${formatEndpoint(tcp.listen)} refused: TCP needs tls {cert, key}, or insecure: true on a loopback address`,
      );
    }
    return grpc.ServerCredentials.createInsecure();
  }
  const clientCa = tcp.tls.clientCa === undefined ? undefined : readPem(tcp.tls.clientCa, 'api.tcp.tls.clientCa');
  return new Tls13ServerCredentials(
    { minVersion: 'TLSv1.3', requestCert: clientCa !== undefined, rejectUnauthorized: clientCa !== undefined },
    {
      cert: readPem(tcp.tls.cert, 'api.tcp.tls.cert'),
      key: readPem(tcp.tls.key, 'api.tcp.tls.key'),
      ...(clientCa ? { ca: clientCa } : {}),
    },
  );
}
