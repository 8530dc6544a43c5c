// The policy rules a fresh network namespace has, for scripted snapshots.
import type { KernelRule } from '../../router/sync/model.js';

const lookup = (family: 4 | 6, priority: number, table: number): KernelRule => ({ family, priority, action: 'lookup', table, invert: false, other: [] });

/** `ip rule` and `ip -6 rule` of a new namespace: local 0, main 32766 (and default 32767 for IPv4). */
export const DEFAULT_RULES: readonly KernelRule[] = [
  lookup(4, 0, 255),
  lookup(4, 32766, 254),
  lookup(4, 32767, 253),
  lookup(6, 0, 255),
  lookup(6, 32766, 254),
];

/** A rule with the given fields over a selectorless `lookup` rule. */
export const rule = (extra: Partial<KernelRule> & Pick<KernelRule, 'family' | 'priority'>): KernelRule => ({ action: 'lookup', table: 100, invert: false, other: [], ...extra });
