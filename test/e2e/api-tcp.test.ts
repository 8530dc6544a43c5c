// The API over TCP: plain text only on loopback and only when the config
// says insecure; with TLS (1.3) and a client CA, only clients holding a
// certificate of that CA are served. Certificates are made here with openssl.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, unary, type ClientTarget } from '../../router/api/client.js';
import type { GetStatusResponse__Output } from '../../router/api/generated/xdprouter/v1/GetStatusResponse.js';
import { addon } from '../../dataplane/native.js';
import { run } from '../../router/lab/netns.js';
import { createLab, destroyLab } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { RouterDaemon, writeDaemonConfig } from '../../support/daemon.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { refusal } from '../helpers/api.js';
import { freePort } from '../helpers/metrics.js';
import { cli } from '../helpers/router.js';

const PREFIX = `xrt-tcp-${process.pid}`;

/** A CA, a certificate it signs for the server (127.0.0.1) and one for a client. */
async function makePki(dir: string, name: string): Promise<{ ca: string; cert: (who: 'server' | 'client') => { cert: string; key: string } }> {
  const ca = join(dir, `${name}-ca.pem`);
  const caKey = join(dir, `${name}-ca.key`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run(['openssl', 'req', '-x509', ...ec, '-keyout', caKey, '-out', ca, '-days', '1', '-subj', `/CN=${name} test CA`]);
  for (const who of ['server', 'client'] as const) {
    const base = join(dir, `${name}-${who}`);
    const ext = `${base}.ext`;
    writeFileSync(ext, who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
    await run(['openssl', 'req', ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name} ${who}`]);
    await run(['openssl', 'x509', '-req', '-in', `${base}.csr`, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', `${base}.pem`, '-days', '1', '-extfile', ext]);
  }
  return { ca, cert: (who) => ({ cert: join(dir, `${name}-${who}.pem`), key: join(dir, `${name}-${who}.key`) }) };
}

async function statusOver(target: ClientTarget): Promise<GetStatusResponse__Output> {
  const api = connect(target);
  try {
    return await unary<GetStatusResponse__Output>((cb) => api.status.GetStatus({}, cb));
  } finally {
    api.close();
  }
}

describe('the API over TCP', () => {
  let lab: Lab;
  let dir: string;
  const configs: DaemonConfig[] = [];
  /** each case's own daemon, stopped after it */
  let daemon: RouterDaemon | undefined;

  /** A config whose API also listens on TCP: `lines` continue the api block's unix section with tcp's. */
  const tcpConfig = (lines: string[]): DaemonConfig => {
    const c = writeDaemonConfig({ netns: lab.router.ns, extraConfig: ['  tcp:', ...lines.map((l) => `    ${l}`)].join('\n') });
    configs.push(c);
    return c;
  };

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    dir = mkdtempSync(join(tmpdir(), 'xrt-pki-'));
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  afterAll(async () => {
    for (const c of configs) c.remove();
    rmSync(dir, { recursive: true, force: true });
    await destroyLab(PREFIX);
  });

  it('plain TCP is refused at start without insecure, and off loopback even with it; nothing is attached', async () => {
    const port = await freePort();
    for (const [lines, says] of [
      [[`listen: 127.0.0.1:${port}`], /api\.tcp\.tls: found no tls section, expected tls: \{cert, key\}.*set insecure: true/],
      [[`listen: ${lab.router.toA.v4}:${port}`, 'insecure: true'], /api\.tcp\.insecure: .*not a loopback address/],
    ] as const) {
      const r = await cli(['run', '--config', tcpConfig([...lines]).file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(says);
      expect(addon.queryXdp(lab.router.toA.ifindex, `/run/netns/${lab.router.ns}`).mode).toBe('none');
    }
  });

  it('plain TCP on loopback with insecure: true serves; a stop ends the watches cleanly', async () => {
    const port = await freePort();
    daemon = await RouterDaemon.run(tcpConfig([`listen: 127.0.0.1:${port}`, 'insecure: true']));
    expect((await statusOver({ server: `127.0.0.1:${port}` })).interfaces.map((i) => i.name)).toEqual(['r0', 'r1']);
    const api = connect({ server: `127.0.0.1:${port}` });
    try {
      const watch = api.routes.WatchRoutes({});
      // the stream is open once its first event (the current routes) arrives
      const opened = new Promise<void>((resolve) => watch.once('data', () => resolve()));
      const ended = new Promise<string>((resolve) => {
        watch.on('data', () => undefined);
        watch.on('end', () => resolve('end'));
        watch.on('error', (err: Error) => resolve(err.message));
      });
      await opened;
      const t0 = performance.now();
      expect(await daemon.stop()).toBe(0);
      expect(await ended).toBe('end');
      // no wait for the drain timeout
      expect(performance.now() - t0).toBeLessThan(1500);
    } finally {
      api.close();
    }
  });

  it('TLS with a client CA: a client with its certificate is served; without one, or with another CA\'s, it is rejected', async () => {
    const good = await makePki(dir, 'good');
    const rogue = await makePki(dir, 'rogue');
    const server = good.cert('server');
    const port = await freePort();
    daemon = await RouterDaemon.run(tcpConfig([`listen: 127.0.0.1:${port}`, 'tls:', `  cert: ${server.cert}`, `  key: ${server.key}`, `  clientCa: ${good.ca}`]));
    const address = `localhost:${port}`;

    expect((await statusOver({ server: address, tls: { ca: good.ca, ...good.cert('client') } })).routeProtocol).toBe(250);
    expect((await refusal(statusOver({ server: address, tls: { ca: good.ca } }))).code).toBe('UNAVAILABLE');
    expect((await refusal(statusOver({ server: address, tls: { ca: good.ca, ...rogue.cert('client') } }))).code).toBe('UNAVAILABLE');
    // a client that does not trust the server's CA does not talk to it either
    expect((await refusal(statusOver({ server: address, tls: { ca: rogue.ca, ...good.cert('client') } }))).code).toBe('UNAVAILABLE');
    // TLS 1.3 at least: a 1.2-only client gets no handshake
    const client = good.cert('client');
    const tls12 = await run(['sh', '-c', `openssl s_client -connect ${address} -tls1_2 -CAfile ${good.ca} -cert ${client.cert} -key ${client.key} </dev/null 2>&1; true`]);
    expect(tls12).toMatch(/alert protocol version|no protocols available|wrong version number|unsupported protocol/i);

    // the command line speaks TLS too
    const cliStatus = await cli(['status', '--server', address, '--ca', good.ca, '--cert', client.cert, '--key', client.key]);
    expect(cliStatus.stdout).toMatch(/^xdp-router \S+: SERVING/);
    expect(cliStatus.code).toBe(0);
  });
});
