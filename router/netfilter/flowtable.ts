// Whether this kernel could let XDP forward the established flows of an
// nftables flowtable (with their NAT applied), as xdp-tools' xdp-forward
// does: that needs the bpf_xdp_flow_lookup kfunc (Linux 6.10+, with
// CONFIG_NF_FLOW_TABLE), which the kernel's BTF names when it is there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FLOW_LOOKUP_KFUNC = 'bpf_xdp_flow_lookup';
const BTF_DIR = '/sys/kernel/btf';

/** True when vmlinux or a loaded module's BTF has the kfunc; false when none does, or BTF cannot be read. */
export function kernelHasFlowLookup(btfDir = BTF_DIR): boolean {
  let files: string[];
  try {
    files = readdirSync(btfDir);
  } catch {
    return false;
  }
  // the name sits in the BTF string section, NUL-terminated
  const needle = Buffer.from(`\0${FLOW_LOOKUP_KFUNC}\0`);
  return files.some((f) => {
    try {
      return readFileSync(join(btfDir, f)).includes(needle);
    } catch {
      return false;
    }
  });
}
