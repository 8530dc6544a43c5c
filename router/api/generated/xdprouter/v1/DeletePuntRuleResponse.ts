// Original file: proto/xdprouter/v1/router.proto


export interface DeletePuntRuleResponse {
}

export interface DeletePuntRuleResponse__Output {
}
