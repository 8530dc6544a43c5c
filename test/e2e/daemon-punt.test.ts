// Punt rules from the config file: the daemon compiles the punt stage in,
// binds its AF_XDP sockets and forwards the punted flow in userspace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { createLab, destroyLab, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { openPinned, startDaemonProcess, stopProcess, within, writeLabConfig } from '../helpers/daemon.js';
import type { DaemonProcess } from '../helpers/daemon.js';
import { ping, udpStream } from '../helpers/traffic.js';

const PREFIX = `xrt-dp-${process.pid}`;

describe('the daemon with punt rules in its config', () => {
  let lab: Lab;
  let config: ReturnType<typeof writeLabConfig>;
  let daemon: DaemonProcess | undefined;
  let fp: FastPath | undefined;

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    await setKernelForwarding(lab, true);
    config = writeLabConfig(PREFIX, `punt:\n  - prefix: ${lab.remote.prefix4}\n    protocol: udp\n`);
    daemon = await startDaemonProcess(config.file);
    fp = await openPinned(lab.router.ns, config.pinDir);
  });

  afterAll(async () => {
    try {
      fp?.close();
      await stopProcess(daemon);
    } finally {
      config?.cleanup();
      await destroyLab(PREFIX);
    }
  });

  it('loads the rule and binds a socket per queue', async () => {
    await within(5000, () => daemon!.log().includes('"msg":"slow path running"'), 'slow path started');
    expect(await fp!.puntRules()).toEqual([{ id: 0, prefix: lab.remote.prefix4, protocol: 17 }]);
    expect(daemon!.log()).toMatch(/"msg":"AF_XDP socket bound","interface":"r0","queue":0,"mode":"(copy|zerocopy)"/);
  });

  it('with kernel forwarding off, the punted UDP flow crosses through userspace, ICMP through XDP', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1); // neighbours resolved while the kernel forwards
    expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(1);
    await setKernelForwarding(lab, false);
    try {
      const punted = fp!.puntStats(0).packets;
      const r = await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 1000, 1000);
      expect(r).toMatchObject({ sent: 1000, unique: 1000, corrupt: 0 });
      expect(fp!.puntStats(0).packets - punted).toBeGreaterThanOrEqual(1000n);
      expect(await ping(lab.a.ns, lab.remote.v4, 3)).toBe(3);
    } finally {
      await setKernelForwarding(lab, true);
    }
  });
});
