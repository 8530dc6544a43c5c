// Routes as the API's clients see them: interfaces by name, protocols by
// name. The gRPC layer maps these to and from protobuf, field by field.
import type { KernelRouteType } from '../sync/model.js';

/** The route types a client may install. */
export const INSTALLABLE_TYPES = ['unicast', 'blackhole', 'unreachable', 'prohibit'] as const;
export type InstallableType = (typeof INSTALLABLE_TYPES)[number];

export interface NexthopView {
  /** absent: a connected next hop, the destination is on the link */
  gateway?: string;
  interface: string;
  weight: number;
}

export interface RouteView {
  prefix: string;
  type: KernelRouteType;
  table: number;
  metric: number;
  protocol: string;
  nexthops: NexthopView[];
  /** the source prefix of a source-specific route */
  source?: string;
}

/** A route as a client asks for it; what it leaves out takes the defaults. */
export interface RouteSpec {
  prefix: string;
  /** default unicast */
  type?: InstallableType;
  /** 0 or absent: main (254) */
  table?: number;
  metric?: number;
  /** '' or absent: the router's own */
  protocol?: string;
  nexthops: Array<{ gateway?: string; interface?: string; weight?: number }>;
}

export const MAIN_TABLE = 254;
