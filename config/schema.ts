// The daemon's configuration file: its shape and a strict reader for it.
// The reader walks the YAML nodes rather than the plain object they make,
// so every refusal can point at a line; it refuses whatever it does not
// know, because a misspelt key silently left at its default is a router
// that does something other than what its operator wrote.
import { posix } from 'node:path';
import { LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { AddressError, formatPrefix, parseIPv4, parseIPv6, parsePrefix, type Family, type Prefix } from '../dataplane/addr.js';
import { LOG_LEVELS } from './log-levels.js';
import { TABLE_NAMES } from './route-tables.js';
import { DEFAULT_CONFIG, defaults } from './defaults.js';
import {
  NETFILTER_MODES,
  XDP_MODES,
  type ApiConfig,
  type Endpoint,
  type InterfaceConfig,
  type PuntRule,
  type RouterConfig,
  type TcpApiConfig,
  type TlsConfig,
  type UnixApiConfig,
  type XdpMode,
} from './model.js';

export { DEFAULT_CONFIG, defaults };
export type * from './model.js';

/**
 * rtm_protocol values other software already stamps on its routes
 * (linux/rtnetlink.h, /etc/iproute2/rt_protos, FRR's zebra/rt_netlink.h).
 * The daemon recognises its own routes by protocol id, so sharing one would
 * make it replace or flush another routing daemon's routes.
 */
export const WELL_KNOWN_ROUTE_PROTOCOLS = [
  { id: 1, name: 'redirect', owner: 'the kernel, for ICMP redirects' },
  { id: 2, name: 'kernel', owner: 'the kernel' },
  { id: 3, name: 'boot', owner: 'ip route and most tools, by default' },
  { id: 4, name: 'static', owner: 'administrators (ip route ... proto static)' },
  { id: 8, name: 'gated', owner: 'GateD' },
  { id: 9, name: 'ra', owner: 'router advertisements' },
  { id: 10, name: 'mrt', owner: 'Merit MRT' },
  { id: 11, name: 'zebra', owner: 'Zebra/Quagga' },
  { id: 12, name: 'bird', owner: 'BIRD' },
  { id: 13, name: 'dnrouted', owner: 'the DECnet routing daemon' },
  { id: 14, name: 'xorp', owner: 'XORP' },
  { id: 15, name: 'ntk', owner: 'Netsukuku' },
  { id: 16, name: 'dhcp', owner: 'DHCP clients' },
  { id: 17, name: 'mrouted', owner: 'mrouted' },
  { id: 18, name: 'keepalived', owner: 'keepalived' },
  { id: 42, name: 'babel', owner: 'babeld' },
  { id: 99, name: 'openr', owner: 'Open/R' },
  { id: 186, name: 'bgp', owner: 'BGP daemons (FRR bgpd)' },
  { id: 187, name: 'isis', owner: 'IS-IS daemons (FRR isisd)' },
  { id: 188, name: 'ospf', owner: 'OSPF daemons (FRR ospfd)' },
  { id: 189, name: 'rip', owner: 'RIP daemons (FRR ripd)' },
  { id: 190, name: 'ripng', owner: 'FRR ripngd' },
  { id: 191, name: 'nhrp', owner: 'FRR nhrpd' },
  { id: 192, name: 'eigrp', owner: 'EIGRP daemons (FRR eigrpd)' },
  { id: 193, name: 'ldp', owner: 'FRR ldpd' },
  { id: 194, name: 'sharp', owner: 'FRR sharpd' },
  { id: 195, name: 'pbr', owner: 'FRR pbrd' },
  { id: 196, name: 'zstatic', owner: 'FRR staticd' },
  { id: 197, name: 'openfabric', owner: 'FRR fabricd' },
  { id: 198, name: 'srte', owner: 'FRR pathd' },
] as const;

export interface ConfigLocation {
  file: string;
  /** key path such as `interfaces[1].mode`; '' for the document itself */
  path: string;
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly path: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** the message without its location: "found ..., expected ...; hint" */
  readonly problem: string;

  constructor(at: ConfigLocation, problem: string) {
    const where = at.line !== undefined ? `${at.file}:${at.line}:${at.column ?? 1}` : at.file;
    super(`${where}: ${at.path || 'top level'}: ${problem}`);
    this.name = 'ConfigError';
    this.file = at.file;
    this.path = at.path;
    this.line = at.line;
    this.column = at.column;
    this.problem = problem;
  }
}

/** "host:port" with brackets around an IPv6 host, as listen addresses are written. */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** Parse and check a configuration file; `file` only names it in errors. */
export function parseConfig(text: string, file: string): RouterConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const offset = syntax.pos[0];
    const problem =
      syntax.code === 'DUPLICATE_KEY'
        ? 'found this key a second time, expected each key once'
        : `not valid YAML: ${syntax.message}`;
    throw new ConfigError({ file, path: pathAt(doc.contents, offset, ''), ...position(lines, offset) }, problem);
  }
  const r = new Reader(file, doc, lines);
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
    logLevel: or(f.logLevel, (s) => r.choice(s, LOG_LEVELS), d.logLevel),
    api: or(f.api, (s) => readApi(r, s, d.api), d.api),
    metrics: or(f.metrics, (s) => readMetrics(r, s, d.metrics), d.metrics),
    punt: or(f.punt, (s) => readPunt(r, s), d.punt),
    netfilter: or(f.netfilter, (s) => r.choice(s, NETFILTER_MODES), d.netfilter),
  };
  if (f.netns) config.netns = readName(r, f.netns, NETNS_NAME);
  if (f.hashSeed) config.hashSeed = r.integer(f.hashSeed, 0, U32_MAX, 'a hash seed');
  return config;
}

