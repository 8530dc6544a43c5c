// What the churn tests of both families share (churn-readers.test.ts,
// churn-readers6.test.ts): a namespace with the router's two veths, the
// real FastPath and Reconciler over it, and the race itself: verdicts
// taken with BPF_PROG_TEST_RUN on libuv's threads while the JS thread
// pushes random route changes through the reconciler into the maps. A
// verdict must name a next hop that its address had at some moment of
// its run; next-hop ids and index groups are freed and reused all along,
// so a reuse before its grace period would show as a verdict for a next
// hop the address never had.
import { afterAll, beforeAll } from 'vitest';
import { maskAddress, parsePrefix, requireAddress } from '../../dataplane/addr.js';
import type { Family } from '../../dataplane/addr.js';
import { FastPath } from '../../dataplane/fastpath.js';
import { XdpAction } from '../../dataplane/layout.js';
import { createNetns, deleteNetns, ifindexOf, ip } from '../../router/lab/netns.js';
import { seededRandom } from '../../router/lab/random.js';
import { NUD } from '../../router/sync/model.js';
import type { KernelRoute, KernelSnapshot } from '../../router/sync/model.js';
import { Reconciler } from '../../router/sync/reconciler.js';
import type { EthSpec } from '../../support/frames.js';
import { parseFrame } from '../../support/frames.js';
import { DEFAULT_RULES } from '../helpers/rules.js';

const GATEWAYS = 16;
const IN_MAC = '02:00:00:00:00:01';
const OUT_MAC = '02:00:00:00:01:01';
const HOST_MAC = '02:00:00:00:00:0a';
const gatewayMac = (g: number): string => `02:00:00:00:02:${(0x10 + g).toString(16)}`;
/** verdicts in flight on the thread pool at any time */
const READERS = 4;
/** changes the JS thread writes between two looks at the finished verdicts */
const CHANGES_PER_TURN = 25;

/** One family's side of the race. */
export interface ChurnFamily {
  family: Family;
  /** the router's addresses on in0 (where frames come in) and out1 (where the gateways are) */
  routerAddresses: { in0: string; out1: string; length: number };
  gateway(g: number): string;
  /** a route held all along via the first gateway: every probe always has an answer */
  catchAll: string;
  /** prefixes the churn adds, replaces and deletes */
  candidates: readonly string[];
  /** destinations of the verdicts */
  probes: readonly string[];
  /** a frame from a host on in0 to dst */
  frame(eth: EthSpec, dst: string): Buffer;
}

export interface ChurnRig {
  fp: FastPath;
  reconciler: Reconciler;
  /** in0's: where the frames come in */
  inIfindex: number;
  /** a route of the family via gateway g */
  route(prefix: string, g: number): KernelRoute;
}

/** The rig for this file: built in beforeAll, its namespace and maps gone in afterAll. */
export function churnRig(ns: string, f: ChurnFamily): () => ChurnRig {
  let rig: ChurnRig | undefined;
  let fp: FastPath | undefined;
  beforeAll(async () => {
    await createNetns(ns);
    for (const [dev, mac] of [['in0', IN_MAC], ['out1', OUT_MAC]] as const) {
      await ip(['link', 'add', dev, 'address', mac, 'type', 'veth', 'peer', 'name', `${dev}p`], ns);
      await ip(['link', 'set', `${dev}p`, 'up'], ns);
      await ip(['link', 'set', dev, 'up'], ns);
    }
    const inIfindex = await ifindexOf(ns, 'in0');
    const outIfindex = await ifindexOf(ns, 'out1');
    fp = await FastPath.open({ netns: ns });
    const reconciler = new Reconciler(fp, { tables: [254], interfaces: ['in0', 'out1'] });
    const route = (prefix: string, g: number): KernelRoute => ({
      family: f.family,
      table: 254,
      prefix,
      metric: 0,
      protocol: 4,
      type: 'unicast',
      nexthops: [{ ifindex: outIfindex, gateway: f.gateway(g), weight: 1 }],
      tos: 0,
    });
    const { in0, out1, length } = f.routerAddresses;
    const snapshot: KernelSnapshot = {
      links: [
        { ifindex: inIfindex, name: 'in0', mac: IN_MAC, mtu: 1500, adminUp: true, carrier: true, kind: 'veth' },
        { ifindex: outIfindex, name: 'out1', mac: OUT_MAC, mtu: 1500, adminUp: true, carrier: true, kind: 'veth' },
      ],
      addresses: [
        { ifindex: inIfindex, family: f.family, address: in0, prefixLength: length },
        { ifindex: outIfindex, family: f.family, address: out1, prefixLength: length },
      ],
      neighbours: Array.from({ length: GATEWAYS }, (_, g) => ({ ifindex: outIfindex, family: f.family, address: f.gateway(g), mac: gatewayMac(g), state: NUD.REACHABLE })),
      routes: [route(f.catchAll, 0)],
      rules: [...DEFAULT_RULES],
    };
    await reconciler.fullSync(snapshot);
    rig = { fp, reconciler, inIfindex, route };
  });
  afterAll(async () => {
    fp?.close();
    await deleteNetns(ns);
  });
  return () => rig!;
}

