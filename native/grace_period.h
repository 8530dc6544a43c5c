// An RCU grace period as BPF programs see it: once Wait() returns, every
// XDP program run that started before the call has finished, and every
// slow-path worker has finished the batch it was in (QuiescentReaders). Tables the
// program reads while we write them reuse a freed slot only after one.
#ifndef XR_NATIVE_GRACE_PERIOD_H
#define XR_NATIVE_GRACE_PERIOD_H

#include <mutex>

#include "fd.h"

namespace xr {

class GracePeriod {
 public:
  // Blocks for a grace period (milliseconds): call it off the JS thread.
  void Wait();

 private:
  void Open();

  std::mutex mutex_;
  UniqueFd inner_;
  UniqueFd outer_;
};

}  // namespace xr

#endif
