// The forward benchmark's forwarders, attached to the lab router's A side in
// xdp-router's place: the bpf_fib_lookup reference forwards what the kernel
// would, and the no-lookup redirect sends every frame from A on to B. Both
// must do it in XDP (r0's rx_queue_0_xdp_redirect), not leave it to the
// kernel, or the benchmark would measure the kernel under their names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachedProgram } from '../../bench/attached-program.js';
import { attachRedirectAll, attachReference } from '../../bench/lab-forwarders.js';
import { ip, run } from '../../router/lab/netns.js';
import { createLab, destroyLab, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { ping } from '../../router/lab/traffic.js';

const PREFIX = `xrt-bfw-${process.pid}`;
const PINGS = 10;

/** r0's count of frames its XDP program redirected (veth's ethtool statistics) */
async function redirectedOnA(lab: Lab): Promise<number> {
  const stats = await run(['ethtool', '-S', lab.router.toA.dev], lab.router.ns);
  const m = /rx_queue_0_xdp_redirect: (\d+)/.exec(stats);
  if (!m) throw new Error(`ethtool -S ${lab.router.toA.dev} shows no rx_queue_0_xdp_redirect: this kernel's veth does not count XDP redirects, and the test cannot tell who forwarded`);
  return Number(m[1]);
}

/** pings from A to addr with program attached on r0: how many came back, and how many frames r0's XDP redirected meanwhile */
async function pingThrough(lab: Lab, attach: (lab: Lab) => Promise<AttachedProgram>, addr: string): Promise<{ answered: number; redirected: number }> {
  const program = await attach(lab);
  try {
    const before = await redirectedOnA(lab);
    const answered = await ping(lab.a.ns, addr, PINGS);
    return { answered, redirected: (await redirectedOnA(lab)) - before };
  } finally {
    await program.detach();
  }
}

describe('the forward benchmark\'s forwarders on the lab router', () => {
  let lab: Lab | undefined;

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    await setKernelForwarding(lab, true);
    // a frame that needs ARP would go to the kernel (the reference) or to B (the redirect): every neighbour is static
    await ip(['neigh', 'replace', lab.b.v4, 'lladdr', lab.b.mac, 'dev', lab.router.toB.dev, 'nud', 'permanent'], lab.router.ns);
    await ip(['neigh', 'replace', lab.a.v4, 'lladdr', lab.a.mac, 'dev', lab.router.toA.dev, 'nud', 'permanent'], lab.router.ns);
    await ip(['neigh', 'replace', lab.router.toA.v4, 'lladdr', lab.router.toA.mac, 'dev', lab.a.dev, 'nud', 'permanent'], lab.a.ns);
  });

  afterAll(async () => {
    await destroyLab(PREFIX);
  });

  it('the bpf_fib_lookup reference forwards A\'s pings to B\'s remote prefix in XDP', async () => {
    const r = await pingThrough(lab!, attachReference, lab!.remote.v4);
    expect(r.answered).toBe(PINGS);
    expect(r.redirected).toBeGreaterThanOrEqual(PINGS);
  });

  it('the no-lookup redirect carries A\'s pings to B in XDP', async () => {
    const r = await pingThrough(lab!, attachRedirectAll, lab!.b.v4);
    expect(r.answered).toBe(PINGS);
    expect(r.redirected).toBeGreaterThanOrEqual(PINGS);
  });
});
