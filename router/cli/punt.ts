// `xdp-router punt`: the rules that send traffic to the slow path (AF_XDP)
// instead of forwarding it in XDP, with their counters.
import { unary } from '../api/client.js';
import type { AddPuntRuleResponse__Output } from '../api/generated/xdprouter/v1/AddPuntRuleResponse.js';
import type { ListPuntRulesResponse__Output } from '../api/generated/xdprouter/v1/ListPuntRulesResponse.js';
import type { PuntRule__Output } from '../api/generated/xdprouter/v1/PuntRule.js';
import { CONNECTION_HELP, readCommandLine, withApi } from './connection.js';
import { formatTable, toJson } from './format.js';
import type { CommandIo } from './command-io.js';
import { parseMatch } from './match-args.js';
import { UsageError } from './usage.js';

export const PUNT_HELP = `usage: xdp-router punt add PREFIX [proto tcp|udp|icmp|N] [port N]
       xdp-router punt del PREFIX
       xdp-router punt list [--json]

Punt rules send the packets to a prefix (of one protocol, to one destination
port) to the daemon's slow path, AF_XDP sockets forwarded in userspace and
seen by \`xdp-router capture\`, instead of forwarding them in XDP. add takes
the lowest free id and counts from zero; list shows each rule's id, packets
and bytes. Rules added here last until the daemon restarts (the config's
\`punt\` list is loaded again). The slow path runs only when the config has
at least one punt rule.

${CONNECTION_HELP}`;

export function formatPuntRules(rules: PuntRule__Output[]): string {
  return formatTable(
    rules.map((r) => [r.prefix, r.protocol ? `proto ${r.protocol}` : 'proto any', r.port ? `port ${r.port}` : '', `id ${r.id}`, `${r.packets} packets`, `${r.bytes} bytes`]),
  );
}

export async function puntCommand(args: string[], io: CommandIo): Promise<number> {
  const line = readCommandLine(args, { '--json': 'flag' }, PUNT_HELP, io, true);
  if (!line) return 0;
  const { options, words } = line;
  const [verb, ...rest] = words;
  const json = options.has('--json');
  switch (verb) {
    case 'add': {
      const rule = parseMatch(rest, 'punt add');
      if (rule.prefix === '') throw new UsageError('punt add needs a PREFIX');
      return withApi(options, async (api) => {
        const added = await unary<AddPuntRuleResponse__Output>((cb) => api.punt.AddPuntRule({ rule }, cb));
        if (json) io.out(toJson(added.rule));
        return 0;
      });
    }
    case 'del':
    case 'delete': {
      const [prefix, ...extra] = rest;
      if (prefix === undefined || extra.length > 0) throw new UsageError('punt del takes one PREFIX');
      return withApi(options, async (api) => {
        await unary((cb) => api.punt.DeletePuntRule({ prefix }, cb));
        return 0;
      });
    }
    case 'list':
    case 'show': {
      if (rest.length > 0) throw new UsageError(`unexpected "${rest[0]}"`);
      return withApi(options, async (api) => {
        const { rules } = await unary<ListPuntRulesResponse__Output>((cb) => api.punt.ListPuntRules({}, cb));
        if (json) io.out(toJson(rules));
        else if (rules.length > 0) io.out(formatPuntRules(rules));
        return 0;
      });
    }
  }
  throw new UsageError(verb === undefined ? 'which punt command? add, del or list' : `unknown punt command "${verb}"; expected add, del or list`);
}
