// Original file: proto/xdprouter/v1/router.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddPuntRuleRequest as _xdprouter_v1_AddPuntRuleRequest, AddPuntRuleRequest__Output as _xdprouter_v1_AddPuntRuleRequest__Output } from '../../xdprouter/v1/AddPuntRuleRequest.js';
import type { AddPuntRuleResponse as _xdprouter_v1_AddPuntRuleResponse, AddPuntRuleResponse__Output as _xdprouter_v1_AddPuntRuleResponse__Output } from '../../xdprouter/v1/AddPuntRuleResponse.js';
import type { DeletePuntRuleRequest as _xdprouter_v1_DeletePuntRuleRequest, DeletePuntRuleRequest__Output as _xdprouter_v1_DeletePuntRuleRequest__Output } from '../../xdprouter/v1/DeletePuntRuleRequest.js';
import type { DeletePuntRuleResponse as _xdprouter_v1_DeletePuntRuleResponse, DeletePuntRuleResponse__Output as _xdprouter_v1_DeletePuntRuleResponse__Output } from '../../xdprouter/v1/DeletePuntRuleResponse.js';
import type { ListPuntRulesRequest as _xdprouter_v1_ListPuntRulesRequest, ListPuntRulesRequest__Output as _xdprouter_v1_ListPuntRulesRequest__Output } from '../../xdprouter/v1/ListPuntRulesRequest.js';
import type { ListPuntRulesResponse as _xdprouter_v1_ListPuntRulesResponse, ListPuntRulesResponse__Output as _xdprouter_v1_ListPuntRulesResponse__Output } from '../../xdprouter/v1/ListPuntRulesResponse.js';

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
export interface PuntServiceClient extends grpc.Client {
  /**
   * Add a rule, with the lowest free id; its counters start at zero.
   * INVALID_ARGUMENT: malformed prefix or host bits set, unknown
   * protocol, port above 65535 or with a protocol other than tcp/udp.
   * ALREADY_EXISTS: the prefix has a rule (delete it first).
   * FAILED_PRECONDITION: the slow path is not running.
   * RESOURCE_EXHAUSTED: all 1024 rule ids are in use.
   */
  AddPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  AddPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  AddPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  AddPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Add a rule, with the lowest free id; its counters start at zero.
   * INVALID_ARGUMENT: malformed prefix or host bits set, unknown
   * protocol, port above 65535 or with a protocol other than tcp/udp.
   * ALREADY_EXISTS: the prefix has a rule (delete it first).
   * FAILED_PRECONDITION: the slow path is not running.
   * RESOURCE_EXHAUSTED: all 1024 rule ids are in use.
   */
  addPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  addPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  addPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  addPuntRule(argument: _xdprouter_v1_AddPuntRuleRequest, callback: grpc.requestCallback<_xdprouter_v1_AddPuntRuleResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Remove the rule of a prefix: its traffic is forwarded by XDP again.
   * INVALID_ARGUMENT: malformed prefix or host bits set.
   * NOT_FOUND: the prefix has no rule.
   * FAILED_PRECONDITION: the slow path is not running.
   */
  DeletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  DeletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  DeletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  DeletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Remove the rule of a prefix: its traffic is forwarded by XDP again.
   * INVALID_ARGUMENT: malformed prefix or host bits set.
   * NOT_FOUND: the prefix has no rule.
   * FAILED_PRECONDITION: the slow path is not running.
   */
  deletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  deletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  deletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  deletePuntRule(argument: _xdprouter_v1_DeletePuntRuleRequest, callback: grpc.requestCallback<_xdprouter_v1_DeletePuntRuleResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every rule with its counters, by id; none when the slow path is not
   * running.
   */
  ListPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  ListPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  ListPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  ListPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Every rule with its counters, by id; none when the slow path is not
   * running.
   */
  listPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  listPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  listPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  listPuntRules(argument: _xdprouter_v1_ListPuntRulesRequest, callback: grpc.requestCallback<_xdprouter_v1_ListPuntRulesResponse__Output>): grpc.ClientUnaryCall;
  
}

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
export interface PuntServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Add a rule, with the lowest free id; its counters start at zero.
   * INVALID_ARGUMENT: malformed prefix or host bits set, unknown
   * protocol, port above 65535 or with a protocol other than tcp/udp.
   * ALREADY_EXISTS: the prefix has a rule (delete it first).
   * FAILED_PRECONDITION: the slow path is not running.
   * RESOURCE_EXHAUSTED: all 1024 rule ids are in use.
   */
  AddPuntRule: grpc.handleUnaryCall<_xdprouter_v1_AddPuntRuleRequest__Output, _xdprouter_v1_AddPuntRuleResponse>;
  
  /**
   * Remove the rule of a prefix: its traffic is forwarded by XDP again.
   * INVALID_ARGUMENT: malformed prefix or host bits set.
   * NOT_FOUND: the prefix has no rule.
   * FAILED_PRECONDITION: the slow path is not running.
   */
  DeletePuntRule: grpc.handleUnaryCall<_xdprouter_v1_DeletePuntRuleRequest__Output, _xdprouter_v1_DeletePuntRuleResponse>;
  
  /**
   * Every rule with its counters, by id; none when the slow path is not
   * running.
   */
  ListPuntRules: grpc.handleUnaryCall<_xdprouter_v1_ListPuntRulesRequest__Output, _xdprouter_v1_ListPuntRulesResponse>;
  
}

export interface PuntServiceDefinition extends grpc.ServiceDefinition {
  AddPuntRule: MethodDefinition<_xdprouter_v1_AddPuntRuleRequest, _xdprouter_v1_AddPuntRuleResponse, _xdprouter_v1_AddPuntRuleRequest__Output, _xdprouter_v1_AddPuntRuleResponse__Output>
  DeletePuntRule: MethodDefinition<_xdprouter_v1_DeletePuntRuleRequest, _xdprouter_v1_DeletePuntRuleResponse, _xdprouter_v1_DeletePuntRuleRequest__Output, _xdprouter_v1_DeletePuntRuleResponse__Output>
  ListPuntRules: MethodDefinition<_xdprouter_v1_ListPuntRulesRequest, _xdprouter_v1_ListPuntRulesResponse, _xdprouter_v1_ListPuntRulesRequest__Output, _xdprouter_v1_ListPuntRulesResponse__Output>
}
