// Original file: proto/xdprouter/v1/router.proto


export interface DeleteRouteResponse {
}

export interface DeleteRouteResponse__Output {
}
