// The JS face of the slow path's forwarder and its workers:
// SlowPathForwarder and SlowPathWorker in dataplane/native.ts.
#ifndef XR_NATIVE_JS_SLOWPATH_H
#define XR_NATIVE_JS_SLOWPATH_H

#include <napi.h>

namespace xr {

Napi::Function DefineSlowPathForwarder(Napi::Env env);
Napi::Function DefineSlowPathWorker(Napi::Env env);

}  // namespace xr

#endif
