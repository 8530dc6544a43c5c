// Original file: proto/xdprouter/v1/router.proto


export interface ListPuntRulesRequest {
}

export interface ListPuntRulesRequest__Output {
}
