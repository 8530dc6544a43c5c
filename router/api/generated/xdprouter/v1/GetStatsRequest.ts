// Original file: proto/xdprouter/v1/router.proto


export interface GetStatsRequest {
}

export interface GetStatsRequest__Output {
}
