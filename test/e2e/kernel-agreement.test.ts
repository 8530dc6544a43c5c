// Policy rules and netfilter on a real router host: each situation runs the
// same traffic twice in one lab, the kernel alone (no daemon) and with
// xdp-router attached, and the outcome must be the same: how many pings
// are answered and the source address B sees on their requests. The fast
// path either does what the kernel does or hands the packet up, counted
// under its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import { run, spawnIn } from '../../router/lab/netns.js';
import { LAB_ADDRESSES } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { ping } from '../../router/lab/traffic.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { cli, within } from '../helpers/router.js';
import { freePort, scrape } from '../helpers/metrics.js';

const PREFIX = `xrt-pol-${process.pid}`;
const PINGS = 3;
/**
 * rule events reach the maps this fast; a netfilter change in the time one
 * `nft -j list ruleset` takes after nftables' notification (a poll, once a
 * second, would often miss this)
 */
const RULE_SYNC_MS = 100;
const NETFILTER_SYNC_MS = 1000;

interface Outcome {
  answered: number;
  /** source addresses of the echo requests B received, in order, deduplicated */
  sources: string[];
}

interface Situation {
  name: string;
  /** the address A pings */
  target: (lab: Lab) => string;
  /** commands in the router's namespace that set it up, and that take it down */
  up: string[][];
  down: string[][];
  /** what the kernel alone does (checked, so the test proves the situation is real) */
  kernel: (lab: Lab) => Outcome;
  reason: Reason;
  /** which map change shows the daemon has taken it in */
  synced: (fp: FastPath, lab: Lab) => boolean;
  syncMs: number;
}

const NFT = (ruleset: string): string[] => ['nft', ruleset];
const nothing = (): Outcome => ({ answered: 0, sources: [] });
const ifacePasses = (fp: FastPath, ifindex: number): string => JSON.stringify(fp.iface(ifindex)?.passes ?? {});

/**
 * A rule `selector` (pref 100) sending A's pings to table 100, where the
 * target's prefix is unreachable while main still routes it via B: the
 * kernel answers none of them.
 */
function unreachableByRule(family: 4 | 6, selector: string[], synced: Situation['synced']): Situation {
  const f = family === 6 ? ['-6'] : [];
  const prefix = family === 6 ? LAB_ADDRESSES.remote.prefix6 : LAB_ADDRESSES.remote.prefix4;
  return {
    name: `ip ${f.join('')} rule ${selector.join(' ')} lookup 100, unreachable ${prefix} there (main still routes it via B)`.replace('  ', ' '),
    target: (lab) => (family === 6 ? lab.remote.v6 : lab.remote.v4),
    up: [['ip', ...f, 'route', 'add', 'unreachable', prefix, 'table', '100'], ['ip', ...f, 'rule', 'add', ...selector, 'lookup', '100', 'pref', '100']],
    down: [['ip', ...f, 'rule', 'del', 'pref', '100'], ['ip', ...f, 'route', 'flush', 'table', '100']],
    kernel: nothing,
    reason: 'pass-policy',
    synced,
    syncMs: RULE_SYNC_MS,
  };
}

/** nftables masquerade on the router's egress to B: B sees the router's address, not A's. */
function masqueradeOutOfR1(family: 4 | 6): Situation {
  const table = family === 6 ? 'ip6' : 'ip';
  return {
    name: `nftables masquerade out of r1 (IPv${family})`,
    target: (lab) => (family === 6 ? lab.remote.v6 : lab.remote.v4),
    up: [NFT(`table ${table} nat { chain post { type nat hook postrouting priority srcnat; oifname "r1" masquerade; }; }`)],
    down: [['nft', 'delete', 'table', table, 'nat']],
    kernel: (lab) => ({ answered: PINGS, sources: [family === 6 ? lab.router.toB.v6 : lab.router.toB.v4] }),
    reason: 'pass-netfilter',
    synced: (fp, lab) => ifacePasses(fp, lab.router.toB.ifindex).includes('netfilterOut'),
    syncMs: NETFILTER_SYNC_MS,
  };
}

const SITUATIONS: Situation[] = [
  unreachableByRule(4, ['from', '192.0.2.0/24', 'to', '203.0.113.0/24'], (fp) => fp.lookupRoute('203.0.113.10')?.type === 'policy'),
  unreachableByRule(6, ['from', '2001:db8:a::/64', 'to', '2001:db8:cafe::/48'], (fp) => fp.lookupRoute('2001:db8:cafe::10')?.type === 'policy'),
  unreachableByRule(4, ['iif', 'r0'], (fp, lab) => ifacePasses(fp, lab.router.toA.ifindex).includes('policyIn')),
  {
    name: 'ip rule fwmark 7 lookup 100, an nft mangle chain marking A\'s traffic (any rule of that kind: everything up)',
    target: (lab) => lab.remote.v4,
    up: [
      ['ip', 'route', 'add', 'unreachable', '203.0.113.0/24', 'table', '100'],
      ['ip', 'rule', 'add', 'fwmark', '7', 'lookup', '100', 'pref', '100'],
      NFT('table ip marks { chain pre { type filter hook prerouting priority mangle; ip saddr 192.0.2.0/24 meta mark set 7; }; }'),
    ],
    down: [['nft', 'delete', 'table', 'ip', 'marks'], ['ip', 'rule', 'del', 'pref', '100'], ['ip', 'route', 'flush', 'table', '100']],
    kernel: nothing,
    reason: 'pass-policy',
    synced: (fp, lab) => ifacePasses(fp, lab.router.toA.ifindex).includes('policyIn') && ifacePasses(fp, lab.router.toA.ifindex).includes('netfilterIn'),
    syncMs: NETFILTER_SYNC_MS,
  },
  masqueradeOutOfR1(4),
  masqueradeOutOfR1(6),
  {
    name: 'a forward-hook drop that names no interface',
    target: (lab) => lab.remote.v4,
    up: [NFT('table inet filt { chain forwarding { type filter hook forward priority filter; ip daddr 203.0.113.10 drop; }; }')],
    down: [['nft', 'delete', 'table', 'inet', 'filt']],
    kernel: nothing,
    reason: 'pass-netfilter',
    synced: (fp, lab) => ifacePasses(fp, lab.router.toA.ifindex).includes('netfilterIn'),
    syncMs: NETFILTER_SYNC_MS,
  },
];

