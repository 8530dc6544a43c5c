// Original file: proto/xdprouter/v1/router.proto


export interface ListRoutesRequest {
  /**
   * 0: every mirrored table
   */
  'table'?: (number);
  /**
   * "ipv4", "ipv6", or "" for both
   */
  'family'?: (string);
  /**
   * a protocol name or id; "" for any
   */
  'protocol'?: (string);
}

export interface ListRoutesRequest__Output {
  /**
   * 0: every mirrored table
   */
  'table': (number);
  /**
   * "ipv4", "ipv6", or "" for both
   */
  'family': (string);
  /**
   * a protocol name or id; "" for any
   */
  'protocol': (string);
}
