// `xdp-router status`: is the daemon serving, how big are its tables, which
// interfaces carry the fast path.
import { unary } from '../api/client.js';
import type { Interface__Output } from '../api/generated/xdprouter/v1/Interface.js';
import type { GetStatusResponse__Output } from '../api/generated/xdprouter/v1/GetStatusResponse.js';
import type { NetfilterChain__Output } from '../api/generated/xdprouter/v1/NetfilterChain.js';
import { CONNECTION_HELP, readCommandLine, withApi } from './connection.js';
import { formatTable, toJson } from './format.js';
import type { CommandIo } from './command-io.js';

export const STATUS_HELP = `usage: xdp-router status [--json]

The daemon's health, version and uptime, its route and neighbour counts (the
kernel's mirrored tables and the fast path), resyncs, and the interfaces the
fast path is attached to, the policy rules and netfilter chains whose
traffic it leaves to the kernel. Exit 0 when it serves, 1 otherwise.

${CONNECTION_HELP}`;

const word = (enumName: string, prefix: string): string => enumName.replace(prefix, '').toLowerCase().replace(/_/g, '-');

export function interfaceRows(interfaces: Interface__Output[]): string[][] {
  return interfaces.map((i) => [
    i.name,
    `index ${i.index}`,
    word(i.attachMode, 'ATTACH_MODE_'),
    word(i.state, 'LINK_STATE_'),
    i.mac,
    `mtu ${i.mtu}`,
    i.adopted ? 'adopted' : '',
  ]);
}

function chainTraffic(c: NetfilterChain__Output): string {
  if (c.allTraffic) return 'all traffic';
  const side = (dir: string, names: string[]): string[] => (names.length > 0 ? [`${dir} ${names.join(', ')}`] : []);
  return [...side('in', c.ingressInterfaces), ...side('out', c.egressInterfaces)].join('; ');
}

function netfilterLine(s: GetStatusResponse__Output): string {
  if (s.netfilterMode === 'bypass') return 'bypass (the fast path ignores the ruleset)';
  if (s.netfilterUnreadable) return `ruleset unreadable, all traffic to the kernel: ${s.netfilterUnreadable}`;
  return s.netfilterChains.length > 0 ? 'respect; chains on forwarding hooks:' : 'respect; no chain on a forwarding hook';
}

export async function statusCommand(args: string[], io: CommandIo): Promise<number> {
  const line = readCommandLine(args, { '--json': 'flag' }, STATUS_HELP, io);
  if (!line) return 0;
  const { options } = line;
  return withApi(options, async (api) => {
    const health = await unary<{ status: string }>((cb) => api.health.check({ service: '' }, cb));
    const s = await unary<GetStatusResponse__Output>((cb) => api.status.GetStatus({}, cb));
    if (options.has('--json')) {
      io.out(toJson({ health: health.status, ...s }));
      return health.status === 'SERVING' ? 0 : 1;
    }
    io.out(`xdp-router ${s.version}: ${health.status}, up ${s.uptimeSeconds} s`);
    io.out(`routes: ${s.kernelRoutes} in the kernel's mirrored tables (${s.tables.join(', ')}), ${s.fastPathRoutes} in the fast path`);
    io.out(`neighbours: ${s.neighbors}; resyncs: ${s.resyncs}; last change applied ${s.lastSyncMsAgo} ms ago`);
    io.out(`route protocol: ${s.routeProtocol} (xdp-router)`);
    io.out(`ipv4 index: ${s.ipv4IndexGroupsUsed} of ${s.ipv4IndexGroupsTotal} groups in use (one per /24 holding longer prefixes or a router address)`);
    io.out(`slow path: ${s.slowPathSockets > 0 ? `${s.slowPathSockets} AF_XDP socket(s), a worker thread each` : 'not running (no punt rule in the config)'}`);
    if (s.slowPathQueues.length > 0) {
      const rows = s.slowPathQueues.map((q) => [q.interface, `queue ${q.queue}`, q.mode, `worker thread ${q.workerTid}`, q.workerCpu >= 0 ? `on CPU ${q.workerCpu}` : 'idle so far']);
      io.out(formatTable(rows).replace(/^/gm, '  '));
    }
    io.out('interfaces:');
    io.out(formatTable(interfaceRows(s.interfaces)).replace(/^/gm, '  '));
    io.out('policy rules:');
    io.out(formatTable(s.policyRules.map((r) => [r.rule, r.handling])).replace(/^/gm, '  '));
    io.out(`netfilter: ${netfilterLine(s)}`);
    if (s.netfilterChains.length > 0) {
      io.out(formatTable(s.netfilterChains.map((c) => [`${c.table} ${c.chain}`, c.hook, `to the kernel: ${chainTraffic(c)}`])).replace(/^/gm, '  '));
    }
    return health.status === 'SERVING' ? 0 : 1;
  });
}
