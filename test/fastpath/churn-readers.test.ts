// The program reads its tables while the daemon writes them: verdicts taken
// with BPF_PROG_TEST_RUN on libuv's threads, while the JS thread pushes
// 100,000 random route changes through the real reconciler into the real
// maps, never name a next hop that the address did not have at some moment
// of the verdict's run. Next-hop ids and tbl8 groups are freed and reused
// all along, so a reuse before its grace period would show as a verdict
// for a next hop the address never had.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastPath } from '../../dataplane/fastpath.js';
import { XdpAction } from '../../dataplane/layout.js';
import { createNetns, deleteNetns, ifindexOf, ip } from '../../router/lab/netns.js';
import { Reconciler } from '../../router/sync/reconciler.js';
import { NUD } from '../../router/sync/model.js';
import type { KernelRoute, KernelSnapshot } from '../../router/sync/model.js';
import { seededRandom } from '../../router/lab/random.js';
import { ipv4Frame, parseFrame } from '../../support/frames.js';
import { DEFAULT_RULES } from '../helpers/rules.js';

const NS = `xrt-churn-${process.pid}`;
const CHANGES = 100_000;
const GATEWAYS = 16;
const IN_MAC = '02:00:00:00:00:01';
const OUT_MAC = '02:00:00:00:01:01';
const gateway = (g: number): string => `198.51.100.${10 + g}`;
const gatewayMac = (g: number): string => `02:00:00:00:02:${(0x10 + g).toString(16)}`;

/** Prefixes the churn adds, replaces and deletes: nested, from /16 to /32, over three /24s. */
const CANDIDATES = [
  '10.1.0.0/16', '10.1.2.0/23', '10.1.2.0/24', '10.1.3.0/24', '10.1.4.0/24', '10.1.2.0/25', '10.1.2.128/25', '10.1.3.0/26',
  '10.1.3.64/27', '10.1.4.96/27', '10.1.2.16/28', '10.1.3.96/28', '10.1.4.100/30', '10.1.2.7/32', '10.1.2.200/32', '10.1.3.70/32',
  '10.1.4.101/32', '10.1.2.6/31', '10.1.3.68/30', '10.1.4.0/25',
];
const PROBES = ['10.1.2.7', '10.1.2.200', '10.1.2.20', '10.1.3.70', '10.1.3.100', '10.1.4.101', '10.1.4.5', '10.1.5.1'];

const toNumber = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const contains = (prefix: string, addr: number): boolean => {
  const [net, len] = prefix.split('/');
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (-1 << (32 - bits)) >>> 0;
  return ((addr & mask) >>> 0) === toNumber(net!);
};

