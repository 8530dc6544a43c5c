// Every key the configuration file accepts. The section readers take their
// keys from here, so the generated reference (docs/config.md) cannot list
// fewer than they read.
import type { ApiConfig, InterfaceConfig, PuntRule, RouterConfig, TcpApiConfig, TlsConfig, UnixApiConfig } from './model.js';

const TOP_KEYS = [
  'interfaces',
  'xdpMode',
  'replaceForeignXdp',
  'pinDir',
  'netns',
  'tables',
  'routeProtocol',
  'netlinkBufferBytes',
  'logLevel',
  'hashSeed',
  'api',
  'metrics',
  'punt',
  'netfilter',
] as const satisfies readonly (keyof RouterConfig)[];

/** The keys by the key path of the map that holds them (`[]`: each item of a list). */
export const CONFIG_KEYS = {
  '': TOP_KEYS,
  'interfaces[]': ['name', 'mode'] as const satisfies readonly (keyof InterfaceConfig)[],
  api: ['unix', 'tcp'] as const satisfies readonly (keyof ApiConfig)[],
  'api.unix': ['path', 'mode', 'group'] as const satisfies readonly (keyof UnixApiConfig)[],
  'api.tcp': ['listen', 'tls', 'insecure'] as const satisfies readonly (keyof TcpApiConfig)[],
  'api.tcp.tls': ['cert', 'key', 'clientCa'] as const satisfies readonly (keyof TlsConfig)[],
  metrics: ['listen'] as const satisfies readonly (keyof RouterConfig['metrics'])[],
  'punt[]': ['prefix', 'protocol', 'port'] as const satisfies readonly (keyof PuntRule)[],
} as const;
