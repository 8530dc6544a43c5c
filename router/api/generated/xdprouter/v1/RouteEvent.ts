// Original file: proto/xdprouter/v1/router.proto

import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from '../../xdprouter/v1/Route.js';

// Original file: proto/xdprouter/v1/router.proto

export const _xdprouter_v1_RouteEvent_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  /**
   * a route appeared or changed (same table, prefix and metric)
   */
  TYPE_ADDED: 'TYPE_ADDED',
  /**
   * a route went away
   */
  TYPE_DELETED: 'TYPE_DELETED',
  /**
   * the routes before this event were the table at the start of the
   * watch; the ones after it are changes
   */
  TYPE_SNAPSHOT_DONE: 'TYPE_SNAPSHOT_DONE',
} as const;

export type _xdprouter_v1_RouteEvent_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  /**
   * a route appeared or changed (same table, prefix and metric)
   */
  | 'TYPE_ADDED'
  | 1
  /**
   * a route went away
   */
  | 'TYPE_DELETED'
  | 2
  /**
   * the routes before this event were the table at the start of the
   * watch; the ones after it are changes
   */
  | 'TYPE_SNAPSHOT_DONE'
  | 3

export type _xdprouter_v1_RouteEvent_Type__Output = typeof _xdprouter_v1_RouteEvent_Type[keyof typeof _xdprouter_v1_RouteEvent_Type]

export interface RouteEvent {
  'type'?: (_xdprouter_v1_RouteEvent_Type);
  /**
   * unset on SNAPSHOT_DONE
   */
  'route'?: (_xdprouter_v1_Route | null);
}

export interface RouteEvent__Output {
  'type': (_xdprouter_v1_RouteEvent_Type__Output);
  /**
   * unset on SNAPSHOT_DONE
   */
  'route': (_xdprouter_v1_Route__Output | null);
}
