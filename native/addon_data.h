// Per-environment state of the addon (one per Node.js worker thread).
#ifndef XR_NATIVE_ADDON_DATA_H
#define XR_NATIVE_ADDON_DATA_H

#include <napi.h>

namespace xr {

struct AddonData {
  Napi::FunctionReference mapConstructor;
  Napi::FunctionReference linkConstructor;
  // for telling the addon's objects apart when JS passes them back in
  Napi::FunctionReference programConstructor;
  Napi::FunctionReference xskConstructor;
  Napi::FunctionReference forwarderConstructor;

  static AddonData& Of(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
};

}  // namespace xr

#endif
