// `xdp-router neigh`: the kernel's neighbours and which the fast path uses.
import { unary } from '../api/client.js';
import type { ListNeighborsResponse__Output } from '../api/generated/xdprouter/v1/ListNeighborsResponse.js';
import { CONNECTION_HELP, readCommandLine, withApi } from './connection.js';
import { toJson } from './format.js';
import type { CommandIo } from './command-io.js';

export const NEIGH_HELP = `usage: xdp-router neigh [--json]

The kernel's neighbours as \`ip neigh\` lists them, with "fastpath" on the
ones the XDP program forwards to (the others are left to the kernel: no MAC
yet, a link the program does not drive, or a failed entry).

${CONNECTION_HELP}`;

export async function neighCommand(args: string[], io: CommandIo): Promise<number> {
  const line = readCommandLine(args, { '--json': 'flag' }, NEIGH_HELP, io);
  if (!line) return 0;
  const { options } = line;
  return withApi(options, async (api) => {
    const { neighbors } = await unary<ListNeighborsResponse__Output>((cb) => api.status.ListNeighbors({}, cb));
    if (options.has('--json')) {
      io.out(toJson(neighbors));
      return 0;
    }
    for (const n of neighbors) {
      io.out([n.address, `dev ${n.interface}`, n.mac ? `lladdr ${n.mac}` : '', n.states.join(','), n.inFastPath ? 'fastpath' : ''].filter(Boolean).join(' '));
    }
    return 0;
  });
}
