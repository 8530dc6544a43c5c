#include "xsk_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "errors.h"
#include "netns.h"

// linux/if_xdp.h of 6.17 and later: how many frames one copy-mode sendto
// may send (32 before, and on kernels without it)
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif
// frames one copy-mode sendto sends unless told otherwise (TX_BATCH_SIZE)
constexpr uint32_t kKernelTxBudget = 32;

namespace xr {
namespace {

bool IsPowerOfTwo(uint32_t n) { return n != 0 && (n & (n - 1)) == 0; }

const char* BindName(XskBind bind) {
  switch (bind) {
    case XskBind::kZeroCopy:
      return "zero-copy";
    case XskBind::kCopy:
      return "copy";
    case XskBind::kAuto:
      break;
  }
  return "auto";
}

uint16_t BindFlags(XskBind bind) {
  // auto: no mode flag, so the kernel tries zero-copy and falls back to copy
  // by itself (for any reason the driver gives); XDP_OPTIONS says which.
  uint16_t flags = XDP_USE_NEED_WAKEUP;
  if (bind == XskBind::kZeroCopy) flags |= XDP_ZEROCOPY;
  if (bind == XskBind::kCopy) flags |= XDP_COPY;
  return flags;
}

}  // namespace

// The UMEM's memory: page aligned, and not inherited by children (a fork of
// the daemon would otherwise copy the pinned pages).
struct XskSocket::UmemArea {
  UmemArea(void* d, size_t n) : data(static_cast<uint8_t*>(d)), size(n) {}
  ~UmemArea() { munmap(data, size); }
  UmemArea(const UmemArea&) = delete;
  UmemArea& operator=(const UmemArea&) = delete;

  uint8_t* data;
  size_t size;
};

XskSocket::XskSocket(XskConfig config) : config_(std::move(config)) {
  try {
    Create();
  } catch (...) {
    Close();  // the destructor does not run for a half-made object
    throw;
  }
}

XskSocket::~XskSocket() { Close(); }

std::string XskSocket::Describe() const {
  return "AF_XDP socket on ifindex " + std::to_string(config_.ifindex) + " queue " +
         std::to_string(config_.queue);
}

void XskSocket::Fail(int err, const std::string& operation) const {
  ThrowErrno(err, Describe() + ": " + operation);
}

int XskSocket::fd() const { return xsk_ ? xsk_socket__fd(xsk_) : -1; }

void XskSocket::Create() {
  const XskConfig& c = config_;
  if (c.frameCount < 2) throw SysError::Argument(Describe() + ": frameCount must be at least 2");
  if (!IsPowerOfTwo(c.frameSize) || c.frameSize < 2048)
    throw SysError::Argument(Describe() + ": frameSize must be a power of two, at least 2048");
  if (!IsPowerOfTwo(c.ringSize))
    throw SysError::Argument(Describe() + ": ringSize must be a power of two");
  if (c.xskMap && c.xskMap->type() != BPF_MAP_TYPE_XSKMAP)
    throw SysError::Argument(Describe() + ": map '" + c.xskMap->name() + "' is not an XSKMAP");

  size_t bytes = static_cast<size_t>(c.frameCount) * c.frameSize;
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) Fail(errno, "map " + std::to_string(bytes) + " bytes of UMEM");
  area_ = std::make_unique<UmemArea>(memory, bytes);
  madvise(memory, bytes, MADV_DONTFORK);

