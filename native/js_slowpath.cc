#include "js_slowpath.h"

#include <memory>
#include <string>
#include <vector>

#include "addon_data.h"
#include "js_map.h"
#include "js_program.h"
#include "js_util.h"
#include "js_xsk.h"
#include "slowpath_pipeline.h"
#include "slowpath_worker.h"

namespace xr {
namespace {

ForwardingMaps MapsArg(const Napi::Value& value, const std::string& what) {
  Napi::Object maps = OptionsArg(value, what);
  ForwardingMaps out;
  for (size_t i = 0; i < kForwardingMapCount; ++i)
    out[i] = UnwrapMap(maps.Get(kForwardingMapNames[i]), what + "." + kForwardingMapNames[i]);
  return out;
}

std::vector<ByteView> FramesArg(const Napi::Value& value, const std::string& what) {
  if (!value.IsArray()) throw SysError::Argument(what + " must be an array of Buffers");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<ByteView> frames;
  frames.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i)
    frames.push_back(BufferArg(array.Get(i), what + "[" + std::to_string(i) + "]"));
  return frames;
}

class JsForwarder : public Napi::ObjectWrap<JsForwarder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    using F = JsForwarder;
    return DefineClass(env, "SlowPathForwarder",
                       {InstanceMethod<&F::Decide>("decide"), InstanceMethod<&F::ForwardBatch>("forwardBatch"),
                        InstanceMethod<&F::Results>("results"), InstanceMethod<&F::Close>("close")});
  }

  // new SlowPathForwarder({ maps, hashSeed, transmitters, reinject })
  explicit JsForwarder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsForwarder>(info) {
    CallSync(info.Env(), [&] {
      const std::string what = "SlowPathForwarder: options";
      Napi::Object options = OptionsArg(info[0], what);
      uint32_t seed = Uint32Arg(options.Get("hashSeed"), what + ".hashSeed");
      std::vector<std::shared_ptr<XskSocket>> transmitters;
      Napi::Value list = options.Get("transmitters");
      if (!list.IsArray()) throw SysError::Argument(what + ".transmitters must be an array of XskSockets");
      Napi::Array array = list.As<Napi::Array>();
      for (uint32_t i = 0; i < array.Length(); ++i)
        transmitters.push_back(UnwrapXsk(array.Get(i), what + ".transmitters[" + std::to_string(i) + "]"));
      Napi::Value reinject = options.Get("reinject");
      shared_ = std::make_shared<SlowPathShared>(
          MapsArg(options.Get("maps"), what + ".maps"), seed, std::move(transmitters),
          reinject.IsUndefined() || reinject.IsNull() ? nullptr : UnwrapProgram(reinject, what + ".reinject"));
      pipeline_ = std::make_unique<ForwardingPipeline>(shared_);
    });
  }

  const std::shared_ptr<SlowPathShared>& Shared(const std::string& what) const {
    if (!shared_) ThrowErrno(EBADF, what + ": the SlowPathForwarder is closed");
    return shared_;
  }

 private:
  ForwardingPipeline& Pipeline(const char* method) const {
    Shared(std::string("SlowPathForwarder.") + method);
    return *pipeline_;
  }

  // Its maps, mapped index and hand-back program go once its workers have
  // stopped too; the counters stay as they were.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (shared_) {
      for (uint32_t o = 0; o < kOutcomeCount; ++o)
        for (uint32_t a = 0; a < kActionCount; ++a) final_[o][a] = shared_->tally[o][a].load(std::memory_order_relaxed);
    }
    pipeline_.reset();
    shared_.reset();
    return info.Env().Undefined();
  }

  // [{ outcome, ifindex, frame }]: what would become of each frame, sent
  // nowhere; ifindex and frame (as it would leave) when forwarded.
  Napi::Value Decide(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      Napi::Env env = info.Env();
      std::vector<ByteView> frames = FramesArg(info[0], "SlowPathForwarder.decide: frames");
      uint32_t ingress = IfindexArg(info[1], "SlowPathForwarder.decide: ingressIfindex");
      ForwardingPipeline& pipeline = Pipeline("decide");
      pipeline.Revalidate();
      Napi::Array out = Napi::Array::New(env, frames.size());
      Bytes sent;
      for (uint32_t i = 0; i < frames.size(); ++i) {
        Decision d = pipeline.Decide(frames[i], ingress, &sent);
        Napi::Object o = Napi::Object::New(env);
        o.Set("outcome", d.outcome);
        o.Set("ifindex", d.txIfindex);
        o.Set("frame", d.outcome == XR_FORWARDED ? CopyToBuffer(env, sent.data(), sent.size()).As<Napi::Value>()
                                                 : env.Null());
        out.Set(i, o);
      }
      return out;
    });
  }

  // The frames' outcomes, having sent, handed back or dropped each as a
  // worker does.
  Napi::Value ForwardBatch(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      Napi::Env env = info.Env();
      std::vector<ByteView> frames = FramesArg(info[0], "SlowPathForwarder.forwardBatch: frames");
      uint32_t ingress = IfindexArg(info[1], "SlowPathForwarder.forwardBatch: ingressIfindex");
      std::vector<uint32_t> outcomes(frames.size());
      ForwardingPipeline& pipeline = Pipeline("forwardBatch");
      pipeline.Revalidate();
      pipeline.ForwardBatch(frames.data(), static_cast<uint32_t>(frames.size()), ingress, outcomes.data());
      Napi::Array out = Napi::Array::New(env, outcomes.size());
      for (uint32_t i = 0; i < outcomes.size(); ++i) out.Set(i, outcomes[i]);
      return out;
    });
  }

  // [{ outcome, action, packets }] of every cell with packets
  Napi::Value Results(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    uint32_t n = 0;
    for (uint32_t o = 0; o < kOutcomeCount; ++o) {
      for (uint32_t a = 0; a < kActionCount; ++a) {
        uint64_t packets = shared_ ? shared_->tally[o][a].load(std::memory_order_relaxed) : final_[o][a];
        if (!packets) continue;
        Napi::Object row = Napi::Object::New(env);
        row.Set("outcome", o);
        row.Set("action", a);
        row.Set("packets", static_cast<double>(packets));
        out.Set(n++, row);
      }
    }
    return out;
  }

  std::shared_ptr<SlowPathShared> shared_;
  // the JS thread's own, for decide and forwardBatch
  std::unique_ptr<ForwardingPipeline> pipeline_;
  // the counters as close() found them
  uint64_t final_[kOutcomeCount][kActionCount] = {};
};

