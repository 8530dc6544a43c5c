// Punt rules: the traffic the fast path hands to the slow path's AF_XDP
// sockets, by destination prefix, and optionally protocol and port.
import { AddressError, formatPrefix, parsePrefix, type Family, type Prefix } from '../dataplane/addr.js';
import { CONFIG_KEYS } from './keys.js';
import type { PuntRule } from './model.js';
import { describe, quote, type Reader, type Site } from './yaml-reader.js';

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;
/** The protocols a punt rule (config or API) names in words; others by number. */
export const PUNT_PROTOCOLS = { tcp: PROTO_TCP, udp: PROTO_UDP, icmp: 1 } as const;

const PREFIX_EXPECTED = 'a CIDR prefix with no host bits set, such as 192.0.2.0/24 or 2001:db8::/32';

export function readPunt(r: Reader, site: Site): PuntRule[] {
  const entry = 'a map {prefix, protocol, port}';
  return r.list(site, `a list of punt rules, each ${entry}`).map((item) => {
    const f = r.fields(item, CONFIG_KEYS['punt[]'], entry);
    const prefix = readPrefix(r, r.need(item, f.prefix, 'prefix', PREFIX_EXPECTED));
    const rule: PuntRule = { prefix: formatPrefix(prefix) };
    if (f.protocol) rule.protocol = readPuntProtocol(r, f.protocol, prefix.family);
    if (f.port) {
      const port = r.integer(f.port, 1, 65535, 'a port');
      if (rule.protocol !== PROTO_TCP && rule.protocol !== PROTO_UDP) {
        const found = f.protocol ? `a port with protocol ${describe(f.protocol.node)}` : 'a port with no protocol';
        r.fail(f.port, found, 'protocol: tcp or udp beside a port (only they have ports)');
      }
      rule.port = port;
    }
    return rule;
  });
}

function readPrefix(r: Reader, site: Site): Prefix {
  const text = r.text(site, PREFIX_EXPECTED);
  try {
    return parsePrefix(text);
  } catch (e) {
    if (!(e instanceof AddressError)) throw e;
    return r.fail(site, quote(text), PREFIX_EXPECTED, e.message);
  }
}

function readPuntProtocol(r: Reader, site: Site, family: Family): number {
  const proto = r.numberOrName(site, PUNT_PROTOCOLS, 0, 255, 'an IP protocol', 'other protocols are given by number (/etc/protocols)');
  // One word for "ping and its errors" whichever family the prefix is.
  return proto === PUNT_PROTOCOLS.icmp && family === 6 ? PROTO_ICMPV6 : proto;
}
