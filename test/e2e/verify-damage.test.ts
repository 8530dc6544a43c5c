// `xdp-router verify` catches every kind of difference: each case damages
// one kind of entry in the running daemon's maps behind its back, sees
// verify name it (exit 1), and puts the entry back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dir6 } from '../../dataplane/dir6.js';
import type { FastPath } from '../../dataplane/fastpath.js';
import { parseAddress } from '../../dataplane/addr.js';
import * as L from '../../dataplane/layout.js';
import { local6FilterBit, local6FilterWords } from '../../dataplane/local6-filter.js';
import type { MapName } from '../../dataplane/layout.js';
import type { Difference } from '../../router/sync/verify.js';
import { ip } from '../../router/lab/netns.js';
import type { Lab } from '../../router/lab/topology.js';
import { startLabDaemon, type LabDaemon } from '../../support/lab-daemon.js';
import { cli, within } from '../helpers/router.js';

const PREFIX = `xrt-vd-${process.pid}`;
/** a neighbour of the router's B side that no traffic changes */
const PERMANENT_NEIGHBOUR = { address: '198.51.100.3', mac: '02:00:00:00:00:33' };

/** Change a map entry in place; returns how to put it back. */
type Damage = (fp: FastPath, lab: Lab) => Promise<() => void>;

/** The first entry of a map, its value changed by `change`. */
function changeFirst(name: MapName, change: (value: Buffer) => void): Damage {
  return async (fp) => {
    const map = fp.map(name);
    const [key, value] = (await map.dump())[0] ?? [];
    if (!key || !value) throw new Error(`${name} is empty: the lab gave the daemon nothing to damage`);
    const damaged = Buffer.from(value);
    change(damaged);
    map.update(key, damaged);
    return () => map.update(key, value);
  };
}

const address = (text: string): Buffer => parseAddress(text)!.addr;

const fieldAt = (layout: { fields: Array<{ name: string; offset: number }> }, name: string): number => layout.fields.find((f) => f.name === name)!.offset;

/** One entry of a mapped index array set to 0 (no route); put back after. */
function clearIndexEntry(array: Uint32Array, at: number): () => void {
  const was = Atomics.load(array, at);
  Atomics.store(array, at, 0);
  return () => Atomics.store(array, at, was);
}

