// Original file: proto/xdprouter/v1/router.proto

export const AttachMode = {
  ATTACH_MODE_UNSPECIFIED: 'ATTACH_MODE_UNSPECIFIED',
  /**
   * in the driver
   */
  ATTACH_MODE_NATIVE: 'ATTACH_MODE_NATIVE',
  /**
   * after the kernel has built an skb (slower, works everywhere)
   */
  ATTACH_MODE_GENERIC: 'ATTACH_MODE_GENERIC',
} as const;

export type AttachMode =
  | 'ATTACH_MODE_UNSPECIFIED'
  | 0
  /**
   * in the driver
   */
  | 'ATTACH_MODE_NATIVE'
  | 1
  /**
   * after the kernel has built an skb (slower, works everywhere)
   */
  | 'ATTACH_MODE_GENERIC'
  | 2

export type AttachMode__Output = typeof AttachMode[keyof typeof AttachMode]
