// Original file: proto/xdprouter/v1/router.proto

import type { Interface as _xdprouter_v1_Interface, Interface__Output as _xdprouter_v1_Interface__Output } from '../../xdprouter/v1/Interface.js';

export interface ListInterfacesResponse {
  'interfaces'?: (_xdprouter_v1_Interface)[];
}

export interface ListInterfacesResponse__Output {
  'interfaces': (_xdprouter_v1_Interface__Output)[];
}
