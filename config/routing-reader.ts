// The routing settings: which kernel tables the fast path mirrors, and the
// route protocol id that marks the daemon's own routes.
import { DEFAULT_CONFIG } from './defaults.js';
import { WELL_KNOWN_ROUTE_PROTOCOLS } from './route-protocols.js';
import { TABLE_NAMES } from './route-tables.js';
import { U32_MAX, type Reader, type Site } from './yaml-reader.js';

export function readTables(r: Reader, site: Site): number[] {
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

export function readRouteProtocol(r: Reader, site: Site): number {
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
