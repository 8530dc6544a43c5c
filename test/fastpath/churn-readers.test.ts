// The program reads its tables while the daemon writes them: verdicts taken
// with BPF_PROG_TEST_RUN on libuv's threads, while the JS thread pushes
// 100,000 random IPv4 route changes through the real reconciler into the
// real maps, never name a next hop that the address did not have at some
// moment of the verdict's run (churn-support.ts). Next-hop ids and tbl8
// groups are freed and reused all along.
import { describe, expect, it } from 'vitest';
import { ipv4Frame } from '../../support/frames.js';
import { churnAgainstReaders, churnRig, MAX_CHURN_NEXTHOPS } from './churn-support.js';
import type { ChurnFamily } from './churn-support.js';

const CHANGES = 100_000;

const IPV4: ChurnFamily = {
  family: 4,
  routerAddresses: { in0: '192.0.2.1', out1: '198.51.100.1', length: 24 },
  gateway: (g) => `198.51.100.${10 + g}`,
  catchAll: '10.0.0.0/8',
  // nested, from /16 to /32, over three /24s
  candidates: [
    '10.1.0.0/16', '10.1.2.0/23', '10.1.2.0/24', '10.1.3.0/24', '10.1.4.0/24', '10.1.2.0/25', '10.1.2.128/25', '10.1.3.0/26',
    '10.1.3.64/27', '10.1.4.96/27', '10.1.2.16/28', '10.1.3.96/28', '10.1.4.100/30', '10.1.2.7/32', '10.1.2.200/32', '10.1.3.70/32',
    '10.1.4.101/32', '10.1.2.6/31', '10.1.3.68/30', '10.1.4.0/25',
  ],
  probes: ['10.1.2.7', '10.1.2.200', '10.1.2.20', '10.1.3.70', '10.1.3.100', '10.1.4.101', '10.1.4.5', '10.1.5.1'],
  frame: (eth, dst) => ipv4Frame(eth, { src: '192.0.2.10', dst }),
};

describe('IPv4 verdicts under a concurrent writer', () => {
  const rig = churnRig(`xrt-churn-${process.pid}`, IPV4);

  it(`${CHANGES.toLocaleString('en')} random changes: every verdict names a next hop its address had during the run`, async () => {
    const { wrong, verdicts } = await churnAgainstReaders(rig(), IPV4, CHANGES, 0xc0ffee);
    expect(wrong).toEqual([]);
    expect(verdicts).toBeGreaterThan(1000);
    // the writer kept reusing ids and groups, not growing them
    const { fp } = rig();
    await fp.gracePeriodsSettled();
    expect((await fp.nexthops()).size).toBeLessThanOrEqual(MAX_CHURN_NEXTHOPS);
    // and two groups for good: the /24s of the router's two addresses, /32s of the index
    expect(fp.fib4Groups()!.used).toBeLessThanOrEqual(3 + 2);
  });
});
