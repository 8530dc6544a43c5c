// Original file: proto/xdprouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

export interface CapturedPacket {
  /**
   * the interface it came in on
   */
  'interface'?: (string);
  /**
   * the receive queue (and AF_XDP socket) that took it
   */
  'queue'?: (number);
  /**
   * arrival, nanoseconds since the Unix epoch
   */
  'timeNs'?: (number | string | Long);
  /**
   * the whole Ethernet frame
   */
  'data'?: (Buffer | Uint8Array | string);
  /**
   * the frame's length on the wire (equal to data's length: frames are
   * never cut)
   */
  'originalLength'?: (number);
  /**
   * frames matching the filter that this client missed just before this
   * one, because it fell 10,000 behind (as tcpdump's "dropped by kernel")
   */
  'skippedBefore'?: (number | string | Long);
}

export interface CapturedPacket__Output {
  /**
   * the interface it came in on
   */
  'interface': (string);
  /**
   * the receive queue (and AF_XDP socket) that took it
   */
  'queue': (number);
  /**
   * arrival, nanoseconds since the Unix epoch
   */
  'timeNs': (string);
  /**
   * the whole Ethernet frame
   */
  'data': (Buffer);
  /**
   * the frame's length on the wire (equal to data's length: frames are
   * never cut)
   */
  'originalLength': (number);
  /**
   * frames matching the filter that this client missed just before this
   * one, because it fell 10,000 behind (as tcpdump's "dropped by kernel")
   */
  'skippedBefore': (string);
}
