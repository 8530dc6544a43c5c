// Every command in README.md, run as written: the lab and the tour against
// it, the CLI, counter and slow-path examples, deployment on a sandboxed
// host, the benchmark smoke run. Each shell block carries the way it is run
// (test/helpers/readme.ts); a block without one fails here, so the README
// cannot gain a command that no test runs, nor keep one that stopped working.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASONS } from '../../dataplane/layout.js';
import { createNetns, deleteNetns, ip, listNetns } from '../../router/lab/netns.js';
import { destroyLab } from '../../router/lab/topology.js';
import { readmeBlocks, shell, withoutComment, type BlockKind } from '../helpers/readme.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const readme = (): string => readFileSync(join(ROOT, 'README.md'), 'utf8');
const commandsOf = (kind: BlockKind): string[] => readmeBlocks(readme()).filter((b) => b.kind === kind).flatMap((b) => b.commands);

/** What some in-lab commands must print, beyond exiting 0. Each must match a README command. */
const LAB_EXPECTATIONS: Array<{ command: RegExp; output: RegExp | ((out: string) => void) }> = [
  { command: /^xdp-router status\b/, output: /SERVING[\s\S]*ipv4 index: \d+ of 65536 groups in use[\s\S]*slow path: 2 AF_XDP socket\(s\)[\s\S]*\br0\b.*(native|generic)[\s\S]*\br1\b/ },
  { command: /ping -c 3 203\.0\.113\.10/, output: /3 received, 0% packet loss/ },
  { command: /^xdp-router route get 203\.0\.113\.10\b/, output: /203\.0\.113\.10 via 198\.51\.100\.2 dev r1 lladdr [0-9a-f:]{17} FORWARD/ },
  { command: /^xdp-router stats\s*(#|$)/, output: /forwarded\s+[1-9]/ },
  { command: /route show proto xdp-router/, output: /^203\.0\.113\.0\/24 via 198\.51\.100\.2 dev r1/m },
  { command: /^xdp-router route list --json/, output: (out) => expect(out).toContain('"203.0.113.0/24"') },
  { command: /^xdp-router stats --json/, output: (out) => expect(() => JSON.parse(out) as unknown).not.toThrow() },
  { command: /metrics \| grep/, output: /^xdp_router_packets_total\{interface="r0",reason="forwarded"\} [1-9]/m },
  { command: /^xdp-router punt list/, output: /2001:db8:cafe::\/48\s+proto icmp/ },
  { command: /^xdp-router capture -c 3\b/, output: (out) => expect(out.trim().split('\n').filter((l) => /2001:db8:a::2 > 2001:db8:cafe::10: ICMP6/.test(l))).toHaveLength(3) },
  { command: /^tcpdump -nr punted\.pcap/, output: (out) => expect(out.split('\n').filter((l) => /ICMP6, echo request/.test(l))).toHaveLength(10) },
];

/** README commands no test runs, and why. The test fails when one is missing from the README or another joins it. */
const NOT_RUN: Record<string, string> = {
  'npm run bench': 'five minutes of full load on the CI machine, and it rewrites the committed results; the same code runs here with --quick',
  'npm run soak -- restart 20': 'two minutes of restarts under full load; test/e2e/restart.test.ts runs three of the same restarts, with the same loss accounting',
};

const LAB_READY_MS = 300_000;

function fingerprint(paths: string[]): string {
  const h = createHash('sha256');
  for (const p of paths) if (existsSync(p)) h.update(p).update(readFileSync(p));
  return h.digest('hex');
}

describe('README', () => {
  it('says how each shell block is run', () => {
    const blocks = readmeBlocks(readme());
    expect(blocks.length).toBeGreaterThan(5);
    for (const kind of ['lab', 'in-lab', 'ci', 'host', 'systemd', 'bench'] as const) {
      expect(blocks.some((b) => b.kind === kind), `a "${kind}" block`).toBe(true);
    }
  });

  it('explains every reason a counter can have, once, in the order of the enum', () => {
    const rows = [...readme().matchAll(/^\| `([a-z-]+)` \| /gm)].map((m) => m[1]!).filter((r) => (REASONS as readonly string[]).includes(r));
    expect(rows).toEqual([...REASONS]);
  });

  it('names the command CI runs as the test command', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#') && !/^(set|cd) /.test(l));
    expect(commandsOf('ci').map(withoutComment)).toEqual(ci);
  });

  describe('in the lab', () => {
    let lab: ChildProcess | undefined;
    let labOutput = '';
    let scratch = '';
    // made when the tests run, not when they are collected: a filtered run must leave nothing
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'xrt-readme-lab-'));
    });

    afterAll(async () => {
      if (lab && lab.exitCode === null && lab.signalCode === null) {
        process.kill(-lab.pid!, 'SIGKILL');
        await new Promise((resolve) => lab!.once('close', resolve));
      }
      // what a killed lab leaves: its namespaces, pins and socket
      await destroyLab('xr-lab');
      rmSync('/sys/fs/bpf/xr-lab', { recursive: true, force: true });
      if (lab?.signalCode === 'SIGKILL') rmSync('/run/xdp-router/xdp-router.sock', { force: true });
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('runs the set-up lab, every in-lab command, and stops on Ctrl-C', { timeout: LAB_READY_MS + 240_000 }, async () => {
      const [labCommand, ...extra] = commandsOf('lab');
      expect(extra, 'one lab command').toEqual([]);
      // its own process group, as a terminal's foreground job: Ctrl-C goes to all of it
      lab = spawn('bash', ['-c', labCommand!], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const running = lab;
      running.stdout!.on('data', (d: Buffer) => (labOutput += d.toString()));
      running.stderr!.on('data', (d: Buffer) => (labOutput += d.toString()));
      const exited = new Promise<string>((resolve) => running.once('close', (code, signal) => resolve(signal ?? `exit ${code}`)));
      const ready = await Promise.race([
        new Promise<boolean>((resolve) => {
          const check = setInterval(() => {
            if (/lab: ready/.test(labOutput)) {
              clearInterval(check);
              resolve(true);
            }
          }, 200);
          void exited.then(() => clearInterval(check));
          setTimeout(() => clearInterval(check), LAB_READY_MS);
        }),
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), LAB_READY_MS)),
      ]);
      expect(ready, `the lab never said it was ready:\n${labOutput}`).toBe(true);

      const matched = new Set<number>();
      for (const command of commandsOf('in-lab')) {
        const { code, output } = await shell(command, { cwd: scratch, timeoutMs: 60_000 });
        expect(code, `\`${command}\` exited ${code}:\n${output}`).toBe(0);
        LAB_EXPECTATIONS.forEach((e, i) => {
          if (!e.command.test(command)) return;
          matched.add(i);
          if (typeof e.output === 'function') e.output(output);
          else expect(output, `\`${command}\``).toMatch(e.output);
        });
      }
      const unused = LAB_EXPECTATIONS.filter((_, i) => !matched.has(i)).map((e) => e.command.source);
      expect(unused, 'expectations whose command the README no longer has').toEqual([]);

      // the metrics table names exactly what the lab's daemon serves
      const exposition = await (await fetch('http://127.0.0.1:9469/metrics')).text();
      const served = [...exposition.matchAll(/^# TYPE (xdp_router_\w+)/gm)].map((m) => m[1]!).filter((n) => !n.startsWith('xdp_router_process_'));
      const documented = [...readme().matchAll(/`(xdp_router_\w+)`/g)].map((m) => m[1]!).filter((n) => !n.startsWith('xdp_router_process_'));
      expect(served.length).toBeGreaterThan(10);
      // Prometheus conventions: counters end in _total, durations in _seconds, nothing else ends in _total
      // (the process metrics are prom-client's own, named as its defaults are)
      for (const [, name, type] of exposition.matchAll(/^# TYPE (xdp_router_(?!process_)\w+) (\w+)$/gm)) {
        if (type === 'counter') expect(name, name).toMatch(/_total$/);
        else expect(name, name).not.toMatch(/_total$/);
        if (type === 'histogram') expect(name, name).toMatch(/_seconds$/);
      }
      expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());

      process.kill(-running.pid!, 'SIGINT');
      const end = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
      // npm and bash re-raise the SIGINT their child stopped on, as in a terminal
      expect(['exit 0', 'SIGINT'], labOutput.slice(-2000)).toContain(end);
      expect(labOutput).toMatch(/stopped: XDP detached, the kernel forwards alone[\s\S]*lab: namespaces removed/);
      expect((await listNetns()).filter((n) => n.startsWith('xr-lab-'))).toEqual([]);
      expect(existsSync('/sys/fs/bpf/xr-lab')).toBe(false);
    });
  });

  describe('on a host', () => {
    const router = 'xrt-readme-r';
    const peer = 'xrt-readme-h';
    let scratch = '';
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'xrt-readme-host-'));
    });

    afterAll(async () => {
      await deleteNetns(router);
      await deleteNetns(peer);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('systemd blocks hold only systemctl commands, checked by systemd-analyze in the host run', () => {
      const commands = commandsOf('systemd');
      expect(commands.length).toBeGreaterThan(0);
      for (const c of commands) expect(withoutComment(c)).toMatch(/^systemctl (\S+)( [^;|&]*)?( && systemctl .*)?$/);
      expect(commandsOf('host').some((c) => /^xdp-router install\b/.test(c)), 'the unit comes from `xdp-router install`').toBe(true);
    });

    it('deploys, runs, verifies and stops as the README says, in a sandbox', { timeout: 300_000 }, async () => {
      // the example config's interfaces, eth0 and eth1, in a namespace of their own
      await createNetns(router);
      await createNetns(peer);
      for (const [dev, far] of [['eth0', 'h0'], ['eth1', 'h1']] as const) {
        await ip(['link', 'add', dev, 'netns', router, 'type', 'veth', 'peer', 'name', far, 'netns', peer]);
        await ip(['link', 'set', dev, 'up'], router);
        await ip(['link', 'set', far, 'up'], peer);
      }
      const box = join(scratch, 'box');
      const lines = [
        'set -u',
        'fail() { echo "README-TEST FAILED: $1"; exit 1; }',
        'daemon=',
        // a failed run still stops its daemon cleanly
        'trap \'if [ -n "$daemon" ]; then kill -TERM $daemon; wait $daemon; fi\' EXIT',
        // writes to /etc, /usr/local and /run/xdp-router stay in this mount namespace
        `mkdir -p ${box} /run/xdp-router && mount -t tmpfs xrt-readme ${box}`,
        `mkdir -p ${box}/etc-up ${box}/etc-work ${box}/local-up ${box}/local-work`,
        `mount -t overlay xrt-readme-etc -o lowerdir=/etc,upperdir=${box}/etc-up,workdir=${box}/etc-work /etc`,
        `mount -t overlay xrt-readme-local -o lowerdir=/usr/local,upperdir=${box}/local-up,workdir=${box}/local-work /usr/local`,
        'mount -t tmpfs xrt-readme-run /run/xdp-router',
        'mount -t bpf bpf /sys/fs/bpf',
      ];
      commandsOf('host').forEach((command, i) => {
        lines.push(`echo '>>> ${command.replaceAll("'", "'\\''")}'`);
        if (/^(xdp-router|node bin\/xdp-router\.js) run\b/.test(command)) {
          // the README runs it in the foreground; here the next lines are the "other terminal"
          lines.push(`{ ${command}`, `} >${box}/daemon.log 2>&1 &`, 'daemon=$!');
          lines.push(`for _ in $(seq 150); do xdp-router status >/dev/null 2>&1 && break; kill -0 $daemon 2>/dev/null || { cat ${box}/daemon.log; daemon=; fail "the daemon of line ${i + 1} exited"; }; sleep 0.2; done`);
        } else {
          lines.push(command, `rc=$?; [ $rc -eq 0 ] || fail "host line ${i + 1} exited $rc"`);
        }
      });
      lines.push(
        'if [ -n "$daemon" ]; then wait $daemon; rc=$?; d=$daemon; daemon=; [ $rc -eq 0 ] || { cat ' + `${box}/daemon.log; fail "the daemon (pid $d) exited $rc"; }; fi`,
        "echo '>>> systemd-analyze verify /etc/systemd/system/xdp-router.service'",
        'out=$(systemd-analyze verify /etc/systemd/system/xdp-router.service 2>&1); rc=$?',
        '[ $rc -eq 0 ] && [ -z "$out" ] || fail "systemd-analyze verify: exit $rc: $out"',
        'echo README-TEST-OK',
      );
      const script = join(scratch, 'host.sh');
      writeFileSync(script, `${lines.join('\n')}\n`);
      const { code, output } = await shell(`ip netns exec ${router} unshare --mount --propagation private bash ${script}`, { cwd: ROOT, timeoutMs: 280_000 });
      expect(output).toMatch(/README-TEST-OK/);
      expect(code, output).toBe(0);
      // nothing reached the real /etc or bpffs
      expect(existsSync('/sys/fs/bpf/xdp-router')).toBe(false);
    });
  });

  it('runs the benchmark smoke run, which leaves the committed results alone; the rest are listed as not run', { timeout: 300_000 }, async () => {
    const commands = commandsOf('bench').map(withoutComment);
    const quick = commands.filter((c) => c.includes('--quick'));
    expect(commands.filter((c) => !quick.includes(c)).sort()).toEqual(Object.keys(NOT_RUN).sort());
    expect(quick.length).toBeGreaterThan(0);
    const resultsDir = join(ROOT, 'bench', 'results');
    const committed = [join(ROOT, 'BENCHMARKS.md'), ...readdirSync(resultsDir).map((f) => join(resultsDir, f))];
    const before = fingerprint(committed);
    for (const command of quick) {
      const { code, output } = await shell(command, { cwd: ROOT, timeoutMs: 280_000 });
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toMatch(/writes no results/);
    }
    expect(fingerprint(committed)).toBe(before);
  });
});
