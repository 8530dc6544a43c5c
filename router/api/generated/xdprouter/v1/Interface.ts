// Original file: proto/xdprouter/v1/router.proto

import type { AttachMode as _xdprouter_v1_AttachMode, AttachMode__Output as _xdprouter_v1_AttachMode__Output } from '../../xdprouter/v1/AttachMode.js';
import type { LinkState as _xdprouter_v1_LinkState, LinkState__Output as _xdprouter_v1_LinkState__Output } from '../../xdprouter/v1/LinkState.js';

export interface Interface {
  'name'?: (string);
  'index'?: (number);
  'attachMode'?: (_xdprouter_v1_AttachMode);
  'state'?: (_xdprouter_v1_LinkState);
  'mac'?: (string);
  'mtu'?: (number);
  /**
   * attached by a previous run of the daemon and kept
   */
  'adopted'?: (boolean);
}

export interface Interface__Output {
  'name': (string);
  'index': (number);
  'attachMode': (_xdprouter_v1_AttachMode__Output);
  'state': (_xdprouter_v1_LinkState__Output);
  'mac': (string);
  'mtu': (number);
  /**
   * attached by a previous run of the daemon and kept
   */
  'adopted': (boolean);
}
