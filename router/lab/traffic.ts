// Real traffic between lab hosts: ping, a UDP stream whose receiver
// counts and checks every datagram, and a TCP transfer checked by digest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../dataplane/package-root.js';
import { run, spawnIn } from './netns.js';

export const UDP_SENDER = join(packageRoot(), 'dist', 'router', 'lab', 'udp.js');
export const UDP_SINK = join(packageRoot(), 'build', 'udp-sink');

/** Ping from a namespace; resolves with how many replies came back. */
export async function ping(ns: string, addr: string, count = 3): Promise<number> {
  return (await pingOutput(ns, addr, count, ['-q'])).received;
}

/**
 * Ping from a namespace with more options (`-M do -s 1400`...): how many
 * replies came back, and everything ping printed, errors such as "Frag
 * needed" or "message too long" included (ping fails when none came back).
 */
export async function pingOutput(ns: string, addr: string, count: number, options: string[] = []): Promise<{ received: number; output: string }> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawnIn(ns, ['ping', '-c', String(count), '-i', '0.2', '-W', '1', ...options, addr]);
    let text = '';
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  return { received: Number(/(\d+) received/.exec(output)?.[1] ?? 0), output };
}

export interface UdpResult {
  sent: number;
  received: number;
  unique: number;
  corrupt: number;
  /** datagrams the receiving socket itself dropped (the kernel's count): a loss of the harness, not the router */
  dropped: number;
}

/**
 * Start a receiver in namespace `to` (it prints "ready", then one JSON line
 * of what it got when it exits), run the sender, and return both results.
 * `stopAfterMs`: the receiver runs until told to stop (SIGTERM) this long
 * after the sender finished, for what is still on its way.
 */
async function receiveWhile<S, R>(to: string, receiverArgv: string[], what: string, send: () => Promise<S>, stopAfterMs?: number): Promise<{ sent: S; received: R }> {
  const receiver = spawnIn(to, receiverArgv);
  let out = '';
  receiver.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    receiver.on('error', reject);
    receiver.on('exit', () => resolve());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 10_000);
      receiver.stdout!.on('data', () => {
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const sent = await send();
    const stop = stopAfterMs === undefined ? undefined : setTimeout(() => receiver.kill('SIGTERM'), stopAfterMs);
    await done;
    clearTimeout(stop);
    return { sent, received: JSON.parse(out.split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as R };
  } finally {
    if (receiver.exitCode === null) receiver.kill();
  }
}

/** Send `count` datagrams at `rate` per second from one namespace to an address in another. */
export async function udpStream(from: string, to: string, addr: string, count: number, rate: number, port = 5201): Promise<UdpResult> {
  for (const tool of [UDP_SENDER, UDP_SINK]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: run \`npm run build\` before the end-to-end tests`);
  }
  // a limit only: the sink is stopped once the sender is done
  const seconds = Math.ceil((3 * count) / rate) + 10;
  const { sent, received } = await receiveWhile<{ sent: number }, Omit<UdpResult, 'sent'>>(
    to,
    [UDP_SINK, String(port), String(seconds)],
    'UDP receiver',
    async () => JSON.parse(await run(['node', UDP_SENDER, addr, String(port), String(count), String(rate)], from)) as { sent: number },
    500,
  );
  return { sent: sent.sent, ...received };
}

export interface TcpResult {
  /** what the client sent, and the digest of it */
  sent: { bytes: number; sha256: string };
  /** what the server read until the client's FIN */
  received: { bytes: number; sha256: string };
}

const TCP_SERVER = `
const net = require('node:net'), crypto = require('node:crypto');
const hash = crypto.createHash('sha256'); let bytes = 0;
const server = net.createServer((c) => {
  c.on('data', (d) => { hash.update(d); bytes += d.length; });
  c.on('end', () => { console.log(JSON.stringify({ bytes, sha256: hash.digest('hex') })); server.close(); });
});
server.listen(Number(process.argv[1]), '::', () => console.log('ready'));`;

const TCP_CLIENT = `
const net = require('node:net'), crypto = require('node:crypto');
const data = crypto.randomBytes(Number(process.argv[3]));
const c = net.connect(Number(process.argv[2]), process.argv[1], () => c.end(data));
c.on('error', (e) => { console.error(e.message); process.exit(1); });
c.on('close', () => console.log(JSON.stringify({ bytes: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') })));`;

/** One TCP connection from a namespace to an address in another, `bytes` of random data; both ends' digests. */
export function tcpTransfer(from: string, to: string, addr: string, bytes: number, port = 5202): Promise<TcpResult> {
  return receiveWhile<TcpResult['sent'], TcpResult['received']>(
    to,
    ['node', '-e', TCP_SERVER, String(port)],
    'TCP server',
    async () => JSON.parse(await run(['node', '-e', TCP_CLIENT, addr, String(port), String(bytes)], from)) as TcpResult['sent'],
  );
}
