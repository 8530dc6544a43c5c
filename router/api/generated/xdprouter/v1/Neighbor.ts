// Original file: proto/xdprouter/v1/router.proto


export interface Neighbor {
  'address'?: (string);
  'interface'?: (string);
  /**
   * "" when the kernel has no link-layer address yet
   */
  'mac'?: (string);
  /**
   * the kernel's NUD states: "REACHABLE", "STALE", "PERMANENT", ...
   */
  'states'?: (string)[];
  /**
   * the fast path forwards to this neighbour
   */
  'inFastPath'?: (boolean);
}

export interface Neighbor__Output {
  'address': (string);
  'interface': (string);
  /**
   * "" when the kernel has no link-layer address yet
   */
  'mac': (string);
  /**
   * the kernel's NUD states: "REACHABLE", "STALE", "PERMANENT", ...
   */
  'states': (string)[];
  /**
   * the fast path forwards to this neighbour
   */
  'inFastPath': (boolean);
}
