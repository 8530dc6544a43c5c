// Original file: proto/xdprouter/v1/router.proto

import type { CaptureFilter as _xdprouter_v1_CaptureFilter, CaptureFilter__Output as _xdprouter_v1_CaptureFilter__Output } from '../../xdprouter/v1/CaptureFilter.js';

export interface CapturePacketsRequest {
  'filter'?: (_xdprouter_v1_CaptureFilter | null);
}

export interface CapturePacketsRequest__Output {
  'filter': (_xdprouter_v1_CaptureFilter__Output | null);
}
