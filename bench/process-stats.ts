// A process as the kernel counts it: its memory, with the BPF arrays it maps
// told apart (a daemon's heap and the index arrays of a full table are
// different costs: the arrays are sized by the maps, not by the routes), and
// its CPU time, which counts work whatever else loads the machine.
import { readFileSync } from 'node:fs';
import { STAT, statField } from '../router/proc-stat.js';

export interface ProcessMemory {
  /** VmRSS, VmHWM (the peak so far), RssAnon, RssFile, RssShmem: bytes */
  rss: number;
  peak: number;
  anon: number;
  file: number;
  shmem: number;
  /** resident bytes of the mapped BPF maps (anon_inode:bpf-map), and their mapped size */
  bpfResident: number;
  bpfMapped: number;
}

const KIB = 1024;

function statusField(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * KIB : NaN;
}

/** The mappings of BPF maps (mmap of an array map), summed: their Size and Rss. */
function bpfMappings(smaps: string): { resident: number; mapped: number } {
  let resident = 0;
  let mapped = 0;
  let inBpf = false;
  for (const line of smaps.split('\n')) {
    // a mapping's first line: "start-end perms offset dev inode [path]"
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      inBpf = line.endsWith('anon_inode:bpf-map');
      continue;
    }
    if (!inBpf) continue;
    const m = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (m?.[1] === 'Size') mapped += Number(m[2]) * KIB;
    else if (m?.[1] === 'Rss') resident += Number(m[2]) * KIB;
  }
  return { resident, mapped };
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const bpf = bpfMappings(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  return {
    rss: statusField(status, 'VmRSS'),
    peak: statusField(status, 'VmHWM'),
    anon: statusField(status, 'RssAnon'),
    file: statusField(status, 'RssFile'),
    shmem: statusField(status, 'RssShmem'),
    bpfResident: bpf.resident,
    bpfMapped: bpf.mapped,
  };
}

/** clock ticks per second of /proc/PID/stat's times (USER_HZ, 100 on Linux) */
const USER_HZ = 100;

/** CPU time the process used so far, user and system, in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return ((statField(stat, STAT.UTIME) + statField(stat, STAT.STIME)) * 1000) / USER_HZ;
}
