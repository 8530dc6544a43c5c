#include "slowpath_pipeline.h"

#include "errors.h"

namespace xr {
namespace {

std::unordered_map<uint32_t, std::shared_ptr<XskSocket>> ByIfindex(std::vector<std::shared_ptr<XskSocket>> sockets) {
  std::unordered_map<uint32_t, std::shared_ptr<XskSocket>> out;
  for (auto& socket : sockets) out.emplace(socket->ifindex(), std::move(socket));
  return out;
}

// Where XDP drops the frame, so does the slow path: a blackhole route; a
// full TX ring or a frame too long to send, as a full queue anywhere.
bool Dropped(uint32_t outcome) {
  return outcome == XR_DROP_BLACKHOLE || outcome == XR_DROP_REWRITE || outcome == kOutcomeTxFull;
}

}  // namespace

SlowPathShared::SlowPathShared(ForwardingMaps m, uint32_t seed, std::vector<std::shared_ptr<XskSocket>> sockets,
                               std::shared_ptr<XdpProgram> program)
    : maps(std::move(m)),
      fib4(MappedFib4::Of(maps)),
      hashSeed(seed),
      transmitters(ByIfindex(std::move(sockets))),
      reinject(std::move(program)) {
  for (auto& row : tally)
    for (auto& cell : row) cell.store(0, std::memory_order_relaxed);
}

ForwardingPipeline::ForwardingPipeline(std::shared_ptr<SlowPathShared> shared)
    : shared_(std::move(shared)), tables_(shared_->maps, shared_->fib4), decider_(tables_, shared_->hashSeed) {}

Decision ForwardingPipeline::Decide(ByteView frame, uint32_t ingressIfindex, Bytes* sent) {
  sent->resize(frame.size + FrameDecider::kRewriteGrowth);
  Decision d = decider_.Decide(frame.data, frame.size, ingressIfindex, sent->data());
  sent->resize(d.outcome == XR_FORWARDED ? d.length : 0);
  return d;
}

void ForwardingPipeline::ForwardBatch(const ByteView* frames, uint32_t count, uint32_t ingressIfindex,
                                      uint32_t* outcomes) {
  size_t room = 0;
  for (uint32_t i = 0; i < count; ++i) room += frames[i].size + FrameDecider::kRewriteGrowth;
  if (scratch_.size() < room) scratch_.resize(room);
  offsets_.resize(count);
  decisions_.resize(count);
  for (Egress& e : egresses_) {
    e.frames.clear();
    e.at.clear();
  }

  size_t used = 0;
  for (uint32_t i = 0; i < count; ++i) {
    offsets_[i] = used;
    Decision& d = decisions_[i];
    d = decider_.Decide(frames[i].data, frames[i].size, ingressIfindex, scratch_.data() + used);
    if (d.outcome != XR_FORWARDED) continue;
    auto socket = shared_->transmitters.find(d.txIfindex);
    if (socket == shared_->transmitters.end()) {
      d.outcome = kOutcomeNoSocket;
      continue;
    }
    if (d.length > socket->second->frameSize()) {
      d.outcome = XR_DROP_REWRITE;
      continue;
    }
    Egress* egress = nullptr;
    for (Egress& e : egresses_)
      if (e.socket == socket->second.get()) egress = &e;
    if (!egress) egress = &egresses_.emplace_back(Egress{socket->second.get(), {}, {}});
    egress->frames.emplace_back(scratch_.data() + used, d.length);
    egress->at.push_back(i);
    used += d.length;
  }

  // a full TX ring takes the first frames it has room for
  egressBusy_ = false;
  for (Egress& e : egresses_) {
    if (e.frames.empty()) continue;
    uint32_t sent = 0;
    bool busy = false;
    try {
      sent = e.socket->Transmit(e.frames, &busy);
    } catch (const SysError&) {
      // closed under us (the slow path stopping) or the device gone: as full
    }
    egressBusy_ = egressBusy_ || busy;
    for (size_t k = sent; k < e.at.size(); ++k) decisions_[e.at[k]].outcome = kOutcomeTxFull;
  }

  uint64_t counts[kOutcomeCount][kActionCount] = {};
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t outcome = decisions_[i].outcome;
    ForwardAction action = outcome == XR_FORWARDED ? kActionTransmit
                           : Dropped(outcome)       ? kActionDrop
                                                    : HandBack(frames[i], ingressIfindex);
    ++counts[outcome][action];
    if (outcomes) outcomes[i] = outcome;
  }
  for (uint32_t o = 0; o < kOutcomeCount; ++o)
    for (uint32_t a = 0; a < kActionCount; ++a)
      if (counts[o][a]) shared_->tally[o][a].fetch_add(counts[o][a], std::memory_order_relaxed);
}

// The frame is as it arrived: the rewrite went to the scratch buffer.
ForwardAction ForwardingPipeline::HandBack(ByteView frame, uint32_t ingressIfindex) {
  if (!shared_->reinject) return kActionDrop;
  LiveFramesRequest request;
  request.data.assign(frame.data, frame.data + frame.size);
  request.repeat = 1;
  request.ingressIfindex = ingressIfindex;
  request.batchSize = 1;
  try {
    shared_->reinject->RunLiveFrames(request);
    return kActionKernel;
  } catch (const SysError&) {
    return kActionDrop;
  }
}

}  // namespace xr
