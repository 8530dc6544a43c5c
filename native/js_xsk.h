// The JS face of an XskSocket: XskSocket in dataplane/native.ts, constructed
// as new XskSocket({ ifindex, queue, netns, ..., xskMap }).
#ifndef XR_NATIVE_JS_XSK_H
#define XR_NATIVE_JS_XSK_H

#include <napi.h>

namespace xr {

Napi::Function DefineXskSocket(Napi::Env env);

}  // namespace xr

#endif
