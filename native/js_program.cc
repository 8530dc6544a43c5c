#include "js_program.h"

#include <errno.h>

#include "js_map.h"
#include "js_util.h"

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
  if (auto ifindex = object.Get("ingressIfindex"); !ifindex.IsUndefined())
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

}  // namespace

Napi::Function JsProgram::Define(Napi::Env env) {
  return DefineClass(env, "XdpProgram",
                     {
                         InstanceAccessor<&JsProgram::ObjectPath>("objectPath"),
                         InstanceAccessor<&JsProgram::ProgramName>("programName"),
                         InstanceAccessor<&JsProgram::Loaded>("loaded"),
                         InstanceMethod<&JsProgram::SetConst>("setConst"),
                         InstanceMethod<&JsProgram::ReuseMap>("reuseMap"),
                         InstanceMethod<&JsProgram::Load>("load"),
                         InstanceMethod<&JsProgram::MapNames>("mapNames"),
                         InstanceMethod<&JsProgram::Map>("map"),
                         InstanceMethod<&JsProgram::TestRun>("testRun"),
                         InstanceMethod<&JsProgram::RunLiveFrames>("runLiveFrames"),
                         InstanceMethod<&JsProgram::Attach>("attach"),
                         InstanceMethod<&JsProgram::Detach>("detach"),
                         InstanceMethod<&JsProgram::Close>("close"),
                     });
}

JsProgram::JsProgram(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsProgram>(info) {
  CallSync(info.Env(), [&] {
    objectPath_ = StringArg(info[0], "XdpProgram: objectPath");
    programName_ = StringArg(info[1], "XdpProgram: programName");
    Napi::Object options = OptionsArg(info[2], "XdpProgram: options");
    std::string netns = OptionalString(options, "netns", "XdpProgram: options").value_or("");
    program_ = std::make_shared<XdpProgram>(objectPath_, programName_, netns);
  });
}

std::shared_ptr<XdpProgram> JsProgram::Open() const {
  if (!program_) ThrowErrno(EBADF, "program '" + programName_ + "' of " + objectPath_ + " is closed");
  return program_;
}

std::string JsProgram::What(const char* method) const {
  return "program '" + programName_ + "'." + method;
}

Napi::Value JsProgram::ObjectPath(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), objectPath_);
}

Napi::Value JsProgram::ProgramName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), programName_);
}

Napi::Value JsProgram::Loaded(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), program_ && program_->loaded());
}

Napi::Value JsProgram::SetConst(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    auto program = Open();
    program->SetConst(StringArg(info[0], What("setConst") + ": name"),
                      BufferArg(info[1], What("setConst") + ": value"));
    return info.Env().Undefined();
  });
}

Napi::Value JsProgram::ReuseMap(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    auto program = Open();
    program->ReuseMap(StringArg(info[0], What("reuseMap") + ": name"),
                      StringArg(info[1], What("reuseMap") + ": pinPath"));
    return info.Env().Undefined();
  });
}

Napi::Value JsProgram::Load(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto program = Open();
    program->PrepareLoad();
    return RunVoid(info.Env(), [program] { program->Load(); });
  });
}

Napi::Value JsProgram::MapNames(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    std::vector<std::string> names = Open()->MapNames();
    Napi::Array array = Napi::Array::New(info.Env(), names.size());
    for (size_t i = 0; i < names.size(); ++i)
      array.Set(static_cast<uint32_t>(i), Napi::String::New(info.Env(), names[i]));
    return array;
  });
}

Napi::Value JsProgram::Map(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    auto program = Open();
    return JsMap::New(info.Env(), program->OpenMap(StringArg(info[0], What("map") + ": name")));
  });
}

Napi::Value JsProgram::TestRun(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto program = Open();
    TestRunRequest request = TestRunArg(info[0], What("testRun") + ": request");
    return PromiseWorker<TestRunResult>::Start(
        info.Env(), [program, request = std::move(request)] { return program->TestRun(request); },
        [](Napi::Env env, TestRunResult& result) -> Napi::Value {
          Napi::Object object = Napi::Object::New(env);
          object.Set("retval", Napi::Number::New(env, result.retval));
          object.Set("data", CopyToBuffer(env, result.data.data(), result.data.size()));
          object.Set("durationNs", Napi::Number::New(env, result.durationNs));
          return object;
        });
  });
}

Napi::Value JsProgram::RunLiveFrames(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto program = Open();
    LiveFramesRequest request = LiveFramesArg(info[0], What("runLiveFrames") + ": request");
    return PromiseWorker<uint32_t>::Start(
        info.Env(), [program, request = std::move(request)] { return program->RunLiveFrames(request); },
        [](Napi::Env env, uint32_t& durationNs) -> Napi::Value {
          Napi::Object object = Napi::Object::New(env);
          object.Set("durationNs", Napi::Number::New(env, durationNs));
          return object;
        });
  });
}

Napi::Value JsProgram::Attach(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto program = Open();
    uint32_t ifindex = IfindexArg(info[0], What("attach") + ": ifindex");
    AttachRequest request = AttachRequestArg(info[1], What("attach") + ": mode");
    return PromiseWorker<AttachMode>::Start(
        info.Env(), [program, ifindex, request] { return program->Attach(ifindex, request); },
        [](Napi::Env env, AttachMode& mode) -> Napi::Value {
          return Napi::String::New(env, AttachModeName(mode));
        });
  });
}

Napi::Value JsProgram::Detach(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto program = Open();
    uint32_t ifindex = IfindexArg(info[0], What("detach") + ": ifindex");
    return RunVoid(info.Env(), [program, ifindex] { program->Detach(ifindex); });
  });
}

Napi::Value JsProgram::Close(const Napi::CallbackInfo& info) {
  // Work still running keeps its own reference: the object, its fds and the
  // libxdp copy close when it is done. Attachments stay (libxdp pinned them).
  program_.reset();
  return info.Env().Undefined();
}

}  // namespace xr
