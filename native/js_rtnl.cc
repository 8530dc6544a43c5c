#include "js_rtnl.h"

#include <errno.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "js_util.h"
#include "rtnl_socket.h"

namespace xr {
namespace {

// The reader hands events to JS in batches of about this size: one call
// into JS per batch, not per message.
constexpr size_t kEventBatchBytes = 1024 * 1024;
// Events read but not yet taken by the JS thread, at most, unless the
// options say otherwise (queueBytes): beyond that the reader stops, the
// socket's buffer fills, and the loss shows as an overrun (a resync), not
// as memory without bound.
constexpr size_t kDefaultQueuedEventBytes = 256 * 1024 * 1024;

RtnlConfig ConfigArg(const Napi::Value& value, const std::string& what) {
  Napi::Object options = OptionsArg(value, what);
  RtnlConfig config;
  config.netns = OptionalString(options, "netns", what).value_or("");
  config.receiveBufferBytes = OptionalUint32(options, "receiveBufferBytes", what).value_or(0);
  return config;
}

// The bytes become the Buffer's, without a copy.
Napi::Buffer<uint8_t> TakeBuffer(Napi::Env env, Bytes&& bytes) {
  auto* owned = new Bytes(std::move(bytes));
  return Napi::Buffer<uint8_t>::New(env, owned->data(), owned->size(),
                                    [](Napi::Env, uint8_t*, Bytes* hint) { delete hint; }, owned);
}

class JsRtnlSocket : public Napi::ObjectWrap<JsRtnlSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    using S = JsRtnlSocket;
    return DefineClass(env, "RtnlSocket",
                       {InstanceAccessor<&S::Port>("port"), InstanceAccessor<&S::ReceiveBufferBytes>("receiveBufferBytes"),
                        InstanceMethod<&S::Transact>("transact"), InstanceMethod<&S::Dump>("dump"),
                        InstanceMethod<&S::Close>("close")});
  }

  explicit JsRtnlSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsRtnlSocket>(info) {
    CallSync(info.Env(), [&] { socket_ = std::make_shared<RtnlSocket>(ConfigArg(info[0], "RtnlSocket: options")); });
  }

  // a worker still running keeps its own reference; the fd closes after it
  ~JsRtnlSocket() override { socket_->Wake(); }

 private:
  Napi::Value Port(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), socket_->port()); }

  Napi::Value ReceiveBufferBytes(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { return Napi::Number::New(info.Env(), socket_->receiveBufferBytes()); });
  }

  Napi::Value Transact(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      Bytes messages = CopyBytes(BufferArg(info[0], "RtnlSocket.transact: messages"));
      return PromiseWorker<std::vector<RtnlOutcome>>::Start(
          info.Env(), [socket = socket_, messages = std::move(messages)]() mutable { return socket->Transact(std::move(messages)); },
          [](Napi::Env env, std::vector<RtnlOutcome>& outcomes) -> Napi::Value {
            Napi::Array result = Napi::Array::New(env, outcomes.size());
            for (uint32_t i = 0; i < outcomes.size(); ++i) {
              if (outcomes[i].err == 0) {
                result.Set(i, env.Null());
                continue;
              }
              Napi::Object failure = Napi::Object::New(env);
              failure.Set("errno", outcomes[i].err);
              failure.Set("code", ErrnoName(outcomes[i].err));
              failure.Set("message", outcomes[i].message);
              failure.Set("unanswered", outcomes[i].unanswered);
              result.Set(i, failure);
            }
            return result;
          });
    });
  }

  Napi::Value Dump(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      Bytes request = CopyBytes(BufferArg(info[0], "RtnlSocket.dump: request"));
      return PromiseWorker<std::vector<Bytes>>::Start(
          info.Env(), [socket = socket_, request = std::move(request)] { return socket->Dump(request); },
          [](Napi::Env env, std::vector<Bytes>& datagrams) -> Napi::Value {
            Napi::Array result = Napi::Array::New(env, datagrams.size());
            for (uint32_t i = 0; i < datagrams.size(); ++i) result.Set(i, TakeBuffer(env, std::move(datagrams[i])));
            return result;
          });
    });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { socket_->Wake(); });
  }

  std::shared_ptr<RtnlSocket> socket_;
};

// What the reader thread and the JS thread share: the bytes read and not yet
// taken, and whether the reader must stop.
struct EventFlow {
  std::mutex mutex;
  std::condition_variable changed;
  size_t queuedBytes = 0;
  size_t maxQueuedBytes = kDefaultQueuedEventBytes;
  bool stopping = false;

  void Taken(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      queuedBytes -= bytes;
    }
    changed.notify_all();
  }
};

// One batch on its way to the JS thread; dropped unread when the socket closes.
// Counted in flow->queuedBytes from construction until it goes.
struct EventDelivery {
  EventDelivery(RtnlEvents&& read, std::shared_ptr<EventFlow> owner)
      : events(std::move(read)), flow(std::move(owner)), bytes(events.messages.size()) {
    std::lock_guard<std::mutex> lock(flow->mutex);
    flow->queuedBytes += bytes;
  }
  EventDelivery(const EventDelivery&) = delete;
  EventDelivery& operator=(const EventDelivery&) = delete;
  ~EventDelivery() { flow->Taken(bytes); }

  RtnlEvents events;
  std::shared_ptr<EventFlow> flow;
  size_t bytes;
};

void DeliverEvents(Napi::Env env, Napi::Function listener, std::nullptr_t*, EventDelivery* delivery);
using EventTsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, EventDelivery, DeliverEvents>;

