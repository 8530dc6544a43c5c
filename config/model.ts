// The configuration's shape, as the daemon uses it once read: the reader
// (schema.ts and its section readers) and the defaults (defaults.ts) both
// build it, and import it from here rather than from each other.
import type { LogLevel } from './log-levels.js';

export const XDP_MODES = ['auto', 'native', 'generic'] as const;
/** auto: native (driver) where the driver supports it, else generic (skb) */
export type XdpMode = (typeof XDP_MODES)[number];

export interface InterfaceConfig {
  name: string;
  mode: XdpMode;
}

export interface Endpoint {
  /** an IPv4 or IPv6 address (no brackets) or a host name */
  host: string;
  port: number;
}

export interface UnixApiConfig {
  path: string;
  /** permission bits of the socket file, such as 0o660 */
  mode: number;
  /** group that owns the socket; the daemon's own group when absent */
  group?: string;
}

export interface TlsConfig {
  cert: string;
  key: string;
  /** CA that client certificates must chain to; without it clients are not authenticated */
  clientCa?: string;
}

export interface TcpApiConfig {
  listen: Endpoint;
  tls?: TlsConfig;
  /** plain text, allowed only on a loopback address */
  insecure: boolean;
}

export interface ApiConfig {
  unix: UnixApiConfig;
  tcp?: TcpApiConfig;
}

export interface PuntRule {
  /** canonical CIDR (formatPrefix) */
  prefix: string;
  /** IP protocol number; `icmp` is 58 (ICMPv6) for an IPv6 prefix */
  protocol?: number;
  port?: number;
}

export interface RouterConfig {
  interfaces: InterfaceConfig[];
  xdpMode: XdpMode;
  replaceForeignXdp: boolean;
  pinDir: string;
  netns?: string;
  /** routing table ids (names already resolved) */
  tables: number[];
  routeProtocol: number;
  /** the receive buffer of the netlink socket that carries the kernel's route, neighbour and link events */
  netlinkBufferBytes: number;
  logLevel: LogLevel;
  /** the multipath hash seed; absent: chosen at random on each start */
  hashSeed?: number;
  api: ApiConfig;
  metrics: { listen: Endpoint };
  punt: PuntRule[];
  /** respect: traffic netfilter rules could touch goes to the kernel; bypass: the fast path ignores them */
  netfilter: NetfilterMode;
}

export const NETFILTER_MODES = ['respect', 'bypass'] as const;
export type NetfilterMode = (typeof NETFILTER_MODES)[number];

/** Everything but the interfaces, which have no sensible default. */
export type RouterDefaults = Omit<RouterConfig, 'interfaces'>;
