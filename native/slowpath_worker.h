// A slow-path worker: one thread per bound (interface, queue) that receives
// punted frames from its AF_XDP socket in batches and runs them through a
// ForwardingPipeline, off the JS thread. It sleeps in poll() when the RX ring
// is empty, and reports a quiescent state between batches (QuiescentReaders)
// so that the daemon's grace periods also cover what it reads.
//
// Captures: while on, each received frame is copied to a bounded queue that
// the JS thread drains; when the queue is full, or the JS thread is draining
// it at that moment, the frame is skipped and counted, so a capture never
// slows forwarding.
#ifndef XR_NATIVE_SLOWPATH_WORKER_H
#define XR_NATIVE_SLOWPATH_WORKER_H

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bytes.h"
#include "fd.h"
#include "quiescent_readers.h"
#include "slowpath_pipeline.h"
#include "xsk_socket.h"

namespace xr {

struct CapturedFrame {
  uint64_t timeNs;  // CLOCK_REALTIME
  Bytes data;
};

struct WorkerStats {
  int tid;   // the thread's id (gettid), for taskset and perf
  int cpu;   // where it last ran a batch; -1 before the first
  uint64_t batches;
  uint64_t captureSkipped;
  std::string error;  // why it stopped on its own; empty while it runs
};

class SlowPathWorker {
 public:
  // Captured frames waiting for the JS thread, at most.
  static constexpr size_t kCaptureQueueFrames = 4096;

  // Starts the thread. socket: the queue's own, received only here from now
  // on. netns: /run/netns/NAME the thread joins (frames handed back to the
  // kernel name their interface there); empty for the caller's.
  SlowPathWorker(std::shared_ptr<XskSocket> socket, std::shared_ptr<SlowPathShared> shared, std::string netns);
  ~SlowPathWorker();
  SlowPathWorker(const SlowPathWorker&) = delete;
  SlowPathWorker& operator=(const SlowPathWorker&) = delete;

  // Wakes the thread and joins it. Idempotent.
  void Stop();

  WorkerStats Stats() const;
  void SetCapture(bool on) { capturing_.store(on, std::memory_order_relaxed); }
  // What was captured since the last call.
  std::deque<CapturedFrame> TakeCaptured();

  const XskSocket& socket() const { return *socket_; }

 private:
  void Run();
  void Serve(ForwardingPipeline& pipeline);
  void Capture(const ByteView* frames, uint32_t count);
  void Sleep();

  std::shared_ptr<XskSocket> socket_;
  std::shared_ptr<SlowPathShared> shared_;
  std::string netns_;
  std::shared_ptr<QuiescentReaders::Reader> reader_;
  UniqueFd wake_;  // eventfd: Stop() writes it
  std::atomic<bool> stopping_{false};
  std::atomic<int> tid_{0};
  std::atomic<int> cpu_{-1};
  std::atomic<uint64_t> batches_{0};
  std::atomic<bool> capturing_{false};
  std::atomic<uint64_t> captureSkipped_{0};
  std::mutex captureMutex_;  // guards captured_
  std::deque<CapturedFrame> captured_;
  mutable std::mutex errorMutex_;  // guards error_
  std::string error_;
  std::thread thread_;
};

}  // namespace xr

#endif
