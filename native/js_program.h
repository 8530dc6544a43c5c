// The JS face of an XdpProgram (NativeProgram in dataplane/native.ts):
// new XdpProgram(objectPath, programName, { netns }).
#ifndef XR_NATIVE_JS_PROGRAM_H
#define XR_NATIVE_JS_PROGRAM_H

#include <napi.h>

#include <memory>
#include <string>

#include "xdp_program.h"

namespace xr {

class JsProgram : public Napi::ObjectWrap<JsProgram> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit JsProgram(const Napi::CallbackInfo& info);

 private:
  // the program, or EBADF once closed
  std::shared_ptr<XdpProgram> Open() const;
  std::string What(const char* method) const;

  Napi::Value ObjectPath(const Napi::CallbackInfo& info);
  Napi::Value ProgramName(const Napi::CallbackInfo& info);
  Napi::Value Loaded(const Napi::CallbackInfo& info);
  Napi::Value SetConst(const Napi::CallbackInfo& info);
  Napi::Value ReuseMap(const Napi::CallbackInfo& info);
  Napi::Value Load(const Napi::CallbackInfo& info);
  Napi::Value MapNames(const Napi::CallbackInfo& info);
  Napi::Value Map(const Napi::CallbackInfo& info);
  Napi::Value TestRun(const Napi::CallbackInfo& info);
  Napi::Value RunLiveFrames(const Napi::CallbackInfo& info);
  Napi::Value Attach(const Napi::CallbackInfo& info);
  Napi::Value Detach(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<XdpProgram> program_;
  std::string objectPath_;
  std::string programName_;
};

}  // namespace xr

#endif