const CASES: Array<{ kind: Difference['kind']; key: RegExp; damage: Damage }> = [
  {
    kind: 'route',
    key: /^route 203\.0\.113\.0\/24: kernel via .*, fast path blackhole$/m,
    damage: async (fp) => {
      const trie = fp.map('xr_fib4');
      const key = L.fib4Key.encode({ prefixlen: 24, addr: address('203.0.113.0') });
      const value = trie.lookup(key)!;
      trie.update(key, L.route.encode({ type: L.RouteType.blackhole }));
      return () => trie.update(key, value);
    },
  },
  {
    kind: 'route',
    key: /^route 2001:db8:cafe::\/48: kernel via .*, fast path \(none\)$/m,
    damage: async (fp) => {
      const trie = fp.map('xr_fib6');
      const key = L.fib6Key.encode({ prefixlen: 48, addr: address('2001:db8:cafe::') });
      const value = trie.lookup(key)!;
      trie.delete(key);
      return () => trie.update(key, value);
    },
  },
  {
    kind: 'ipv4-index',
    key: /^ipv4-index 203\.0\.113\.0: kernel via .*, fast path none$/m,
    damage: async (fp) => clearIndexEntry(new Uint32Array(fp.map('xr_fib4_tbl24').memory()), address('203.0.113.0').readUInt32BE(0) >>> 8),
  },
  {
    kind: 'ipv6-index',
    key: /^ipv6-index 2001:db8:cafe::: kernel via .*, fast path none$/m,
    damage: async (fp) => {
      const memory = { tbl24: new Uint32Array(fp.map('xr_fib6_tbl24').memory()), lines: new Uint32Array(fp.map('xr_fib6_lines').memory()) };
      let leaf: [Uint32Array, number] | undefined;
      Dir6.read(memory, address('2001:db8:cafe::'), (array, at) => (leaf = [array, at]));
      return clearIndexEntry(...leaf!);
    },
  },
  {
    kind: 'nexthop-entry',
    key: /^nexthop-entry \d+: kernel .*, fast path .*$/m,
    damage: async (fp) => {
      // the entry the first next hop's slot points at (most slots are unused)
      const [id] = [...(await fp.nexthops()).keys()];
      if (id === undefined) throw new Error('the daemon holds no next hop: the lab gave it nothing to damage');
      const entries = fp.map('xr_nexthops');
      const key = L.u32.encode({ value: Atomics.load(new Uint32Array(fp.map('xr_nexthop_slots').memory()), id) });
      const value = entries.lookup(key)!;
      const damaged = Buffer.from(value);
      const mtu = fieldAt(L.nexthop, 'mtu');
      damaged.writeUInt32LE(value.readUInt32LE(mtu) + 1, mtu);
      entries.update(key, damaged);
      return () => entries.update(key, value);
    },
  },
  {
    kind: 'ingress-word',
    key: /^ingress-word \d+: kernel slot (\d+) ([0-9a-f:]{17}) flags (0x[0-9a-f]+), fast path slot \1 (?!\2)[0-9a-f:]{17} flags \3$/m,
    damage: async (fp, lab) => {
      // the router's A side under another MAC: its frames would go up as another host's
      const words = new BigUint64Array(fp.map('xr_ingress').memory(), 0, L.INGRESS_DIRECT);
      const at = lab.router.toA.ifindex;
      const was = Atomics.load(words, at);
      Atomics.store(words, at, was ^ 0xffn);
      return () => Atomics.store(words, at, was);
    },
  },
  {
    kind: 'local6-filter',
    key: /^local6-filter 2001:db8:b::1: kernel local, fast path filter bit clear$/m,
    damage: async (fp) => {
      // the router's B-side address would be forwarded, not delivered
      const words = local6FilterWords(fp.map('xr_local6_filter'));
      const bit = local6FilterBit(address('2001:db8:b::1'));
      const at = bit >>> 5;
      const was = Atomics.load(words, at);
      Atomics.store(words, at, was & ~(1 << (bit & 31)));
      return () => Atomics.store(words, at, was);
    },
  },
  {
    kind: 'neighbour',
    key: /^neighbour .*198\.51\.100\.3: kernel ([0-9a-f:]{17}) .*, fast path (?!\1)/m,
    damage: async (fp, lab) => {
      // the permanent entry: a resolved one's state changes would have the daemon rewrite it meanwhile
      const neighbours = fp.map('xr_neigh4');
      const key = L.neigh4Key.encode({ ifindex: lab.router.toB.ifindex, addr: address(PERMANENT_NEIGHBOUR.address) });
      const value = neighbours.lookup(key)!;
      const damaged = Buffer.from(value);
      damaged[fieldAt(L.neigh, 'mac') + 5] ^= 1;
      neighbours.update(key, damaged);
      return () => neighbours.update(key, value);
    },
  },
  {
    kind: 'interface',
    key: /^interface \d+: kernel \{.*\}, fast path \{.*\}$/m,
    damage: changeFirst('xr_ifaces', (v) => v.writeUInt32LE(v.readUInt32LE(fieldAt(L.iface, 'mtu')) + 1, fieldAt(L.iface, 'mtu'))),
  },
  {
    kind: 'local-address',
    key: /^local-address 2001:db8:[ab]::1: kernel local, fast path \(none\)$/m,
    damage: async (fp) => {
      const locals = fp.map('xr_local6');
      const key = L.localKey6.encode({ addr: address('2001:db8:b::1') });
      const value = locals.lookup(key);
      if (!value) throw new Error('2001:db8:b::1 is not in xr_local6: the daemon did not take the router address');
      locals.delete(key);
      return () => locals.update(key, value);
    },
  },
];

describe('xdp-router verify finds each kind of damage', () => {
  let h: LabDaemon | undefined;

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX });
    const n = PERMANENT_NEIGHBOUR;
    await ip(['neigh', 'replace', n.address, 'lladdr', n.mac, 'dev', h.lab.router.toB.dev, 'nud', 'permanent'], h.lab.router.ns);
    await within(5_000, async () => [...(await h!.fp.neighbours()).values()].some((e) => e.mac === n.mac), 'the permanent neighbour in the fast path');
    const v = await cli(['verify', '--config', h.config.file]);
    expect(v.stdout).toContain('fast path and kernel agree');
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it.each(CASES)('$kind: $key', async ({ damage, key }) => {
    const repair = await damage(h!.fp, h!.lab);
    try {
      const v = await cli(['verify', '--config', h!.config.file]);
      expect(v.code, v.stdout + v.stderr).toBe(1);
      expect(v.stdout).toMatch(key);
    } finally {
      repair();
    }
    const after = await cli(['verify', '--config', h!.config.file]);
    expect(after.stdout).toContain('fast path and kernel agree');
  });
});
