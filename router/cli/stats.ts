// `xdp-router stats [--watch]`: the fast path's counters, per reason, in
// total and per ingress interface; --watch shows rates, refreshed.
import { unary } from '../api/client.js';
import type { Counter__Output } from '../api/generated/xdprouter/v1/Counter.js';
import type { GetStatsResponse__Output } from '../api/generated/xdprouter/v1/GetStatsResponse.js';
import { CONNECTION_HELP, readCommandLine, withApi } from './connection.js';
import { formatTable, toJson } from './format.js';
import type { CommandIo } from './command-io.js';
import { parseInteger } from './usage.js';

export const STATS_HELP = `usage: xdp-router stats [--json] [--watch [--interval SECONDS] [--count N]]

Packets and bytes the fast path counted, by what it did with them
(forwarded, pass-no-neigh, drop-blackhole, ...): in total, then per ingress
interface. --watch prints packets and bytes per second every --interval
seconds (default 1), --count times (default: until Ctrl-C).

${CONNECTION_HELP}`;

function counterRows(counters: Counter__Output[], indent: string): string[][] {
  return counters.map((c) => [`${indent}${c.reason}`, c.packets, c.bytes]);
}

function statsTable(s: GetStatsResponse__Output): string {
  const rows: string[][] = [['reason', 'packets', 'bytes'], ...counterRows(s.totals, '')];
  for (const i of s.interfaces) rows.push([`${i.interface} (index ${i.index}):`, '', ''], ...counterRows(i.counters, '  '));
  return formatTable(rows);
}

/** Per-second rates between two reads of the totals. */
function ratesTable(before: GetStatsResponse__Output, after: GetStatsResponse__Output, seconds: number): string {
  const old = new Map(before.totals.map((c) => [c.reason, c]));
  const rate = (now: string, then: string | undefined): string => String(Math.round(Number(BigInt(now) - BigInt(then ?? '0')) / seconds));
  const rows = after.totals.map((c) => [c.reason, rate(c.packets, old.get(c.reason)?.packets), rate(c.bytes, old.get(c.reason)?.bytes)]);
  return formatTable([['reason', 'packets/s', 'bytes/s'], ...rows]);
}

export async function statsCommand(args: string[], io: CommandIo): Promise<number> {
  const line = readCommandLine(args, { '--json': 'flag', '--watch': 'flag', '--interval': 'value', '--count': 'value' }, STATS_HELP, io);
  if (!line) return 0;
  const { options } = line;
  const json = options.has('--json');
  const interval = options.has('--interval') ? parseInteger(options.get('--interval'), '--interval', 1, 3600) : 1;
  const count = options.has('--count') ? parseInteger(options.get('--count'), '--count', 1, 1e9) : Infinity;
  return withApi(options, async (api) => {
    const read = (): Promise<GetStatsResponse__Output> => unary((cb) => api.status.GetStats({}, cb));
    let last = await read();
    if (!options.has('--watch')) {
      io.out(json ? toJson(last) : statsTable(last));
      return 0;
    }
    let stopped = false;
    let wake: () => void = () => undefined;
    io.onInterrupt(() => {
      stopped = true;
      wake();
    });
    for (let n = 0; n < count && !stopped; n++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopped) break;
      const now = await read();
      if (json) io.out(JSON.stringify({ time: new Date().toISOString(), ...now }));
      else io.out(`${io.isTTY ? '\x1b[H\x1b[2J' : ''}${new Date().toISOString()}\n${ratesTable(last, now, interval)}\n`);
      last = now;
    }
    return 0;
  });
}
