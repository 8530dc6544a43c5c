#include "js_program.h"

#include <errno.h>

#include <memory>
#include <string>

#include "addon_data.h"
#include "js_map.h"
#include "js_util.h"
#include "xdp_program.h"

namespace xr {
namespace {

AttachRequest AttachRequestArg(const Napi::Value& value, const std::string& what) {
  std::string mode = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  if (mode == "native") return AttachRequest::kNative;
  if (mode == "generic") return AttachRequest::kGeneric;
  if (mode == "auto") return AttachRequest::kAuto;
  throw SysError::Argument(what + " must be 'native', 'generic' or 'auto'");
}

TestRunRequest TestRunArg(const Napi::Value& value, const std::string& what) {
  Napi::Object object = OptionsArg(value, what);
  TestRunRequest request;
  request.data = CopyBytes(BufferArg(object.Get("data"), what + ".data"));
  request.repeat = OptionalUint32(object, "repeat", what).value_or(1);
  if (Napi::Value ifindex = object.Get("ingressIfindex"); !ifindex.IsUndefined())
    request.ingressIfindex = IfindexArg(ifindex, what + ".ingressIfindex");
  request.rxQueue = OptionalUint32(object, "rxQueue", what);
  request.dataOutSize = OptionalUint32(object, "dataOutSize", what)
                            .value_or(static_cast<uint32_t>(request.data.size() + 256));
  return request;
}

LiveFramesRequest LiveFramesArg(const Napi::Value& value, const std::string& what) {
  Napi::Object object = OptionsArg(value, what);
  LiveFramesRequest request;
  request.data = CopyBytes(BufferArg(object.Get("data"), what + ".data"));
  request.repeat = Uint32Arg(object.Get("repeat"), what + ".repeat");
  request.ingressIfindex = IfindexArg(object.Get("ingressIfindex"), what + ".ingressIfindex");
  request.batchSize = OptionalUint32(object, "batchSize", what).value_or(0);
  return request;
}

Napi::Object TestRunResultObject(Napi::Env env, const TestRunResult& result) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("retval", Napi::Number::New(env, result.retval));
  object.Set("data", CopyToBuffer(env, result.data.data(), result.data.size()));
  object.Set("durationNs", Napi::Number::New(env, result.durationNs));
  return object;
}

Napi::Object LiveFramesResultObject(Napi::Env env, const uint32_t& durationNs) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("durationNs", Napi::Number::New(env, durationNs));
  return object;
}

