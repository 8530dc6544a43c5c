// Original file: proto/xdprouter/v1/router.proto


/**
 * One receive queue of the slow path: its AF_XDP socket and worker thread.
 */
export interface SlowPathQueue {
  'interface'?: (string);
  'queue'?: (number);
  /**
   * "zerocopy" where the driver gives it, else "copy"
   */
  'mode'?: (string);
  /**
   * its worker thread (the id top -H and perf show) and the CPU that thread
   * ran its last batch on, -1 before the first
   */
  'workerTid'?: (number);
  'workerCpu'?: (number);
}

/**
 * One receive queue of the slow path: its AF_XDP socket and worker thread.
 */
export interface SlowPathQueue__Output {
  'interface': (string);
  'queue': (number);
  /**
   * "zerocopy" where the driver gives it, else "copy"
   */
  'mode': (string);
  /**
   * its worker thread (the id top -H and perf show) and the CPU that thread
   * ran its last batch on, -1 before the first
   */
  'workerTid': (number);
  'workerCpu': (number);
}
