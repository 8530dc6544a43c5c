// PuntManager without root: a fake fast path and slow path, so the request
// checks, the rule ids and the capture filter are tested one case a line.
import { describe, expect, it } from 'vitest';
import type { FastPath, PuntRuleSpec } from '../../dataplane/fastpath.js';
import { PuntManager, type CapturedPacketView } from '../../router/punt/manager.js';
import { RequestError } from '../../router/routes/errors.js';
import type { CaptureListener, SlowPath } from '../../router/slowpath/service.js';
import { IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, ipv4Frame, ipv6Frame } from '../../support/frames.js';

const ETH = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };

function fixture(running = true) {
  const rules = new Map<string, PuntRuleSpec & { id: number }>();
  const listeners = new Set<CaptureListener>();
  const fp = {
    puntRules: async () => [...rules.values()],
    setPuntRule: (id: number, rule: PuntRuleSpec) => rules.set(rule.prefix, { id, ...rule }),
    deletePuntRule: (prefix: string) => rules.delete(prefix),
    puntStats: (id: number) => ({ packets: BigInt(id * 10), bytes: BigInt(id * 1000) }),
  } as unknown as FastPath;
  const slowPath = {
    capture: (l: CaptureListener) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  } as unknown as SlowPath;
  const punt = new PuntManager({ fp, slowPath: () => (running ? slowPath : undefined), interfaceName: (i) => `eth${i}` });
  const punted = (data: Buffer) => {
    for (const l of listeners) l({ ifindex: 3, queue: 1, timeNs: 5_000_000_123n, data });
  };
  return { punt, rules, listeners, punted };
}

async function statusOf(work: () => unknown): Promise<string> {
  try {
    await work();
    return 'OK';
  } catch (err) {
    if (err instanceof RequestError) return `${err.status} ${err.message}`;
    throw err;
  }
}

describe('punt rules', () => {
  it('takes the lowest free id, keeps the canonical prefix, names protocols, and counts', async () => {
    const { punt } = fixture();
    expect(await punt.addRule({ prefix: '203.0.113.0/24', protocol: 'udp', port: 53 })).toEqual({ id: 0, prefix: '203.0.113.0/24', protocol: 'udp', port: 53, packets: 0n, bytes: 0n });
    expect((await punt.addRule({ prefix: '2001:db8:cafe::/48', protocol: 'icmp', port: 0 })).protocol).toBe('icmp');
    expect((await punt.addRule({ prefix: '198.51.100.7', protocol: '47', port: 0 })).prefix).toBe('198.51.100.7/32');
    await punt.deleteRule('2001:db8:cafe::/48');
    expect((await punt.addRule({ prefix: '2001:db8:f00d::/48', protocol: 'TCP', port: 443 })).id).toBe(1);
    expect((await punt.listRules()).map((r) => [r.id, r.prefix, r.protocol, r.port, r.packets])).toEqual([
      [0, '203.0.113.0/24', 'udp', 53, 0n],
      [1, '2001:db8:f00d::/48', 'tcp', 443, 10n],
      [2, '198.51.100.7/32', '47', 0, 20n],
    ]);
  });

  it('icmp on an IPv6 prefix is ICMPv6 in the map', async () => {
    const { punt, rules } = fixture();
    await punt.addRule({ prefix: '2001:db8::/32', protocol: 'icmp', port: 0 });
    expect(rules.get('2001:db8::/32')).toEqual({ id: 0, prefix: '2001:db8::/32', protocol: IPPROTO_ICMPV6 });
  });

  it.each([
    [{ prefix: '203.0.113.0/33', protocol: '', port: 0 }, /^INVALID_ARGUMENT rule\.prefix: /],
    [{ prefix: '203.0.113.1/24', protocol: '', port: 0 }, /^INVALID_ARGUMENT rule\.prefix: .*host bits/],
    [{ prefix: '203.0.113.0/24', protocol: 'gre', port: 0 }, /^INVALID_ARGUMENT rule\.protocol: "gre" is not/],
    [{ prefix: '203.0.113.0/24', protocol: 'icmp', port: 7 }, /^INVALID_ARGUMENT rule\.port: a port needs protocol tcp or udp/],
    [{ prefix: '203.0.113.0/24', protocol: 'udp', port: 65536 }, /^INVALID_ARGUMENT rule\.port: 65536 is out of range/],
    [{ prefix: '198.51.100.0/24', protocol: '', port: 0 }, /^ALREADY_EXISTS 198\.51\.100\.0\/24 has a punt rule already/],
  ])('refuses %j and changes nothing', async (req, status) => {
    const { punt, rules } = fixture();
    await punt.addRule({ prefix: '198.51.100.0/24', protocol: 'tcp', port: 22 });
    expect(await statusOf(() => punt.addRule(req))).toMatch(status);
    expect([...rules.keys()]).toEqual(['198.51.100.0/24']);
  });

  it('deleting an unknown prefix is NOT_FOUND', async () => {
    expect(await statusOf(() => fixture().punt.deleteRule('192.0.2.0/24'))).toBe('NOT_FOUND 192.0.2.0/24 has no punt rule');
  });

  it('without a slow path: FAILED_PRECONDITION saying why, and an empty list', async () => {
    const { punt } = fixture(false);
    for (const work of [
      () => punt.addRule({ prefix: '192.0.2.0/24', protocol: '', port: 0 }),
      () => punt.deleteRule('192.0.2.0/24'),
      () => punt.capture({ prefix: '', protocol: '', port: 0, maxPackets: 0 }, () => {}, () => {}),
    ]) {
      expect(await statusOf(work)).toMatch(/^FAILED_PRECONDITION .*only compiled into the fast path when the config has at least one punt rule/);
    }
    expect(await punt.listRules()).toEqual([]);
  });
});

