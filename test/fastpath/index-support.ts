// What the index tests (fib4-index, fib6-index) share: a fixture whose
// verdicts come from the FIB alone, and a daemon restart over pinned maps.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { FastPath } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import { createFixture } from './fixture.js';
import type { Fixture } from './fixture.js';

/** Route types whose verdict names them, so a verdict tells which route matched. */
const TYPES = ['blackhole', 'unreachable', 'kernel'] as const;
const REASON: Record<(typeof TYPES)[number] | 'none', Reason> = {
  blackhole: 'drop-blackhole',
  unreachable: 'pass-unreachable',
  kernel: 'pass-kernel-route',
  none: 'pass-no-route',
};

/**
 * 1,500 random adds and deletes of typed routes at the prefixes `prefix`
 * draws; every 300 changes, the program's verdict for 60 addresses
 * `address` draws (a frame to each from `frame`) against the one the
 * trie's longest match names. Returns the prefixes left held.
 */
export async function changesAgainstTrie(fixture: Fixture, rand: () => number, prefix: () => string, address: () => string, frame: (dst: string) => Buffer): Promise<Set<string>> {
  const fp = fixture.fp;
  const held = new Set<string>();
  // the router's own addresses are delivered before any route is looked at
  const locals = new Set(await fp.localAddresses());
  for (let step = 1; step <= 1500; step++) {
    if (held.size > 0 && rand() < 0.35) {
      const victim = [...held][Math.floor(rand() * held.size)]!;
      fp.deleteRoute(victim);
      held.delete(victim);
    } else {
      const p = prefix();
      fp.setRoute(p, { type: TYPES[Math.floor(rand() * TYPES.length)]! });
      held.add(p);
    }
    if (step % 300 !== 0) continue;
    for (let i = 0; i < 60; i++) {
      const dst = address();
      if (locals.has(dst)) continue;
      const route = fp.lookupRoute(dst);
      // the fixture's own unicast routes resolve further; only the typed verdicts name their route
      if (route && !(TYPES as readonly string[]).includes(route.type)) continue;
      const expected = REASON[(route?.type ?? 'none') as keyof typeof REASON];
      expect((await fixture.run(frame(dst))).reasons, `${dst} after ${step} changes (trie: ${JSON.stringify(route)})`).toEqual([expected]);
    }
  }
  return held;
}

/**
 * The fast-path fixture for this file, without its punt rules (matched
 * before the FIB, they would answer for some addresses): the returned
 * function gives it once beforeAll has run; afterAll tears it down.
 */
export function indexFixture(name: string): () => Fixture {
  let fixture: Fixture | undefined;
  beforeAll(async () => {
    fixture = await createFixture(name);
    for (const rule of await fixture.fp.puntRules()) fixture.fp.deletePuntRule(rule.prefix);
  });
  afterAll(async () => {
    await fixture?.teardown();
  });
  return () => fixture!;
}

/*
 * A restart: a first fast path writes its maps and goes without unpinning
 * (as kill -9 leaves them), a second opens the same pins and adopts them.
 */

/**
 * fill writes the first fast path and returns what check needs to compare;
 * check gets the second, which adopted the pins. The pins go in any case.
 */
export async function acrossRestart<T>(ns: string, name: string, fill: (first: FastPath) => Promise<T>, check: (second: FastPath, before: T) => Promise<void>): Promise<void> {
  const pinDir = `/sys/fs/bpf/xrt-${name}-${process.pid}`;
  try {
    const first = await FastPath.open({ netns: ns, pinDir });
    let before: T;
    try {
      before = await fill(first);
    } finally {
      first.close();
    }
    const second = await FastPath.open({ netns: ns, pinDir });
    try {
      expect(second.adoptedPins).toBe(true);
      await check(second, before);
    } finally {
      second.unpin();
      second.close();
    }
  } finally {
    rmSync(pinDir, { recursive: true, force: true });
  }
}
