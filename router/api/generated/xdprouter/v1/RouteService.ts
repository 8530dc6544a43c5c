// Original file: proto/xdprouter/v1/router.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddRouteRequest as _xdprouter_v1_AddRouteRequest, AddRouteRequest__Output as _xdprouter_v1_AddRouteRequest__Output } from '../../xdprouter/v1/AddRouteRequest.js';
import type { AddRouteResponse as _xdprouter_v1_AddRouteResponse, AddRouteResponse__Output as _xdprouter_v1_AddRouteResponse__Output } from '../../xdprouter/v1/AddRouteResponse.js';
import type { AddRoutesRequest as _xdprouter_v1_AddRoutesRequest, AddRoutesRequest__Output as _xdprouter_v1_AddRoutesRequest__Output } from '../../xdprouter/v1/AddRoutesRequest.js';
import type { AddRoutesResponse as _xdprouter_v1_AddRoutesResponse, AddRoutesResponse__Output as _xdprouter_v1_AddRoutesResponse__Output } from '../../xdprouter/v1/AddRoutesResponse.js';
import type { DeleteRouteRequest as _xdprouter_v1_DeleteRouteRequest, DeleteRouteRequest__Output as _xdprouter_v1_DeleteRouteRequest__Output } from '../../xdprouter/v1/DeleteRouteRequest.js';
import type { DeleteRouteResponse as _xdprouter_v1_DeleteRouteResponse, DeleteRouteResponse__Output as _xdprouter_v1_DeleteRouteResponse__Output } from '../../xdprouter/v1/DeleteRouteResponse.js';
import type { ListRoutesRequest as _xdprouter_v1_ListRoutesRequest, ListRoutesRequest__Output as _xdprouter_v1_ListRoutesRequest__Output } from '../../xdprouter/v1/ListRoutesRequest.js';
import type { LookupRouteRequest as _xdprouter_v1_LookupRouteRequest, LookupRouteRequest__Output as _xdprouter_v1_LookupRouteRequest__Output } from '../../xdprouter/v1/LookupRouteRequest.js';
import type { LookupRouteResponse as _xdprouter_v1_LookupRouteResponse, LookupRouteResponse__Output as _xdprouter_v1_LookupRouteResponse__Output } from '../../xdprouter/v1/LookupRouteResponse.js';
import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from '../../xdprouter/v1/Route.js';
import type { RouteEvent as _xdprouter_v1_RouteEvent, RouteEvent__Output as _xdprouter_v1_RouteEvent__Output } from '../../xdprouter/v1/RouteEvent.js';
import type { WatchRoutesRequest as _xdprouter_v1_WatchRoutesRequest, WatchRoutesRequest__Output as _xdprouter_v1_WatchRoutesRequest__Output } from '../../xdprouter/v1/WatchRoutesRequest.js';

/**
 * Routes: installed in the kernel over rtnetlink with the router's own
 * protocol id, and carried into the XDP fast path by the daemon's sync, so
 * the kernel and the fast path never disagree.
 */
