// How an API command reaches the daemon: --socket, the config's socket
// (--config, or /etc/xdp-router/config.yaml when it exists), or --server
// over TCP with --ca/--cert/--key for TLS. Every command takes these.
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_CONFIG } from '../../config/schema.js';
import { connect, type ApiClients, type ClientTarget } from '../api/client.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../commands/load-config.js';
import type { CommandIo } from './command-io.js';
import { UsageError, splitOptions, type OptionKinds } from './usage.js';

export const CONNECTION_OPTIONS: OptionKinds = {
  '--socket': 'value',
  '--config': 'value',
  '-c': 'value',
  '--server': 'value',
  '--ca': 'value',
  '--cert': 'value',
  '--key': 'value',
  '--plaintext': 'flag',
};

export const CONNECTION_HELP = `connection (every API command):
  --socket PATH        the daemon's unix socket
  --config FILE        the socket its config names (default ${DEFAULT_CONFIG_FILE}
                       when it exists, else ${DEFAULT_CONFIG.api.unix.path})
  --server HOST:PORT   TCP instead, with TLS: --ca FILE (the server's CA),
                       --cert FILE --key FILE (this client's, for mutual TLS);
                       --plaintext for a daemon serving insecure on loopback`;

export function targetOf(options: Map<string, string>): ClientTarget {
  const server = options.get('--server');
  if (server !== undefined) {
    if (options.has('--plaintext')) return { server };
    const tls: NonNullable<ClientTarget['tls']> = {};
    for (const k of ['ca', 'cert', 'key'] as const) {
      const v = options.get(`--${k}`);
      if (v !== undefined) tls[k] = v;
    }
    return { server, tls };
  }
  const socket = options.get('--socket');
  if (socket !== undefined) return { socket };
  const file = options.get('--config') ?? options.get('-c') ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  return { socket: file === undefined ? DEFAULT_CONFIG.api.unix.path : loadConfig(file).api.unix.path };
}

/** Run `work` with clients to the daemon; a gRPC failure becomes the daemon's message. */
export async function withApi<T>(options: Map<string, string>, work: (api: ApiClients) => Promise<T>): Promise<T> {
  const target = targetOf(options);
  const api = connect(target);
  try {
    return await work(api);
  } catch (err) {
    const e = err as Partial<grpc.ServiceError>;
    if (typeof e.code !== 'number') throw err;
    const where = target.server ?? target.socket;
    const details = e.code === grpc.status.UNAVAILABLE && !e.details?.includes('daemon') ? `cannot reach the daemon at ${where}: ${e.details}` : e.details;
    throw new Error(`${grpc.status[e.code]}: ${details}`);
  } finally {
    api.close();
  }
}

/**
 * An API command's line: its own options and the connection's, and the
 * words (none allowed unless `words`). Undefined when it asked for --help,
 * which is printed.
 */
export function readCommandLine(
  args: string[],
  own: OptionKinds,
  help: string,
  io: CommandIo,
  words = false,
): { options: Map<string, string>; words: string[] } | undefined {
  const line = splitOptions(args, { ...CONNECTION_OPTIONS, ...own, '--help': 'flag', '-h': 'flag' });
  if (line.options.has('--help') || line.options.has('-h')) {
    io.out(help);
    return undefined;
  }
  if (!words && line.words.length > 0) throw new UsageError(`unexpected "${line.words[0]}"`);
  return line;
}

