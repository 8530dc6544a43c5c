// A batch of punted frames, from decision to what becomes of each: sent on
// through the AF_XDP socket of its egress device (one transmit per device),
// given back to the kernel on its ingress interface where XDP would pass it
// up (BPF_PROG_TEST_RUN live frames of bpf/xdp_reinject.c), or dropped where
// XDP drops it or the kernel cannot take it. Counted by outcome and action.
//
// Threads: a SlowPathShared is shared by all; each thread (a worker, the JS
// thread) has its own ForwardingPipeline.
#ifndef XR_NATIVE_SLOWPATH_PIPELINE_H
#define XR_NATIVE_SLOWPATH_PIPELINE_H

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "bytes.h"
#include "slowpath_decide.h"
#include "slowpath_lookup.h"
#include "xdp_program.h"
#include "xsk_socket.h"

namespace xr {

enum ForwardAction : uint32_t {
  kActionTransmit,  // sent on by the slow path
  kActionKernel,    // given back to the kernel, as XDP passes
  kActionDrop,
  kActionCount,
};

struct SlowPathShared {
  SlowPathShared(ForwardingMaps maps, uint32_t hashSeed, std::vector<std::shared_ptr<XskSocket>> transmitters,
                 std::shared_ptr<XdpProgram> reinject);

  const ForwardingMaps maps;
  const MappedFib4 fib4;
  const uint32_t hashSeed;
  // the socket frames leave each device by (queue 0's), by ifindex
  const std::unordered_map<uint32_t, std::shared_ptr<XskSocket>> transmitters;
  // null where the kernel refuses live frames: what XDP would pass is dropped
  const std::shared_ptr<XdpProgram> reinject;
  // frames by outcome (SlowPathDecision) and action
  std::atomic<uint64_t> tally[kOutcomeCount][kActionCount];
};

class ForwardingPipeline {
 public:
  explicit ForwardingPipeline(std::shared_ptr<SlowPathShared> shared);

  // Between batches, where no copy of a table entry is in use.
  void Revalidate() { tables_.Revalidate(); }

  // Decide every frame (of one ingress interface); outcomes, when given, get
  // each one's outcome.
  void ForwardBatch(const ByteView* frames, uint32_t count, uint32_t ingressIfindex, uint32_t* outcomes = nullptr);

  // Whether an egress device of the last batch left frames on its TX ring:
  // its queue is full until whoever drains it runs.
  bool EgressBusy() const { return egressBusy_; }

  // The decision alone, the frame as it would leave in *sent.
  Decision Decide(ByteView frame, uint32_t ingressIfindex, Bytes* sent);

 private:
  struct Egress {
    XskSocket* socket;
    std::vector<ByteView> frames;
    std::vector<uint32_t> at;  // their indexes in the batch
  };

  ForwardAction HandBack(ByteView frame, uint32_t ingressIfindex);

  std::shared_ptr<SlowPathShared> shared_;
  ForwardingTables tables_;
  FrameDecider decider_;
  // rewritten frames of the batch, and where each starts
  Bytes scratch_;
  std::vector<size_t> offsets_;
  std::vector<Decision> decisions_;
  std::vector<Egress> egresses_;
  bool egressBusy_ = false;
};

}  // namespace xr

#endif
