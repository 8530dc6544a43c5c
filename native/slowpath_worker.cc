#include "slowpath_worker.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "errors.h"
#include "netns.h"

namespace xr {
namespace {

// The kernel's NAPI threads' nice. Below them (nice 10 before), a saturated
// worker sharing a CPU with them got a tenth of their share: the kernel
// spent the CPU receiving frames only to drop them for want of fill-ring
// buffers. Above them, it would starve the threads that drain what it
// sends. The event loop runs above both (router/slowpath/event-loop-priority.ts).
constexpr int kWorkerNice = 0;

// How long the worker stands aside when its egress device's queue is full.
// A sched_yield() did not hand the CPU to the thread that drains it: with
// autogroup scheduling the worker's group stays ahead of a kernel thread
// whatever the worker yields, so it came straight back, found the device
// still full and dropped what it had read (tx-full: 13% of the frames read
// in `npm run bench -- forward --paths slowpath`, none with this sleep; 20,
// 50 and 200 us gave alike). The receive ring holds what arrives meanwhile.
constexpr timespec kEgressBusySleep = {0, 50 * 1000};

uint64_t RealtimeNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1000000000ull + static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace

SlowPathWorker::SlowPathWorker(std::shared_ptr<XskSocket> socket, std::shared_ptr<SlowPathShared> shared,
                               std::string netns)
    : socket_(std::move(socket)),
      shared_(std::move(shared)),
      netns_(std::move(netns)),
      reader_(QuiescentReaders::Process().Register()) {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) ThrowErrno(errno, socket_->Describe() + ": create the worker's wake-up eventfd");
  wake_.reset(fd);
  thread_ = std::thread([this] { Run(); });
}

SlowPathWorker::~SlowPathWorker() { Stop(); }

void SlowPathWorker::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  uint64_t one = 1;
  // a full counter (never, at one write) also wakes the thread
  if (write(wake_.get(), &one, sizeof(one)) < 0 && errno != EAGAIN) {
    perror("xdp-router: wake a slow-path worker");
  }
  thread_.join();
}

void SlowPathWorker::Run() {
  tid_.store(static_cast<int>(gettid()), std::memory_order_relaxed);
  // "xr-xsk IFINDEX:QUEUE" in top and perf (15 characters at most)
  std::string name = "xr-xsk " + std::to_string(socket_->ifindex()) + ":" + std::to_string(socket_->queue());
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  // best effort: as the NAPI threads, which feed and drain its sockets
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWorkerNice);
  try {
    NetnsGuard guard(netns_);
    ForwardingPipeline pipeline(shared_);
    Serve(pipeline);
  } catch (const std::exception& error) {
    std::lock_guard<std::mutex> lock(errorMutex_);
    error_ = error.what();
  }
  reader_->Offline();
}

void SlowPathWorker::Serve(ForwardingPipeline& pipeline) {
  const uint32_t ingress = socket_->ifindex();
  while (!stopping_.load(std::memory_order_acquire)) {
    // nothing read from the tables before this point is used after it
    reader_->Quiescent();
    pipeline.Revalidate();
    uint32_t received = socket_->ReceiveBatch(XskSocket::kMaxReceiveBatch, [&](const ByteView* frames, uint32_t count) {
      if (capturing_.load(std::memory_order_relaxed)) Capture(frames, count);
      pipeline.ForwardBatch(frames, count, ingress);
    });
    if (received > 0) {
      batches_.fetch_add(1, std::memory_order_relaxed);
      cpu_.store(sched_getcpu(), std::memory_order_relaxed);
      // The egress device's queue is full: what drains it (in copy mode on
      // veth, the peer's NAPI thread) may be waiting for this CPU. Another
      // batch now would only find the TX ring fuller and drop.
      if (pipeline.EgressBusy()) nanosleep(&kEgressBusySleep, nullptr);
      continue;
    }
    reader_->Offline();
    Sleep();
  }
}

// Until a frame arrives or Stop() is called. The socket's poll reports the
// RX ring not empty.
void SlowPathWorker::Sleep() {
  pollfd fds[2] = {{socket_->fd(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
  if (poll(fds, 2, -1) < 0 && errno != EINTR) ThrowErrno(errno, socket_->Describe() + ": poll");
}

void SlowPathWorker::Capture(const ByteView* frames, uint32_t count) {
  std::unique_lock<std::mutex> lock(captureMutex_, std::try_to_lock);
  uint32_t room = 0;
  if (lock.owns_lock()) room = static_cast<uint32_t>(std::min<size_t>(count, kCaptureQueueFrames - captured_.size()));
  uint64_t timeNs = RealtimeNs();
  for (uint32_t i = 0; i < room; ++i) captured_.push_back({timeNs, Bytes(frames[i].data, frames[i].data + frames[i].size)});
  if (room < count) captureSkipped_.fetch_add(count - room, std::memory_order_relaxed);
}

std::deque<CapturedFrame> SlowPathWorker::TakeCaptured() {
  std::deque<CapturedFrame> out;
  std::lock_guard<std::mutex> lock(captureMutex_);
  out.swap(captured_);
  return out;
}

WorkerStats SlowPathWorker::Stats() const {
  WorkerStats stats{tid_.load(std::memory_order_relaxed), cpu_.load(std::memory_order_relaxed),
                    batches_.load(std::memory_order_relaxed), captureSkipped_.load(std::memory_order_relaxed), {}};
  std::lock_guard<std::mutex> lock(errorMutex_);
  stats.error = error_;
  return stats;
}

}  // namespace xr