const TOP_KEYS = [
  'interfaces',
  'xdpMode',
  'replaceForeignXdp',
  'pinDir',
  'netns',
  'tables',
  'routeProtocol',
  'logLevel',
  'hashSeed',
  'api',
  'metrics',
  'punt',
  'netfilter',
] as const satisfies readonly (keyof RouterConfig)[];

/**
 * Every key the file accepts, by the key path of the map that holds it
 * (`[]`: each item of a list). The reader takes its keys from here, so the
 * generated reference (docs/config.md) cannot list fewer.
 */
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

const U32_MAX = 2 ** 32 - 1;
const BPFFS = '/sys/fs/bpf';
// sockaddr_un.sun_path is 108 bytes with its terminating NUL
const UNIX_PATH_MAX = 107;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;
/** The protocols a punt rule (config or API) names in words; others by number. */
export const PUNT_PROTOCOLS = { tcp: PROTO_TCP, udp: PROTO_UDP, icmp: 1 } as const;

const INTERFACES_EXPECTED = 'a non-empty list of interface names, or of maps {name, mode}';
const LISTEN_EXPECTED = 'host:port, with an IPv6 host in brackets ("127.0.0.1:9469", "[::1]:50051")';
const PATH_EXPECTED = 'an absolute path';

interface NameRule {
  what: string;
  maxBytes: number;
  forbidden: RegExp;
}
// The kernel's dev_valid_name(): IFNAMSIZ is 16 with the NUL; ':' marks
// old-style aliases (eth0:1), which are addresses, not interfaces.
const IFNAME: NameRule = { what: 'a Linux interface name: 1 to 15 bytes, no "/", ":" or whitespace, not "." or ".."', maxBytes: 15, forbidden: /[/:\s]/ };
// iproute2's netns name check: the name becomes a file under /run/netns.
const NETNS_NAME: NameRule = { what: 'a network namespace name as ip netns takes it: 1 to 255 bytes, no "/", not "." or ".."', maxBytes: 255, forbidden: /\// };

/** A value in the document and the key path that leads to it. */
interface Site {
  path: string;
  /** the value's node, aliases resolved; null where there is none (a missing key, an empty file) */
  node: Node | null;
  /** where an error about it points: the value itself, or the map it is missing from */
  offset: number | undefined;
}

class Reader {
  constructor(
    private readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  root(): Site {
    return this.site('', this.doc.contents, 0);
  }

  fail(site: Site, found: string, expected: string, hint?: string): never {
    const at = { file: this.file, path: site.path, ...position(this.lines, site.offset) };
    throw new ConfigError(at, `found ${found}, expected ${expected}${hint ? `; ${hint}` : ''}`);
  }

  /** The map's entries by key; any key not in `keys` is refused. */
  fields<K extends string>(site: Site, keys: readonly K[], expected: string): Partial<Record<K, Site>> {
    const map = site.node;
    if (!isMap(map)) return this.fail(site, describe(map), expected);
    const out: Partial<Record<K, Site>> = {};
    for (const pair of map.items) {
      const keySite = this.site(site.path, pair.key, site.offset);
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string') this.fail(keySite, `a key that is ${describe(keySite.node)}`, `a key name: ${keys.join(', ')}`);
      const path = site.path ? `${site.path}.${key}` : key;
      if (!isOneOf(key, keys)) {
        this.fail({ ...keySite, path }, `unknown key ${quote(key)}`, `one of ${keys.join(', ')}`, didYouMean(key, keys));
      }
      out[key] = this.site(path, pair.value, keySite.offset);
    }
    return out;
  }

  /** A key that must be there; when it is not, the error points at the map. */
  need(parent: Site, site: Site | undefined, key: string, expected: string): Site {
    return site ?? this.fail(this.missing(parent, key), `no "${key}" key`, expected);
  }

  missing(parent: Site, key: string): Site {
    return { path: parent.path ? `${parent.path}.${key}` : key, node: null, offset: parent.offset };
  }

  list(site: Site, expected: string): Site[] {
    const seq = site.node;
    if (!isSeq(seq)) return this.fail(site, describe(seq), expected);
    return seq.items.map((item, i) => this.site(`${site.path}[${i}]`, item, site.offset));
  }

  text(site: Site, expected: string): string {
    const value = scalarValue(site.node);
    return typeof value === 'string' ? value : this.fail(site, describe(site.node), expected);
  }

  /** `what` names the value; the range is added to it in the error. */
  integer(site: Site, min: number, max: number, what: string): number {
    const value = scalarValue(site.node);
    if (typeof value === 'number' && isIntegerIn(value, min, max)) return value;
    return this.fail(site, describe(site.node), `${what}, an integer ${min}..${max}`);
  }

  flag(site: Site): boolean {
    const value = scalarValue(site.node);
    if (typeof value === 'boolean') return value;
    // YAML 1.1 habits: the 1.2 core schema reads these as text
    const habit = typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value);
    return this.fail(site, describe(site.node), 'true or false', habit ? 'YAML 1.2 reads yes/no/on/off as text' : undefined);
  }

  choice<T extends string>(site: Site, options: readonly T[]): T {
    const expected = `one of ${options.join(', ')}`;
    const value = this.text(site, expected);
    return isOneOf(value, options) ? value : this.fail(site, describe(site.node), expected, didYouMean(value, options));
  }

  /** A number in [min, max] or one of the names, which stand for numbers. */
  numberOrName(site: Site, names: Readonly<Record<string, number>>, min: number, max: number, what: string, unknownHint: string): number {
    const expected = `${what}: an integer ${min}..${max} or one of ${Object.keys(names).join(', ')}`;
    const value = scalarValue(site.node);
    if (typeof value !== 'string') return this.integer(site, min, max, expected);
    const byName = names[value];
    return byName ?? this.fail(site, describe(site.node), expected, didYouMean(value, Object.keys(names)) ?? unknownHint);
  }

  /** Refuses a key already read elsewhere; `seen` maps keys to the path they were first read at. */
  unique<K>(seen: Map<K, string>, key: K, site: Site, shown: string): void {
    const first = seen.get(key);
    if (first !== undefined) this.fail(site, `${shown} a second time (first at ${first})`, 'each one listed once');
    seen.set(key, site.path);
  }

  private site(path: string, node: unknown, fallbackOffset: number | undefined): Site {
    // An alias is reported where it is used, not where its anchor is.
    const offset = isNode(node) ? (node.range?.[0] ?? fallbackOffset) : fallbackOffset;
    const resolved = isAlias(node) ? node.resolve(this.doc) : node;
    return { path, node: isNode(resolved) ? resolved : null, offset };
  }
}

function readInterfaces(r: Reader, site: Site, defaultMode: XdpMode): InterfaceConfig[] {
  const items = r.list(site, INTERFACES_EXPECTED);
  if (items.length === 0) r.fail(site, 'an empty list', 'at least one interface for the fast path');
  const seen = new Map<string, string>();
  return items.map((item) => {
    let nameSite = item;
    let mode = defaultMode;
    if (isMap(item.node)) {
      const f = r.fields(item, CONFIG_KEYS['interfaces[]'], 'an interface: a name, or a map {name, mode}');
      nameSite = r.need(item, f.name, 'name', IFNAME.what);
      mode = or(f.mode, (s) => r.choice(s, XDP_MODES), defaultMode);
    }
    const name = readName(r, nameSite, IFNAME);
    r.unique(seen, name, nameSite, `interface ${quote(name)}`);
    return { name, mode };
  });
}

function readName(r: Reader, site: Site, rule: NameRule): string {
  const name = r.text(site, rule.what);
  const bytes = Buffer.byteLength(name);
  const bad = rule.forbidden.exec(name)?.[0];
  let problem: string | undefined;
  if (name === '') problem = 'empty';
  else if (bytes > rule.maxBytes) problem = `${bytes} bytes long`;
  else if (bad !== undefined) problem = `contains ${JSON.stringify(bad)}`;
  else if (name === '.' || name === '..') problem = 'a directory name';
  if (problem) r.fail(site, `${quote(name)}, ${problem}`, rule.what);
  return name;
}

function readPinDir(r: Reader, site: Site): string {
  const expected = `a directory under ${BPFFS}/ (pins can only live on the BPF filesystem, mounted there)`;
  const dir = r.text(site, expected);
  // normalize() folds "..", which could otherwise climb out of the mount
  const normal = posix.normalize(dir).replace(/\/+$/, '');
  if (!dir.startsWith('/') || !normal.startsWith(`${BPFFS}/`)) r.fail(site, quote(dir), expected);
  return normal;
}

function readAbsolutePath(r: Reader, site: Site): string {
  const path = r.text(site, PATH_EXPECTED);
  if (!path.startsWith('/')) {
    r.fail(site, quote(path), PATH_EXPECTED, "a relative path would depend on the daemon's working directory");
  }
  return path;
}

function readTables(r: Reader, site: Site): number[] {
  const what = 'a routing table';
  const items = r.list(site, `a list of routing tables (ids or ${Object.keys(TABLE_NAMES).join(', ')})`);
  if (items.length === 0) r.fail(site, 'an empty list', 'at least one routing table to mirror, such as main');
  const seen = new Map<number, string>();
  return items.map((item) => {
    const id = r.numberOrName(item, TABLE_NAMES, 1, U32_MAX, what, 'other names in /etc/iproute2/rt_tables are not read here: write the number');
    r.unique(seen, id, item, `table ${id}`);
    if (id !== TABLE_NAMES.main) {
      r.fail(
        item,
        `table ${id}`,
        'main: the one table the fast path answers from',
        "the kernel reads other tables only where ip rules or a VRF send a packet, so merged into one FIB they would answer for every interface's traffic; what rules send to other tables and a VRF's interfaces go to the kernel (pass-policy, pass-vrf)",
      );
    }
    return id;
  });
}

function readRouteProtocol(r: Reader, site: Site): number {
  const id = r.integer(site, 1, 255, 'a route protocol id');
  const owner = WELL_KNOWN_ROUTE_PROTOCOLS.find((p) => p.id === id);
  if (owner) {
    r.fail(
      site,
      `${id}, the protocol id of ${owner.name}, used by ${owner.owner}`,
      `an id no other routing software uses, such as ${DEFAULT_CONFIG.routeProtocol}`,
      'the daemon treats routes with its protocol id as its own, so it would replace or remove theirs',
    );
  }
  return id;
}

function readApi(r: Reader, site: Site, d: ApiConfig): ApiConfig {
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

function readMetrics(r: Reader, site: Site, d: RouterConfig['metrics']): RouterConfig['metrics'] {
  const f = r.fields(site, CONFIG_KEYS.metrics, 'a map {listen}');
  return { listen: or(f.listen, (s) => readEndpoint(r, s), d.listen) };
}

function readEndpoint(r: Reader, site: Site): Endpoint {
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

function readPunt(r: Reader, site: Site): PuntRule[] {
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

const PREFIX_EXPECTED = 'a CIDR prefix with no host bits set, such as 192.0.2.0/24 or 2001:db8::/32';

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

/** The key path of the deepest node around `offset`, to place a syntax error. */
function pathAt(node: unknown, offset: number, path: string): string {
  const covers = (n: unknown) => isNode(n) && n.range != null && n.range[0] <= offset && offset <= n.range[2];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const inner = `${path ? `${path}.` : ''}${String(pair.key.value)}`;
      if (covers(pair.key)) return inner;
      if (covers(pair.value)) return pathAt(pair.value, offset, inner);
    }
  }
  if (isSeq(node)) {
    const i = node.items.findIndex(covers);
    if (i >= 0) return pathAt(node.items[i], offset, `${path}[${i}]`);
  }
  return path;
}

function position(lines: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function or<T>(site: Site | undefined, read: (s: Site) => T, fallback: T): T {
  return site ? read(site) : fallback;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function isOneOf<T extends string>(value: string, options: readonly T[]): value is T {
  return (options as readonly string[]).includes(value);
}

function scalarValue(node: Node | null): unknown {
  return isScalar(node) ? node.value : undefined;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** What a node is, in the words of an error message. */
function describe(node: Node | null): string {
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  const value = scalarValue(node);
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `the text ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

function didYouMean(word: string, options: readonly string[]): string | undefined {
  // Case and separators carry no meaning for a guess: route_protocol is routeProtocol.
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const target = fold(word);
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(target.length / 3)) + 1;
  for (const option of options) {
    const folded = fold(option);
    // A word cut short or run on (warning for warn, route for routeProtocol) counts as one slip.
    const truncated = Math.min(target.length, folded.length) >= 3 && (target.startsWith(folded) || folded.startsWith(target));
    const distance = truncated ? 1 : editDistance(target, folded);
    if (distance < bestDistance) {
      best = option;
      bestDistance = distance;
    }
  }
  return best === undefined ? undefined : `did you mean "${best}"?`;
}

/** Optimal string alignment: Levenshtein plus swapped neighbours (mdoe -> mode is one edit). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
