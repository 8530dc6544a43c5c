// `xdp-router capture`: the frames the punt rules send to the slow path, as
// tcpdump's one-line summary or into a pcap file.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { CapturedPacket__Output } from '../api/generated/xdprouter/v1/CapturedPacket.js';
import { parsePacket } from '../slowpath/frame.js';
import { pcapHeader, pcapRecord } from '../slowpath/pcap.js';
import { CONNECTION_HELP, readCommandLine, withApi } from './connection.js';
import type { CommandIo } from './command-io.js';
import { parseMatch } from './match-args.js';
import { parseInteger } from './usage.js';

export const CAPTURE_HELP = `usage: xdp-router capture [-w FILE.pcap] [-c COUNT] [PREFIX] [proto tcp|udp|icmp|N] [port N]

The frames punt rules send to the slow path, from now on: those from or to
PREFIX, of a protocol, from or to a port (all of them when nothing is
given). Without -w, one line each: time, interface, receive queue, then
addresses, ports, protocol and the IP length, as tcpdump summarises. With
-w, a pcap file (nanosecond timestamps) for tcpdump -r or Wireshark. -c
stops after COUNT frames; otherwise Ctrl-C stops. Only punted traffic is
seen: what XDP forwards never reaches userspace (see \`xdp-router punt\`).
Here -c is the count: give the config as --config.

${CONNECTION_HELP}`;

const PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMP6' };

function clock(timeNs: bigint): string {
  const d = new Date(Number(timeNs / 1_000_000n));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String((timeNs / 1000n) % 1_000_000n).padStart(6, '0')}`;
}

/** "12:00:01.000001 r0 q0 IP 192.0.2.2.40000 > 203.0.113.10.5201: UDP, length 60" */
export function summarise(p: CapturedPacket__Output): string {
  const head = `${clock(BigInt(p.timeNs))} ${p.interface} q${p.queue}`;
  const ip = parsePacket(p.data);
  if (!ip) return `${head} frame, length ${p.originalLength}`;
  const end = (addr: string, port: number): string => (port ? `${addr}.${port}` : addr);
  const proto = PROTOCOL_NAMES[ip.protocol] ?? `proto ${ip.protocol}`;
  return `${head} ${ip.family === 4 ? 'IP' : 'IP6'} ${end(ip.src, ip.sport)} > ${end(ip.dst, ip.dport)}: ${proto}, length ${ip.ipLength}`;
}

export async function captureCommand(args: string[], io: CommandIo): Promise<number> {
  const line = readCommandLine(args, { '-w': 'value', '-c': 'value' }, CAPTURE_HELP, io, true);
  if (!line) return 0;
  const { options, words } = line;
  const count = options.has('-c') ? parseInteger(options.get('-c'), '-c', 1, 2 ** 32 - 1) : 0;
  // -c is --config's short form for the other commands: not here
  options.delete('-c');
  const match = parseMatch(words, 'capture');
  const file = options.get('-w');
  return withApi(options, async (api) => {
    const stream = api.status.CapturePackets({ filter: { ...match, maxPackets: count } });
    const fd = file === undefined ? undefined : openSync(file, 'w');
    let captured = 0;
    let skipped = 0;
    try {
      if (fd !== undefined) writeSync(fd, pcapHeader());
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (p: CapturedPacket__Output) => {
          captured++;
          skipped += Number(p.skippedBefore);
          if (fd === undefined) io.out(summarise(p));
          else writeSync(fd, pcapRecord(p.data, BigInt(p.timeNs)));
        });
        stream.on('error', reject);
        stream.on('end', resolve);
        io.onInterrupt(() => {
          stream.cancel();
          resolve();
        });
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const missed = skipped > 0 ? `; ${skipped} skipped: this client fell behind the slow path` : '';
    if (fd !== undefined) io.out(`${captured} packets captured to ${file}${missed}`);
    else if (missed) io.out(`${captured} packets captured${missed}`);
    return 0;
  });
}
