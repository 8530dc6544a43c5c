// Original file: proto/xdprouter/v1/router.proto


/**
 * A policy rule and what the fast path does about it.
 */
export interface PolicyRule {
  /**
   * in `ip rule` words, with its family, such as
   * "100: from 192.0.2.0/24 to 203.0.113.0/24 lookup 100 (IPv4)"
   */
  'rule'?: (string);
  /**
   * such as "traffic to 203.0.113.0/24 goes to the kernel (pass-policy)"
   */
  'handling'?: (string);
}

/**
 * A policy rule and what the fast path does about it.
 */
export interface PolicyRule__Output {
  /**
   * in `ip rule` words, with its family, such as
   * "100: from 192.0.2.0/24 to 203.0.113.0/24 lookup 100 (IPv4)"
   */
  'rule': (string);
  /**
   * such as "traffic to 203.0.113.0/24 goes to the kernel (pass-policy)"
   */
  'handling': (string);
}
