// What the running kernel can do, as bpftool probes it.
import { execFileSync } from 'node:child_process';

/** Whether freplace (BPF_PROG_TYPE_EXT) programs load: libxdp's multiprog dispatcher needs them. */
export function kernelSupportsFreplace(): boolean {
  const out = execFileSync('bpftool', ['feature', 'probe', 'kernel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return /program_type ext is available/.test(out);
}
