// Original file: proto/xdprouter/v1/router.proto

export const LinkState = {
  LINK_STATE_UNSPECIFIED: 'LINK_STATE_UNSPECIFIED',
  LINK_STATE_UP: 'LINK_STATE_UP',
  /**
   * administratively down
   */
  LINK_STATE_DOWN: 'LINK_STATE_DOWN',
  /**
   * up, but no carrier
   */
  LINK_STATE_NO_CARRIER: 'LINK_STATE_NO_CARRIER',
} as const;

export type LinkState =
  | 'LINK_STATE_UNSPECIFIED'
  | 0
  | 'LINK_STATE_UP'
  | 1
  /**
   * administratively down
   */
  | 'LINK_STATE_DOWN'
  | 2
  /**
   * up, but no carrier
   */
  | 'LINK_STATE_NO_CARRIER'
  | 3

export type LinkState__Output = typeof LinkState[keyof typeof LinkState]
