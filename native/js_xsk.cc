#include "js_xsk.h"

#include <errno.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "addon_data.h"
#include "js_map.h"
#include "js_util.h"
#include "xsk_socket.h"

namespace xr {
namespace {

XskBind BindArg(const Napi::Object& options, const std::string& what) {
  std::string bind = OptionalString(options, "bind", what).value_or("auto");
  if (bind == "auto") return XskBind::kAuto;
  if (bind == "zerocopy") return XskBind::kZeroCopy;
  if (bind == "copy") return XskBind::kCopy;
  throw SysError::Argument(what + ".bind must be 'auto', 'zerocopy' or 'copy'");
}

XskConfig ConfigArg(const Napi::Value& value) {
  const std::string what = "XskSocket: options";
  Napi::Object options = OptionsArg(value, what);
  XskConfig config;
  config.ifindex = IfindexArg(options.Get("ifindex"), what + ".ifindex");
  config.queue = Uint32Arg(options.Get("queue"), what + ".queue");
  config.netns = OptionalString(options, "netns", what).value_or("");
  config.frameCount = OptionalUint32(options, "frameCount", what).value_or(config.frameCount);
  config.frameSize = OptionalUint32(options, "frameSize", what).value_or(config.frameSize);
  config.ringSize = OptionalUint32(options, "ringSize", what).value_or(config.ringSize);
  config.bind = BindArg(options, what);
  Napi::Value map = options.Get("xskMap");
  if (!map.IsUndefined() && !map.IsNull()) config.xskMap = UnwrapMap(map, what + ".xskMap");
  return config;
}

Napi::Object StatsObject(Napi::Env env, const XskStats& stats) {
  Napi::Object object = Napi::Object::New(env);
  auto set = [&](const char* key, uint64_t value) {
    object.Set(key, Napi::Number::New(env, static_cast<double>(value)));
  };
  set("rxDropped", stats.rxDropped);
  set("rxInvalid", stats.rxInvalid);
  set("txInvalid", stats.txInvalid);
  set("rxRingFull", stats.rxRingFull);
  set("fillRingEmpty", stats.fillRingEmpty);
  set("txRingEmpty", stats.txRingEmpty);
  set("received", stats.received);
  set("transmitted", stats.transmitted);
  set("txBudget", stats.txBudget);
  return object;
}

class JsXsk : public Napi::ObjectWrap<JsXsk> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "XskSocket",
                       {InstanceAccessor<&JsXsk::Fd>("fd"), InstanceAccessor<&JsXsk::Ifindex>("ifindex"),
                        InstanceAccessor<&JsXsk::Queue>("queue"), InstanceAccessor<&JsXsk::Mode>("mode"),
                        InstanceMethod<&JsXsk::Transmit>("transmit"),
                        InstanceMethod<&JsXsk::TransmitRepeatedly>("transmitRepeatedly"),
                        InstanceMethod<&JsXsk::Stats>("stats"), InstanceMethod<&JsXsk::Close>("close")});
  }

  explicit JsXsk(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsXsk>(info) {
    CallSync(info.Env(), [&] { socket_ = std::make_shared<XskSocket>(ConfigArg(info[0])); });
  }

  // Garbage collected or torn down with the environment; a borrower (a
  // worker, transmitRepeatedly) keeps its own reference.
  ~JsXsk() override { socket_.reset(); }

 private:
  // "XskSocket.transmit: frames", for argument errors
  static std::string What(const char* method, const std::string& argument) {
    return std::string("XskSocket.") + method + ": " + argument;
  }

  XskSocket& Open() const {
    if (socket_->closed()) ThrowErrno(EBADF, socket_->Describe() + ": closed");
    CheckNotLent();
    return *socket_;
  }

  void CheckNotLent() const {
    if (*lent_)
      ThrowErrno(EBUSY, socket_->Describe() + ": lent to transmitRepeatedly or a slow-path worker; await or stop it first");
  }

 public:
  std::shared_ptr<XskSocket> Shared() const { return socket_; }

  std::unique_ptr<XskLease> Lend(const std::string& what) {
    if (socket_->closed()) ThrowErrno(EBADF, what + ": " + socket_->Describe() + " is closed");
    bool expected = false;
    if (!lent_->compare_exchange_strong(expected, true))
      ThrowErrno(EBUSY, what + ": " + socket_->Describe() + " is lent already (transmitRepeatedly or a slow-path worker)");
    return std::make_unique<XskLease>(socket_, lent_);
  }

 private:

  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), socket_->fd()); }

  Napi::Value Ifindex(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), socket_->ifindex());
  }

  Napi::Value Queue(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), socket_->queue());
  }

  Napi::Value Mode(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), socket_->zeroCopy() ? "zerocopy" : "copy");
  }

  Napi::Value Transmit(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      XskSocket& socket = Open();
      if (!info[0].IsArray())
        throw SysError::Argument(What("transmit", "frames must be an array of Buffers"));
      Napi::Array array = info[0].As<Napi::Array>();
      std::vector<ByteView> frames;
      frames.reserve(array.Length());
      for (uint32_t i = 0; i < array.Length(); ++i) {
        std::string name = "frames[" + std::to_string(i) + "]";
        ByteView frame = BufferArg(array.Get(i), What("transmit", name));
        if (frame.size < XskSocket::kMinFrameBytes || frame.size > socket.frameSize()) {
          throw SysError::Argument(What("transmit", name) + " is " + std::to_string(frame.size) +
                                   " bytes; a frame is " + std::to_string(XskSocket::kMinFrameBytes) +
                                   " to " + std::to_string(socket.frameSize()) + " bytes");
        }
        frames.push_back(frame);
      }
      return Napi::Number::New(info.Env(), socket.Transmit(frames));
    });
  }

  // The socket is lent to a worker thread until the promise settles; the
  // worker holds its own references, so a collected wrapper does not free it.
  Napi::Value TransmitRepeatedly(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      Open();
      if (!info[0].IsArray())
        throw SysError::Argument(What("transmitRepeatedly", "frames must be an array of Buffers"));
      Napi::Array array = info[0].As<Napi::Array>();
      std::vector<std::vector<uint8_t>> frames;
      frames.reserve(array.Length());
      for (uint32_t i = 0; i < array.Length(); ++i) {
        ByteView frame = BufferArg(array.Get(i), What("transmitRepeatedly", "frames[" + std::to_string(i) + "]"));
        frames.emplace_back(frame.data, frame.data + frame.size);
      }
      uint32_t count = Uint32Arg(info[1], What("transmitRepeatedly", "count"));
      uint32_t intervalNs = info[2].IsUndefined() ? 0 : Uint32Arg(info[2], What("transmitRepeatedly", "intervalNs"));
      *lent_ = true;
      return PromiseWorker<uint64_t>::Start(
          info.Env(),
          [socket = socket_, lent = lent_, frames = std::move(frames), count, intervalNs] {
            struct GiveBack {
              std::atomic<bool>& lent;
              ~GiveBack() { lent = false; }
            } giveBack{*lent};
            return socket->TransmitRepeatedly(frames, count, intervalNs);
          },
          [](Napi::Env env, uint64_t& sent) -> Napi::Value {
            return Napi::Number::New(env, static_cast<double>(sent));
          });
    });
  }

  // also while lent: the counters are atomic
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { return StatsObject(info.Env(), socket_->Stats()); });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      CheckNotLent();
      socket_->Close();
    });
  }

  std::shared_ptr<XskSocket> socket_;
  // true while transmitRepeatedly or a slow-path worker has the socket
  std::shared_ptr<std::atomic<bool>> lent_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace

Napi::Function DefineXskSocket(Napi::Env env) { return JsXsk::Define(env); }

namespace {

JsXsk* UnwrapJsXsk(const Napi::Value& value, const std::string& what) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(AddonData::Of(env).xskConstructor.Value()))
    throw SysError::Argument(what + " must be an XskSocket");
  return JsXsk::Unwrap(value.As<Napi::Object>());
}

}  // namespace

std::shared_ptr<XskSocket> UnwrapXsk(const Napi::Value& value, const std::string& what) {
  return UnwrapJsXsk(value, what)->Shared();
}

std::unique_ptr<XskLease> LendXsk(const Napi::Value& value, const std::string& what) {
  return UnwrapJsXsk(value, what)->Lend(what);
}

}  // namespace xr
