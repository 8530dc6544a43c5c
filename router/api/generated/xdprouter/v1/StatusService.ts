// Original file: proto/xdprouter/v1/router.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CapturePacketsRequest as _xdprouter_v1_CapturePacketsRequest, CapturePacketsRequest__Output as _xdprouter_v1_CapturePacketsRequest__Output } from '../../xdprouter/v1/CapturePacketsRequest.js';
import type { CapturedPacket as _xdprouter_v1_CapturedPacket, CapturedPacket__Output as _xdprouter_v1_CapturedPacket__Output } from '../../xdprouter/v1/CapturedPacket.js';
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
   * The frames the punt rules send to the slow path (AF_XDP), from now on,
   * as they arrive: until the client cancels, or `filter.max_packets` have
   * been sent (then the stream ends). Frames a slow client cannot keep up
   * with (10,000 waiting) are skipped, as tcpdump's "dropped by kernel".
   * Capturing does not change forwarding: the slow path still forwards them.
   * INVALID_ARGUMENT: malformed prefix or host bits set, unknown
   * protocol, port above 65535 or with a protocol other than tcp/udp.
   * FAILED_PRECONDITION: the slow path is not running (the daemon's
   * config has no punt rule).
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  CapturePackets(argument: _xdprouter_v1_CapturePacketsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_CapturedPacket__Output>;
  CapturePackets(argument: _xdprouter_v1_CapturePacketsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_CapturedPacket__Output>;
  /**
   * The frames the punt rules send to the slow path (AF_XDP), from now on,
   * as they arrive: until the client cancels, or `filter.max_packets` have
   * been sent (then the stream ends). Frames a slow client cannot keep up
   * with (10,000 waiting) are skipped, as tcpdump's "dropped by kernel".
   * Capturing does not change forwarding: the slow path still forwards them.
   * INVALID_ARGUMENT: malformed prefix or host bits set, unknown
   * protocol, port above 65535 or with a protocol other than tcp/udp.
   * FAILED_PRECONDITION: the slow path is not running (the daemon's
   * config has no punt rule).
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  capturePackets(argument: _xdprouter_v1_CapturePacketsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_CapturedPacket__Output>;
  capturePackets(argument: _xdprouter_v1_CapturePacketsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_xdprouter_v1_CapturedPacket__Output>;
  
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
   * The frames the punt rules send to the slow path (AF_XDP), from now on,
   * as they arrive: until the client cancels, or `filter.max_packets` have
   * been sent (then the stream ends). Frames a slow client cannot keep up
   * with (10,000 waiting) are skipped, as tcpdump's "dropped by kernel".
   * Capturing does not change forwarding: the slow path still forwards them.
   * INVALID_ARGUMENT: malformed prefix or host bits set, unknown
   * protocol, port above 65535 or with a protocol other than tcp/udp.
   * FAILED_PRECONDITION: the slow path is not running (the daemon's
   * config has no punt rule).
   * buf:lint:ignore RPC_RESPONSE_STANDARD_NAME
   */
  CapturePackets: grpc.handleServerStreamingCall<_xdprouter_v1_CapturePacketsRequest__Output, _xdprouter_v1_CapturedPacket>;
  
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
  CapturePackets: MethodDefinition<_xdprouter_v1_CapturePacketsRequest, _xdprouter_v1_CapturedPacket, _xdprouter_v1_CapturePacketsRequest__Output, _xdprouter_v1_CapturedPacket__Output>
  GetStats: MethodDefinition<_xdprouter_v1_GetStatsRequest, _xdprouter_v1_GetStatsResponse, _xdprouter_v1_GetStatsRequest__Output, _xdprouter_v1_GetStatsResponse__Output>
  GetStatus: MethodDefinition<_xdprouter_v1_GetStatusRequest, _xdprouter_v1_GetStatusResponse, _xdprouter_v1_GetStatusRequest__Output, _xdprouter_v1_GetStatusResponse__Output>
  ListInterfaces: MethodDefinition<_xdprouter_v1_ListInterfacesRequest, _xdprouter_v1_ListInterfacesResponse, _xdprouter_v1_ListInterfacesRequest__Output, _xdprouter_v1_ListInterfacesResponse__Output>
  ListNeighbors: MethodDefinition<_xdprouter_v1_ListNeighborsRequest, _xdprouter_v1_ListNeighborsResponse, _xdprouter_v1_ListNeighborsRequest__Output, _xdprouter_v1_ListNeighborsResponse__Output>
}
