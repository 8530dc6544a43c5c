// The JS faces of a TracingObject and of a BpfLink: NativeTracingObject and
// NativeLink in dataplane/native.ts. new TracingObject(objectPath); links come
// from its attach() and from openPinnedLink(path).
#ifndef XR_NATIVE_JS_TRACING_H
#define XR_NATIVE_JS_TRACING_H

#include <napi.h>

namespace xr {

Napi::Function DefineTracingObject(Napi::Env env);
// The link class, once per environment (kept in AddonData).
Napi::Function DefineNativeLink(Napi::Env env);
// openPinnedLink(path)
Napi::Value OpenPinnedLink(const Napi::CallbackInfo& info);

}  // namespace xr

#endif
