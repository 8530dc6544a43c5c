// Original file: proto/xdprouter/v1/router.proto


export interface ListNeighborsRequest {
}

export interface ListNeighborsRequest__Output {
}