describe('verdicts under a concurrent writer', () => {
  let fp: FastPath;
  let reconciler: Reconciler;
  let inIfindex: number;
  let outIfindex: number;

  beforeAll(async () => {
    await createNetns(NS);
    for (const dev of ['in0', 'out1']) {
      await ip(['link', 'add', dev, 'address', dev === 'in0' ? IN_MAC : OUT_MAC, 'type', 'veth', 'peer', 'name', `${dev}p`], NS);
      await ip(['link', 'set', `${dev}p`, 'up'], NS);
      await ip(['link', 'set', dev, 'up'], NS);
    }
    inIfindex = await ifindexOf(NS, 'in0');
    outIfindex = await ifindexOf(NS, 'out1');
    fp = await FastPath.open({ netns: NS });
    reconciler = new Reconciler(fp, { tables: [254], interfaces: ['in0', 'out1'] });
    const snapshot: KernelSnapshot = {
      links: [
        { ifindex: inIfindex, name: 'in0', mac: IN_MAC, mtu: 1500, adminUp: true, carrier: true, kind: 'veth' },
        { ifindex: outIfindex, name: 'out1', mac: OUT_MAC, mtu: 1500, adminUp: true, carrier: true, kind: 'veth' },
      ],
      addresses: [
        { ifindex: inIfindex, family: 4, address: '192.0.2.1', prefixLength: 24 },
        { ifindex: outIfindex, family: 4, address: '198.51.100.1', prefixLength: 24 },
      ],
      neighbours: Array.from({ length: GATEWAYS }, (_, g) => ({ ifindex: outIfindex, family: 4 as const, address: gateway(g), mac: gatewayMac(g), state: NUD.REACHABLE })),
      // every probe always has an answer: the /8 via the first gateway
      routes: [route('10.0.0.0/8', 0)],
      rules: [...DEFAULT_RULES],
    };
    await reconciler.fullSync(snapshot);
  });

  afterAll(async () => {
    fp?.close();
    await deleteNetns(NS);
  });

  function route(prefix: string, g: number): KernelRoute {
    return { family: 4, table: 254, prefix, metric: 0, protocol: 4, type: 'unicast', nexthops: [{ ifindex: outIfindex, gateway: gateway(g), weight: 1 }], tos: 0 };
  }

  it(`${CHANGES.toLocaleString('en')} random changes: every verdict names a next hop its address had during the run`, async () => {
    const table = new Map<string, number>([['10.0.0.0/8', 0]]);
    const answer = (addr: number): number => {
      let best = -1;
      let gw = -1;
      for (const [prefix, g] of table) {
        const len = Number(prefix.split('/')[1]);
        if (len > best && contains(prefix, addr)) [best, gw] = [len, g];
      }
      return gw;
    };
    const probes = PROBES.map((a) => ({ addr: toNumber(a), frame: ipv4Frame({ dst: IN_MAC, src: '02:00:00:00:00:0a' }, { src: '192.0.2.10', dst: a }) }));
    const macToGateway = new Map(Array.from({ length: GATEWAYS }, (_, g) => [gatewayMac(g), g]));
    const rand = seededRandom(0xc0ffee);
    const below = (n: number): number => Math.floor(rand() * n);
    const wrong: string[] = [];
    let verdicts = 0;
    let changes = 0;
    const inFlight = new Set<{ probe: number; seen: Set<number> }>();
    const pending: Array<Promise<void>> = [];
    while (changes < CHANGES) {
      // a few verdicts in flight on the thread pool...
      while (inFlight.size < 4) {
        const probe = below(probes.length);
        const window = { probe, seen: new Set([answer(probes[probe]!.addr)]) };
        inFlight.add(window);
        pending.push(
          fp.testRun({ data: probes[probe]!.frame, ingressIfindex: inIfindex }).then((res) => {
            inFlight.delete(window);
            verdicts++;
            const got = res.retval === XdpAction.redirect ? macToGateway.get(parseFrame(res.data).dst) : undefined;
            if (got === undefined || !window.seen.has(got)) {
              wrong.push(`${PROBES[probe]}: action ${res.retval} to ${res.retval === XdpAction.redirect ? parseFrame(res.data).dst : '-'}, had ${[...window.seen].map(gateway).join(', ')}`);
            }
          }),
        );
      }
      // ...while this thread writes, noting every answer each in-flight address has had
      for (let i = 0; i < 25; i++, changes++) {
        const prefix = CANDIDATES[below(CANDIDATES.length)]!;
        if (table.has(prefix) && rand() < 0.5) {
          reconciler.applyEvent({ kind: 'route', op: 'del', replace: false, route: route(prefix, table.get(prefix)!) });
          table.delete(prefix);
        } else {
          const g = below(GATEWAYS);
          reconciler.applyEvent({ kind: 'route', op: 'add', replace: true, route: route(prefix, g) });
          table.set(prefix, g);
        }
        for (const w of inFlight) w.seen.add(answer(probes[w.probe]!.addr));
      }
      // let finished runs report and grace periods end now and then
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(verdicts).toBeGreaterThan(1000);
    // the writer kept reusing ids and groups, not growing them
    await fp.gracePeriodsSettled();
    expect((await fp.nexthops()).size).toBeLessThanOrEqual(GATEWAYS + 1);
    // and two groups for good: the /24s of the router's two addresses, /32s of the index
    expect(fp.fib4Groups()!.used).toBeLessThanOrEqual(3 + 2);
  });
});
