// Sysctls of the router's network namespace, read where the daemon and the
// CLI need what the kernel would do.
import { readFileSync } from 'node:fs';
import { addon } from '../dataplane/native.js';

/** A sysctl ("net/ipv4/ip_forward") of a namespace (/run/netns/NAME), or of our own. */
export function readSysctl(path: string, netnsPath: string | undefined): string {
  const read = (): string => readFileSync(`/proc/sys/${path}`, 'utf8').trim();
  return netnsPath ? addon.inNetns(netnsPath, read) : read();
}

/** net.ipv4.fib_multipath_use_neigh: IPv4 multipath skips next hops whose gateway is INCOMPLETE or FAILED. */
export function multipathUseNeigh(netnsPath: string | undefined): boolean {
  return readSysctl('net/ipv4/fib_multipath_use_neigh', netnsPath) === '1';
}