  {
    // The UMEM's socket, which becomes the XSK, belongs to the namespace of
    // the thread that creates it; the interface is looked up and bound there.
    NetnsGuard guard(c.netns);
    xsk_umem_config umemConfig{};
    umemConfig.fill_size = c.ringSize;
    umemConfig.comp_size = c.ringSize;
    umemConfig.frame_size = c.frameSize;
    umemConfig.frame_headroom = 0;
    umemConfig.flags = 0;
    int err = xsk_umem__create(&umem_, area_->data, bytes, &fill_, &completion_, &umemConfig);
    if (err) {
      umem_ = nullptr;
      // the socket is made here: EPERM is the missing CAP_NET_RAW; the
      // UMEM's pages count against RLIMIT_MEMLOCK (ENOBUFS past it)
      const char *hint = err == -EPERM     ? "; needs CAP_NET_RAW)"
                         : err == -ENOBUFS ? "; beyond RLIMIT_MEMLOCK: raise it, as the unit's LimitMEMLOCK=infinity does)"
                                           : ")";
      Fail(-err, "create the socket and its UMEM (" + std::to_string(c.frameCount) + " frames of " +
                     std::to_string(c.frameSize) + " bytes" + hint);
    }

    char ifname[IF_NAMESIZE];
    if (!if_indextoname(c.ifindex, ifname)) Fail(errno == ENXIO ? ENODEV : errno, "find the interface");

    xsk_socket_config socketConfig{};
    socketConfig.rx_size = c.ringSize;
    socketConfig.tx_size = c.ringSize;
    // our XDP program owns the XSKMAP: libxdp must not load its own
    socketConfig.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
    socketConfig.xdp_flags = 0;
    socketConfig.bind_flags = BindFlags(c.bind);
    xsk_socket* xsk = nullptr;
    err = xsk_socket__create(&xsk, ifname, c.queue, umem_, &rx_, &tx_, &socketConfig);
    if (err) {
      Fail(-err, std::string("bind to ") + ifname + " (" + BindName(c.bind) + " mode)");
    }
    xsk_ = xsk;
  }

  // libxdp opens the socket without SOCK_CLOEXEC; children must not keep it
  // (a socket alive in a child would stay in the XSKMAP after close()).
  int fd = xsk_socket__fd(xsk_);
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) Fail(errno, "set FD_CLOEXEC");

  xdp_options options{};
  socklen_t length = sizeof(options);
  if (getsockopt(fd, SOL_XDP, XDP_OPTIONS, &options, &length) < 0) Fail(errno, "read XDP_OPTIONS");
  zeroCopy_ = (options.flags & XDP_OPTIONS_ZEROCOPY) != 0;

  FillRxFrames();
  RaiseTxBudget();

  if (c.xskMap) {
    uint32_t key = c.queue;
    uint32_t value = static_cast<uint32_t>(fd);
    try {
      c.xskMap->Update(ByteView(reinterpret_cast<const uint8_t*>(&key), sizeof(key)),
                       ByteView(reinterpret_cast<const uint8_t*>(&value), sizeof(value)), BPF_ANY);
    } catch (const SysError& error) {
      Fail(error.err(), "register in XSKMAP '" + c.xskMap->name() + "' under key " + std::to_string(key));
    }
    // The kernel drops the entry itself when the socket goes; the map's fd
    // is not needed for that.
    config_.xskMap.reset();
  }
}

// The RX half of the UMEM goes to the fill ring, the rest is free for TX. At
// most a fill ring's worth is lent for RX, so giving received frames back
// always finds room on the fill ring.
void XskSocket::FillRxFrames() {
  rxFrames_ = std::min(config_.frameCount / 2, config_.ringSize);
  uint32_t index = 0;
  if (xsk_ring_prod__reserve(&fill_, rxFrames_, &index) != rxFrames_)
    Fail(ENOSPC, "fill the fill ring with " + std::to_string(rxFrames_) + " frames");
  for (uint32_t i = 0; i < rxFrames_; ++i)
    *xsk_ring_prod__fill_addr(&fill_, index + i) = static_cast<uint64_t>(i) * config_.frameSize;
  xsk_ring_prod__submit(&fill_, rxFrames_);

  txFree_.clear();
  txFree_.reserve(config_.frameCount - rxFrames_);
  for (uint32_t i = config_.frameCount; i-- > rxFrames_;)
    txFree_.push_back(static_cast<uint64_t>(i) * config_.frameSize);
}

