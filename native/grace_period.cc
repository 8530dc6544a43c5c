#include "grace_period.h"

#include <bpf/bpf.h>
#include <errno.h>

#include "errors.h"
#include "quiescent_readers.h"

namespace xr {

// The kernel promises BPF users that an update of a map-in-map returns only
// once every non-sleepable program that could still see the old inner map
// has finished (maybe_wait_bpf_programs: synchronize_rcu). That promise
// holds on every configuration, which membarrier(MEMBARRIER_CMD_GLOBAL)
// does not: it is refused under nohz_full and waits for nothing with one
// CPU online. So a grace period here is one such update, of a map-in-map
// kept for nothing else.
void GracePeriod::Open() {
  int inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xr_grace_inner", sizeof(__u32), sizeof(__u32), 1, nullptr);
  if (inner < 0) ThrowErrno(errno, "create the grace-period map (inner array)");
  inner_.reset(inner);
  LIBBPF_OPTS(bpf_map_create_opts, opts, .inner_map_fd = static_cast<__u32>(inner_.get()));
  int outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xr_grace", sizeof(__u32), sizeof(__u32), 1, &opts);
  if (outer < 0) ThrowErrno(errno, "create the grace-period map (array of maps)");
  outer_.reset(outer);
}

void GracePeriod::Wait() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!outer_) Open();
  __u32 key = 0;
  __u32 value = static_cast<__u32>(inner_.get());
  if (bpf_map_update_elem(outer_.get(), &key, &value, BPF_ANY) < 0) {
    ThrowErrno(errno, "wait for an RCU grace period (update of the grace-period map)");
  }
  // the slow path's worker threads read the same tables outside RCU
  QuiescentReaders::Process().Wait();
}

}  // namespace xr
