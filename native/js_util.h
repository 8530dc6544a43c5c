// The JS side of the binding: errors, arguments, and work off the JS thread.
#ifndef XR_NATIVE_JS_UTIL_H
#define XR_NATIVE_JS_UTIL_H

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "bytes.h"
#include "errors.h"

namespace xr {

// Error (TypeError for bad arguments) with .errno (positive) and .code.
Napi::Error ToJsError(Napi::Env env, const SysError& error);

// Run a synchronous method body: a SysError becomes the JS exception, a body
// without a result answers undefined.
template <typename Body>
Napi::Value CallSync(Napi::Env env, Body&& body) {
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      return env.Undefined();
    } else {
      return body();
    }
  } catch (const SysError& error) {
    throw ToJsError(env, error);
  }
}

// Arguments. what: the name used in the TypeError ("map.update: value").
std::string StringArg(const Napi::Value& value, const std::string& what);
uint32_t Uint32Arg(const Napi::Value& value, const std::string& what);
// ifindex: a positive 31-bit integer
uint32_t IfindexArg(const Napi::Value& value, const std::string& what);
// A Buffer's bytes, valid while the call runs.
ByteView BufferArg(const Napi::Value& value, const std::string& what);
inline Bytes CopyBytes(ByteView view) { return Bytes(view.data, view.data + view.size); }
// An optional object argument: undefined and null give an empty object.
Napi::Object OptionsArg(const Napi::Value& value, const std::string& what);
// A property that may be absent (undefined).
std::optional<uint32_t> OptionalUint32(const Napi::Object& object, const char* key,
                                       const std::string& what);
std::optional<std::string> OptionalString(const Napi::Object& object, const char* key,
                                          const std::string& what);

Napi::Buffer<uint8_t> CopyToBuffer(Napi::Env env, const uint8_t* data, size_t size);

// Runs work() on a libuv worker thread, then, on the JS thread, resolves the
// promise with settle(env, result), or rejects it with the SysError work()
// threw. work() must not touch JS values: copy inputs into it beforehand.
template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<Result()>;
  using Settle = std::function<Napi::Value(Napi::Env, Result&)>;

  static Napi::Promise Start(Napi::Env env, Work work, Settle settle) {
    auto* worker = new PromiseWorker(env, std::move(work), std::move(settle));
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();  // the worker deletes itself after OnOK
    return promise;
  }

 protected:
  void Execute() override {
    try {
      result_ = work_();
    } catch (const SysError& error) {
      error_ = error;
    } catch (const std::exception& error) {
      error_ = SysError(EIO, error.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (error_) return deferred_.Reject(ToJsError(env, *error_).Value());
    try {
      deferred_.Resolve(settle_(env, *result_));
    } catch (const Napi::Error& error) {
      deferred_.Reject(error.Value());
    }
  }

 private:
  PromiseWorker(Napi::Env env, Work work, Settle settle)
      : Napi::AsyncWorker(env, "xdp_router"),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)),
        settle_(std::move(settle)) {}

  Napi::Promise::Deferred deferred_;
  Work work_;
  Settle settle_;
  std::optional<Result> result_;
  std::optional<SysError> error_;
};

// For promise-returning methods: errors while reading the arguments reject
// the promise too, so the caller sees one way of failing.
template <typename Start>
Napi::Value CallAsync(Napi::Env env, Start&& start) {
  try {
    return start();
  } catch (const SysError& error) {
    auto deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(ToJsError(env, error).Value());
    return deferred.Promise();
  }
}

// A promise for work that has no result: resolves to undefined.
Napi::Promise RunVoid(Napi::Env env, std::function<void()> work);

// Reserve an object for its load on the JS thread (PrepareLoad), then load
// it on a worker (Load): a second load, or a call that would change the
// object meanwhile, fails at once instead of racing it.
template <typename Loadable>
Napi::Promise LoadOffThread(Napi::Env env, std::shared_ptr<Loadable> object) {
  object->PrepareLoad();
  return RunVoid(env, [object] { object->Load(); });
}

// JS classes that stand for a native object (NativeMap, NativeLink) are made
// by the addon only: it passes the object in as an External. `origin` says
// where JS code gets them instead, in the TypeError a `new` from JS gets.
template <typename Native>
Napi::Object WrapShared(Napi::Env env, const Napi::FunctionReference& constructor, std::shared_ptr<Native> native) {
  return constructor.New({Napi::External<std::shared_ptr<Native>>::New(env, &native)});
}

template <typename Native>
std::shared_ptr<Native> WrappedArg(const Napi::CallbackInfo& info, const std::string& origin) {
  if (info.Length() != 1 || !info[0].IsExternal()) throw ToJsError(info.Env(), SysError::Argument(origin));
  return *info[0].As<Napi::External<std::shared_ptr<Native>>>().Data();
}

}  // namespace xr

#endif
