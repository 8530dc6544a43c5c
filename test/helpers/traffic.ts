// Real traffic between lab hosts: ping, a UDP stream whose receiver
// counts and checks every datagram, and a TCP transfer checked by digest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run, spawnIn } from '../../router/lab/netns.js';

const UDP_TOOL = join(__dirname, '..', '..', 'dist', 'router', 'lab', 'udp.js');

/** Ping from a namespace; resolves with how many replies came back. */
export async function ping(ns: string, addr: string, count = 3): Promise<number> {
  try {
    const out = await run(['ping', '-c', String(count), '-i', '0.2', '-W', '1', '-q', addr], ns);
    return Number(/(\d+) received/.exec(out)?.[1] ?? 0);
  } catch (err) {
    const m = /(\d+) received/.exec(String((err as Error).message));
    return m ? Number(m[1]) : 0;
  }
}

export interface UdpResult {
  sent: number;
  received: number;
  unique: number;
  corrupt: number;
}

/** Send `count` datagrams at `rate` per second from one namespace to an address in another. */
export async function udpStream(from: string, to: string, addr: string, count: number, rate: number, port = 5201): Promise<UdpResult> {
  if (!existsSync(UDP_TOOL)) throw new Error(`${UDP_TOOL} is missing: run \`npm run build\` before the end-to-end tests`);
  const seconds = Math.ceil(count / rate) + 2;
  const receiver = spawnIn(to, ['node', UDP_TOOL, 'recv', String(port), String(seconds)]);
  let out = '';
  receiver.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    receiver.on('error', reject);
    receiver.on('exit', () => resolve());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('UDP receiver did not start')), 10_000);
      receiver.stdout!.on('data', () => {
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const sent = JSON.parse(await run(['node', UDP_TOOL, 'send', addr, String(port), String(count), String(rate)], from)) as { sent: number };
    await done;
    const result = JSON.parse(out.split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as Omit<UdpResult, 'sent'>;
    return { sent: sent.sent, ...result };
  } finally {
    if (receiver.exitCode === null) receiver.kill();
  }
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
export async function tcpTransfer(from: string, to: string, addr: string, bytes: number, port = 5202): Promise<TcpResult> {
  const server = spawnIn(to, ['node', '-e', TCP_SERVER, String(port)]);
  let out = '';
  server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    server.on('error', reject);
    server.on('exit', () => resolve());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TCP server did not start')), 10_000);
      server.stdout!.on('data', () => {
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const sent = JSON.parse(await run(['node', '-e', TCP_CLIENT, addr, String(port), String(bytes)], from)) as TcpResult['sent'];
    await done;
    const received = JSON.parse(out.split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as TcpResult['received'];
    return { sent, received };
  } finally {
    if (server.exitCode === null) server.kill();
  }
}
