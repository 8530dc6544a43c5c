// Route protocol ids as iproute2 names them ("kernel", "boot", "bird"), so
// the API and `ip route` speak alike. The router's own id is "xdp-router",
// the name the set-up gives it in /etc/iproute2/rt_protos.d.
import { WELL_KNOWN_ROUTE_PROTOCOLS } from '../../config/route-protocols.js';

export const OWN_PROTOCOL_NAME = 'xdp-router';

export class RouteProtocols {
  private readonly byId = new Map<number, string>();
  private readonly byName = new Map<string, number>();

  constructor(readonly own: number) {
    for (const p of WELL_KNOWN_ROUTE_PROTOCOLS) this.add(p.id, p.name);
    this.add(own, OWN_PROTOCOL_NAME);
  }

  private add(id: number, name: string): void {
    this.byId.set(id, name);
    this.byName.set(name, id);
  }

  /** The name of an id, or the id in decimal when it has none. */
  name(id: number): string {
    return this.byId.get(id) ?? String(id);
  }

  /** An id from a name or a decimal id; undefined when it is neither. */
  id(text: string): number | undefined {
    if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return Number(text);
    return this.byName.get(text);
  }

  isOwn(text: string): boolean {
    return text === '' || this.id(text) === this.own;
  }
}
