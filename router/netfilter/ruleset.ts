// Which forwarded traffic a netfilter ruleset could drop, change or track,
// read from `nft -j list ruleset` (iptables-nft rules show there too). The
// fast path redirects in XDP, before every netfilter hook, so that traffic
// must go up to the kernel. Rules are scoped by their own top-level
// interface matches: a rule that matches `iifname "r0"` can only see what
// arrives on r0, so only r0's traffic goes up for it; a rule with no such
// match could see any packet, so all traffic goes up.
import type { NetfilterScope } from '../sync/desired.js';

/** Hooks forwarded traffic crosses, by table family. */
const FORWARD_HOOKS: Readonly<Record<string, readonly string[]>> = {
  ip: ['prerouting', 'forward', 'postrouting'],
  ip6: ['prerouting', 'forward', 'postrouting'],
  inet: ['prerouting', 'forward', 'postrouting'],
  // netdev chains sit on a device, behind XDP on its way in and out
  netdev: ['ingress', 'egress'],
};
const INGRESS_KEYS = new Set(['iifname', 'iif']);
const EGRESS_KEYS = new Set(['oifname', 'oif']);

/** A base chain on a forwarding hook that is not empty, and what it takes from the fast path. */
export interface NetfilterChain {
  /** "family name", as `nft list table` takes it */
  table: string;
  chain: string;
  hook: string;
  /** interface names whose incoming / outgoing traffic goes up for it; null: all traffic */
  ingress: string[] | null;
  egress: string[];
}

interface NftChain {
  family: string;
  table: string;
  name: string;
  hook?: string;
  policy?: string;
  dev?: string | string[];
}

interface NftRule {
  family: string;
  table: string;
  chain: string;
  expr?: unknown[];
}

/** The names a `meta iifname == "x"` (or `{ "x", "y" }`) match allows; null when it is no such match. */
function interfaceMatch(expr: unknown): { key: string; names: string[] } | null {
  const match = (expr as { match?: { op?: string; left?: { meta?: { key?: string } }; right?: unknown } }).match;
  const key = match?.left?.meta?.key;
  if (!match || !key || !(INGRESS_KEYS.has(key) || EGRESS_KEYS.has(key))) return null;
  if (match.op !== '==' && match.op !== 'in') return null;
  const right = match.right as unknown;
  if (typeof right === 'string') return { key, names: [right] };
  const set = (right as { set?: unknown[] } | null)?.set;
  if (Array.isArray(set) && set.every((n) => typeof n === 'string')) return { key, names: set as string[] };
  return null;
}

/** A rule's scope: the interfaces its own matches restrict it to, ingress first. */
function ruleScope(rule: NftRule): { ingress: string[] | null; egress: string[] } {
  let ingress: string[] | null = null;
  let egress: string[] | null = null;
  for (const expr of rule.expr ?? []) {
    const m = interfaceMatch(expr);
    if (!m) continue;
    if (INGRESS_KEYS.has(m.key)) ingress = m.names;
    else egress = m.names;
  }
  // a rule that needs both sees only what arrives on its iif: one side is enough
  if (ingress) return { ingress, egress: [] };
  if (egress) return { ingress: [], egress };
  return { ingress: null, egress: [] };
}

const asList = (dev: string | string[] | undefined): string[] | null => (dev === undefined ? null : Array.isArray(dev) ? dev : [dev]);

/** The base chains on forwarding hooks that could touch forwarded traffic, with their scope. */
export function forwardingChains(ruleset: unknown): NetfilterChain[] {
  const items = (ruleset as { nftables?: unknown[] })?.nftables;
  if (!Array.isArray(items)) throw new Error('nft -j list ruleset: no "nftables" array in its output');
  const chains = new Map<string, { chain: NftChain; rules: NftRule[] }>();
  const id = (family: string, table: string, chain: string): string => `${family} ${table} ${chain}`;
  for (const item of items) {
    const c = (item as { chain?: NftChain }).chain;
    if (c?.hook && FORWARD_HOOKS[c.family]?.includes(c.hook)) chains.set(id(c.family, c.table, c.name), { chain: c, rules: [] });
    const r = (item as { rule?: NftRule }).rule;
    if (r) chains.get(id(r.family, r.table, r.chain))?.rules.push(r);
  }
  const out: NetfilterChain[] = [];
  for (const { chain, rules } of chains.values()) {
    const base = { table: `${chain.family} ${chain.table}`, chain: chain.name, hook: chain.hook! };
    // a drop policy takes whatever no rule accepted: every packet
    if (chain.policy === 'drop') {
      out.push({ ...base, ingress: null, egress: [] });
      continue;
    }
    if (rules.length === 0) continue;
    if (chain.family === 'netdev') {
      const devices = asList(chain.dev);
      out.push(chain.hook === 'egress' && devices ? { ...base, ingress: [], egress: devices } : { ...base, ingress: devices, egress: [] });
      continue;
    }
    const ingress = new Set<string>();
    const egress = new Set<string>();
    let all = false;
    for (const rule of rules) {
      const s = ruleScope(rule);
      if (s.ingress === null) all = true;
      else for (const n of s.ingress) ingress.add(n);
      for (const n of s.egress) egress.add(n);
    }
    out.push({ ...base, ingress: all ? null : [...ingress], egress: all ? [] : [...egress] });
  }
  return out;
}

/** The chains' union as interface flags (names as nft writes them, `*` patterns too). */
export function netfilterScope(chains: NetfilterChain[]): NetfilterScope {
  if (chains.some((c) => c.ingress === null)) return { ingress: new Set(), egress: new Set(), all: true };
  return { ingress: new Set(chains.flatMap((c) => c.ingress ?? [])), egress: new Set(chains.flatMap((c) => c.egress)), all: false };
}
