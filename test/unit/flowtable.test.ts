// The flowtable kfunc is found by its name in the kernel's BTF, vmlinux or a module's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FLOW_LOOKUP_KFUNC, kernelHasFlowLookup } from '../../router/netfilter/flowtable.js';

describe('flowtable kfunc detection', () => {
  const dirs: string[] = [];
  const btfDir = (files: Record<string, Buffer>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'xrt-btf-'));
    dirs.push(dir);
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('finds the name in a module\'s BTF strings, not a longer name that contains it', () => {
    const strings = (...names: string[]): Buffer => Buffer.from(`\0${names.join('\0')}\0`);
    expect(kernelHasFlowLookup(btfDir({ vmlinux: strings('bpf_xdp_ct_lookup'), nf_flow_table: strings(FLOW_LOOKUP_KFUNC) }))).toBe(true);
    expect(kernelHasFlowLookup(btfDir({ vmlinux: strings(`${FLOW_LOOKUP_KFUNC}_v2`, 'x') }))).toBe(false);
    expect(kernelHasFlowLookup('/nonexistent')).toBe(false);
  });
});
