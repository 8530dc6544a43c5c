// Where the API listens: a stale socket left by an unclean stop is removed,
// a live one or a file that is not a socket is not; mode and group are set;
// plain-text TCP is refused off loopback.
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiListenError, prepareUnixSocket, tcpCredentials } from '../../router/api/listen.js';

describe('the API socket', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xrt-sock-'));
    path = join(dir, 'run', 'xdp-router.sock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Bind a socket nobody listens on: what a killed daemon leaves behind. */
  const staleSocket = (): void => {
    execFileSync('python3', ['-c', `import os,socket; os.makedirs("${join(dir, 'run')}", exist_ok=True); socket.socket(socket.AF_UNIX).bind("${path}")`]);
  };

  it('creates the directory, removes a stale socket, and sets the mode and group once bound', async () => {
    staleSocket();
    expect(lstatSync(path).isSocket()).toBe(true);
    // the user's own group: a chown to it needs no privilege, so the unit tier runs unprivileged
    const { gid } = userInfo();
    const finish = await prepareUnixSocket({ path, mode: 0o640, group: String(gid) });
    expect(() => lstatSync(path)).toThrow(/ENOENT/);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      finish();
      const st = statSync(path);
      expect(st.mode & 0o777).toBe(0o640);
      expect(st.gid).toBe(gid);
    } finally {
      server.close();
    }
  });

  it('refuses a socket another process serves, and a path that is not a socket', async () => {
    const server = createServer();
    const live = join(dir, 'live.sock');
    await new Promise<void>((resolve) => server.listen(live, resolve));
    try {
      await expect(prepareUnixSocket({ path: live, mode: 0o660 })).rejects.toThrow(/^api\.unix\.path: another process serves/);
    } finally {
      server.close();
    }
    const file = join(dir, 'file');
    writeFileSync(file, 'not a socket');
    chmodSync(file, 0o600);
    await expect(prepareUnixSocket({ path: file, mode: 0o660 })).rejects.toThrow(/^api\.unix\.path: .* exists and is not a socket; not removing it/);
    await expect(prepareUnixSocket({ path, mode: 0o660, group: 'no-such-group-xrt' })).rejects.toBeInstanceOf(ApiListenError);
  });

  it('plain-text TCP only on loopback with insecure; unreadable certificates are named', () => {
    expect(() => tcpCredentials({ listen: { host: '192.0.2.1', port: 50051 }, insecure: true })).toThrow(/^api\.tcp: plain text on 192\.0\.2\.1:50051 refused/);
    expect(() => tcpCredentials({ listen: { host: '127.0.0.1', port: 50051 }, insecure: false })).toThrow(ApiListenError);
    expect(tcpCredentials({ listen: { host: '::1', port: 50051 }, insecure: true })._isSecure()).toBe(false);
    expect(() => tcpCredentials({ listen: { host: '0.0.0.0', port: 50051 }, insecure: false, tls: { cert: join(dir, 'none.pem'), key: join(dir, 'none.key') } })).toThrow(
      /^api\.tcp\.tls\.cert: cannot read .*none\.pem/,
    );
  });
});
