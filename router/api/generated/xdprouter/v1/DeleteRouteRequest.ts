// Original file: proto/xdprouter/v1/router.proto


export interface DeleteRouteRequest {
  'prefix'?: (string);
  /**
   * 0: main (254)
   */
  'table'?: (number);
  /**
   * delete a route that another protocol owns
   */
  'force'?: (boolean);
  /**
   * which route when the prefix has several in the table (ip route del
   * ... metric N); unset: the only one. IPv6 reads 0 as 1024, as the
   * kernel does
   */
  'metric'?: (number);
  '_metric'?: "metric";
}

export interface DeleteRouteRequest__Output {
  'prefix': (string);
  /**
   * 0: main (254)
   */
  'table': (number);
  /**
   * delete a route that another protocol owns
   */
  'force': (boolean);
  /**
   * which route when the prefix has several in the table (ip route del
   * ... metric N); unset: the only one. IPv6 reads 0 as 1024, as the
   * kernel does
   */
  'metric'?: (number);
  '_metric'?: "metric";
}