class JsWorker : public Napi::ObjectWrap<JsWorker> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "SlowPathWorker",
                       {InstanceMethod<&JsWorker::Stop>("stop"), InstanceMethod<&JsWorker::Stats>("stats"),
                        InstanceMethod<&JsWorker::Capture>("capture"),
                        InstanceMethod<&JsWorker::TakeCaptured>("takeCaptured")});
  }

  // new SlowPathWorker(forwarder, socket, { netns })
  explicit JsWorker(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsWorker>(info) {
    CallSync(info.Env(), [&] {
      const std::string what = "SlowPathWorker";
      Napi::Env env = info.Env();
      if (!info[0].IsObject() ||
          !info[0].As<Napi::Object>().InstanceOf(AddonData::Of(env).forwarderConstructor.Value()))
        throw SysError::Argument(what + ": forwarder must be a SlowPathForwarder");
      auto shared = JsForwarder::Unwrap(info[0].As<Napi::Object>())->Shared(what);
      lease_ = LendXsk(info[1], what + ": socket");
      std::string netns = OptionalString(OptionsArg(info[2], what + ": options"), "netns", what).value_or("");
      worker_ = std::make_unique<SlowPathWorker>(lease_->socket(), shared, netns);
    });
  }

  ~JsWorker() override { Release(); }

 private:
  // The thread is joined and the socket given back to JS. Idempotent.
  void Release() {
    worker_.reset();
    lease_.reset();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      Napi::Env env = info.Env();
      if (!worker_) ThrowErrno(EBADF, "SlowPathWorker.stats: stopped");
      WorkerStats s = worker_->Stats();
      Napi::Object o = Napi::Object::New(env);
      o.Set("tid", s.tid);
      o.Set("cpu", s.cpu);
      o.Set("batches", static_cast<double>(s.batches));
      o.Set("captureSkipped", static_cast<double>(s.captureSkipped));
      if (!s.error.empty()) o.Set("error", s.error);
      return o;
    });
  }

  Napi::Value Capture(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      if (!info[0].IsBoolean()) throw SysError::Argument("SlowPathWorker.capture: on must be a boolean");
      if (worker_) worker_->SetCapture(info[0].As<Napi::Boolean>().Value());
    });
  }

  // [{ timeNs: bigint, data: Buffer }]
  Napi::Value TakeCaptured(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!worker_) return Napi::Array::New(env);
    std::deque<CapturedFrame> frames = worker_->TakeCaptured();
    Napi::Array out = Napi::Array::New(env, frames.size());
    uint32_t i = 0;
    for (const CapturedFrame& f : frames) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("timeNs", Napi::BigInt::New(env, f.timeNs));
      o.Set("data", CopyToBuffer(env, f.data.data(), f.data.size()));
      out.Set(i++, o);
    }
    return out;
  }

  std::unique_ptr<XskLease> lease_;
  std::unique_ptr<SlowPathWorker> worker_;
};

}  // namespace

Napi::Function DefineSlowPathForwarder(Napi::Env env) { return JsForwarder::Define(env); }
Napi::Function DefineSlowPathWorker(Napi::Env env) { return JsWorker::Define(env); }

}  // namespace xr