uint32_t XskSocket::ReceiveBatch(uint32_t max, const BatchVisitor& all) {
  if (closed()) Fail(EBADF, "receive (closed)");
  ByteView frames[kMaxReceiveBatch];
  uint32_t rxIndex = 0;
  uint32_t count = xsk_ring_cons__peek(&rx_, std::min(max, kMaxReceiveBatch), &rxIndex);
  if (count == 0) {
    KickFill();
    return 0;
  }
  uint32_t fillIndex = 0;
  if (xsk_ring_prod__reserve(&fill_, count, &fillIndex) != count) {
    xsk_ring_cons__cancel(&rx_, count);  // cannot happen: see FillRxFrames
    Fail(EIO, "no room on the fill ring for " + std::to_string(count) + " frames");
  }
  const uint64_t frameMask = ~static_cast<uint64_t>(config_.frameSize - 1);
  // The frames go back to the kernel only after all() has used them, and
  // they go back also when it throws.
  auto giveBack = [&] {
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t addr = xsk_ring_cons__rx_desc(&rx_, rxIndex + i)->addr;
      *xsk_ring_prod__fill_addr(&fill_, fillIndex + i) = xsk_umem__extract_addr(addr) & frameMask;
    }
    xsk_ring_cons__release(&rx_, count);
    xsk_ring_prod__submit(&fill_, count);
    received_.fetch_add(count, std::memory_order_relaxed);
    KickFill();
  };
  try {
    for (uint32_t i = 0; i < count; ++i) {
      const xdp_desc* desc = xsk_ring_cons__rx_desc(&rx_, rxIndex + i);
      frames[i] = ByteView(static_cast<const uint8_t*>(xsk_umem__get_data(area_->data, xsk_umem__add_offset_to_addr(desc->addr))),
                           desc->len);
    }
    all(frames, count);
  } catch (...) {
    giveBack();
    throw;
  }
  giveBack();
  return count;
}

// Drivers that refill from the fill ring in NAPI context may sleep when it
// ran empty; a recvfrom wakes them (the kernel's AF_XDP documentation).
void XskSocket::KickFill() {
  if (xsk_ring_prod__needs_wakeup(&fill_))
    recvfrom(xsk_socket__fd(xsk_), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
}

uint32_t XskSocket::Transmit(const std::vector<ByteView>& frames, bool* deviceBusy) {
  std::lock_guard<std::mutex> lock(txMutex_);
  if (closed()) Fail(EBADF, "transmit (closed)");
  ReclaimCompletions();
  uint32_t count = static_cast<uint32_t>(std::min<size_t>(frames.size(), txFree_.size()));
  if (count > 0) count = std::min(count, xsk_prod_nb_free(&tx_, count));
  uint32_t index = 0;
  if (count > 0 && xsk_ring_prod__reserve(&tx_, count, &index) == count) {
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t addr = txFree_.back();
      txFree_.pop_back();
      std::memcpy(xsk_umem__get_data(area_->data, addr), frames[i].data, frames[i].size);
      xdp_desc* desc = xsk_ring_prod__tx_desc(&tx_, index + i);
      desc->addr = addr;
      desc->len = static_cast<uint32_t>(frames[i].size);
      desc->options = 0;
    }
    xsk_ring_prod__submit(&tx_, count);
    transmitted_.fetch_add(count, std::memory_order_relaxed);
  } else {
    count = 0;
  }
  // also when nothing new was queued: frames left from an earlier call go now
  bool taken = KickTx();
  if (deviceBusy) *deviceBusy = !taken;
  ReclaimCompletions();
  return count;
}

