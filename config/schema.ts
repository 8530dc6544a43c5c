// The daemon's configuration file: its shape and a strict reader for it.
// The reader refuses whatever it does not know, because a misspelt key
// silently left at its default is a router that does something other than
// what its operator wrote. This module reads the top level and hands each
// section to its reader (config/*-reader.ts), which read through the
// located-YAML reader (yaml-reader.ts), so every refusal points at a line.
import { readApi } from './api-reader.js';
import { DEFAULT_CONFIG, defaults } from './defaults.js';
import { INTERFACES_EXPECTED, readInterfaces, readNetns } from './interfaces-reader.js';
import { CONFIG_KEYS } from './keys.js';
import { LOG_LEVELS } from './log-levels.js';
import { readMetrics } from './metrics-reader.js';
import { NETFILTER_MODES, XDP_MODES, type RouterConfig } from './model.js';
import { readPinDir } from './path-reader.js';
import { readPunt } from './punt-reader.js';
import { readRouteProtocol, readTables } from './routing-reader.js';
import { or, Reader, U32_MAX } from './yaml-reader.js';

/** the kernel grants no less than about 4 KiB, and a netlink socket's buffer is an int */
const NETLINK_BUFFER_MIN = 4096;
const NETLINK_BUFFER_MAX = 1024 * 1024 * 1024;

export { CONFIG_KEYS, DEFAULT_CONFIG, defaults };
export type * from './model.js';
export { ConfigError, type ConfigLocation } from './yaml-reader.js';
export { formatEndpoint, isLoopback } from './endpoint-reader.js';
export { PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, PUNT_PROTOCOLS } from './punt-reader.js';

/** Parse and check a configuration file; `file` only names it in errors. */
export function parseConfig(text: string, file: string): RouterConfig {
  const r = Reader.open(text, file);
  const root = r.root();
  const f = r.fields(root, CONFIG_KEYS[''], 'a map of settings with at least "interfaces"');
  const d = defaults();
  const xdpMode = or(f.xdpMode, (s) => r.choice(s, XDP_MODES), d.xdpMode);
  const config: RouterConfig = {
    interfaces: readInterfaces(r, r.need(root, f.interfaces, 'interfaces', INTERFACES_EXPECTED), xdpMode),
    xdpMode,
    replaceForeignXdp: or(f.replaceForeignXdp, (s) => r.flag(s), d.replaceForeignXdp),
    pinDir: or(f.pinDir, (s) => readPinDir(r, s), d.pinDir),
    tables: or(f.tables, (s) => readTables(r, s), d.tables),
    routeProtocol: or(f.routeProtocol, (s) => readRouteProtocol(r, s), d.routeProtocol),
    netlinkBufferBytes: or(f.netlinkBufferBytes, (s) => r.integer(s, NETLINK_BUFFER_MIN, NETLINK_BUFFER_MAX, 'a buffer size in bytes'), d.netlinkBufferBytes),
    logLevel: or(f.logLevel, (s) => r.choice(s, LOG_LEVELS), d.logLevel),
    api: or(f.api, (s) => readApi(r, s, d.api), d.api),
    metrics: or(f.metrics, (s) => readMetrics(r, s, d.metrics), d.metrics),
    punt: or(f.punt, (s) => readPunt(r, s), d.punt),
    netfilter: or(f.netfilter, (s) => r.choice(s, NETFILTER_MODES), d.netfilter),
  };
  if (f.netns) config.netns = readNetns(r, f.netns);
  if (f.hashSeed) config.hashSeed = r.integer(f.hashSeed, 0, U32_MAX, 'a hash seed');
  return config;
}
