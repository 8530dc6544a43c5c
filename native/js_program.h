// The JS face of an XdpProgram: NativeProgram in dataplane/native.ts,
// constructed as new XdpProgram(objectPath, programName, { netns }).
#ifndef XR_NATIVE_JS_PROGRAM_H
#define XR_NATIVE_JS_PROGRAM_H

#include <napi.h>

#include <memory>
#include <string>

#include "xdp_program.h"

namespace xr {

Napi::Function DefineXdpProgram(Napi::Env env);
// The program behind an XdpProgram passed in from JS; a TypeError naming
// `what` for anything else, EBADF once it is closed.
std::shared_ptr<XdpProgram> UnwrapProgram(const Napi::Value& value, const std::string& what);

}  // namespace xr

#endif