uint64_t XskSocket::TransmitRepeatedly(const std::vector<std::vector<uint8_t>>& frames, uint64_t count,
                                        uint32_t intervalNs) {
  std::lock_guard<std::mutex> lock(txMutex_);
  if (closed()) Fail(EBADF, "transmit (closed)");
  if (frames.empty()) throw SysError::Argument(Describe() + ": no frames to transmit");
  for (const auto& frame : frames) {
    if (frame.size() < kMinFrameBytes || frame.size() > config_.frameSize)
      throw SysError::Argument(Describe() + ": a frame of " + std::to_string(frame.size()) + " bytes; a frame is " +
                               std::to_string(kMinFrameBytes) + " to " + std::to_string(config_.frameSize) + " bytes");
  }
  using Clock = std::chrono::steady_clock;
  Clock::time_point lastProgress = Clock::now();
  const std::chrono::nanoseconds interval(intervalNs);
  // paced: the next frame's turn; a frame goes once the clock has reached it
  Clock::time_point nextTurn = lastProgress;
  size_t next = 0;
  uint64_t queued = 0;
  while (queued < count || !TxRingDrained()) {
    size_t freeBefore = txFree_.size();
    ReclaimCompletions();
    bool reclaimed = txFree_.size() > freeBefore;
    uint64_t want = std::min<uint64_t>(count - queued, txFree_.size());
    if (intervalNs > 0) {
      Clock::time_point now = Clock::now();
      // after a stall, catch up by at most kPaceBurst frames
      nextTurn = std::max(nextTurn, now - interval * (kPaceBurst - 1));
      uint64_t due = now < nextTurn ? 0 : static_cast<uint64_t>((now - nextTurn) / interval) + 1;
      if (due < want) {
        want = due;
        lastProgress = now;  // waiting for a turn is not a stall
      }
    }
    uint32_t batch = want > 0 ? xsk_prod_nb_free(&tx_, static_cast<uint32_t>(std::min<uint64_t>(want, config_.ringSize))) : 0;
    batch = static_cast<uint32_t>(std::min<uint64_t>(batch, want));
    uint32_t index = 0;
    if (batch > 0 && xsk_ring_prod__reserve(&tx_, batch, &index) == batch) {
      for (uint32_t i = 0; i < batch; ++i) {
        uint64_t addr = txFree_.back();
        txFree_.pop_back();
        const std::vector<uint8_t>& frame = frames[next];
        next = next + 1 == frames.size() ? 0 : next + 1;
        std::memcpy(xsk_umem__get_data(area_->data, addr), frame.data(), frame.size());
        xdp_desc* desc = xsk_ring_prod__tx_desc(&tx_, index + i);
        desc->addr = addr;
        desc->len = static_cast<uint32_t>(frame.size());
        desc->options = 0;
      }
      xsk_ring_prod__submit(&tx_, batch);
      queued += batch;
      nextTurn += interval * static_cast<int64_t>(batch);
      transmitted_.fetch_add(batch, std::memory_order_relaxed);
    }
    // in copy mode each sendto sends up to the budget's frames
    uint32_t before = xsk_prod_nb_free(&tx_, config_.ringSize);
    if (xsk_ring_prod__needs_wakeup(&tx_) && sendto(xsk_socket__fd(xsk_), nullptr, 0, MSG_DONTWAIT, nullptr, 0) < 0) {
      int err = errno;
      // a full device (or completion ring) takes the frames with a later kick
      if (err != EAGAIN && err != EBUSY && err != ENOBUFS) Fail(err, "kick transmit (sendto)");
    }
    if (reclaimed || batch > 0 || xsk_prod_nb_free(&tx_, config_.ringSize) != before) {
      lastProgress = Clock::now();
    } else if (Clock::now() - lastProgress > std::chrono::milliseconds(kStallMs)) {
      Fail(ETIMEDOUT, "transmit: the kernel took no frame for " + std::to_string(kStallMs) + " ms (" +
                          std::to_string(queued) + " of " + std::to_string(count) + " queued)");
    }
  }
  ReclaimCompletions();
  return queued;
}

void XskSocket::RaiseTxBudget() {
  // the kernel's own budget covers a ring this small, and it refuses less
  if (config_.ringSize <= kKernelTxBudget) return;
  int budget = static_cast<int>(config_.ringSize);
  if (setsockopt(xsk_socket__fd(xsk_), SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(budget)) == 0) {
    txBudget_ = config_.ringSize;
    return;
  }
  // a kernel before 6.17 has no such option (ENOPROTOOPT) and keeps its
  // own; one that refuses the size says so
  if (errno != ENOPROTOOPT)
    Fail(errno, "let one transmit kick send " + std::to_string(budget) + " frames (XDP_MAX_TX_SKB_BUDGET)");
}

bool XskSocket::TxRingDrained() { return xsk_prod_nb_free(&tx_, config_.ringSize) == config_.ringSize; }