/** Ping `target` from A while B captures the echo requests it receives. */
async function outcome(lab: Lab, target: string): Promise<Outcome> {
  const v6 = target.includes(':');
  const filter = v6 ? 'icmp6 and ip6[40] == 128' : 'icmp[icmptype] == icmp-echo';
  const capture = spawnIn(lab.b.ns, ['tcpdump', '-i', 'b0', '-n', '-l', '-p', filter]);
  let text = '';
  capture.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  let heard = '';
  capture.stderr!.on('data', (d: Buffer) => (heard += d.toString()));
  try {
    await within(5000, () => heard.includes('listening on'), 'tcpdump on B');
    const answered = await ping(lab.a.ns, target, PINGS);
    // the last request's line may still be in tcpdump's pipe
    await new Promise((r) => setTimeout(r, 200));
    const sources = [...new Set([...text.matchAll(/IP6? ([0-9a-f:.]+) > /g)].map((m) => m[1]!))];
    return { answered, sources };
  } finally {
    const exited = new Promise((r) => capture.once('exit', r));
    capture.kill('SIGTERM');
    await exited;
  }
}

async function inRouter(lab: Lab, commands: string[][]): Promise<void> {
  for (const argv of commands) await run(argv, lab.router.ns);
}

describe('policy rules and netfilter: the kernel alone and with xdp-router agree', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let config: DaemonConfig;
  let fp: FastPath;
  const alone = new Map<string, Outcome>();
  let metricsPort = 0;

  /** Each situation's outcome with the kernel alone, before the daemon starts. */
  const kernelAlone = async (l: Lab): Promise<void> => {
    lab = l;
    await run(['nft', '--version']).catch(() => {
      throw new Error('this test needs the nft command: run scripts/setup.sh (Debian package nftables)');
    });
    // the neighbours, so the fast path could forward from the first packet
    expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(1);
    expect(await ping(lab.a.ns, lab.remote.v6, 1)).toBe(1);
    for (const s of SITUATIONS) {
      await inRouter(lab, s.up);
      try {
        alone.set(s.name, await outcome(lab, s.target(lab)));
      } finally {
        await inRouter(lab, s.down);
      }
    }
  };

  beforeAll(async () => {
    metricsPort = await freePort();
    h = await startLabDaemon({ prefix: PREFIX, extraConfig: `metrics:\n  listen: "127.0.0.1:${metricsPort}"\n`, beforeDaemon: kernelAlone });
    ({ config, fp } = h);
  }, 120_000);

  afterAll(async () => {
    await h?.dispose();
  });

  const count = async (reason: Reason): Promise<bigint> =>
    (await fp.counters()).filter((c) => c.reason === reason).reduce((n, c) => n + c.packets, 0n);

  it('with no rule of either kind the fast path forwards the same pings itself', async () => {
    for (const target of [lab.remote.v4, lab.remote.v6]) {
      const before = await count('forwarded');
      expect(await outcome(lab, target)).toEqual({ answered: PINGS, sources: [target.includes(':') ? lab.a.v6 : lab.a.v4] });
      expect(await count('forwarded')).toBeGreaterThanOrEqual(before + BigInt(PINGS));
    }
  });

  for (const s of SITUATIONS) {
    it(s.name, async () => {
      expect(alone.get(s.name)).toEqual(s.kernel(lab));
      await inRouter(lab, s.up);
      try {
        await within(s.syncMs, () => s.synced(fp, lab), 'the daemon taking the situation in');
        const v = await cli(['verify', '--config', config.file]);
        expect(v.stdout).toContain('fast path and kernel agree');
        const status = await cli(['status', '--socket', config.apiSocket]);
        if (s.reason === 'pass-netfilter') expect(await scrape(metricsPort)).toMatch(/^xdp_router_netfilter_chains\{table="(ip|ip6|inet) \w+",chain="\w+",scope="(all|interfaces)"\} 1$/m);
        expect(status.stdout).toMatch(s.reason === 'pass-policy' ? /lookup 100 \(IPv[46]\) +.*goes to the kernel \(pass-policy\)/ : /^netfilter: respect; chains on forwarding hooks:$/m);
        const before = await count(s.reason);
        expect(await outcome(lab, s.target(lab))).toEqual(alone.get(s.name));
        expect(await count(s.reason)).toBeGreaterThan(before);
      } finally {
        await inRouter(lab, s.down);
      }
      // taken down, the fast path forwards again
      await within(s.syncMs, () => !s.synced(fp, lab), 'the daemon seeing the situation gone');
    }, 30_000);
  }
});
