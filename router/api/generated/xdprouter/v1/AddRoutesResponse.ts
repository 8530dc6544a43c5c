// Original file: proto/xdprouter/v1/router.proto

import type { RouteError as _xdprouter_v1_RouteError, RouteError__Output as _xdprouter_v1_RouteError__Output } from '../../xdprouter/v1/RouteError.js';

export interface AddRoutesResponse {
  /**
   * routes installed and in the fast path
   */
  'added'?: (number);
  /**
   * the first 1,000 refusals, by index
   */
  'errors'?: (_xdprouter_v1_RouteError)[];
  /**
   * refusals in all
   */
  'failed'?: (number);
}

export interface AddRoutesResponse__Output {
  /**
   * routes installed and in the fast path
   */
  'added': (number);
  /**
   * the first 1,000 refusals, by index
   */
  'errors': (_xdprouter_v1_RouteError__Output)[];
  /**
   * refusals in all
   */
  'failed': (number);
}
