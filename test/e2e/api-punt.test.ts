// Punt rules and capture over the API and the command line, on a daemon
// whose config has one punt rule (so its slow path runs): rules added,
// listed with moving counters and deleted; bad requests refused with their
// status and changing nothing; punted frames streamed and written to a pcap
// file that tcpdump reads.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClients } from '../../router/api/client.js';
import type { AddPuntRuleResponse__Output } from '../../router/api/generated/xdprouter/v1/AddPuntRuleResponse.js';
import type { CapturedPacket__Output } from '../../router/api/generated/xdprouter/v1/CapturedPacket.js';
import type { ListPuntRulesResponse__Output } from '../../router/api/generated/xdprouter/v1/ListPuntRulesResponse.js';
import type { PuntRule } from '../../router/api/generated/xdprouter/v1/PuntRule.js';
import { LAB_ADDRESSES } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { parsePacket } from '../../router/slowpath/frame.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { collect, refusal, unary } from '../helpers/api.js';
import { cli } from '../helpers/router.js';
import { ping, udpStream } from '../../router/lab/traffic.js';

const PREFIX = `xrt-apipunt-${process.pid}`;
const execFileP = promisify(execFile);

describe('punt rules and capture over the API', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let config: DaemonConfig;
  let api: ApiClients;
  const x = (...args: string[]) => cli([...args, '--config', config.file]);
  const list = async () => (await unary<ListPuntRulesResponse__Output>((cb) => api.punt.ListPuntRules({}, cb))).rules;
  const add = (rule: PuntRule) => unary<AddPuntRuleResponse__Output>((cb) => api.punt.AddPuntRule({ rule }, cb));
  const del = (prefix: string) => unary((cb) => api.punt.DeletePuntRule({ prefix }, cb));

  beforeAll(async () => {
    h = await startLabDaemon({
      prefix: PREFIX,
      extraConfig: `punt:\n  - prefix: ${LAB_ADDRESSES.remote.prefix4}\n    protocol: udp\n`,
      waitFor: [{ msg: 'slow path running', count: 1 }],
    });
    ({ lab, config, api } = h);
    // neighbours resolved while the kernel forwards
    expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(1);
    expect(await ping(lab.a.ns, lab.remote.v6, 1)).toBe(1);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  const configRule = { id: 0, prefix: '203.0.113.0/24', protocol: 'udp', port: 0 };

  it('AddPuntRule for the IPv6 remote prefix takes the lowest free id; ListPuntRules shows it with counters that move', async () => {
    const added = await add({ prefix: lab.remote.prefix6, protocol: 'udp', port: 5201 });
    expect(added.rule).toEqual({ id: 1, prefix: '2001:db8:cafe::/48', protocol: 'udp', port: 5201, packets: '0', bytes: '0' });
    expect((await list()).map(({ packets: _p, bytes: _b, ...r }) => r)).toEqual([configRule, { id: 1, prefix: '2001:db8:cafe::/48', protocol: 'udp', port: 5201 }]);

    await udpStream(lab.a.ns, lab.b.ns, lab.remote.v6, 300, 1000);
    const v6 = (await list()).find((r) => r.id === 1)!;
    expect(BigInt(v6.packets)).toBeGreaterThanOrEqual(300n);
    expect(BigInt(v6.bytes)).toBeGreaterThan(BigInt(v6.packets) * 48n);
    await del(lab.remote.prefix6);
  });

  it('bad requests get their status, name the field, and change nothing', async () => {
    const before = (await list()).map((r) => [r.id, r.prefix, r.protocol, r.port]);
    const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
      [() => add({ prefix: '203.0.113.300/24', protocol: 'udp' }), 'INVALID_ARGUMENT', /^rule\.prefix: /],
      [() => add({ prefix: '' }), 'INVALID_ARGUMENT', /^rule\.prefix: empty/],
      [() => add({ prefix: '198.51.100.1/24' }), 'INVALID_ARGUMENT', /^rule\.prefix: .*host bits set/],
      [() => add({ prefix: '198.51.100.0/24', protocol: 'icmp', port: 53 }), 'INVALID_ARGUMENT', /^rule\.port: a port needs protocol tcp or udp/],
      [() => add({ prefix: '198.51.100.0/24', port: 53 }), 'INVALID_ARGUMENT', /^rule\.port: a port needs protocol tcp or udp/],
      [() => add({ prefix: '198.51.100.0/24', protocol: 'tcp', port: 70000 }), 'INVALID_ARGUMENT', /^rule\.port: 70000 is out of range/],
      [() => add({ prefix: '198.51.100.0/24', protocol: 'sctpx' }), 'INVALID_ARGUMENT', /^rule\.protocol: "sctpx" is not tcp, udp, icmp or a protocol number/],
      [() => add({ prefix: '198.51.100.0/24', protocol: '256' }), 'INVALID_ARGUMENT', /^rule\.protocol: /],
      [() => add({ prefix: lab.remote.prefix4, protocol: 'tcp' }), 'ALREADY_EXISTS', /^203\.0\.113\.0\/24 has a punt rule already/],
      [() => del('198.51.100.0/24'), 'NOT_FOUND', /^198\.51\.100\.0\/24 has no punt rule/],
      [() => del('198.51.100.0/33'), 'INVALID_ARGUMENT', /^prefix: /],
      [() => collect(api.status.CapturePackets({ filter: { protocol: 'icmp', port: 7 } })), 'INVALID_ARGUMENT', /^filter\.port: /],
      [() => collect(api.status.CapturePackets({ filter: { prefix: '10.0.0.1/8' } })), 'INVALID_ARGUMENT', /^filter\.prefix: .*host bits/],
    ];
    // each call made only when awaited: a refusal must not go unhandled meanwhile
    for (const [call, code, details] of cases) {
      const r = await refusal(call());
      expect(r.code, r.details).toBe(code);
      expect(r.details).toMatch(details);
    }
    expect((await list()).map((r) => [r.id, r.prefix, r.protocol, r.port])).toEqual(before);
  });

  it('DeletePuntRule removes the rule and frees its id', async () => {
    await add({ prefix: lab.remote.prefix6, protocol: 'udp' });
    await del(lab.remote.prefix6);
    expect((await list()).map((r) => r.prefix)).toEqual([lab.remote.prefix4]);
    expect((await add({ prefix: lab.remote.prefix6, protocol: 'icmp' })).rule).toMatchObject({ id: 1, protocol: 'icmp' });
    await del(lab.remote.prefix6);
  });

  it('CapturePackets streams the punted frames that pass the filter and ends after maxPackets', async () => {
    const captured = collect<CapturedPacket__Output>(api.status.CapturePackets({ filter: { prefix: lab.remote.prefix4, protocol: 'udp', port: 5201, maxPackets: 5 } }));
    await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 500, 1000);
    const frames = await captured;
    expect(frames).toHaveLength(5);
    for (const f of frames) {
      expect(f).toMatchObject({ interface: 'r0', queue: 0, originalLength: f.data.length });
      expect(parsePacket(f.data)).toMatchObject({ family: 4, src: lab.a.v4, dst: lab.remote.v4, protocol: 17, dport: 5201 });
      expect(BigInt(f.timeNs) / 1_000_000n).toBeGreaterThan(BigInt(Date.now() - 60_000));
    }
  });

  it('xdp-router capture: -w FILE -c 20 writes a pcap file tcpdump reads; without -w, one line per frame', async () => {
    const file = join(dirname(config.file), 'punted.pcap');
    const toFile = x('capture', '-w', file, '-c', '20');
    const lines = x('capture', '-c', '3', lab.remote.prefix4, 'proto', 'udp', 'port', '5201');
    // the commands start while the flow runs: 10 s of it, room for their
    // node starts on a loaded machine
    const flow = udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 10_000, 1000);
    const [written, printed] = await Promise.all([toFile, lines]);
    await flow;
    expect(written).toMatchObject({ code: 0, stderr: '', stdout: `20 packets captured to ${file}\n` });
    const read = await execFileP('tcpdump', ['-n', '-r', file]);
    const packets = read.stdout.trim().split('\n');
    expect(packets).toHaveLength(20);
    for (const p of packets) expect(p).toMatch(new RegExp(`IP ${lab.a.v4.replace(/\./g, '\\.')}\\.\\d+ > 203\\.0\\.113\\.10\\.5201: UDP`));

    expect(printed.code).toBe(0);
    const out = printed.stdout.trim().split('\n');
    expect(out).toHaveLength(3);
    for (const l of out) expect(l).toMatch(/^\d\d:\d\d:\d\d\.\d{6} r0 q0 IP 192\.0\.2\.2\.\d+ > 203\.0\.113\.10\.5201: UDP, length \d+$/);
  });

  it('xdp-router punt add, list, del, and their refusals', async () => {
    expect(await x('punt', 'add', lab.remote.prefix6, 'proto', 'tcp', 'port', '443')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const listed = await x('punt', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^203\.0\.113\.0\/24\s+proto udp\s+id 0\s+\d+ packets\s+\d+ bytes\n2001:db8:cafe::\/48\s+proto tcp\s+port 443\s+id 1\s+0 packets\s+0 bytes\n$/);
    const json = JSON.parse((await x('punt', 'list', '--json')).stdout) as Array<{ prefix: string; protocol: string; port: number; id: number }>;
    expect(json.map((r) => [r.prefix, r.protocol, r.port, r.id])).toEqual([
      ['203.0.113.0/24', 'udp', 0, 0],
      ['2001:db8:cafe::/48', 'tcp', 443, 1],
    ]);
    expect(await x('punt', 'add', lab.remote.prefix6)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^xdp-router: ALREADY_EXISTS: 2001:db8:cafe::\/48 has a punt rule already/) });
    expect(await x('punt', 'add', '198.51.100.0/24', 'proto', 'icmp', 'port', '7')).toMatchObject({ code: 1, stderr: expect.stringMatching(/INVALID_ARGUMENT: rule\.port: a port needs protocol tcp or udp/) });
    expect(await x('punt', 'add', '198.51.100.0/24', 'port', 'x')).toMatchObject({ code: 2, stderr: expect.stringMatching(/port takes a whole number from 1 to 65535/) });
    expect(await x('punt', 'del', lab.remote.prefix6)).toMatchObject({ code: 0, stdout: '' });
    expect(await x('punt', 'del', lab.remote.prefix6)).toMatchObject({ code: 1, stderr: expect.stringMatching(/NOT_FOUND: 2001:db8:cafe::\/48 has no punt rule/) });
    expect((await x('punt', 'list')).stdout).toMatch(/^203\.0\.113\.0\/24\s+proto udp\s+id 0\s+\d+ packets\s+\d+ bytes\n$/);
  });

  it('--help on punt and capture', async () => {
    expect(await cli(['punt', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/usage: xdp-router punt add PREFIX \[proto tcp\|udp\|icmp\|N\] \[port N\]/) });
    expect(await cli(['capture', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/usage: xdp-router capture \[-w FILE\.pcap\] \[-c COUNT\]/) });
    expect((await cli(['--help'])).stdout).toMatch(/punt add\|del\|list[\s\S]*capture \[-w FILE\] \[-c N\]/);
  });
});