describe('capture', () => {
  const udp4 = ipv4Frame(ETH, { src: '192.0.2.2', dst: '203.0.113.10', proto: IPPROTO_UDP, sport: 40000, dport: 5201 });
  const tcp4 = ipv4Frame(ETH, { src: '203.0.113.10', dst: '192.0.2.2', proto: IPPROTO_TCP, sport: 443, dport: 40001 });
  const icmp6 = ipv6Frame(ETH, { src: '2001:db8:a::2', dst: '2001:db8:cafe::10', proto: IPPROTO_ICMPV6 });
  const frames = { udp4, tcp4, icmp6 };

  it.each([
    [{}, ['udp4', 'tcp4', 'icmp6']],
    [{ prefix: '203.0.113.0/24' }, ['udp4', 'tcp4']],
    [{ prefix: '2001:db8:cafe::/48' }, ['icmp6']],
    [{ protocol: 'icmp' }, ['icmp6']],
    [{ protocol: 'tcp' }, ['tcp4']],
    [{ port: 443 }, ['tcp4']],
    [{ port: 5201, protocol: 'udp' }, ['udp4']],
  ])('filter %j passes %j', (filter, passed) => {
    const { punt, punted } = fixture();
    const seen: string[] = [];
    punt.capture({ prefix: '', protocol: '', port: 0, maxPackets: 0, ...filter }, (p) => seen.push(Object.keys(frames).find((k) => frames[k as keyof typeof frames].equals(p.data))!), () => {});
    for (const f of Object.values(frames)) punted(f);
    expect(seen).toEqual(passed);
  });

  it('gives a copy with the interface name, stops after maxPackets, and unsubscribes', () => {
    const { punt, punted, listeners } = fixture();
    const seen: CapturedPacketView[] = [];
    let ended = 0;
    punt.capture({ prefix: '', protocol: '', port: 0, maxPackets: 2 }, (p) => seen.push(p), () => ended++);
    for (let i = 0; i < 4; i++) punted(udp4);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ interface: 'eth3', queue: 1, timeNs: 5_000_000_123n });
    expect(seen[0]!.data).not.toBe(udp4);
    expect(ended).toBe(1);
    expect(listeners.size).toBe(0);
  });

  it('refuses a bad filter naming the field', async () => {
    const { punt } = fixture();
    const capture = (f: object) => () => punt.capture({ prefix: '', protocol: '', port: 0, maxPackets: 0, ...f }, () => {}, () => {});
    expect(await statusOf(capture({ prefix: '10.0.0.1/8' }))).toMatch(/^INVALID_ARGUMENT filter\.prefix: .*host bits/);
    expect(await statusOf(capture({ protocol: 'icmp', port: 1 }))).toMatch(/^INVALID_ARGUMENT filter\.port: /);
    expect(await statusOf(capture({ protocol: 'x' }))).toMatch(/^INVALID_ARGUMENT filter\.protocol: /);
  });
});
