// Original file: proto/xdprouter/v1/router.proto

import type { PuntRule as _xdprouter_v1_PuntRule, PuntRule__Output as _xdprouter_v1_PuntRule__Output } from '../../xdprouter/v1/PuntRule.js';

export interface ListPuntRulesResponse {
  'rules'?: (_xdprouter_v1_PuntRule)[];
}

export interface ListPuntRulesResponse__Output {
  'rules': (_xdprouter_v1_PuntRule__Output)[];
}