class JsProgram : public Napi::ObjectWrap<JsProgram> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "XdpProgram",
        {InstanceAccessor<&JsProgram::ObjectPath>("objectPath"),
         InstanceAccessor<&JsProgram::ProgramName>("programName"),
         InstanceAccessor<&JsProgram::Loaded>("loaded"), InstanceMethod<&JsProgram::SetConst>("setConst"),
         InstanceMethod<&JsProgram::ReuseMap>("reuseMap"), InstanceMethod<&JsProgram::Load>("load"),
         InstanceMethod<&JsProgram::MapNames>("mapNames"), InstanceMethod<&JsProgram::Map>("map"),
         InstanceMethod<&JsProgram::TestRun>("testRun"),
         InstanceMethod<&JsProgram::RunLiveFrames>("runLiveFrames"),
         InstanceMethod<&JsProgram::Attach>("attach"), InstanceMethod<&JsProgram::Detach>("detach"),
         InstanceMethod<&JsProgram::Close>("close")});
  }

  explicit JsProgram(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsProgram>(info) {
    CallSync(info.Env(), [&] {
      objectPath_ = StringArg(info[0], "XdpProgram: objectPath");
      programName_ = StringArg(info[1], "XdpProgram: programName");
      Napi::Object options = OptionsArg(info[2], "XdpProgram: options");
      std::string netns = OptionalString(options, "netns", "XdpProgram: options").value_or("");
      program_ = std::make_shared<XdpProgram>(objectPath_, programName_, netns);
    });
  }

  // for native code that runs it (the slow path's hand-back to the kernel)
  std::shared_ptr<XdpProgram> Shared() const { return Open(); }

 private:
  // the program, or EBADF once closed
  std::shared_ptr<XdpProgram> Open() const {
    if (!program_) ThrowErrno(EBADF, "program '" + programName_ + "' of " + objectPath_ + " is closed");
    return program_;
  }

  // "program 'xdp_router'.attach: mode", for argument errors
  std::string What(const char* method, const char* argument) const {
    return "program '" + programName_ + "'." + method + ": " + argument;
  }

  Napi::Value ObjectPath(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), objectPath_);
  }

  Napi::Value ProgramName(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), programName_);
  }

  Napi::Value Loaded(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), program_ && program_->loaded());
  }

  Napi::Value SetConst(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      Open()->SetConst(StringArg(info[0], What("setConst", "name")),
                       BufferArg(info[1], What("setConst", "value")));
    });
  }

  Napi::Value ReuseMap(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      std::string name = StringArg(info[0], What("reuseMap", "name"));
      if (info[1].IsString()) {
        Open()->ReuseMap(name, info[1].As<Napi::String>().Utf8Value());
      } else {
        Open()->ReuseMap(name, *UnwrapMap(info[1], What("reuseMap", "map")));
      }
    });
  }

  Napi::Value Load(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] { return LoadOffThread(info.Env(), Open()); });
  }

  Napi::Value MapNames(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      std::vector<std::string> names = Open()->MapNames();
      Napi::Array array = Napi::Array::New(info.Env(), names.size());
      for (uint32_t i = 0; i < names.size(); ++i)
        array.Set(i, Napi::String::New(info.Env(), names[i]));
      return array;
    });
  }

  Napi::Value Map(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      return WrapMap(info.Env(), Open()->OpenMap(StringArg(info[0], What("map", "name"))));
    });
  }

  Napi::Value TestRun(const Napi::CallbackInfo& info) {
    return RunRequest(info, "testRun", TestRunArg, &XdpProgram::TestRun, TestRunResultObject);
  }

  Napi::Value RunLiveFrames(const Napi::CallbackInfo& info) {
    return RunRequest(info, "runLiveFrames", LiveFramesArg, &XdpProgram::RunLiveFrames,
                      LiveFramesResultObject);
  }

  // Read the request object on the JS thread, run it on a worker.
  template <typename Request, typename Result>
  Napi::Value RunRequest(const Napi::CallbackInfo& info, const char* method,
                         Request (*parse)(const Napi::Value&, const std::string&),
                         Result (XdpProgram::*run)(const Request&) const,
                         Napi::Object (*settle)(Napi::Env, const Result&)) {
    return CallAsync(info.Env(), [&] {
      auto program = Open();
      Request request = parse(info[0], What(method, "request"));
      return PromiseWorker<Result>::Start(
          info.Env(), [program, run, request = std::move(request)] { return (*program.*run)(request); },
          [settle](Napi::Env env, Result& result) -> Napi::Value { return settle(env, result); });
    });
  }

  Napi::Value Attach(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      auto program = Open();
      uint32_t ifindex = IfindexArg(info[0], What("attach", "ifindex"));
      AttachRequest request = AttachRequestArg(info[1], What("attach", "mode"));
      return PromiseWorker<AttachMode>::Start(
          info.Env(), [program, ifindex, request] { return program->Attach(ifindex, request); },
          [](Napi::Env env, AttachMode& mode) -> Napi::Value {
            return Napi::String::New(env, AttachModeName(mode));
          });
    });
  }

  Napi::Value Detach(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      auto program = Open();
      uint32_t ifindex = IfindexArg(info[0], What("detach", "ifindex"));
      return RunVoid(info.Env(), [program, ifindex] { program->Detach(ifindex); });
    });
  }

  // Work still running keeps its own reference: the object, its fds and the
  // libxdp copy close when it is done. Attachments stay attached.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    program_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<XdpProgram> program_;
  std::string objectPath_;
  std::string programName_;
};

}  // namespace

Napi::Function DefineXdpProgram(Napi::Env env) { return JsProgram::Define(env); }

std::shared_ptr<XdpProgram> UnwrapProgram(const Napi::Value& value, const std::string& what) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(AddonData::Of(env).programConstructor.Value()))
    throw SysError::Argument(what + " must be an XdpProgram");
  return JsProgram::Unwrap(value.As<Napi::Object>())->Shared();
}

}  // namespace xr
