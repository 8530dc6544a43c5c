// Original file: proto/xdprouter/v1/router.proto


export interface RouteError {
  /**
   * position of the route among all the routes of the stream, from 0 (a
   * message's `route`, then its `routes`, then the next message's)
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
   * position of the route among all the routes of the stream, from 0 (a
   * message's `route`, then its `routes`, then the next message's)
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