export interface ChurnOutcome {
  /** verdicts that named a next hop their address did not have during their run (the first few) */
  wrong: string[];
  verdicts: number;
  /** the churn's prefixes still held at the end, and their gateways */
  held: Map<string, number>;
  /** changes the JS thread wrote per second of its writing (the test's own note of answers included) */
  changesPerSecond: number;
}

/** `changes` seeded random changes of f's candidates while READERS verdicts are always in flight. */
export async function churnAgainstReaders(rig: ChurnRig, f: ChurnFamily, changes: number, seed: number): Promise<ChurnOutcome> {
  const { fp, reconciler, inIfindex, route } = rig;
  // which candidate covers which probe, and how long it is: the longest match without parsing in the loop
  const covers = new Map(
    f.candidates.map((text) => {
      const p = parsePrefix(text);
      return [text, { length: p.length, probes: f.probes.map((a) => maskAddress(requireAddress(a).addr, p.length).equals(p.addr)) }];
    }),
  );
  const table = new Map<string, number>();
  const answer = (probe: number): number => {
    let best = -1;
    // the catch-all's gateway where no candidate covers the probe
    let gw = 0;
    for (const [prefix, g] of table) {
      const c = covers.get(prefix)!;
      if (c.length > best && c.probes[probe]) [best, gw] = [c.length, g];
    }
    return gw;
  };
  const frames = f.probes.map((a) => f.frame({ dst: IN_MAC, src: HOST_MAC }, a));
  const macToGateway = new Map(Array.from({ length: GATEWAYS }, (_, g) => [gatewayMac(g), g]));
  const rand = seededRandom(seed);
  const below = (n: number): number => Math.floor(rand() * n);
  const wrong: string[] = [];
  let verdicts = 0;
  let done = 0;
  /** ms the JS thread spent writing changes (with the test's own note of answers) */
  let writing = 0;
  const inFlight = new Set<{ probe: number; seen: Set<number> }>();
  const pending: Array<Promise<void>> = [];
  while (done < changes) {
    // a few verdicts in flight on the thread pool...
    while (inFlight.size < READERS) {
      const probe = below(f.probes.length);
      const window = { probe, seen: new Set([answer(probe)]) };
      inFlight.add(window);
      pending.push(
        fp.testRun({ data: frames[probe]!, ingressIfindex: inIfindex }).then((res) => {
          inFlight.delete(window);
          verdicts++;
          const to = res.retval === XdpAction.redirect ? parseFrame(res.data).dst : undefined;
          const got = to === undefined ? undefined : macToGateway.get(to);
          if ((got === undefined || !window.seen.has(got)) && wrong.length < 5) {
            wrong.push(`${f.probes[probe]}: action ${res.retval} to ${to ?? '-'}, had ${[...window.seen].map(f.gateway).join(', ')}`);
          }
        }),
      );
    }
    // ...while this thread writes, noting every answer each in-flight address has had
    const turn = performance.now();
    for (let i = 0; i < CHANGES_PER_TURN; i++, done++) {
      const prefix = f.candidates[below(f.candidates.length)]!;
      if (table.has(prefix) && rand() < 0.5) {
        reconciler.applyEvent({ kind: 'route', op: 'del', replace: false, route: route(prefix, table.get(prefix)!) });
        table.delete(prefix);
      } else {
        const g = below(GATEWAYS);
        reconciler.applyEvent({ kind: 'route', op: 'add', replace: true, route: route(prefix, g) });
        table.set(prefix, g);
      }
      for (const w of inFlight) w.seen.add(answer(w.probe));
    }
    writing += performance.now() - turn;
    // let finished runs report and grace periods end now and then
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(pending);
  return { wrong, verdicts, held: table, changesPerSecond: Math.round((done * 1000) / writing) };
}

/** the most next hops the churn can leave: one per gateway, and the catch-all's */
export const MAX_CHURN_NEXTHOPS = GATEWAYS + 1;