// Runs the listener with (messages | null, problem | null); what it throws
// becomes an uncaught exception, as for any other event callback.
void DeliverEvents(Napi::Env env, Napi::Function listener, std::nullptr_t*, EventDelivery* delivery) {
  std::unique_ptr<EventDelivery> owned(delivery);
  if (static_cast<napi_env>(env) == nullptr || listener.IsEmpty()) return;
  Napi::HandleScope scope(env);
  RtnlEvents& events = owned->events;
  Napi::Value messages = env.Null();
  Napi::Value problem = env.Null();
  if (!events.messages.empty()) messages = TakeBuffer(env, std::move(events.messages));
  if (events.overrun) {
    problem = ToJsError(env, SysError(ENOBUFS, "rtnetlink events lost: the kernel dropped some for a full receive buffer")).Value();
  } else if (events.failure != 0) {
    problem = ToJsError(env, SysError(events.failure, "receive rtnetlink events")).Value();
  }
  try {
    listener.Call({messages, problem});
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  }
}

class JsRtnlEventSocket : public Napi::ObjectWrap<JsRtnlEventSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RtnlEventSocket",
                       {InstanceAccessor<&JsRtnlEventSocket::ReceiveBufferBytes>("receiveBufferBytes"),
                        InstanceMethod<&JsRtnlEventSocket::Close>("close")});
  }

  explicit JsRtnlEventSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsRtnlEventSocket>(info) {
    CallSync(info.Env(), [&] {
      const std::string what = "RtnlEventSocket: options";
      RtnlConfig config = ConfigArg(info[0], what);
      Napi::Object options = OptionsArg(info[0], what);
      Napi::Value groups = options.Get("groups");
      if (!groups.IsArray()) throw SysError::Argument(what + ".groups must be an array of RTNLGRP_* numbers");
      Napi::Array array = groups.As<Napi::Array>();
      for (uint32_t i = 0; i < array.Length(); ++i) {
        config.groups.push_back(Uint32Arg(array.Get(i), what + ".groups[" + std::to_string(i) + "]"));
      }
      flow_->maxQueuedBytes = OptionalUint32(options, "queueBytes", what).value_or(kDefaultQueuedEventBytes);
      // with no room at all the reader would never read
      if (flow_->maxQueuedBytes == 0) throw SysError::Argument(what + ".queueBytes must be at least 1");
      if (!info[1].IsFunction()) throw SysError::Argument("RtnlEventSocket: listener must be a function");
      socket_ = std::make_shared<RtnlSocket>(config);
      Start(info.Env(), info[1].As<Napi::Function>());
    });
  }

  ~JsRtnlEventSocket() override { Stop(); }

 private:
  // While it reads, the object lives on without other references (and keeps
  // the event loop alive, as a listening server does).
  void Start(Napi::Env env, Napi::Function listener) {
    tsfn_ = EventTsfn::New(env, listener, "RtnlEventSocket", 0, 1);
    reader_ = std::thread([socket = socket_, flow = flow_, tsfn = tsfn_] { Read(*socket, flow, tsfn); });
    // after the function's own hook, so it runs first: the thread stops before the function goes
    if (napi_add_env_cleanup_hook(env, &JsRtnlEventSocket::OnEnvCleanup, this) != napi_ok) {
      Stop();
      ThrowErrno(EINVAL, "RtnlEventSocket: register its cleanup at exit");
    }
    hooked_ = true;
    Ref();
  }

  static void Read(RtnlSocket& socket, const std::shared_ptr<EventFlow>& flow, EventTsfn tsfn) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(flow->mutex);
        flow->changed.wait(lock, [&] { return flow->stopping || flow->queuedBytes < flow->maxQueuedBytes; });
        if (flow->stopping) return;
      }
      RtnlEvents events = socket.ReadEvents(kEventBatchBytes);
      if (events.messages.empty() && !events.overrun && events.failure == 0) return;  // woken: closing
      bool last = events.failure != 0;
      auto delivery = std::make_unique<EventDelivery>(std::move(events), flow);
      if (tsfn.NonBlockingCall(delivery.get()) != napi_ok) return;
      delivery.release();
      if (last) return;
    }
  }

  void Stop() {
    if (!reader_.joinable()) return;
    socket_->Wake();
    {
      std::lock_guard<std::mutex> lock(flow_->mutex);
      flow_->stopping = true;
    }
    flow_->changed.notify_all();
    reader_.join();
    // batches not yet delivered are dropped: a closed socket reports nothing
    tsfn_.Abort();
    if (hooked_) napi_remove_env_cleanup_hook(Env(), &JsRtnlEventSocket::OnEnvCleanup, this);
    hooked_ = false;
  }

  // The environment goes (process exit, worker end) with the socket open.
  static void OnEnvCleanup(void* data) {
    auto* self = static_cast<JsRtnlEventSocket*>(data);
    self->hooked_ = false;
    self->Stop();
  }

  Napi::Value ReceiveBufferBytes(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { return Napi::Number::New(info.Env(), socket_->receiveBufferBytes()); });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      if (!reader_.joinable()) return;
      Stop();
      Unref();
    });
  }

  std::shared_ptr<RtnlSocket> socket_;
  std::shared_ptr<EventFlow> flow_ = std::make_shared<EventFlow>();
  EventTsfn tsfn_;
  std::thread reader_;
  bool hooked_ = false;
};

}  // namespace

Napi::Function DefineRtnlSocket(Napi::Env env) { return JsRtnlSocket::Define(env); }
Napi::Function DefineRtnlEventSocket(Napi::Env env) { return JsRtnlEventSocket::Define(env); }

}  // namespace xr
