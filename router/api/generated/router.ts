import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddPuntRuleRequest as _xdprouter_v1_AddPuntRuleRequest, AddPuntRuleRequest__Output as _xdprouter_v1_AddPuntRuleRequest__Output } from './xdprouter/v1/AddPuntRuleRequest.js';
import type { AddPuntRuleResponse as _xdprouter_v1_AddPuntRuleResponse, AddPuntRuleResponse__Output as _xdprouter_v1_AddPuntRuleResponse__Output } from './xdprouter/v1/AddPuntRuleResponse.js';
import type { AddRouteRequest as _xdprouter_v1_AddRouteRequest, AddRouteRequest__Output as _xdprouter_v1_AddRouteRequest__Output } from './xdprouter/v1/AddRouteRequest.js';
import type { AddRouteResponse as _xdprouter_v1_AddRouteResponse, AddRouteResponse__Output as _xdprouter_v1_AddRouteResponse__Output } from './xdprouter/v1/AddRouteResponse.js';
import type { AddRoutesRequest as _xdprouter_v1_AddRoutesRequest, AddRoutesRequest__Output as _xdprouter_v1_AddRoutesRequest__Output } from './xdprouter/v1/AddRoutesRequest.js';
import type { AddRoutesResponse as _xdprouter_v1_AddRoutesResponse, AddRoutesResponse__Output as _xdprouter_v1_AddRoutesResponse__Output } from './xdprouter/v1/AddRoutesResponse.js';
import type { CaptureFilter as _xdprouter_v1_CaptureFilter, CaptureFilter__Output as _xdprouter_v1_CaptureFilter__Output } from './xdprouter/v1/CaptureFilter.js';
import type { CapturePacketsRequest as _xdprouter_v1_CapturePacketsRequest, CapturePacketsRequest__Output as _xdprouter_v1_CapturePacketsRequest__Output } from './xdprouter/v1/CapturePacketsRequest.js';
import type { CapturedPacket as _xdprouter_v1_CapturedPacket, CapturedPacket__Output as _xdprouter_v1_CapturedPacket__Output } from './xdprouter/v1/CapturedPacket.js';
import type { Counter as _xdprouter_v1_Counter, Counter__Output as _xdprouter_v1_Counter__Output } from './xdprouter/v1/Counter.js';
import type { DeletePuntRuleRequest as _xdprouter_v1_DeletePuntRuleRequest, DeletePuntRuleRequest__Output as _xdprouter_v1_DeletePuntRuleRequest__Output } from './xdprouter/v1/DeletePuntRuleRequest.js';
import type { DeletePuntRuleResponse as _xdprouter_v1_DeletePuntRuleResponse, DeletePuntRuleResponse__Output as _xdprouter_v1_DeletePuntRuleResponse__Output } from './xdprouter/v1/DeletePuntRuleResponse.js';
import type { DeleteRouteRequest as _xdprouter_v1_DeleteRouteRequest, DeleteRouteRequest__Output as _xdprouter_v1_DeleteRouteRequest__Output } from './xdprouter/v1/DeleteRouteRequest.js';
import type { DeleteRouteResponse as _xdprouter_v1_DeleteRouteResponse, DeleteRouteResponse__Output as _xdprouter_v1_DeleteRouteResponse__Output } from './xdprouter/v1/DeleteRouteResponse.js';
import type { GetStatsRequest as _xdprouter_v1_GetStatsRequest, GetStatsRequest__Output as _xdprouter_v1_GetStatsRequest__Output } from './xdprouter/v1/GetStatsRequest.js';
import type { GetStatsResponse as _xdprouter_v1_GetStatsResponse, GetStatsResponse__Output as _xdprouter_v1_GetStatsResponse__Output } from './xdprouter/v1/GetStatsResponse.js';
import type { GetStatusRequest as _xdprouter_v1_GetStatusRequest, GetStatusRequest__Output as _xdprouter_v1_GetStatusRequest__Output } from './xdprouter/v1/GetStatusRequest.js';
import type { GetStatusResponse as _xdprouter_v1_GetStatusResponse, GetStatusResponse__Output as _xdprouter_v1_GetStatusResponse__Output } from './xdprouter/v1/GetStatusResponse.js';
import type { Interface as _xdprouter_v1_Interface, Interface__Output as _xdprouter_v1_Interface__Output } from './xdprouter/v1/Interface.js';
import type { InterfaceCounters as _xdprouter_v1_InterfaceCounters, InterfaceCounters__Output as _xdprouter_v1_InterfaceCounters__Output } from './xdprouter/v1/InterfaceCounters.js';
import type { ListInterfacesRequest as _xdprouter_v1_ListInterfacesRequest, ListInterfacesRequest__Output as _xdprouter_v1_ListInterfacesRequest__Output } from './xdprouter/v1/ListInterfacesRequest.js';
import type { ListInterfacesResponse as _xdprouter_v1_ListInterfacesResponse, ListInterfacesResponse__Output as _xdprouter_v1_ListInterfacesResponse__Output } from './xdprouter/v1/ListInterfacesResponse.js';
import type { ListNeighborsRequest as _xdprouter_v1_ListNeighborsRequest, ListNeighborsRequest__Output as _xdprouter_v1_ListNeighborsRequest__Output } from './xdprouter/v1/ListNeighborsRequest.js';
import type { ListNeighborsResponse as _xdprouter_v1_ListNeighborsResponse, ListNeighborsResponse__Output as _xdprouter_v1_ListNeighborsResponse__Output } from './xdprouter/v1/ListNeighborsResponse.js';
import type { ListPuntRulesRequest as _xdprouter_v1_ListPuntRulesRequest, ListPuntRulesRequest__Output as _xdprouter_v1_ListPuntRulesRequest__Output } from './xdprouter/v1/ListPuntRulesRequest.js';
import type { ListPuntRulesResponse as _xdprouter_v1_ListPuntRulesResponse, ListPuntRulesResponse__Output as _xdprouter_v1_ListPuntRulesResponse__Output } from './xdprouter/v1/ListPuntRulesResponse.js';
import type { ListRoutesRequest as _xdprouter_v1_ListRoutesRequest, ListRoutesRequest__Output as _xdprouter_v1_ListRoutesRequest__Output } from './xdprouter/v1/ListRoutesRequest.js';
import type { LookupRouteRequest as _xdprouter_v1_LookupRouteRequest, LookupRouteRequest__Output as _xdprouter_v1_LookupRouteRequest__Output } from './xdprouter/v1/LookupRouteRequest.js';
import type { LookupRouteResponse as _xdprouter_v1_LookupRouteResponse, LookupRouteResponse__Output as _xdprouter_v1_LookupRouteResponse__Output } from './xdprouter/v1/LookupRouteResponse.js';
import type { Neighbor as _xdprouter_v1_Neighbor, Neighbor__Output as _xdprouter_v1_Neighbor__Output } from './xdprouter/v1/Neighbor.js';
import type { NetfilterChain as _xdprouter_v1_NetfilterChain, NetfilterChain__Output as _xdprouter_v1_NetfilterChain__Output } from './xdprouter/v1/NetfilterChain.js';
import type { NextHop as _xdprouter_v1_NextHop, NextHop__Output as _xdprouter_v1_NextHop__Output } from './xdprouter/v1/NextHop.js';
import type { PolicyRule as _xdprouter_v1_PolicyRule, PolicyRule__Output as _xdprouter_v1_PolicyRule__Output } from './xdprouter/v1/PolicyRule.js';
import type { PuntRule as _xdprouter_v1_PuntRule, PuntRule__Output as _xdprouter_v1_PuntRule__Output } from './xdprouter/v1/PuntRule.js';
import type { PuntServiceClient as _xdprouter_v1_PuntServiceClient, PuntServiceDefinition as _xdprouter_v1_PuntServiceDefinition } from './xdprouter/v1/PuntService.js';
import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from './xdprouter/v1/Route.js';
import type { RouteError as _xdprouter_v1_RouteError, RouteError__Output as _xdprouter_v1_RouteError__Output } from './xdprouter/v1/RouteError.js';
import type { RouteEvent as _xdprouter_v1_RouteEvent, RouteEvent__Output as _xdprouter_v1_RouteEvent__Output } from './xdprouter/v1/RouteEvent.js';
import type { RouteServiceClient as _xdprouter_v1_RouteServiceClient, RouteServiceDefinition as _xdprouter_v1_RouteServiceDefinition } from './xdprouter/v1/RouteService.js';
import type { SlowPathQueue as _xdprouter_v1_SlowPathQueue, SlowPathQueue__Output as _xdprouter_v1_SlowPathQueue__Output } from './xdprouter/v1/SlowPathQueue.js';
import type { StatusServiceClient as _xdprouter_v1_StatusServiceClient, StatusServiceDefinition as _xdprouter_v1_StatusServiceDefinition } from './xdprouter/v1/StatusService.js';
import type { WatchRoutesRequest as _xdprouter_v1_WatchRoutesRequest, WatchRoutesRequest__Output as _xdprouter_v1_WatchRoutesRequest__Output } from './xdprouter/v1/WatchRoutesRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  xdprouter: {
    v1: {
      AddPuntRuleRequest: MessageTypeDefinition<_xdprouter_v1_AddPuntRuleRequest, _xdprouter_v1_AddPuntRuleRequest__Output>
      AddPuntRuleResponse: MessageTypeDefinition<_xdprouter_v1_AddPuntRuleResponse, _xdprouter_v1_AddPuntRuleResponse__Output>
      AddRouteRequest: MessageTypeDefinition<_xdprouter_v1_AddRouteRequest, _xdprouter_v1_AddRouteRequest__Output>
      AddRouteResponse: MessageTypeDefinition<_xdprouter_v1_AddRouteResponse, _xdprouter_v1_AddRouteResponse__Output>
      AddRoutesRequest: MessageTypeDefinition<_xdprouter_v1_AddRoutesRequest, _xdprouter_v1_AddRoutesRequest__Output>
      AddRoutesResponse: MessageTypeDefinition<_xdprouter_v1_AddRoutesResponse, _xdprouter_v1_AddRoutesResponse__Output>
      AttachMode: EnumTypeDefinition
      CaptureFilter: MessageTypeDefinition<_xdprouter_v1_CaptureFilter, _xdprouter_v1_CaptureFilter__Output>
      CapturePacketsRequest: MessageTypeDefinition<_xdprouter_v1_CapturePacketsRequest, _xdprouter_v1_CapturePacketsRequest__Output>
      CapturedPacket: MessageTypeDefinition<_xdprouter_v1_CapturedPacket, _xdprouter_v1_CapturedPacket__Output>
      Counter: MessageTypeDefinition<_xdprouter_v1_Counter, _xdprouter_v1_Counter__Output>
      DeletePuntRuleRequest: MessageTypeDefinition<_xdprouter_v1_DeletePuntRuleRequest, _xdprouter_v1_DeletePuntRuleRequest__Output>
      DeletePuntRuleResponse: MessageTypeDefinition<_xdprouter_v1_DeletePuntRuleResponse, _xdprouter_v1_DeletePuntRuleResponse__Output>
      DeleteRouteRequest: MessageTypeDefinition<_xdprouter_v1_DeleteRouteRequest, _xdprouter_v1_DeleteRouteRequest__Output>
      DeleteRouteResponse: MessageTypeDefinition<_xdprouter_v1_DeleteRouteResponse, _xdprouter_v1_DeleteRouteResponse__Output>
      GetStatsRequest: MessageTypeDefinition<_xdprouter_v1_GetStatsRequest, _xdprouter_v1_GetStatsRequest__Output>
      GetStatsResponse: MessageTypeDefinition<_xdprouter_v1_GetStatsResponse, _xdprouter_v1_GetStatsResponse__Output>
      GetStatusRequest: MessageTypeDefinition<_xdprouter_v1_GetStatusRequest, _xdprouter_v1_GetStatusRequest__Output>
      GetStatusResponse: MessageTypeDefinition<_xdprouter_v1_GetStatusResponse, _xdprouter_v1_GetStatusResponse__Output>
      Interface: MessageTypeDefinition<_xdprouter_v1_Interface, _xdprouter_v1_Interface__Output>
      InterfaceCounters: MessageTypeDefinition<_xdprouter_v1_InterfaceCounters, _xdprouter_v1_InterfaceCounters__Output>
      LinkState: EnumTypeDefinition
      ListInterfacesRequest: MessageTypeDefinition<_xdprouter_v1_ListInterfacesRequest, _xdprouter_v1_ListInterfacesRequest__Output>
      ListInterfacesResponse: MessageTypeDefinition<_xdprouter_v1_ListInterfacesResponse, _xdprouter_v1_ListInterfacesResponse__Output>
      ListNeighborsRequest: MessageTypeDefinition<_xdprouter_v1_ListNeighborsRequest, _xdprouter_v1_ListNeighborsRequest__Output>
      ListNeighborsResponse: MessageTypeDefinition<_xdprouter_v1_ListNeighborsResponse, _xdprouter_v1_ListNeighborsResponse__Output>
      ListPuntRulesRequest: MessageTypeDefinition<_xdprouter_v1_ListPuntRulesRequest, _xdprouter_v1_ListPuntRulesRequest__Output>
      ListPuntRulesResponse: MessageTypeDefinition<_xdprouter_v1_ListPuntRulesResponse, _xdprouter_v1_ListPuntRulesResponse__Output>
      ListRoutesRequest: MessageTypeDefinition<_xdprouter_v1_ListRoutesRequest, _xdprouter_v1_ListRoutesRequest__Output>
      LookupRouteRequest: MessageTypeDefinition<_xdprouter_v1_LookupRouteRequest, _xdprouter_v1_LookupRouteRequest__Output>
      LookupRouteResponse: MessageTypeDefinition<_xdprouter_v1_LookupRouteResponse, _xdprouter_v1_LookupRouteResponse__Output>
      Neighbor: MessageTypeDefinition<_xdprouter_v1_Neighbor, _xdprouter_v1_Neighbor__Output>
      NetfilterChain: MessageTypeDefinition<_xdprouter_v1_NetfilterChain, _xdprouter_v1_NetfilterChain__Output>
      NextHop: MessageTypeDefinition<_xdprouter_v1_NextHop, _xdprouter_v1_NextHop__Output>
      PolicyRule: MessageTypeDefinition<_xdprouter_v1_PolicyRule, _xdprouter_v1_PolicyRule__Output>
      PuntRule: MessageTypeDefinition<_xdprouter_v1_PuntRule, _xdprouter_v1_PuntRule__Output>
      /**
       * Punt rules: the traffic the fast path hands to the daemon's slow path
       * (AF_XDP sockets, forwarded in userspace and seen by CapturePackets)
       * instead of forwarding it in XDP. A packet is punted when its destination
       * is in a rule's prefix (the longest prefix with a rule decides) and its
       * protocol and destination port match the rule's, and only when the fast
       * path could forward it: a packet with no route, an unresolved neighbour
       * or too big for the egress MTU goes to the kernel as without the rule.
       * 
       * The punt stage is compiled into the fast path only when the config has
       * at least one punt rule (config `punt`); without one the slow path does
       * not run and every call but ListPuntRules answers FAILED_PRECONDITION.
       * Rules added here last until the daemon restarts, which loads the
       * config's rules again.
       */
      PuntService: SubtypeConstructor<typeof grpc.Client, _xdprouter_v1_PuntServiceClient> & { service: _xdprouter_v1_PuntServiceDefinition }
      Route: MessageTypeDefinition<_xdprouter_v1_Route, _xdprouter_v1_Route__Output>
      RouteError: MessageTypeDefinition<_xdprouter_v1_RouteError, _xdprouter_v1_RouteError__Output>
      RouteEvent: MessageTypeDefinition<_xdprouter_v1_RouteEvent, _xdprouter_v1_RouteEvent__Output>
      /**
       * Routes: installed in the kernel over rtnetlink with the router's own
       * protocol id, and carried into the XDP fast path by the daemon's sync, so
       * the kernel and the fast path never disagree.
       */
      RouteService: SubtypeConstructor<typeof grpc.Client, _xdprouter_v1_RouteServiceClient> & { service: _xdprouter_v1_RouteServiceDefinition }
      RouteType: EnumTypeDefinition
      SlowPathQueue: MessageTypeDefinition<_xdprouter_v1_SlowPathQueue, _xdprouter_v1_SlowPathQueue__Output>
      /**
       * The daemon's state: counters, interfaces, neighbours. Read only.
       */
      StatusService: SubtypeConstructor<typeof grpc.Client, _xdprouter_v1_StatusServiceClient> & { service: _xdprouter_v1_StatusServiceDefinition }
      WatchRoutesRequest: MessageTypeDefinition<_xdprouter_v1_WatchRoutesRequest, _xdprouter_v1_WatchRoutesRequest__Output>
    }
  }
}

