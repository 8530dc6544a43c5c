// What the daemon does where the file says nothing. One frozen object, so
// the parser, the example file's test and code that builds a config by hand
// (the lab) agree on one set of values.
import type { RouterDefaults } from './model.js';

export const DEFAULT_CONFIG: Readonly<RouterDefaults> = deepFreeze({
  xdpMode: 'auto',
  replaceForeignXdp: false,
  pinDir: '/sys/fs/bpf/xdp-router',
  tables: [254],
  // Not in /etc/iproute2/rt_protos nor used by FRR, BIRD or babeld.
  routeProtocol: 250,
  // A full table arriving from a routing daemon overflows the system's
  // 208 KiB at once; an overflow still only costs a resync.
  netlinkBufferBytes: 8 * 1024 * 1024,
  logLevel: 'info',
  api: {
    unix: { path: '/run/xdp-router/xdp-router.sock', mode: 0o660 },
  },
  // Loopback: counters reveal traffic patterns, so exposing them is a choice.
  metrics: { listen: { host: '127.0.0.1', port: 9469 } },
  punt: [],
  netfilter: 'respect',
});

/** A fresh, mutable copy of the defaults: add `interfaces` and it is a whole RouterConfig. */
export function defaults(): RouterDefaults {
  return structuredClone(DEFAULT_CONFIG) as RouterDefaults;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  }
  return Object.freeze(value);
}
