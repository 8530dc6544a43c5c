// Original file: proto/xdprouter/v1/router.proto


export interface RouteError {
  /**
   * position of the request in the stream, from 0
   */
  'index'?: (number);
  /**
   * the prefix as the request gave it
   */
  'prefix'?: (string);
  /**
   * the status AddRoute would have answered: "INVALID_ARGUMENT", ...
   */
  'code'?: (string);
  'message'?: (string);
}

export interface RouteError__Output {
  /**
   * position of the request in the stream, from 0
   */
  'index': (number);
  /**
   * the prefix as the request gave it
   */
  'prefix': (string);
  /**
   * the status AddRoute would have answered: "INVALID_ARGUMENT", ...
   */
  'code': (string);
  'message': (string);
}
