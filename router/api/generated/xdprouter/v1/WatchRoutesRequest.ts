// Original file: proto/xdprouter/v1/router.proto


export interface WatchRoutesRequest {
}

export interface WatchRoutesRequest__Output {
}
