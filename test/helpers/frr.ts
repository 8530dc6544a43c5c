// FRR (Debian's `frr`) for the BGP tests: zebra and bgpd in one namespace,
// in the foreground, owned (and stopped, by pid) by the test. Each instance
// keeps its configs, pid files, zserv socket and vty sockets in its own temp
// dir, so instances run side by side and none touches /etc/frr or /run/frr.
// The daemons drop to the frr user, which the package puts in the frrvty
// group that their vty sockets need (root is not in it).
import type { ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, spawnIn } from '../../router/lab/netns.js';
import type { BgpPeer } from '../../support/bird.js';

const DAEMONS = '/usr/lib/frr';
/** a daemon that does not answer its vty by then has failed to start */
const START_MS = 10_000;
const STOP_MS = 10_000;

export interface Frr {
  ns: string;
  /** run vtysh commands (`-c` each) against this instance's bgpd and zebra */
  vtysh(...commands: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** bgpd's config: the peers it learns routes from (FRR's `announce` is left to the other side). */
export function frrBgpConfig(routerId: string, localAs: number, peers: Array<Pick<BgpPeer, 'neighbor' | 'peerAs'>>): string {
  const lines = [
    'frr defaults traditional',
    'log stdout',
    `router bgp ${localAs}`,
    ` bgp router-id ${routerId}`,
    // eBGP routes are accepted without a policy: the lab has none to apply
    ' no bgp ebgp-requires-policy',
  ];
  for (const p of peers) lines.push(` neighbor ${p.neighbor} remote-as ${p.peerAs}`, ` neighbor ${p.neighbor} timers connect 1`);
  return `${lines.join('\n')}\n`;
}

async function frrIds(): Promise<{ uid: number; gid: number }> {
  try {
    return { uid: Number(await run(['id', '-u', 'frr'])), gid: Number(await run(['id', '-g', 'frr'])) };
  } catch {
    throw new Error('no frr user: FRR is not installed (scripts/setup.sh installs Debian\'s frr)');
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
  await exited;
  clearTimeout(timer);
}

/** zebra, then bgpd with `bgpConfig`, in ns; resolves once both answer on their vty. */
export async function startFrr(ns: string, bgpConfig: string): Promise<Frr> {
  const { uid, gid } = await frrIds();
  const dir = mkdtempSync(join(tmpdir(), 'xrt-frr-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    // bgpd first: zebra takes the routes it installed out of the kernel as it stops
    for (const child of [...children].reverse()) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const vtysh = (daemon: string | null, commands: string[]): Promise<string> =>
    run(['vtysh', '--vty_socket', dir, ...(daemon ? ['-d', daemon] : []), ...commands.flatMap((c) => ['-c', c])]);
  try {
    chownSync(dir, uid, gid);
    const configs = { zebra: 'log stdout\n', bgpd: bgpConfig };
    for (const [daemon, config] of Object.entries(configs)) {
      const conf = join(dir, `${daemon}.conf`);
      writeFileSync(conf, config);
      chownSync(conf, uid, gid);
      const child = spawnIn(ns, [
        join(DAEMONS, daemon),
        '-f', conf,
        '-i', join(dir, `${daemon}.pid`),
        '-z', join(dir, 'zserv.api'),
        '--vty_socket', dir,
        // no vty on TCP: the sockets in dir are enough, and ports could clash
        '-P', '0',
      ]);
      children.push(child);
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + START_MS;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${daemon} in ${ns} exited (${child.exitCode}): ${output}`);
        if (await vtysh(daemon, ['show version']).then(() => true, () => false)) break;
        if (Date.now() > deadline) throw new Error(`${daemon} in ${ns} did not answer on its vty in ${dir}: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ns, vtysh: (...commands) => vtysh(null, commands), stop };
}
