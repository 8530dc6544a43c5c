// Original file: proto/xdprouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

export interface PuntRule {
  /**
   * CIDR of the destinations, such as "203.0.113.0/24"
   */
  'prefix'?: (string);
  /**
   * "tcp", "udp", "icmp" (ICMPv6 for an IPv6 prefix), another protocol by
   * its decimal number ("47"), or "" for any. Answers name tcp, udp and
   * icmp, and give the others by number.
   */
  'protocol'?: (string);
  /**
   * destination port, tcp and udp only; 0: any
   */
  'port'?: (number);
  /**
   * answers only: the rule's id (its counters' index)
   */
  'id'?: (number);
  /**
   * answers only: packets and bytes punted by the rule since it was added
   */
  'packets'?: (number | string | Long);
  'bytes'?: (number | string | Long);
}

export interface PuntRule__Output {
  /**
   * CIDR of the destinations, such as "203.0.113.0/24"
   */
  'prefix': (string);
  /**
   * "tcp", "udp", "icmp" (ICMPv6 for an IPv6 prefix), another protocol by
   * its decimal number ("47"), or "" for any. Answers name tcp, udp and
   * icmp, and give the others by number.
   */
  'protocol': (string);
  /**
   * destination port, tcp and udp only; 0: any
   */
  'port': (number);
  /**
   * answers only: the rule's id (its counters' index)
   */
  'id': (number);
  /**
   * answers only: packets and bytes punted by the rule since it was added
   */
  'packets': (string);
  'bytes': (string);
}
