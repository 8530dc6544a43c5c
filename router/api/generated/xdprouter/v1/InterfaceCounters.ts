// Original file: proto/xdprouter/v1/router.proto

import type { Counter as _xdprouter_v1_Counter, Counter__Output as _xdprouter_v1_Counter__Output } from '../../xdprouter/v1/Counter.js';

export interface InterfaceCounters {
  /**
   * ingress interface
   */
  'interface'?: (string);
  'index'?: (number);
  'counters'?: (_xdprouter_v1_Counter)[];
}

export interface InterfaceCounters__Output {
  /**
   * ingress interface
   */
  'interface': (string);
  'index': (number);
  'counters': (_xdprouter_v1_Counter__Output)[];
}
