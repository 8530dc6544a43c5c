// Original file: proto/xdprouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

export interface Counter {
  /**
   * the fast path's reason: "forwarded", "pass-no-route", "drop-blackhole", ...
   */
  'reason'?: (string);
  'packets'?: (number | string | Long);
  'bytes'?: (number | string | Long);
}

export interface Counter__Output {
  /**
   * the fast path's reason: "forwarded", "pass-no-route", "drop-blackhole", ...
   */
  'reason': (string);
  'packets': (string);
  'bytes': (string);
}
