#include "js_xsk.h"

#include <errno.h>
#include <uv.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "js_map.h"
#include "js_util.h"
#include "xsk_socket.h"

namespace xr {
namespace {

constexpr uint32_t kDefaultReceiveMax = 64;

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
  return object;
}

class JsXsk : public Napi::ObjectWrap<JsXsk> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "XskSocket",
                       {InstanceAccessor<&JsXsk::Fd>("fd"), InstanceAccessor<&JsXsk::Ifindex>("ifindex"),
                        InstanceAccessor<&JsXsk::Queue>("queue"), InstanceAccessor<&JsXsk::Mode>("mode"),
                        InstanceMethod<&JsXsk::Receive>("receive"),
                        InstanceMethod<&JsXsk::Transmit>("transmit"),
                        InstanceMethod<&JsXsk::TransmitRepeatedly>("transmitRepeatedly"),
                        InstanceMethod<&JsXsk::OnReadable>("onReadable"),
                        InstanceMethod<&JsXsk::Stats>("stats"), InstanceMethod<&JsXsk::Close>("close")});
  }

  explicit JsXsk(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsXsk>(info) {
    CallSync(info.Env(), [&] { socket_ = std::make_shared<XskSocket>(ConfigArg(info[0])); });
  }

  // Garbage collected (never while polling: polling holds a reference) or
  // torn down with the environment.
  ~JsXsk() override {
    ClosePollHandle();
    socket_.reset();
  }

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
    if (*lent_) ThrowErrno(EBUSY, socket_->Describe() + ": transmitRepeatedly is running; await it first");
  }

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

  Napi::Value Receive(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      Napi::Env env = info.Env();
      uint32_t max = info[0].IsUndefined() ? kDefaultReceiveMax : Uint32Arg(info[0], What("receive", "max"));
      std::vector<Napi::Value> frames;
      Open().Receive(max, [&](const uint8_t* data, size_t size) {
        frames.push_back(CopyToBuffer(env, data, size));
      });
      Napi::Array array = Napi::Array::New(env, frames.size());
      for (uint32_t i = 0; i < frames.size(); ++i) array.Set(i, frames[i]);
      return array;
    });
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
      *lent_ = true;
      return PromiseWorker<uint64_t>::Start(
          info.Env(),
          [socket = socket_, lent = lent_, frames = std::move(frames), count] {
            struct GiveBack {
              std::atomic<bool>& lent;
              ~GiveBack() { lent = false; }
            } giveBack{*lent};
            return socket->TransmitRepeatedly(frames, count);
          },
          [](Napi::Env env, uint64_t& sent) -> Napi::Value {
            return Napi::Number::New(env, static_cast<double>(sent));
          });
    });
  }

  Napi::Value OnReadable(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      if (info[0].IsNull() || info[0].IsUndefined()) return StopPolling();
      if (!info[0].IsFunction())
        throw SysError::Argument(What("onReadable", "listener must be a function or null"));
      XskSocket& socket = Open();
      listener_ = Napi::Persistent(info[0].As<Napi::Function>());
      if (!poll_) StartPolling(info.Env(), socket);
    });
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { return StatsObject(info.Env(), Open().Stats()); });
  }

  // The poll handle is closed before the socket: libuv must stop watching a
  // descriptor before it is closed.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      CheckNotLent();
      StopPolling();
      socket_->Close();
    });
  }

  void StartPolling(Napi::Env env, XskSocket& socket) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop)
      ThrowErrno(EINVAL, socket.Describe() + ": no event loop to watch it on");
    auto* handle = new uv_poll_t;
    int err = uv_poll_init(loop, handle, socket.fd());
    if (err) {
      delete handle;
      ThrowErrno(-err, socket.Describe() + ": watch the socket (uv_poll_init)");
    }
    handle->data = this;
    err = uv_poll_start(handle, UV_READABLE, &JsXsk::OnPoll);
    if (err) {
      uv_close(reinterpret_cast<uv_handle_t*>(handle), &JsXsk::FreePollHandle);
      ThrowErrno(-err, socket.Describe() + ": watch the socket (uv_poll_start)");
    }
    poll_ = handle;
    if (!asyncContext_) asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "XskSocket");
    // while it has a listener, the socket lives on without other references
    // (and keeps the event loop alive, as a listening server does)
    Ref();
  }

  void StopPolling() {
    listener_.Reset();
    if (!poll_) return;
    ClosePollHandle();
    Unref();
  }

  void ClosePollHandle() {
    if (!poll_) return;
    uv_poll_stop(poll_);  // takes the fd out of epoll now
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), &JsXsk::FreePollHandle);
    poll_ = nullptr;
  }

  static void FreePollHandle(uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); }

  static void OnPoll(uv_poll_t* handle, int status, int /*events*/) {
    static_cast<JsXsk*>(handle->data)->NotifyReadable(status);
  }

  // Runs the listener as a callback from the event loop (microtasks run after
  // it); what it throws becomes an uncaught exception. A poll error stops
  // polling and is handed to the listener.
  void NotifyReadable(int status) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Object receiver = Value();  // keeps this object alive until we return
    Napi::Function listener = listener_.Value();
    std::vector<napi_value> args;
    if (status < 0) {
      args.push_back(ToJsError(env, SysError(-status, socket_->Describe() + ": poll")).Value());
      StopPolling();
    }
    try {
      listener.MakeCallback(receiver, args, *asyncContext_);
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());
    }
  }

  std::shared_ptr<XskSocket> socket_;
  // true while transmitRepeatedly has the socket on a worker thread
  std::shared_ptr<std::atomic<bool>> lent_ = std::make_shared<std::atomic<bool>>(false);
  Napi::FunctionReference listener_;
  uv_poll_t* poll_ = nullptr;
  // kept for the object's life: a listener may close the socket while it runs
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
};

}  // namespace

Napi::Function DefineXskSocket(Napi::Env env) { return JsXsk::Define(env); }

}  // namespace xr
