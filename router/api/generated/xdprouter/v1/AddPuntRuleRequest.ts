// Original file: proto/xdprouter/v1/router.proto

import type { PuntRule as _xdprouter_v1_PuntRule, PuntRule__Output as _xdprouter_v1_PuntRule__Output } from '../../xdprouter/v1/PuntRule.js';

export interface AddPuntRuleRequest {
  /**
   * prefix, protocol and port; the other fields are ignored
   */
  'rule'?: (_xdprouter_v1_PuntRule | null);
}

export interface AddPuntRuleRequest__Output {
  /**
   * prefix, protocol and port; the other fields are ignored
   */
  'rule': (_xdprouter_v1_PuntRule__Output | null);
}
