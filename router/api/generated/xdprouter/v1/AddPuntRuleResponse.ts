// Original file: proto/xdprouter/v1/router.proto

import type { PuntRule as _xdprouter_v1_PuntRule, PuntRule__Output as _xdprouter_v1_PuntRule__Output } from '../../xdprouter/v1/PuntRule.js';

export interface AddPuntRuleResponse {
  /**
   * the rule as installed: canonical prefix, its id
   */
  'rule'?: (_xdprouter_v1_PuntRule | null);
}

export interface AddPuntRuleResponse__Output {
  /**
   * the rule as installed: canonical prefix, its id
   */
  'rule': (_xdprouter_v1_PuntRule__Output | null);
}
