// Original file: proto/xdprouter/v1/router.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetStatsRequest as _xdprouter_v1_GetStatsRequest, GetStatsRequest__Output as _xdprouter_v1_GetStatsRequest__Output } from '../../xdprouter/v1/GetStatsRequest.js';
import type { GetStatsResponse as _xdprouter_v1_GetStatsResponse, GetStatsResponse__Output as _xdprouter_v1_GetStatsResponse__Output } from '../../xdprouter/v1/GetStatsResponse.js';
import type { GetStatusRequest as _xdprouter_v1_GetStatusRequest, GetStatusRequest__Output as _xdprouter_v1_GetStatusRequest__Output } from '../../xdprouter/v1/GetStatusRequest.js';
import type { GetStatusResponse as _xdprouter_v1_GetStatusResponse, GetStatusResponse__Output as _xdprouter_v1_GetStatusResponse__Output } from '../../xdprouter/v1/GetStatusResponse.js';
import type { ListInterfacesRequest as _xdprouter_v1_ListInterfacesRequest, ListInterfacesRequest__Output as _xdprouter_v1_ListInterfacesRequest__Output } from '../../xdprouter/v1/ListInterfacesRequest.js';
import type { ListInterfacesResponse as _xdprouter_v1_ListInterfacesResponse, ListInterfacesResponse__Output as _xdprouter_v1_ListInterfacesResponse__Output } from '../../xdprouter/v1/ListInterfacesResponse.js';
import type { ListNeighborsRequest as _xdprouter_v1_ListNeighborsRequest, ListNeighborsRequest__Output as _xdprouter_v1_ListNeighborsRequest__Output } from '../../xdprouter/v1/ListNeighborsRequest.js';
import type { ListNeighborsResponse as _xdprouter_v1_ListNeighborsResponse, ListNeighborsResponse__Output as _xdprouter_v1_ListNeighborsResponse__Output } from '../../xdprouter/v1/ListNeighborsResponse.js';

/**
 * The daemon's state: counters, interfaces, neighbours. Read only.
 */
export interface StatusServiceClient extends grpc.Client {
  /**
   * Packets and bytes per verdict reason, in total and per interface.
   */
  GetStats(argument: _xdprouter_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _xdprouter_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _xdprouter_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _xdprouter_v1_GetStatsRequest, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Packets and bytes per verdict reason, in total and per interface.
   */
  getStats(argument: _xdprouter_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _xdprouter_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _xdprouter_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _xdprouter_v1_GetStatsRequest, callback: grpc.requestCallback<_xdprouter_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Version, uptime, sync state and sizes.
   */
  GetStatus(argument: _xdprouter_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _xdprouter_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _xdprouter_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _xdprouter_v1_GetStatusRequest, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Version, uptime, sync state and sizes.
   */
  getStatus(argument: _xdprouter_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _xdprouter_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _xdprouter_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _xdprouter_v1_GetStatusRequest, callback: grpc.requestCallback<_xdprouter_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The interfaces the fast path is attached to.
   */
  ListInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  ListInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  ListInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  ListInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The interfaces the fast path is attached to.
   */
  listInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  listInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  listInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  listInterfaces(argument: _xdprouter_v1_ListInterfacesRequest, callback: grpc.requestCallback<_xdprouter_v1_ListInterfacesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The kernel's neighbours and whether the fast path uses each.
   */
  ListNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  ListNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  ListNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  ListNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The kernel's neighbours and whether the fast path uses each.
   */
  listNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  listNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  listNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  listNeighbors(argument: _xdprouter_v1_ListNeighborsRequest, callback: grpc.requestCallback<_xdprouter_v1_ListNeighborsResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The daemon's state: counters, interfaces, neighbours. Read only.
 */
export interface StatusServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Packets and bytes per verdict reason, in total and per interface.
   */
  GetStats: grpc.handleUnaryCall<_xdprouter_v1_GetStatsRequest__Output, _xdprouter_v1_GetStatsResponse>;
  
  /**
   * Version, uptime, sync state and sizes.
   */
  GetStatus: grpc.handleUnaryCall<_xdprouter_v1_GetStatusRequest__Output, _xdprouter_v1_GetStatusResponse>;
  
  /**
   * The interfaces the fast path is attached to.
   */
  ListInterfaces: grpc.handleUnaryCall<_xdprouter_v1_ListInterfacesRequest__Output, _xdprouter_v1_ListInterfacesResponse>;
  
  /**
   * The kernel's neighbours and whether the fast path uses each.
   */
  ListNeighbors: grpc.handleUnaryCall<_xdprouter_v1_ListNeighborsRequest__Output, _xdprouter_v1_ListNeighborsResponse>;
  
}

export interface StatusServiceDefinition extends grpc.ServiceDefinition {
  GetStats: MethodDefinition<_xdprouter_v1_GetStatsRequest, _xdprouter_v1_GetStatsResponse, _xdprouter_v1_GetStatsRequest__Output, _xdprouter_v1_GetStatsResponse__Output>
  GetStatus: MethodDefinition<_xdprouter_v1_GetStatusRequest, _xdprouter_v1_GetStatusResponse, _xdprouter_v1_GetStatusRequest__Output, _xdprouter_v1_GetStatusResponse__Output>
  ListInterfaces: MethodDefinition<_xdprouter_v1_ListInterfacesRequest, _xdprouter_v1_ListInterfacesResponse, _xdprouter_v1_ListInterfacesRequest__Output, _xdprouter_v1_ListInterfacesResponse__Output>
  ListNeighbors: MethodDefinition<_xdprouter_v1_ListNeighborsRequest, _xdprouter_v1_ListNeighborsResponse, _xdprouter_v1_ListNeighborsRequest__Output, _xdprouter_v1_ListNeighborsResponse__Output>
}
