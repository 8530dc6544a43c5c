// A kill -9 and restart costs nothing: with kernel forwarding off, so that
// only XDP can carry the stream, every datagram arrives, restart after
// restart, and also while routes churn. Every drop counter on the path is
// read, so a loss is pinned on the router or on the harness, never hidden.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireAddress } from '../../dataplane/addr.js';
import { POINTER_FLAG, TRIE_MARK } from '../../dataplane/dir6.js';
import { fib4Target } from '../../dataplane/route-target.js';
import { lossBetween, lossCounters } from '../../router/lab/loss.js';
import type { LossCounters } from '../../router/lab/loss.js';
import { ip } from '../../router/lab/netns.js';
import { setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { ping, udpStream } from '../../router/lab/traffic.js';
import type { UdpResult } from '../../router/lab/traffic.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { cli, indexEntry6, within } from '../helpers/router.js';

const PREFIX = `xrt-rs-${process.pid}`;
const RATE = 20_000;
const NO_LOSS: LossCounters = { sender: {}, router: {}, receiver: {} };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('kill -9 and restart under traffic', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX });
    ({ lab } = h);
    const { fp } = h;
    // B resolved while the kernel still forwards; from then on only XDP does
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    await within(2000, async () => (await fp.neighbours()).get(`${lab.router.toB.ifindex}|${lab.b.v4}`)?.valid === true, 'B in the fast path');
    await setKernelForwarding(lab, false);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  // a case that failed between the kill and the restart leaves no daemon for the next
  beforeEach(async () => {
    if (!h!.daemon.running) await h!.daemon.restart();
  });

  /**
   * A stream of `seconds` at RATE to `address`; kill -9 the daemon after
   * one second, do `whileDown`, and start it again.
   */
  async function restartUnder(address: string, seconds: number, whileDown?: () => Promise<unknown>): Promise<{ stream: UdpResult; loss: LossCounters; log: string }> {
    const { daemon, fp } = h!;
    const counters = (): Promise<LossCounters> => lossCounters(lab, () => fp.counters());
    const before = await counters();
    const stream = udpStream(lab.a.ns, lab.b.ns, address, RATE * seconds, RATE);
    await sleep(1000);
    await daemon.crash();
    await whileDown?.();
    await daemon.restart();
    const result = await stream;
    return { stream: result, loss: lossBetween(before, await counters()), log: daemon.log() };
  }

  it(`three kill -9 restarts under ${RATE.toLocaleString('en')} packets/s: not one datagram lost, by the router or by the harness`, async () => {
    for (const round of [1, 2, 3]) {
      const { stream, loss, log } = await restartUnder(lab.b.v4, 3);
      expect(log).toContain('kept the program a previous run attached');
      // one object, so a failure shows the round, the loss and where it happened at once
      expect({ round, sent: stream.sent, unique: stream.unique, socketDrops: stream.dropped, corrupt: stream.corrupt, loss }).toEqual({
        round,
        sent: RATE * 3,
        unique: RATE * 3,
        socketDrops: 0,
        corrupt: 0,
        loss: NO_LOSS,
      });
    }
  });

  it('a restart during 1,000 route changes per second loses nothing: every route the churn leaves leads to B', async () => {
    // prefixes longer than /24 inside the remote /24, all via B: the index
    // takes and frees a tbl8 group for that /24 again and again, and the
    // restart adopts it mid-churn; the kernel would deliver every datagram
    const gw = lab.b.v4;
    const candidates = ['203.0.113.10/32', '203.0.113.8/29', '203.0.113.0/25', '203.0.113.0/27', '203.0.113.10/31', '203.0.113.12/30', '203.0.113.128/25', '203.0.113.200/32'];
    const present = new Set<string>();
    const batch = spawn('ip', ['-n', lab.router.ns, '-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    batch.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    let changes = 0;
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // 10 changes every 10 ms
    const churn = setInterval(() => {
      const lines: string[] = [];
      for (let i = 0; i < 10; i++) {
        const prefix = candidates[random(candidates.length)]!;
        if (present.has(prefix)) {
          lines.push(`route del ${prefix}`);
          present.delete(prefix);
        } else {
          lines.push(`route replace ${prefix} via ${gw} dev ${lab.router.toB.dev}`);
          present.add(prefix);
        }
      }
      changes += lines.length;
      batch.stdin.write(`${lines.join('\n')}\n`);
    }, 10);
    let result: Awaited<ReturnType<typeof restartUnder>>;
    try {
      result = await restartUnder(lab.remote.v4, 4);
    } finally {
      clearInterval(churn);
      batch.stdin.end();
      await new Promise((r) => batch.once('exit', r));
    }
    expect(errors).toBe('');
    expect(changes).toBeGreaterThan(3000);
    const { stream, loss } = result;
    expect({ sent: stream.sent, unique: stream.unique, socketDrops: stream.dropped, loss }).toEqual({
      sent: RATE * 4,
      unique: RATE * 4,
      socketDrops: 0,
      loss: NO_LOSS,
    });
    // and the restarted daemon holds exactly the kernel's table
    await within(10_000, async () => (await cli(['verify', '--config', h!.config.file])).code === 0, 'verify after the churn');
  });

  it('IPv6 through nodes of the index: kill -9 and restart keep the index, lose nothing, and take in a route added meanwhile', async () => {
    const { fp } = h!;
    const { router, b, remote } = lab;
    // B's IPv6 neighbour, resolved by the router itself: kernel forwarding is off
    expect(await ping(router.ns, b.v6, 1)).toBe(1);
    await within(2000, async () => (await fp.neighbours()).get(`${router.toB.ifindex}|${b.v6}`)?.valid === true, 'B (IPv6) in the fast path');
    // beside the lab's /48 to the remote, a /56, a /64 and the /128 the stream goes to: nodes of the index down to the last byte
    const routes = ['2001:db8:cafe::/56', '2001:db8:cafe::/64', `${remote.v6}/128`];
    // one address under each route's own entries: the /128, the /64, the /56, the /48
    const probes = [remote.v6, '2001:db8:cafe::20', '2001:db8:cafe:ff::1', '2001:db8:cafe:100::1'].map((a) => ({ a, addr: requireAddress(a).addr }));
    const added = '2001:db8:cafe:1::/64';
    const addedProbe = requireAddress('2001:db8:cafe:1::1').addr;
    let sampling = false;
    try {
      for (const r of routes) await ip(['-6', 'route', 'add', r, 'via', b.v6, 'dev', router.toB.dev], router.ns);
      await within(5000, async () => {
        const held = new Set((await fp.routes()).map((r) => r.prefix));
        return routes.every((r) => held.has(r));
      }, 'the routes in the fast path');
      const unicast = (entry: number): boolean => entry !== 0 && !(entry & POINTER_FLAG) && fib4Target(entry).type === 'unicast';
      expect(probes.every((p) => unicast(indexEntry6(fp, p.addr)))).toBe(true);
      // every millisecond from the kill to the new run in sync, what the program reads for each probe: never "no route", never the trie
      const lapses: string[] = [];
      let samples = 0;
      sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const p of probes) {
            const entry = indexEntry6(fp, p.addr);
            if (!unicast(entry) && lapses.length < 5) lapses.push(`${p.a}: 0x${entry.toString(16)}${entry === TRIE_MARK ? ' (the trie)' : ''}`);
          }
          samples++;
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      // while no daemon runs, a route only the kernel has until the next run's sync
      const { stream, loss, log } = await restartUnder(remote.v6, 3, () => ip(['-6', 'route', 'add', 'blackhole', added], router.ns));
      sampling = false;
      await sampler;
      expect(log).toContain('kept the program a previous run attached');
      expect({ lapses, sampled: samples > 100 }).toEqual({ lapses: [], sampled: true });
      expect({ sent: stream.sent, unique: stream.unique, socketDrops: stream.dropped, corrupt: stream.corrupt, loss }).toEqual({
        sent: RATE * 3,
        unique: RATE * 3,
        socketDrops: 0,
        corrupt: 0,
        loss: NO_LOSS,
      });
      // the route added while the daemon was down reached the index, and the index agrees with the kernel
      await within(5000, () => indexEntry6(fp, addedProbe) !== 0 && fib4Target(indexEntry6(fp, addedProbe)).type === 'blackhole', 'the route added meanwhile in the index');
      await within(10_000, async () => (await cli(['verify', '--config', h!.config.file])).code === 0, 'verify after the restart');
    } finally {
      sampling = false;
      for (const r of [...routes, added]) await ip(['-6', 'route', 'del', r], router.ns).catch(() => undefined);
    }
  });
});
