// The JS face of a BpfMap: NativeMap in dataplane/native.ts. Made only by the
// addon (XdpProgram.map, openPinnedMap), never by `new` from JS.
#ifndef XR_NATIVE_JS_MAP_H
#define XR_NATIVE_JS_MAP_H

#include <napi.h>

#include <memory>
#include <string>

#include "bpf_map.h"

namespace xr {

// The class, once per environment (kept in AddonData).
Napi::Function DefineNativeMap(Napi::Env env);
Napi::Object WrapMap(Napi::Env env, std::shared_ptr<BpfMap> map);
// The map behind a NativeMap passed in from JS; a TypeError (SysError
// argument) naming `what` for anything else, EBADF once the map is closed.
std::shared_ptr<BpfMap> UnwrapMap(const Napi::Value& value, const std::string& what);

}  // namespace xr

#endif
