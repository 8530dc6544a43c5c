// An AF_XDP socket bound to one queue of one interface, with its own UMEM:
// the slow path's frames that the XDP program redirects through an XSKMAP
// arrive here, and frames the daemon sends leave here.
//
// The UMEM is split in two: the first half (at most a fill ring's worth) is
// lent to the kernel for receiving and goes straight back to the fill ring
// once a frame has been copied out; the second half is a free list for
// transmitting, refilled from the completion ring.
//
// Threads: the receive side (RX and fill rings) belongs to one thread at a
// time; Transmit and Close may be called from any thread (the TX and
// completion rings are behind a lock), so the slow path's workers all send
// through the socket of an egress device.
#ifndef XR_NATIVE_XSK_SOCKET_H
#define XR_NATIVE_XSK_SOCKET_H

#include <xdp/xsk.h>

#include <cstdint>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bpf_map.h"
#include "bytes.h"

namespace xr {

enum class XskBind { kAuto, kZeroCopy, kCopy };

struct XskConfig {
  uint32_t ifindex = 0;
  uint32_t queue = 0;
  // /run/netns/NAME, where ifindex lives; empty for the caller's namespace
  std::string netns;
  uint32_t frameCount = 4096;
  uint32_t frameSize = 2048;
  uint32_t ringSize = 2048;
  XskBind bind = XskBind::kAuto;
  // an XSKMAP to register the socket in, under the queue id; may be null
  std::shared_ptr<BpfMap> xskMap;
};

struct XskStats {
  // the kernel's XDP_STATISTICS
  uint64_t rxDropped = 0;
  uint64_t rxInvalid = 0;
  uint64_t txInvalid = 0;
  uint64_t rxRingFull = 0;
  uint64_t fillRingEmpty = 0;
  uint64_t txRingEmpty = 0;
  // frames this socket handed out by ReceiveBatch and queued by Transmit
  uint64_t received = 0;
  uint64_t transmitted = 0;
  // frames one copy-mode sendto may send (XDP_MAX_TX_SKB_BUDGET); 0 where
  // the kernel keeps its own (32)
  uint32_t txBudget = 0;
};

class XskSocket {
 public:
  // An Ethernet header: the least a frame to transmit can be.
  static constexpr size_t kMinFrameBytes = 14;

  // Creates the UMEM and the socket (inside config.netns), binds it and, when
  // given a map, registers it there. Throws SysError, with nothing left
  // behind, naming the interface and queue.
  explicit XskSocket(XskConfig config);
  ~XskSocket();
  XskSocket(const XskSocket&) = delete;
  XskSocket& operator=(const XskSocket&) = delete;

  // -1 once closed
  int fd() const;
  uint32_t ifindex() const { return config_.ifindex; }
  uint32_t queue() const { return config_.queue; }
  uint32_t frameSize() const { return config_.frameSize; }
  bool zeroCopy() const { return zeroCopy_; }
  bool closed() const { return xsk_ == nullptr; }

  // The most frames one ReceiveBatch hands out.
  static constexpr uint32_t kMaxReceiveBatch = 64;

  // Hands up to max received frames (count of them; valid during the call)
  // to all at once, then gives their UMEM frames back to the fill ring, also
  // when it throws. Returns how many it handed out.
  using BatchVisitor = std::function<void(const ByteView* frames, uint32_t count)>;
  uint32_t ReceiveBatch(uint32_t max, const BatchVisitor& all);

  // Copies frames into free UMEM frames and queues them on the TX ring, as
  // many as the ring and the free frames allow, in order; kicks the kernel
  // when it asks for it and reclaims completed frames. Each frame must be
  // kMinFrameBytes..frameSize bytes (the caller checks). Returns how many
  // were queued; *deviceBusy, when given, tells whether the device left
  // frames on the ring (its queue is full: they go with a later kick).
  uint32_t Transmit(const std::vector<ByteView>& frames, bool* deviceBusy = nullptr);

  // Transmits count frames, frames[i % frames.size()] for the i-th, as fast
  // as the kernel takes them: a traffic generator's loop, meant for a worker
  // thread (nothing else may use the socket meanwhile). Returns once the
  // last is on the TX ring and the kernel has taken the ring (in copy mode:
  // sent). Throws ETIMEDOUT when the kernel takes nothing for kStallMs, and
  // the errno of a kick that failed for another reason than a full device.
  // With intervalNs, frame i has its turn intervalNs * i after the start and
  // waits for it (a paced generator), catching up by at most kPaceBurst
  // frames after a stall: a veth's ring holds 256.
  static constexpr int kStallMs = 1000;
  static constexpr int kPaceBurst = 32;
  uint64_t TransmitRepeatedly(const std::vector<std::vector<uint8_t>>& frames, uint64_t count,
                              uint32_t intervalNs = 0);

  XskStats Stats() const;

  // "AF_XDP socket on ifindex 3 queue 0", for messages
  std::string Describe() const;

  // Closes the socket (the kernel then removes it from every XSKMAP it is
  // in), deletes the UMEM and unmaps its memory. Idempotent.
  void Close();

 private:
  struct UmemArea;

  [[noreturn]] void Fail(int err, const std::string& operation) const;
  void Create();
  void FillRxFrames();
  void ReclaimCompletions();
  // false when the device took nothing more: busy, or down
  bool KickTx();
  void KickFill();
  bool TxRingDrained();
  // a sendto per ring instead of per 32 frames, where the kernel allows it
  void RaiseTxBudget();

  XskConfig config_;
  std::unique_ptr<UmemArea> area_;
  xsk_umem* umem_ = nullptr;
  xsk_socket* xsk_ = nullptr;
  // The rings are read by libxdp's inline helpers through these structs,
  // which must not move: an XskSocket lives where it was made.
  xsk_ring_prod fill_{};
  xsk_ring_cons completion_{};
  xsk_ring_cons rx_{};
  xsk_ring_prod tx_{};
  bool zeroCopy_ = false;
  uint32_t txBudget_ = 0;
  uint32_t rxFrames_ = 0;
  // UMEM addresses of the TX half not in the kernel's hands
  std::vector<uint64_t> txFree_;
  // guards the TX and completion rings, txFree_, and closing
  std::mutex txMutex_;
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> transmitted_{0};
};

}  // namespace xr

#endif
