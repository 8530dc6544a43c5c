// The API's messages as iproute2 prints them, so an operator reads
// `xdp-router route list` as they read `ip route`.
import type { NextHop__Output } from '../api/generated/xdprouter/v1/NextHop.js';
import type { Route__Output } from '../api/generated/xdprouter/v1/Route.js';
import { TABLE_NAMES } from '../../config/route-tables.js';

/** "via 192.0.2.1 dev eth1", or "dev eth1" for a connected next hop. */
export function formatNexthop(nh: NextHop__Output): string {
  return [nh.gateway ? `via ${nh.gateway}` : '', nh.interface ? `dev ${nh.interface}` : ''].filter(Boolean).join(' ');
}

/** One route, as `ip route` shows it; multipath next hops on their own indented lines. */
export function formatRoute(r: Route__Output): string {
  const type = r.type.replace('ROUTE_TYPE_', '').toLowerCase();
  const words = [type === 'unicast' || type === 'unspecified' ? '' : type, r.prefix, r.source ? `from ${r.source}` : ''];
  if (r.nexthops.length === 1) words.push(formatNexthop(r.nexthops[0]!));
  if (r.table !== TABLE_NAMES.main) words.push(`table ${r.table}`);
  words.push(`proto ${r.protocol}`);
  if (r.metric !== 0) words.push(`metric ${r.metric}`);
  const line = words.filter(Boolean).join(' ');
  if (r.nexthops.length < 2) return line;
  return [line, ...r.nexthops.map((nh) => `\tnexthop ${formatNexthop(nh)} weight ${nh.weight ?? 1}`)].join('\n');
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (/^[\d.,/]+$/.test(cell) && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** JSON for --json: one document, 64-bit counters as the strings the API sends. */
export const toJson = (value: unknown): string => JSON.stringify(value, null, 2);
