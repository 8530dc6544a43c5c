// The forwarders the forward benchmark puts on the lab router's ingress veth
// in xdp-router's place: the bpf_fib_lookup reference (bpf/bench/fib_ref.c,
// what xdp-tools' xdp-forward and the kernel's xdp_fwd sample do: the
// kernel's FIB and neighbours, MACs, TTL, a devmap redirect) and the
// no-lookup redirect (bpf/bench/redirect_all.c: fixed MACs and egress, the
// most any forwarder could carry over the same two veth hops).
import { parseMac } from '../dataplane/addr.js';
import type { Lab } from '../router/lab/topology.js';
import { AttachedProgram, u32 } from './attached-program.js';

/** the devmap slot redirect_all.c sends every frame to (REDIRECT_PORT) */
const REDIRECT_PORT = 0;

/**
 * The reference on the router's A side. It reads the router namespace's
 * kernel (routes, neighbours, forwarding on), so it forwards what the
 * kernel would, and may redirect to either of the router's devices.
 */
export function attachReference(lab: Lab): Promise<AttachedProgram> {
  const { toA, toB } = lab.router;
  return AttachedProgram.attach(lab.router.ns, toA.dev, 'fib_ref', 'xdp_fib_ref', {
    fillMaps: (p) => {
      for (const dev of [toA, toB]) p.map('ref_tx_ports').update(u32(dev.ifindex), u32(dev.ifindex));
    },
  });
}

/** Every frame arriving from A leaves towards B, addressed to B, with no look at what it carries. */
export function attachRedirectAll(lab: Lab): Promise<AttachedProgram> {
  const { toA, toB } = lab.router;
  return AttachedProgram.attach(lab.router.ns, toA.dev, 'redirect_all', 'xdp_redirect_all', {
    setConsts: (p) => p.setConst('redirect_macs', Buffer.concat([parseMac(lab.b.mac), parseMac(toB.mac)])),
    fillMaps: (p) => p.map('redirect_port').update(u32(REDIRECT_PORT), u32(toB.ifindex)),
  });
}