// In copy mode each sendto transmits up to its budget (the whole ring here,
// 32 frames on kernels before 6.17) and answers EAGAIN while more remain;
// it also answers EAGAIN, having sent nothing, while the device's queue is
// full (veth pushes back when its peer's ring is full) or the completion
// ring is. Kicking again then only spins, and on a shared CPU keeps the
// very thread that would drain the device from running: what is on the
// ring goes with a later kick. In zero-copy mode a kick wakes the driver,
// which then takes the ring by itself.
bool XskSocket::KickTx() {
  int fd = xsk_socket__fd(xsk_);
  while (!TxRingDrained()) {
    if (!xsk_ring_prod__needs_wakeup(&tx_)) return true;
    uint32_t freeBefore = xsk_prod_nb_free(&tx_, config_.ringSize);
    if (sendto(fd, nullptr, 0, MSG_DONTWAIT, nullptr, 0) >= 0) return true;
    int err = errno;
    if (err == EAGAIN) {
      ReclaimCompletions();
      // the budget ran out with frames left: kick again
      if (xsk_prod_nb_free(&tx_, config_.ringSize) != freeBefore) continue;
      return false;
    }
    // the device is busy or down: what is on the ring goes with a later kick
    if (err == EBUSY || err == ENOBUFS || err == ENETDOWN) return false;
    Fail(err, "kick transmit (sendto)");
  }
  return true;
}

void XskSocket::ReclaimCompletions() {
  uint32_t index = 0;
  uint32_t count = xsk_ring_cons__peek(&completion_, config_.ringSize, &index);
  if (count == 0) return;
  const uint64_t frameMask = ~static_cast<uint64_t>(config_.frameSize - 1);
  for (uint32_t i = 0; i < count; ++i)
    txFree_.push_back(xsk_umem__extract_addr(*xsk_ring_cons__comp_addr(&completion_, index + i)) & frameMask);
  xsk_ring_cons__release(&completion_, count);
}

XskStats XskSocket::Stats() const {
  if (closed()) Fail(EBADF, "stats (closed)");
  xdp_statistics kernel{};
  socklen_t length = sizeof(kernel);
  if (getsockopt(xsk_socket__fd(xsk_), SOL_XDP, XDP_STATISTICS, &kernel, &length) < 0)
    Fail(errno, "read XDP_STATISTICS");
  XskStats stats;
  stats.rxDropped = kernel.rx_dropped;
  stats.rxInvalid = kernel.rx_invalid_descs;
  stats.txInvalid = kernel.tx_invalid_descs;
  // older kernels answer only the first three counters
  if (length >= sizeof(kernel)) {
    stats.rxRingFull = kernel.rx_ring_full;
    stats.fillRingEmpty = kernel.rx_fill_ring_empty_descs;
    stats.txRingEmpty = kernel.tx_ring_empty_descs;
  }
  stats.txBudget = txBudget_;
  stats.received = received_.load(std::memory_order_relaxed);
  stats.transmitted = transmitted_.load(std::memory_order_relaxed);
  return stats;
}

void XskSocket::Close() {
  std::lock_guard<std::mutex> lock(txMutex_);
  if (xsk_) {
    // unmaps the RX/TX rings and (its last user gone) the fill and
    // completion rings; the fd is the UMEM's, closed below
    xsk_socket__delete(xsk_);
    xsk_ = nullptr;
  } else if (umem_) {
    // No socket was made: the fill and completion rings are still mapped by
    // xsk_umem__create, and xsk_umem__delete does not unmap them. Left
    // mapped, they would keep the socket, and its pinned UMEM, alive.
    xdp_mmap_offsets offsets{};
    socklen_t length = sizeof(offsets);
    if (getsockopt(xsk_umem__fd(umem_), SOL_XDP, XDP_MMAP_OFFSETS, &offsets, &length) == 0 &&
        length == sizeof(offsets)) {
      munmap(static_cast<uint8_t*>(fill_.ring) - offsets.fr.desc,
             offsets.fr.desc + config_.ringSize * sizeof(uint64_t));
      munmap(static_cast<uint8_t*>(completion_.ring) - offsets.cr.desc,
             offsets.cr.desc + config_.ringSize * sizeof(uint64_t));
    }
  }
  if (umem_) {
    xsk_umem__delete(umem_);  // closes the socket's fd
    umem_ = nullptr;
  }
  area_.reset();
  txFree_.clear();
  txFree_.shrink_to_fit();
  config_.xskMap.reset();
  fill_ = {};
  completion_ = {};
  rx_ = {};
  tx_ = {};
}

}  // namespace xr
