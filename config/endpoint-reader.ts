// Listen addresses (api.tcp.listen, metrics.listen): host:port, an IPv6
// host in brackets, as operators write them and as the daemon shows them.
import { parseIPv4, parseIPv6 } from '../dataplane/addr.js';
import type { Endpoint } from './model.js';
import { quote, type Reader, type Site } from './yaml-reader.js';

export const LISTEN_EXPECTED = 'host:port, with an IPv6 host in brackets ("127.0.0.1:9469", "[::1]:50051")';

/** "host:port" with brackets around an IPv6 host, as listen addresses are written. */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

export function readEndpoint(r: Reader, site: Site): Endpoint {
  const text = r.text(site, LISTEN_EXPECTED);
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) {
    const hint = text.split(':').length > 2 && !text.startsWith('[') ? 'an IPv6 address needs brackets: [::1]:50051' : undefined;
    return r.fail(site, quote(text), LISTEN_EXPECTED, hint);
  }
  const [, v6, other = '', portText] = m;
  const port = Number(portText);
  const hostOk = v6 !== undefined ? parseIPv6(v6) !== null : parseIPv4(other) !== null || isHostName(other);
  if (!hostOk) r.fail(site, quote(text), `${LISTEN_EXPECTED}, where host is an address or a host name (0.0.0.0 or [::] for all)`);
  if (port < 1 || port > 65535) r.fail(site, quote(text), 'a port 1..65535');
  return { host: v6 ?? other, port };
}

function isHostName(host: string): boolean {
  // All-numeric is an IPv4 address or a mistake (300.1.1.1), never a name.
  if (/^[\d.]+$/.test(host)) return false;
  const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  return host.length <= 253 && host.split('.').every((l) => label.test(l));
}

/** A loopback host (127/8, ::1, ::ffff:127/104, localhost): plain-text TCP is allowed only there. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const v4 = parseIPv4(host);
  if (v4) return v4[0] === 127;
  const v6 = parseIPv6(host);
  if (!v6) return false;
  const v4Mapped = v6.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  return v4Mapped ? v6[12] === 127 : v6.equals(Buffer.from([...new Array<number>(15).fill(0), 1]));
}
