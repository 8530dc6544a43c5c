// The JS face of a BpfMap (NativeMap in dataplane/native.ts). Made only by
// the addon (XdpProgram.map, openPinnedMap), never by `new` from JS.
#ifndef XR_NATIVE_JS_MAP_H
#define XR_NATIVE_JS_MAP_H

#include <napi.h>

#include <memory>
#include <string>

#include "bpf_map.h"

namespace xr {

class JsMap : public Napi::ObjectWrap<JsMap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object New(Napi::Env env, std::shared_ptr<BpfMap> map);

  explicit JsMap(const Napi::CallbackInfo& info);

 private:
  // the map, or EBADF once closed
  std::shared_ptr<BpfMap> Open() const;
  std::string What(const char* method) const;

  Napi::Value Lookup(const Napi::CallbackInfo& info);
  Napi::Value Update(const Napi::CallbackInfo& info);
  Napi::Value Delete(const Napi::CallbackInfo& info);
  Napi::Value Keys(const Napi::CallbackInfo& info);
  Napi::Value Dump(const Napi::CallbackInfo& info);
  Napi::Value UpdateBatch(const Napi::CallbackInfo& info);
  Napi::Value DeleteBatch(const Napi::CallbackInfo& info);
  Napi::Value Pin(const Napi::CallbackInfo& info);
  Napi::Value Unpin(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<BpfMap> map_;
  std::string name_;
};

}  // namespace xr

#endif
