// The interfaces the fast path attaches to, and the network namespace they
// are in: names the kernel would take.
import { isMap } from 'yaml';
import { CONFIG_KEYS } from './keys.js';
import { XDP_MODES, type InterfaceConfig, type XdpMode } from './model.js';
import { or, quote, type Reader, type Site } from './yaml-reader.js';

export const INTERFACES_EXPECTED = 'a non-empty list of interface names, or of maps {name, mode}';

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

/** `defaultMode` (the top-level xdpMode) is the mode of an interface that names none. */
export function readInterfaces(r: Reader, site: Site, defaultMode: XdpMode): InterfaceConfig[] {
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

export function readNetns(r: Reader, site: Site): string {
  return readName(r, site, NETNS_NAME);
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
