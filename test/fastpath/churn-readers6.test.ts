// The IPv6 twin of churn-readers.test.ts: verdicts taken on libuv's threads
// while the JS thread pushes 100,000 random IPv6 route changes through the
// real reconciler into the real maps never name a next hop that the address
// did not have at some moment of the verdict's run (churn-support.ts). The
// prefixes nest from /16 to /128, so the index builds chains of groups,
// splits and merges them, frees them and reuses them after their grace
// period all along.
import { describe, expect, it } from 'vitest';
import { ipv6Frame } from '../../support/frames.js';
import { churnAgainstReaders, churnRig, MAX_CHURN_NEXTHOPS } from './churn-support.js';
import type { ChurnFamily } from './churn-support.js';

const CHANGES = 100_000;

const IPV6: ChurnFamily = {
  family: 6,
  routerAddresses: { in0: '2001:db8:1::1', out1: '2001:db8:ff::1', length: 64 },
  gateway: (g) => `2001:db8:ff::${(0x10 + g).toString(16)}`,
  catchAll: '2000::/8',
  // nested at every level of the index: the /24 table, then a group per 8 bits down to a /128's
  candidates: [
    '2001::/16', '2001::/20', '2001:db8::/29', '2001:db8::/32', '2001:db8::/36', '2001:db8:a00::/40', '2001:db8:a00::/44',
    '2001:db8:a10::/44', '2001:db8:a00::/48', '2001:db8:a01::/48', '2001:db8:a10::/48', '2001:db8:a00::/56', '2001:db8:a00:100::/56',
    '2001:db8:a00::/64', '2001:db8:a00:1::/64', '2001:db8:a01:5::/64', '2001:db8:a00::/120', '2001:db8:a00::6/127',
    '2001:db8:a00::7/128', '2001:db8:a00:1::77/128', '2001:db8:a01:5::1/128', '2001:db8:a10::1/128', '2001:db8:b00::/40',
    '2001:db8:b00::1/128',
  ],
  probes: [
    '2001:db8:a00::7', '2001:db8:a00::2', '2001:db8:a00::1:0', '2001:db8:a00:1::77', '2001:db8:a00:1::5', '2001:db8:a00:100::9',
    '2001:db8:a01:5::1', '2001:db8:a01:7::1', '2001:db8:a10::1', '2001:db8:a1f::1', '2001:db8:b00::1', '2001:db8:b00::2',
    '2001:db8:c00::1', '2001:db8:f000::1', '2001:1::1', '2001:dead::1',
  ],
  frame: (eth, dst) => ipv6Frame(eth, { src: '2001:db8:1::10', dst }),
};

describe('IPv6 verdicts under a concurrent writer', () => {
  const rig = churnRig(`xrt-churn6-${process.pid}`, IPV6);

  it(`${CHANGES.toLocaleString('en')} random changes from /16 to /128: every verdict names a next hop its address had during the run`, async () => {
    const { wrong, verdicts, held, changesPerSecond } = await churnAgainstReaders(rig(), IPV6, CHANGES, 0x6c0ffee);
    console.log(`IPv6 churn: ${changesPerSecond} changes/s written under the readers`);
    expect(wrong).toEqual([]);
    expect(verdicts).toBeGreaterThan(1000);
    const { fp, reconciler, route } = rig();
    // no entry was ever left to the trie for want of groups, and the index agrees with the trie
    expect(fp.fib6Lines()).toMatchObject({ marked: 0 });
    expect(await fp.fib6IndexMismatches()).toEqual([]);
    // the writer kept reusing ids and groups, not growing them: with the churn's routes gone, none is left
    for (const [prefix, g] of held) reconciler.applyEvent({ kind: 'route', op: 'del', replace: false, route: route(prefix, g) });
    await fp.gracePeriodsSettled();
    expect((await fp.nexthops()).size).toBeLessThanOrEqual(MAX_CHURN_NEXTHOPS);
    expect(fp.fib6Lines()).toMatchObject({ used: 0, retiring: 0, marked: 0 });
  });
});
