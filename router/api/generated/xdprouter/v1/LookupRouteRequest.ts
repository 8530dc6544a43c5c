// Original file: proto/xdprouter/v1/router.proto


export interface LookupRouteRequest {
  'address'?: (string);
}

export interface LookupRouteRequest__Output {
  'address': (string);
}
