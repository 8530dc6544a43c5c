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
   * the traffic that goes to the kernel for it: "all", or the interfaces
   * its rules name, such as "in r0; out r1"
   */
  'traffic'?: (string);
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
   * the traffic that goes to the kernel for it: "all", or the interfaces
   * its rules name, such as "in r0; out r1"
   */
  'traffic': (string);
}
