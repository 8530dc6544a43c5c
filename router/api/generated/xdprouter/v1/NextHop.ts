// Original file: proto/xdprouter/v1/router.proto


export interface NextHop {
  /**
   * an address of the route's family; empty: the destination is on the
   * link itself (a connected route, "dev eth1")
   */
  'gateway'?: (string);
  /**
   * the egress interface's name; may be left empty when the gateway is on
   * a connected network, which names it
   */
  'interface'?: (string);
  /**
   * share of flows on a multipath route, 1 to 256; unset: 1
   */
  'weight'?: (number);
  '_weight'?: "weight";
}

export interface NextHop__Output {
  /**
   * an address of the route's family; empty: the destination is on the
   * link itself (a connected route, "dev eth1")
   */
  'gateway': (string);
  /**
   * the egress interface's name; may be left empty when the gateway is on
   * a connected network, which names it
   */
  'interface': (string);
  /**
   * share of flows on a multipath route, 1 to 256; unset: 1
   */
  'weight'?: (number);
  '_weight'?: "weight";
}
