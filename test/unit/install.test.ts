// `xdp-router install` into a scratch root: the unit, the config, the
// iproute2 protocol name; an operator's config is never overwritten.
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/schema.js';
import { install } from '../../router/commands/install.js';
import { DAEMON_NODE_FLAGS } from '../../router/node-flags.js';

describe('xdp-router install', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });
  const scratch = (): string => {
    const r = mkdtempSync(join(tmpdir(), 'xrt-install-'));
    roots.push(r);
    return r;
  };

  it('gives the command the daemon\'s node flags, in its shebang', () => {
    const shebang = readFileSync(join(process.cwd(), 'bin', 'xdp-router.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${DAEMON_NODE_FLAGS.join(' ')}`);
  });

  it('writes a hardened unit that runs this package with this node', () => {
    const root = scratch();
    install(root);
    const unit = readFileSync(join(root, 'etc/systemd/system/xdp-router.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} ${DAEMON_NODE_FLAGS.join(' ')} `);
    expect(unit).toMatch(/bin\/xdp-router\.js run --config \/etc\/xdp-router\/config\.yaml/);
    expect(unit).not.toContain('@');
    expect(unit).toMatch(/^CapabilityBoundingSet=CAP_BPF CAP_NET_ADMIN CAP_NET_RAW CAP_PERFMON CAP_SYS_ADMIN$/m);
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/sys/fs/bpf', 'KillSignal=SIGTERM']) {
      expect(unit).toContain(line);
    }
  });

  it('installs the example config, which parses once interfaces are listed', () => {
    const root = scratch();
    install(root);
    const text = readFileSync(join(root, 'etc/xdp-router/config.yaml'), 'utf8');
    expect(() => parseConfig(text, 'config.yaml')).not.toThrow();
  });

  it('names the route protocol for iproute2', () => {
    const root = scratch();
    install(root);
    expect(readFileSync(join(root, 'etc/iproute2/rt_protos.d/xdp-router.conf'), 'utf8')).toBe('250\txdp-router\n');
  });

  it('links the command onto the PATH, replacing an old link but never a real file', () => {
    const root = scratch();
    const bin = join(root, 'usr/local/bin/xdp-router');
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    symlinkSync('/nonexistent/old-checkout/bin/xdp-router.js', bin);
    install(root);
    expect(readlinkSync(bin)).toBe(join(process.cwd(), 'bin', 'xdp-router.js'));
    rmSync(bin);
    writeFileSync(bin, '#!/bin/sh\n');
    expect(install(root).kept).toContain(bin);
    expect(readFileSync(bin, 'utf8')).toBe('#!/bin/sh\n');
  });

  it('never overwrites an existing config', () => {
    const root = scratch();
    install(root);
    writeFileSync(join(root, 'etc/xdp-router/config.yaml'), 'interfaces: [eth7]\n');
    const again = install(root);
    expect(again.kept).toEqual([join(root, 'etc/xdp-router/config.yaml')]);
    expect(readFileSync(join(root, 'etc/xdp-router/config.yaml'), 'utf8')).toBe('interfaces: [eth7]\n');
  });
});
