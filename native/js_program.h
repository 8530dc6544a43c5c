// The JS face of an XdpProgram: NativeProgram in dataplane/native.ts,
// constructed as new XdpProgram(objectPath, programName, { netns }).
#ifndef XR_NATIVE_JS_PROGRAM_H
#define XR_NATIVE_JS_PROGRAM_H

#include <napi.h>

namespace xr {

Napi::Function DefineXdpProgram(Napi::Env env);

}  // namespace xr

#endif
