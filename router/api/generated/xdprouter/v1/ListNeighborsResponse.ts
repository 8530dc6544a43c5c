// Original file: proto/xdprouter/v1/router.proto

import type { Neighbor as _xdprouter_v1_Neighbor, Neighbor__Output as _xdprouter_v1_Neighbor__Output } from '../../xdprouter/v1/Neighbor.js';

export interface ListNeighborsResponse {
  'neighbors'?: (_xdprouter_v1_Neighbor)[];
}

export interface ListNeighborsResponse__Output {
  'neighbors': (_xdprouter_v1_Neighbor__Output)[];
}
