// Policy routing (`ip rule`) as the fast path sees it. The program holds one
// FIB, the main table, which is what the kernel's default rules (local, then
// main, then default) answer from. Any other rule can send a packet to
// another table, or stop it, so every packet such a rule could select goes
// to the kernel: the rule's destination prefix (a `to` rule), its ingress
// interface (an `iif` rule without `to`), or, for whatever else can select a
// packet (fwmark, uidrange, l3mdev, tos, ports, a `from` alone, `not`...),
// all traffic.
import { maskAddress, parsePrefix } from '../../dataplane/addr.js';
import type { KernelRule } from './model.js';

/** The rules every namespace starts with: lookup local at 0, main at 32766, default at 32767. */
const DEFAULT_RULES: ReadonlyArray<{ priority: number; table: number }> = [
  { priority: 0, table: 255 },
  { priority: 32766, table: 254 },
  { priority: 32767, table: 253 },
];
const MAIN_RULE_PRIORITY = 32766;
const MAIN_TABLE = 254;

/** How the fast path keeps out of a rule's way. */
export type RuleHandling =
  /** a default rule: the FIB the fast path holds */
  | { kind: 'default' }
  /** packets to `prefix` ("family|prefix") go up, whatever their source */
  | { kind: 'destination'; prefix: string }
  /** packets arriving on the interface named `iif` go up */
  | { kind: 'ingress'; iif: string }
  /** every packet goes up, on every interface */
  | { kind: 'all'; why: string };

export interface HandledRule {
  rule: KernelRule;
  handling: RuleHandling;
}

/** What the rules take from the fast path, all of it counted as pass-policy. */
export interface PolicyPlan {
  /** destination prefixes ("family|prefix") left to the kernel */
  destinations: ReadonlySet<string>;
  /** ingress interfaces (by name) whose traffic is left to the kernel */
  ingress: ReadonlySet<string>;
  /** why all traffic is left to the kernel; null when it is not */
  all: string | null;
  rules: HandledRule[];
}

const isSelectorless = (r: KernelRule): boolean =>
  r.action === 'lookup' && !r.invert && !r.from && !r.to && !r.iif && !r.oif && r.other.length === 0;

function isDefault(r: KernelRule): boolean {
  return isSelectorless(r) && DEFAULT_RULES.some((d) => d.priority === r.priority && d.table === r.table);
}

/** A rule's selectors and action in `ip rule` words, for logs and status. */
export function describeRule(r: KernelRule): string {
  const words = [`${r.priority}:`];
  if (r.invert) words.push('not');
  words.push(`from ${r.from ?? 'all'}`);
  if (r.to) words.push(`to ${r.to}`);
  if (r.iif) words.push(`iif ${r.iif}`);
  if (r.oif) words.push(`oif ${r.oif}`);
  words.push(...r.other);
  words.push(r.action === 'lookup' ? `lookup ${r.table}` : r.action);
  return `${words.join(' ')} (IPv${r.family})`;
}

export function describeHandling(h: RuleHandling): string {
  switch (h.kind) {
    case 'default':
      return 'default rule: the fast path holds its table (main) or leaves it to the kernel (local, default)';
    case 'destination':
      return `traffic to ${h.prefix.slice(2)} goes to the kernel (pass-policy)`;
    case 'ingress':
      return `traffic arriving on ${h.iif} goes to the kernel (pass-policy)`;
    case 'all':
      return `all traffic goes to the kernel (pass-policy): ${h.why}`;
  }
}

function handle(r: KernelRule): RuleHandling {
  if (isDefault(r)) return { kind: 'default' };
  // `not to P` selects everything outside P: no prefix bounds it
  if (r.invert) return { kind: 'all', why: 'an inverted rule (not) can select any packet' };
  if (r.to) return { kind: 'destination', prefix: `${r.family}|${r.to}` };
  // whatever else it matches on, it only sees packets that arrive on iif
  if (r.iif) return { kind: 'ingress', iif: r.iif };
  const what = r.other.length > 0 ? r.other.join(', ') : r.from ? 'a source prefix without iif' : r.oif ? 'oif' : `lookup ${r.table} for every packet`;
  return { kind: 'all', why: `a rule on ${what} can select any packet` };
}

export function planPolicy(rules: Iterable<KernelRule>): PolicyPlan {
  const destinations = new Set<string>();
  const ingress = new Set<string>();
  let all: string | null = null;
  const handled: HandledRule[] = [];
  const mainFamilies = new Set<number>();
  for (const rule of rules) {
    const handling = handle(rule);
    handled.push({ rule, handling });
    if (handling.kind === 'destination') destinations.add(handling.prefix);
    else if (handling.kind === 'ingress') ingress.add(handling.iif);
    else if (handling.kind === 'all') all ??= `${describeRule(rule)}: ${handling.why}`;
    if (isSelectorless(rule) && rule.priority === MAIN_RULE_PRIORITY && rule.table === MAIN_TABLE) mainFamilies.add(rule.family);
  }
  // without its main rule the kernel never reads the table the fast path holds
  for (const family of [4, 6]) if (!mainFamilies.has(family)) all ??= `no rule 32766 lookup main for IPv${family}`;
  handled.sort((a, b) => a.rule.family - b.rule.family || a.rule.priority - b.rule.priority);
  return { destinations, ingress, all, rules: handled };
}

/** The family|prefix keys' containment: does `outer` hold every address of `inner`? */
export function prefixCovers(outer: string, inner: string): boolean {
  if (outer[0] !== inner[0]) return false;
  const o = parsePrefix(outer.slice(2));
  const i = parsePrefix(inner.slice(2));
  return o.length <= i.length && maskAddress(i.addr, o.length).equals(o.addr);
}
