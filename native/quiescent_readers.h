// Readers of the fast path's tables outside the kernel: the slow path's
// worker threads. An RCU grace period covers XDP programs, not a userspace
// thread between reading a DIR-24-8 entry and the group it names, so a
// grace period also waits for each such reader to pass a quiescent state
// (DPDK's rte_rcu_qsbr): between two batches, or asleep waiting for frames.
#ifndef XR_NATIVE_QUIESCENT_READERS_H
#define XR_NATIVE_QUIESCENT_READERS_H

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace xr {

class QuiescentReaders {
 public:
  // One reader: a thread that reads tables between Quiescent() calls and
  // reads none while offline.
  class Reader {
   public:
    // Between batches: nothing read before is used after.
    void Quiescent();
    // Before sleeping: a grace period need not wait for this thread.
    void Offline();

   private:
    friend class QuiescentReaders;
    explicit Reader(QuiescentReaders& readers) : readers_(readers) {}

    QuiescentReaders& readers_;
    // the epoch of its last quiescent state; kOffline while asleep
    std::atomic<uint64_t> seen_;
  };

  static QuiescentReaders& Process();

  // Registered until the returned reader is destroyed; it starts offline.
  std::shared_ptr<Reader> Register();

  // Blocks until every reader online now has passed a quiescent state.
  void Wait();

 private:
  static constexpr uint64_t kOffline = UINT64_MAX;

  void Unregister(const Reader* reader);

  std::atomic<uint64_t> epoch_{1};
  std::mutex mutex_;  // guards readers_
  std::vector<Reader*> readers_;
};

}  // namespace xr

#endif
