// The configuration reader: the shipped example, defaults, and the
// refusals an operator meets, each of which must say where (file, line,
// key path) and what would have been accepted.
import { describe, expect, it } from 'vitest';
import { readExampleConfig, switchOptionalsOn } from '../../config/example.js';
import { ConfigError, DEFAULT_CONFIG, defaults, parseConfig, type RouterConfig } from '../../config/schema.js';

const EXAMPLE = readExampleConfig();
const FILE = 'router.yaml';

function parse(...lines: string[]): RouterConfig {
  return parseConfig(lines.join('\n'), FILE);
}

function refusal(text: string): ConfigError {
  try {
    parseConfig(text, FILE);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('parseConfig accepted a file it should refuse');
}

describe('config: the example file', () => {
  it('parses, and every active key holds its default', () => {
    const config = parseConfig(EXAMPLE, 'example.yaml');
    expect(config).toEqual({
      ...defaults(),
      interfaces: [
        { name: 'eth0', mode: 'auto' },
        { name: 'eth1', mode: 'auto' },
      ],
    });
  });

  it('parses with every optional setting switched on, and shows every key', () => {
    const config = parseConfig(switchOptionalsOn(EXAMPLE), 'example.yaml');
    expect(config.netns).toBe('router');
    expect(config.hashSeed).toBe(2654435769);
    expect(config.api.unix).toEqual({ path: '/run/xdp-router/xdp-router.sock', mode: 0o660, group: 'xdp-router' });
    expect(config.api.tcp).toEqual({
      listen: { host: '::', port: 50051 },
      tls: { cert: '/etc/xdp-router/server.pem', key: '/etc/xdp-router/server.key', clientCa: '/etc/xdp-router/clients-ca.pem' },
      insecure: false,
    });
    expect(config.punt).toEqual([
      { prefix: '198.51.100.0/24' },
      { prefix: '2001:db8:b::/64', protocol: 6, port: 22 },
      { prefix: '192.0.2.0/24', protocol: 1 },
    ]);
  });
});

describe('config: defaults', () => {
  it('fills every default into a minimal file', () => {
    const config = parse('interfaces: [eth0]');
    expect(config).toEqual({ ...DEFAULT_CONFIG, interfaces: [{ name: 'eth0', mode: 'auto' }] });
    expect(config).not.toHaveProperty('netns');
    expect(config).not.toHaveProperty('hashSeed');
    expect(config.api).not.toHaveProperty('tcp');
  });

  it('defaults() is a fresh copy; DEFAULT_CONFIG cannot be changed', () => {
    const mine = defaults();
    mine.tables.push(100);
    mine.api.unix.mode = 0o600;
    expect(defaults().tables).toEqual([254]);
    expect(DEFAULT_CONFIG.api.unix.mode).toBe(0o660);
    expect(Object.isFrozen(DEFAULT_CONFIG.api.unix)).toBe(true);
  });

  it('xdpMode is the mode of interfaces that name none', () => {
    const config = parse('xdpMode: native', 'interfaces:', '  - eth0', '  - { name: eth1, mode: generic }');
    expect(config.interfaces).toEqual([
      { name: 'eth0', mode: 'native' },
      { name: 'eth1', mode: 'generic' },
    ]);
  });
});

describe('config: values written in more than one way', () => {
  it('the table main, by name or number', () => {
    expect(parse('interfaces: [eth0]', 'tables: [main]').tables).toEqual([254]);
    expect(parse('interfaces: [eth0]', 'tables: [254]').tables).toEqual([254]);
  });

  it.each([['"0660"'], ['0660'], ['"660"'], ['0o660'], ['432']])('socket mode %s is 0o660', (written) => {
    expect(parse('interfaces: [eth0]', 'api:', '  unix:', `    mode: ${written}`).api.unix.mode).toBe(0o660);
  });

  it('icmp means ICMPv6 for an IPv6 prefix; numbers are taken as they are', () => {
    const config = parse('interfaces: [eth0]', 'punt:', '  - { prefix: "2001:db8::/32", protocol: icmp }', '  - { prefix: 10.0.0.0/8, protocol: 47 }', '  - { prefix: 10.1.0.0/16, protocol: udp, port: 53 }');
    expect(config.punt).toEqual([
      { prefix: '2001:db8::/32', protocol: 58 },
      { prefix: '10.0.0.0/8', protocol: 47 },
      { prefix: '10.1.0.0/16', protocol: 17, port: 53 },
    ]);
  });

  it.each([['"127.0.0.1:50051"', '127.0.0.1'], ['"127.9.9.9:50051"', '127.9.9.9'], ['"[::1]:50051"', '::1'], ['localhost:50051', 'localhost']])(
    'insecure is allowed on loopback %s',
    (listen, host) => {
      const config = parse('interfaces: [eth0]', 'api:', '  tcp:', `    listen: ${listen}`, '    insecure: true');
      expect(config.api.tcp).toEqual({ listen: { host, port: 50051 }, insecure: true });
    },
  );

  it('pinDir loses a trailing slash; aliases are followed', () => {
    const config = parse('interfaces: [eth0]', 'pinDir: /sys/fs/bpf/r1/', 'metrics: { listen: &local "127.0.0.2:9469" }', 'api:', '  tcp: { listen: *local, insecure: true }');
    expect(config.pinDir).toBe('/sys/fs/bpf/r1');
    expect(config.api.tcp?.listen).toEqual({ host: '127.0.0.2', port: 9469 });
  });
});

describe('config: refusals name the file, the line, the key path and what was expected', () => {
  // [what, file text, line, key path, words of the expectation]
  const cases: Array<[string, string, number, string, string]> = [
    ['YAML syntax error', 'interfaces:\n  - eth0\n xdpMode: auto\n', 3, 'interfaces[0]', 'not valid YAML: All mapping items must start at the same column'],
    ['a key given twice', 'interfaces: [eth0]\ninterfaces: [eth1]\n', 2, 'interfaces', 'expected each key once'],
    ['an unknown key, with a suggestion', 'interfaces: [eth0]\nxdpmode: native\n', 2, 'xdpmode', 'did you mean "xdpMode"?'],
    ['an unknown nested key, with a suggestion', 'interfaces:\n  - eth0\n  - name: eth1\n    mdoe: native\n', 4, 'interfaces[1].mdoe', 'expected one of name, mode; did you mean "mode"?'],
    ['snake_case for camelCase', 'interfaces: [eth0]\nroute_protocol: 251\n', 2, 'route_protocol', 'did you mean "routeProtocol"?'],
    ['an empty file', '', 1, 'top level', 'expected a map of settings with at least "interfaces"'],
    ['no interfaces key', 'xdpMode: auto\n', 1, 'interfaces', 'found no "interfaces" key, expected a non-empty list'],
    ['an empty interface list', 'interfaces: []\n', 1, 'interfaces', 'expected at least one interface'],
    ['an interface listed twice', 'interfaces:\n  - eth0\n  - eth1\n  - { name: eth0 }\n', 4, 'interfaces[2].name', '"eth0" a second time (first at interfaces[0]), expected each one listed once'],
    ['an interface name too long', 'interfaces:\n  - averyveryverylongname\n', 2, 'interfaces[0]', '21 bytes long, expected a Linux interface name: 1 to 15 bytes'],
    ['an interface name with a slash', 'interfaces:\n  - name: eth0/1\n', 2, 'interfaces[0].name', 'contains "/", expected a Linux interface name'],
    ['an unknown XDP mode', 'interfaces:\n  - eth0\n  - name: eth1\n    mode: fast\n', 4, 'interfaces[1].mode', 'found the text "fast", expected one of auto, native, generic'],
    ['pinDir outside bpffs', 'interfaces: [eth0]\npinDir: /tmp/pins\n', 2, 'pinDir', 'expected a directory under /sys/fs/bpf/'],
    ['pinDir climbing out of bpffs', 'interfaces: [eth0]\npinDir: /sys/fs/bpf/../pins\n', 2, 'pinDir', 'expected a directory under /sys/fs/bpf/'],
    ['a misspelt table name', 'interfaces: [eth0]\ntables:\n  - main\n  - mian\n', 4, 'tables[1]', 'or one of default, main, local; did you mean "main"?'],
    ['an unknown table name', 'interfaces: [eth0]\ntables: [vrf-blue]\n', 2, 'tables[0]', '/etc/iproute2/rt_tables are not read here: write the number'],
    ['a table given by name and number', 'interfaces: [eth0]\ntables: [main, 254]\n', 2, 'tables[1]', 'table 254 a second time (first at tables[0])'],
    ['table 0', 'interfaces: [eth0]\ntables: [0]\n', 2, 'tables[0]', 'an integer 1..4294967295'],
    ['a VRF\'s or a rule\'s table beside main', 'interfaces: [eth0]\ntables:\n  - main\n  - 100\n', 4, 'tables[1]', 'found table 100, expected main: the one table the fast path answers from'],
    ['the default table', 'interfaces: [eth0]\ntables: [default]\n', 2, 'tables[0]', 'found table 253, expected main'],
    ['an unknown netfilter mode', 'interfaces: [eth0]\nnetfilter: ignore\n', 2, 'netfilter', 'found the text "ignore", expected one of respect, bypass'],
    ["BGP's route protocol", 'interfaces: [eth0]\nrouteProtocol: 186\n', 2, 'routeProtocol', 'found 186, the protocol id of bgp, used by BGP daemons (FRR bgpd), expected an id no other routing software uses'],
    ["the kernel's route protocol", 'interfaces: [eth0]\nrouteProtocol: 2\n', 2, 'routeProtocol', 'the protocol id of kernel'],
    ['a route protocol out of range', 'interfaces: [eth0]\nrouteProtocol: 256\n', 2, 'routeProtocol', 'expected a route protocol id, an integer 1..255'],
    ['a netlink buffer below what the kernel grants', 'interfaces: [eth0]\nnetlinkBufferBytes: 1024\n', 2, 'netlinkBufferBytes', 'expected a buffer size in bytes, an integer 4096..1073741824'],
    ['a hash seed out of range', 'interfaces: [eth0]\nhashSeed: -1\n', 2, 'hashSeed', 'an integer 0..4294967295'],
    ['"yes" for a boolean', 'interfaces: [eth0]\nreplaceForeignXdp: yes\n', 2, 'replaceForeignXdp', 'found the text "yes", expected true or false'],
    ['a string for an integer', 'interfaces: [eth0]\nrouteProtocol: "251"\n', 2, 'routeProtocol', 'found the text "251", expected a route protocol id'],
    ['an unknown log level', 'interfaces: [eth0]\nlogLevel: warning\n', 2, 'logLevel', 'expected one of debug, info, warn, error; did you mean "warn"?'],
    ['a netns name with a slash', 'interfaces: [eth0]\nnetns: run/ns\n', 2, 'netns', 'expected a network namespace name as ip netns takes it'],
    ['tcp without tls', 'interfaces: [eth0]\napi:\n  tcp:\n    listen: "0.0.0.0:50051"\n', 4, 'api.tcp.tls', 'found no tls section, expected tls: {cert, key}'],
    ['insecure on a non-loopback address', 'interfaces: [eth0]\napi:\n  tcp:\n    listen: "0.0.0.0:50051"\n    insecure: true\n', 5, 'api.tcp.insecure', 'not a loopback address, expected a tls section {cert, key} for that address, or a loopback listen address'],
    ['insecure beside tls', 'interfaces: [eth0]\napi:\n  tcp:\n    listen: "127.0.0.1:50051"\n    tls: {cert: /c.pem, key: /k.pem}\n    insecure: true\n', 6, 'api.tcp.insecure', 'expected one or the other'],
    ['a relative certificate path', 'interfaces: [eth0]\napi:\n  tcp:\n    listen: "[::]:50051"\n    tls: {cert: server.pem, key: /k.pem}\n', 5, 'api.tcp.tls.cert', "expected an absolute path; a relative path would depend on the daemon's working directory"],
    ['tls without a key', 'interfaces: [eth0]\napi:\n  tcp:\n    listen: "[::]:50051"\n    tls: {cert: /c.pem}\n', 5, 'api.tcp.tls.key', 'found no "key" key, expected the path of the private key'],
    ['a socket path longer than sun_path', `interfaces: [eth0]\napi:\n  unix:\n    path: /run/${'x'.repeat(110)}\n`, 4, 'api.unix.path', 'expected a socket path of at most 107 bytes'],
    ['a socket mode not octal', 'interfaces: [eth0]\napi:\n  unix:\n    mode: "0690"\n', 4, 'api.unix.mode', 'expected permission bits as an octal string such as "0660"'],
    ['an IPv6 listen address without brackets', 'interfaces: [eth0]\nmetrics:\n  listen: "::1:9469"\n', 3, 'metrics.listen', 'expected host:port, with an IPv6 host in brackets'],
    ['port 0', 'interfaces: [eth0]\nmetrics:\n  listen: "127.0.0.1:0"\n', 3, 'metrics.listen', 'expected a port 1..65535'],
    ['a punt prefix with host bits set', 'interfaces: [eth0]\npunt:\n  - prefix: 192.0.2.1/24\n', 3, 'punt[0].prefix', 'expected a CIDR prefix with no host bits set, such as 192.0.2.0/24 or 2001:db8::/32; prefix "192.0.2.1/24" has host bits set: did you mean 192.0.2.0/24?'],
    ['a punt port without a protocol', 'interfaces: [eth0]\npunt:\n  - prefix: 192.0.2.0/24\n    port: 22\n', 4, 'punt[0].port', 'found a port with no protocol, expected protocol: tcp or udp beside a port'],
    ['a punt port with icmp', 'interfaces: [eth0]\npunt:\n  - prefix: 192.0.2.0/24\n    protocol: icmp\n    port: 22\n', 5, 'punt[0].port', 'found a port with protocol the text "icmp", expected protocol: tcp or udp'],
    ['a punt protocol by unknown name', 'interfaces: [eth0]\npunt:\n  - { prefix: 192.0.2.0/24, protocol: sctp }\n', 3, 'punt[0].protocol', 'expected an IP protocol: an integer 0..255 or one of tcp, udp, icmp'],
    ['a list where a map belongs', '- eth0\n', 1, 'top level', 'found a list, expected a map of settings'],
  ];

  it('covers at least 12 distinct refusals', () => {
    expect(new Set(cases.map(([, , , path]) => path)).size).toBeGreaterThanOrEqual(12);
  });

  it.each(cases)('%s', (_what, text, line, path, expected) => {
    const e = refusal(text);
    expect(e.message).toContain(`${FILE}:${line}:`);
    expect(e.message).toContain(`: ${path}: `);
    expect(e.message).toContain(expected);
    expect({ file: e.file, line: e.line, path: e.path === '' ? 'top level' : e.path }).toEqual({ file: FILE, line, path });
  });
});
