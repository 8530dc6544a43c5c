// BIRD 2 instances for the BGP tests and the sync benchmark's BGP feed:
// one per namespace, in the foreground, owned (and stopped, by pid) by
// whoever started it.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, spawnIn } from '../router/lab/netns.js';

export interface Bird {
  ns: string;
  socket: string;
  child: ChildProcess;
  /** run a birdc command against this instance */
  ctl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface BgpPeer {
  name: string;
  local: string;
  neighbor: string;
  localAs: number;
  peerAs: number;
  /** this side announces its routes to the peer (else it only learns) */
  announce: boolean;
}

/** one line per route: the sync benchmark originates a full table */
const staticRoutes = (prefixes: string[]): string => prefixes.map((p) => `route ${p} blackhole;`).join('\n');

/** A BIRD config: static routes to originate, BGP peers, and the kernel as the FIB (when it learns). */
export function birdConfig(routerId: string, originate: string[], peers: BgpPeer[], installInKernel: boolean): string {
  const lines = [
    `router id ${routerId};`,
    'protocol device { scan time 1; }',
    // routes learned from BGP go to the kernel, tagged proto bird, where xdp-router mirrors them
    installInKernel ? 'protocol kernel { ipv4 { import none; export all; }; }' : '',
    installInKernel ? 'protocol kernel { ipv6 { import none; export all; }; }' : '',
    originate.length ? `protocol static announced { ipv4;\n${staticRoutes(originate.filter((p) => !p.includes(':')))} }` : '',
    originate.some((p) => p.includes(':')) ? `protocol static announced6 { ipv6;\n${staticRoutes(originate.filter((p) => p.includes(':')))} }` : '',
  ];
  for (const p of peers) {
    const v6 = p.local.includes(':');
    lines.push(
      `protocol bgp ${p.name} { local ${p.local} as ${p.localAs}; neighbor ${p.neighbor} as ${p.peerAs}; ` +
        'connect delay time 1; connect retry time 1; error wait time 1, 5; ' +
        `${v6 ? 'ipv6' : 'ipv4'} { import ${p.announce ? 'none' : 'all'}; export ${p.announce ? 'all' : 'none'}; }; }`,
    );
  }
  return `${lines.filter(Boolean).join('\n')}\n`;
}

export async function startBird(ns: string, config: string): Promise<Bird> {
  const dir = mkdtempSync(join(tmpdir(), 'xrt-bird-'));
  const conf = join(dir, 'bird.conf');
  const socket = join(dir, 'bird.ctl');
  writeFileSync(conf, config);
  await run(['bird', '-p', '-c', conf]); // parse check: a config error fails here, with BIRD's message
  const child = spawnIn(ns, ['bird', '-f', '-c', conf, '-s', socket, '-P', join(dir, 'bird.pid')]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ctl = (...args: string[]): Promise<string> => run(['birdc', '-s', socket, ...args]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bird in ${ns} exited: ${stderr}`);
    if (await ctl('show', 'status').then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`bird in ${ns} did not answer on ${socket}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    ns,
    socket,
    child,
    ctl,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