export interface RouteServiceClient extends grpc.Client {
  /**
   * Install a route. Returns once the fast path has applied it (read your
   * writes): a LookupRoute that follows sees it.
   * INVALID_ARGUMENT: malformed or out-of-range prefix, host bits set,
   * unknown route type, table not mirrored, protocol other than the
   * router's, unknown interface, gateway of the wrong family or not on
   * a connected network (or one of the router's own addresses), next
   * hops on a route type that has none, no next hop on a unicast
   * route, weight 0 or above 256, the same next hop twice.
   * ALREADY_EXISTS: a route of (table, prefix, metric) exists and
   * `replace` is false.
   * FAILED_PRECONDITION: `replace` would take over a route that another
   * protocol owns (delete it with force first).
   * DEADLINE_EXCEEDED: the kernel has the route but the fast path did not
   * apply it within 10 s (or the call's deadline).
   */
  AddRoute(argument: _xdprouter_v1_AddRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  AddRoute(argument: _xdprouter_v1_AddRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  AddRoute(argument: _xdprouter_v1_AddRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  AddRoute(argument: _xdprouter_v1_AddRouteRequest, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Install a route. Returns once the fast path has applied it (read your
   * writes): a LookupRoute that follows sees it.
   * INVALID_ARGUMENT: malformed or out-of-range prefix, host bits set,
   * unknown route type, table not mirrored, protocol other than the
   * router's, unknown interface, gateway of the wrong family or not on
   * a connected network (or one of the router's own addresses), next
   * hops on a route type that has none, no next hop on a unicast
   * route, weight 0 or above 256, the same next hop twice.
   * ALREADY_EXISTS: a route of (table, prefix, metric) exists and
   * `replace` is false.
   * FAILED_PRECONDITION: `replace` would take over a route that another
   * protocol owns (delete it with force first).
   * DEADLINE_EXCEEDED: the kernel has the route but the fast path did not
   * apply it within 10 s (or the call's deadline).
   */
  addRoute(argument: _xdprouter_v1_AddRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  addRoute(argument: _xdprouter_v1_AddRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  addRoute(argument: _xdprouter_v1_AddRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  addRoute(argument: _xdprouter_v1_AddRouteRequest, callback: grpc.requestCallback<_xdprouter_v1_AddRouteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Bulk programming: AddRoute for every route of the stream. A message
   * carries one route (`route`, the shape of an AddRouteRequest, so a
   * client that sends AddRouteRequests works unchanged) or many (`routes`;
   * a few hundred to a thousand per message cost the client and the daemon
   * far less than one message each); keep each message under 64 KiB.
   * Routes are installed as they arrive, in batches of thousands per kernel
   * request; while a few batches wait for the kernel or the fast path, the
   * stream is not read further. The answer comes once every route that
   * went in is in the kernel and the fast path. A refused route does not
   * stop the others: it is listed in `errors` with its index among the
   * routes of the stream (not its message's) and the status and message
   * AddRoute would have answered.
   */
  AddRoutes(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  AddRoutes(metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  AddRoutes(options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  AddRoutes(callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  /**
   * Bulk programming: AddRoute for every route of the stream. A message
   * carries one route (`route`, the shape of an AddRouteRequest, so a
   * client that sends AddRouteRequests works unchanged) or many (`routes`;
   * a few hundred to a thousand per message cost the client and the daemon
   * far less than one message each); keep each message under 64 KiB.
   * Routes are installed as they arrive, in batches of thousands per kernel
   * request; while a few batches wait for the kernel or the fast path, the
   * stream is not read further. The answer comes once every route that
   * went in is in the kernel and the fast path. A refused route does not
   * stop the others: it is listed in `errors` with its index among the
   * routes of the stream (not its message's) and the status and message
   * AddRoute would have answered.
   */
  addRoutes(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  addRoutes(metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  addRoutes(options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  addRoutes(callback: grpc.requestCallback<_xdprouter_v1_AddRoutesResponse__Output>): grpc.ClientWritableStream<_xdprouter_v1_AddRoutesRequest>;
  
  /**
   * Remove a route from the kernel and the fast path; returns once the fast
   * path no longer has it.
   * INVALID_ARGUMENT: malformed prefix, table not mirrored, several
   * routes of the prefix in the table and no metric to choose one.
   * NOT_FOUND: no such route in the table.
   * FAILED_PRECONDITION: another protocol owns the route and `force` is
   * false.
   * DEADLINE_EXCEEDED: the kernel removed it but the fast path did not
   * follow within 10 s.
   */
  DeleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Remove a route from the kernel and the fast path; returns once the fast
   * path no longer has it.
   * INVALID_ARGUMENT: malformed prefix, table not mirrored, several
   * routes of the prefix in the table and no metric to choose one.
   * NOT_FOUND: no such route in the table.
   * FAILED_PRECONDITION: another protocol owns the route and `force` is
   * false.
   * DEADLINE_EXCEEDED: the kernel removed it but the fast path did not
   * follow within 10 s.
   */
  deleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  deleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  deleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  deleteRoute(argument: _xdprouter_v1_DeleteRouteRequest, callback: grpc.requestCallback<_xdprouter_v1_DeleteRouteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The routes of the mirrored tables as the kernel has them (the daemon's
   * synced copy), any protocol.
   * INVALID_ARGUMENT: table not mirrored, family not "ipv4", "ipv6" or
   * "", unknown protocol name.
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  ListRoutes(argument: _xdprouter_v1_ListRoutesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_Route__Output>;
  ListRoutes(argument: _xdprouter_v1_ListRoutesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_Route__Output>;
  /**
   * The routes of the mirrored tables as the kernel has them (the daemon's
   * synced copy), any protocol.
   * INVALID_ARGUMENT: table not mirrored, family not "ipv4", "ipv6" or
   * "", unknown protocol name.
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  listRoutes(argument: _xdprouter_v1_ListRoutesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_Route__Output>;
  listRoutes(argument: _xdprouter_v1_ListRoutesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_Route__Output>;
  
  /**
   * What the fast path does with a packet to an address: the route it
   * matches (longest prefix), the next hop, the neighbour's MAC and the
   * verdict.
   * INVALID_ARGUMENT: not an IPv4 or IPv6 address.
   */
  LookupRoute(argument: _xdprouter_v1_LookupRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  LookupRoute(argument: _xdprouter_v1_LookupRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  LookupRoute(argument: _xdprouter_v1_LookupRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  LookupRoute(argument: _xdprouter_v1_LookupRouteRequest, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * What the fast path does with a packet to an address: the route it
   * matches (longest prefix), the next hop, the neighbour's MAC and the
   * verdict.
   * INVALID_ARGUMENT: not an IPv4 or IPv6 address.
   */
  lookupRoute(argument: _xdprouter_v1_LookupRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  lookupRoute(argument: _xdprouter_v1_LookupRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  lookupRoute(argument: _xdprouter_v1_LookupRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  lookupRoute(argument: _xdprouter_v1_LookupRouteRequest, callback: grpc.requestCallback<_xdprouter_v1_LookupRouteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every route of the mirrored tables as ADDED events, one SNAPSHOT_DONE,
   * then every change as it reaches the fast path (made by anyone: this
   * API, ip route, a routing daemon, a link going down).
   * RESOURCE_EXHAUSTED: the client read too slowly and fell 100,000
   * events behind; watch again.
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  WatchRoutes(argument: _xdprouter_v1_WatchRoutesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_RouteEvent__Output>;
  WatchRoutes(argument: _xdprouter_v1_WatchRoutesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_RouteEvent__Output>;
  /**
   * Every route of the mirrored tables as ADDED events, one SNAPSHOT_DONE,
   * then every change as it reaches the fast path (made by anyone: this
   * API, ip route, a routing daemon, a link going down).
   * RESOURCE_EXHAUSTED: the client read too slowly and fell 100,000
   * events behind; watch again.
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  watchRoutes(argument: _xdprouter_v1_WatchRoutesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_RouteEvent__Output>;
  watchRoutes(argument: _xdprouter_v1_WatchRoutesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_RouteEvent__Output>;
  
}

/**
 * Routes: installed in the kernel over rtnetlink with the router's own
 * protocol id, and carried into the XDP fast path by the daemon's sync, so
 * the kernel and the fast path never disagree.
 */
export interface RouteServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Install a route. Returns once the fast path has applied it (read your
   * writes): a LookupRoute that follows sees it.
   * INVALID_ARGUMENT: malformed or out-of-range prefix, host bits set,
   * unknown route type, table not mirrored, protocol other than the
   * router's, unknown interface, gateway of the wrong family or not on
   * a connected network (or one of the router's own addresses), next
   * hops on a route type that has none, no next hop on a unicast
   * route, weight 0 or above 256, the same next hop twice.
   * ALREADY_EXISTS: a route of (table, prefix, metric) exists and
   * `replace` is false.
   * FAILED_PRECONDITION: `replace` would take over a route that another
   * protocol owns (delete it with force first).
   * DEADLINE_EXCEEDED: the kernel has the route but the fast path did not
   * apply it within 10 s (or the call's deadline).
   */
  AddRoute: grpc.handleUnaryCall<_xdprouter_v1_AddRouteRequest__Output, _xdprouter_v1_AddRouteResponse>;
  
  /**
   * Bulk programming: AddRoute for every route of the stream. A message
   * carries one route (`route`, the shape of an AddRouteRequest, so a
   * client that sends AddRouteRequests works unchanged) or many (`routes`;
   * a few hundred to a thousand per message cost the client and the daemon
   * far less than one message each); keep each message under 64 KiB.
   * Routes are installed as they arrive, in batches of thousands per kernel
   * request; while a few batches wait for the kernel or the fast path, the
   * stream is not read further. The answer comes once every route that
   * went in is in the kernel and the fast path. A refused route does not
   * stop the others: it is listed in `errors` with its index among the
   * routes of the stream (not its message's) and the status and message
   * AddRoute would have answered.
   */
  AddRoutes: grpc.handleClientStreamingCall<_xdprouter_v1_AddRoutesRequest__Output, _xdprouter_v1_AddRoutesResponse>;
  
  /**
   * Remove a route from the kernel and the fast path; returns once the fast
   * path no longer has it.
   * INVALID_ARGUMENT: malformed prefix, table not mirrored, several
   * routes of the prefix in the table and no metric to choose one.
   * NOT_FOUND: no such route in the table.
   * FAILED_PRECONDITION: another protocol owns the route and `force` is
   * false.
   * DEADLINE_EXCEEDED: the kernel removed it but the fast path did not
   * follow within 10 s.
   */
  DeleteRoute: grpc.handleUnaryCall<_xdprouter_v1_DeleteRouteRequest__Output, _xdprouter_v1_DeleteRouteResponse>;
  
  /**
   * The routes of the mirrored tables as the kernel has them (the daemon's
   * synced copy), any protocol.
   * INVALID_ARGUMENT: table not mirrored, family not "ipv4", "ipv6" or
   * "", unknown protocol name.
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  ListRoutes: grpc.handleServerStreamingCall<_xdprouter_v1_ListRoutesRequest__Output, _xdprouter_v1_Route>;
  
  /**
   * What the fast path does with a packet to an address: the route it
   * matches (longest prefix), the next hop, the neighbour's MAC and the
   * verdict.
   * INVALID_ARGUMENT: not an IPv4 or IPv6 address.
   */
  LookupRoute: grpc.handleUnaryCall<_xdprouter_v1_LookupRouteRequest__Output, _xdprouter_v1_LookupRouteResponse>;
  
  /**
   * Every route of the mirrored tables as ADDED events, one SNAPSHOT_DONE,
   * then every change as it reaches the fast path (made by anyone: this
   * API, ip route, a routing daemon, a link going down).
   * RESOURCE_EXHAUSTED: the client read too slowly and fell 100,000
   * events behind; watch again.
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  WatchRoutes: grpc.handleServerStreamingCall<_xdprouter_v1_WatchRoutesRequest__Output, _xdprouter_v1_RouteEvent>;
  
}

export interface RouteServiceDefinition extends grpc.ServiceDefinition {
  AddRoute: MethodDefinition<_xdprouter_v1_AddRouteRequest, _xdprouter_v1_AddRouteResponse, _xdprouter_v1_AddRouteRequest__Output, _xdprouter_v1_AddRouteResponse__Output>
  AddRoutes: MethodDefinition<_xdprouter_v1_AddRoutesRequest, _xdprouter_v1_AddRoutesResponse, _xdprouter_v1_AddRoutesRequest__Output, _xdprouter_v1_AddRoutesResponse__Output>
  DeleteRoute: MethodDefinition<_xdprouter_v1_DeleteRouteRequest, _xdprouter_v1_DeleteRouteResponse, _xdprouter_v1_DeleteRouteRequest__Output, _xdprouter_v1_DeleteRouteResponse__Output>
  ListRoutes: MethodDefinition<_xdprouter_v1_ListRoutesRequest, _xdprouter_v1_Route, _xdprouter_v1_ListRoutesRequest__Output, _xdprouter_v1_Route__Output>
  LookupRoute: MethodDefinition<_xdprouter_v1_LookupRouteRequest, _xdprouter_v1_LookupRouteResponse, _xdprouter_v1_LookupRouteRequest__Output, _xdprouter_v1_LookupRouteResponse__Output>
  WatchRoutes: MethodDefinition<_xdprouter_v1_WatchRoutesRequest, _xdprouter_v1_RouteEvent, _xdprouter_v1_WatchRoutesRequest__Output, _xdprouter_v1_RouteEvent__Output>
}
