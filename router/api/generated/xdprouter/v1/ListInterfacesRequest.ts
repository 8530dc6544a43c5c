// Original file: proto/xdprouter/v1/router.proto


export interface ListInterfacesRequest {
}

export interface ListInterfacesRequest__Output {
}
