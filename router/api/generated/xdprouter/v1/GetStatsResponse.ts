// Original file: proto/xdprouter/v1/router.proto

import type { Counter as _xdprouter_v1_Counter, Counter__Output as _xdprouter_v1_Counter__Output } from '../../xdprouter/v1/Counter.js';
import type { InterfaceCounters as _xdprouter_v1_InterfaceCounters, InterfaceCounters__Output as _xdprouter_v1_InterfaceCounters__Output } from '../../xdprouter/v1/InterfaceCounters.js';

export interface GetStatsResponse {
  /**
   * summed over every interface
   */
  'totals'?: (_xdprouter_v1_Counter)[];
  'interfaces'?: (_xdprouter_v1_InterfaceCounters)[];
}

export interface GetStatsResponse__Output {
  /**
   * summed over every interface
   */
  'totals': (_xdprouter_v1_Counter__Output)[];
  'interfaces': (_xdprouter_v1_InterfaceCounters__Output)[];
}
