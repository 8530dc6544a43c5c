// Original file: proto/xdprouter/v1/router.proto


export interface DeletePuntRuleRequest {
  'prefix'?: (string);
}

export interface DeletePuntRuleRequest__Output {
  'prefix': (string);
}
