// A stop that comes while the daemon starts (systemd stopping a unit whose
// full-table start takes seconds): the signal must not end the process by
// its default action, which would leave XDP attached to maps no one keeps
// current. The daemon finishes the start and then stops cleanly.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../../dataplane/native.js';
import { CLI, writeDaemonConfig } from '../../support/daemon.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { ip } from '../../router/lab/netns.js';
import { createLab, destroyLab } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';

const PREFIX = `xrt-sds-${process.pid}`;
/** the last line before the fast path is touched: a signal after it lands in the start */
const BEFORE_START = '"msg":"metrics served"';
const EXIT_TIMEOUT_MS = 60_000;

describe('SIGTERM during the start', () => {
  let lab: Lab;
  let config: DaemonConfig | undefined;

  beforeAll(async () => {
    lab = await createLab(PREFIX);
  });

  afterAll(async () => {
    for (const side of [lab?.router.toA, lab?.router.toB]) {
      if (side && addon.queryXdp(side.ifindex, `/run/netns/${lab.router.ns}`).mode !== 'none') await ip(['link', 'set', side.dev, 'xdp', 'off'], lab.router.ns);
    }
    config?.remove();
    await destroyLab(PREFIX);
  });

  it('is answered by a clean stop once the start is done: exit 0, XDP detached, pins removed', async () => {
    config = writeDaemonConfig({ netns: lab.router.ns, interfaces: [lab.router.toA.dev, lab.router.toB.dev] });
    const child = spawn('node', [CLI, 'run', '--config', config.file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let signalled = false;
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (!signalled && log.includes(BEFORE_START)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    const { code, signal } = await exited.finally(() => clearTimeout(killer));

    expect(signalled, `the daemon never logged ${BEFORE_START}:\n${log}`).toBe(true);
    expect({ code, signal }, log).toEqual({ code: 0, signal: null });
    // the signal came during the start, not after it: this case covers what it says
    expect(log).toMatch(/"msg":"stopping once the start is done","signal":"SIGTERM"/);
    expect(log).toMatch(/"msg":"fast path in sync with the kernel"/);
    expect(log).toMatch(/"msg":"stopped: XDP detached, the kernel forwards alone"/);
    for (const side of [lab.router.toA, lab.router.toB]) expect(addon.queryXdp(side.ifindex, `/run/netns/${lab.router.ns}`).mode).toBe('none');
    expect(existsSync(config.pinDir)).toBe(false);
  });
});
