// Original file: proto/xdprouter/v1/router.proto


/**
 * A netfilter base chain on a forwarding hook.
 */
export interface NetfilterChain {
  /**
   * family and name, as `nft list table` takes them: "ip nat"
   */
  'table'?: (string);
  'chain'?: (string);
  /**
   * prerouting, forward, postrouting (ip, ip6, inet), ingress, egress (netdev)
   */
  'hook'?: (string);
  /**
   * a rule names no interface: all traffic goes to the kernel for it
   */
  'allTraffic'?: (boolean);
  /**
   * otherwise: traffic arriving on these, and leaving by these, goes to the
   * kernel (names as its rules write them, `eth*` included)
   */
  'ingressInterfaces'?: (string)[];
  'egressInterfaces'?: (string)[];
}

/**
 * A netfilter base chain on a forwarding hook.
 */
export interface NetfilterChain__Output {
  /**
   * family and name, as `nft list table` takes them: "ip nat"
   */
  'table': (string);
  'chain': (string);
  /**
   * prerouting, forward, postrouting (ip, ip6, inet), ingress, egress (netdev)
   */
  'hook': (string);
  /**
   * a rule names no interface: all traffic goes to the kernel for it
   */
  'allTraffic': (boolean);
  /**
   * otherwise: traffic arriving on these, and leaving by these, goes to the
   * kernel (names as its rules write them, `eth*` included)
   */
  'ingressInterfaces': (string)[];
  'egressInterfaces': (string)[];
}
