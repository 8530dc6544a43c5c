// The JS faces of an RtnlSocket (see dataplane/native.ts): RtnlSocket for
// requests and dumps, RtnlEventSocket for multicast events read by a thread
// of its own.
#ifndef XR_NATIVE_JS_RTNL_H
#define XR_NATIVE_JS_RTNL_H

#include <napi.h>

namespace xr {

Napi::Function DefineRtnlSocket(Napi::Env env);
Napi::Function DefineRtnlEventSocket(Napi::Env env);

}  // namespace xr

#endif
