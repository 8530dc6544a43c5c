// The API's listeners: the unix socket (path, permissions, group) and the
// optional TCP listener, which must serve TLS unless it stays on loopback.
import { isScalar } from 'yaml';
import { formatEndpoint, isLoopback, LISTEN_EXPECTED, readEndpoint } from './endpoint-reader.js';
import { CONFIG_KEYS } from './keys.js';
import type { ApiConfig, TcpApiConfig, TlsConfig, UnixApiConfig } from './model.js';
import { readAbsolutePath } from './path-reader.js';
import { describe, isIntegerIn, or, quote, scalarValue, type Reader, type Site } from './yaml-reader.js';

// sockaddr_un.sun_path is 108 bytes with its terminating NUL
const UNIX_PATH_MAX = 107;

/** `d`: the defaults, for what the section leaves out. */
export function readApi(r: Reader, site: Site, d: ApiConfig): ApiConfig {
  const f = r.fields(site, CONFIG_KEYS.api, 'a map {unix, tcp}');
  const api: ApiConfig = { unix: or(f.unix, (s) => readUnixApi(r, s, d.unix), d.unix) };
  if (f.tcp) api.tcp = readTcpApi(r, f.tcp);
  return api;
}

function readUnixApi(r: Reader, site: Site, d: UnixApiConfig): UnixApiConfig {
  const f = r.fields(site, CONFIG_KEYS['api.unix'], 'a map {path, mode, group}');
  const unix: UnixApiConfig = {
    path: or(f.path, (s) => readSocketPath(r, s), d.path),
    mode: or(f.mode, (s) => readSocketMode(r, s), d.mode),
  };
  if (f.group) unix.group = readGroup(r, f.group);
  return unix;
}

function readSocketPath(r: Reader, site: Site): string {
  const path = readAbsolutePath(r, site);
  const bytes = Buffer.byteLength(path);
  if (bytes > UNIX_PATH_MAX) r.fail(site, `${quote(path)}, ${bytes} bytes long`, `a socket path of at most ${UNIX_PATH_MAX} bytes (the limit of sockaddr_un)`);
  return path;
}

function readSocketMode(r: Reader, site: Site): number {
  const expected = 'permission bits as an octal string such as "0660" (owner and group may connect), or a number 0..511';
  const node = site.node;
  const value = scalarValue(node);
  // YAML 1.2 reads an unquoted 0660 as decimal 660; whoever wrote it meant chmod's octal.
  const plain = isScalar(node) && node.type === 'PLAIN' && typeof value === 'number' ? node.source : undefined;
  const text = typeof value === 'string' ? value : plain && /^0\d+$/.test(plain) ? plain : undefined;
  const digits = text !== undefined ? /^(?:0o)?0?([0-7]{1,3})$/.exec(text)?.[1] : undefined;
  if (digits !== undefined) return parseInt(digits, 8);
  if (text === undefined && typeof value === 'number' && isIntegerIn(value, 0, 0o777)) return value;
  return r.fail(site, describe(node), expected, typeof value === 'number' ? 'quote the octal digits, as chmod takes them' : undefined);
}

function readGroup(r: Reader, site: Site): string {
  const expected = 'a group name or numeric gid';
  const group = r.text(site, expected);
  if (!/^([A-Za-z_][A-Za-z0-9_.-]{0,31}|\d+)$/.test(group)) r.fail(site, quote(group), expected);
  return group;
}

function readTcpApi(r: Reader, site: Site): TcpApiConfig {
  const f = r.fields(site, CONFIG_KEYS['api.tcp'], 'a map {listen, tls, insecure}');
  const listen = readEndpoint(r, r.need(site, f.listen, 'listen', LISTEN_EXPECTED));
  const insecure = or(f.insecure, (s) => r.flag(s), false);
  const tcp: TcpApiConfig = { listen, insecure };
  const loopbackOnly = 'a loopback listen address (127.0.0.1, [::1], localhost)';
  if (f.tls) {
    if (f.insecure && insecure) {
      r.fail(f.insecure, 'insecure: true beside a tls section', 'one or the other', `remove insecure to serve TLS, or remove tls to serve plain text on ${loopbackOnly}`);
    }
    tcp.tls = readTls(r, f.tls);
  } else if (!insecure) {
    r.fail(
      r.missing(site, 'tls'),
      'no tls section',
      'tls: {cert, key}, because the API can change routes and TCP reaches beyond this host',
      `to serve plain text on ${loopbackOnly} only, set insecure: true`,
    );
  } else if (f.insecure && !isLoopback(listen.host)) {
    r.fail(
      f.insecure,
      `insecure: true with listen ${quote(formatEndpoint(listen))}, which is not a loopback address`,
      `a tls section {cert, key} for that address, or ${loopbackOnly} to stay plain text`,
      'plain text on the network would let anyone who reaches the port change the routes',
    );
  }
  return tcp;
}

function readTls(r: Reader, site: Site): TlsConfig {
  const f = r.fields(site, CONFIG_KEYS['api.tcp.tls'], 'a map {cert, key, clientCa}');
  const tls: TlsConfig = {
    cert: readAbsolutePath(r, r.need(site, f.cert, 'cert', 'the path of the server certificate (PEM)')),
    key: readAbsolutePath(r, r.need(site, f.key, 'key', 'the path of the private key (PEM)')),
  };
  if (f.clientCa) tls.clientCa = readAbsolutePath(r, f.clientCa);
  return tls;
}
