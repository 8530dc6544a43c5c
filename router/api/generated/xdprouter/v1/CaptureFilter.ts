// Original file: proto/xdprouter/v1/router.proto


/**
 * Which punted frames a capture sees; every field unset: all of them.
 */
export interface CaptureFilter {
  /**
   * frames whose source or destination is in this CIDR
   */
  'prefix'?: (string);
  /**
   * "tcp", "udp", "icmp" (ICMP or ICMPv6), a decimal number, or "" for any
   */
  'protocol'?: (string);
  /**
   * frames with this source or destination port (tcp and udp); 0: any
   */
  'port'?: (number);
  /**
   * end the stream after this many frames; 0: no limit
   */
  'maxPackets'?: (number);
}

/**
 * Which punted frames a capture sees; every field unset: all of them.
 */
export interface CaptureFilter__Output {
  /**
   * frames whose source or destination is in this CIDR
   */
  'prefix': (string);
  /**
   * "tcp", "udp", "icmp" (ICMP or ICMPv6), a decimal number, or "" for any
   */
  'protocol': (string);
  /**
   * frames with this source or destination port (tcp and udp); 0: any
   */
  'port': (number);
  /**
   * end the stream after this many frames; 0: no limit
   */
  'maxPackets': (number);
}
