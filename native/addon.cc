// The module: what dataplane/native.ts sees as `Addon`.
#include <bpf/libbpf.h>
#include <napi.h>

#include "addon_data.h"
#include "bpf_map.h"
#include "interface.h"
#include "js_map.h"
#include "js_program.h"
#include "js_util.h"
#include "library_log.h"
#include "netns.h"
#include "xdp_dispatcher.h"

namespace xr {
namespace {

std::string NetnsArg(const Napi::Value& value, const std::string& what) {
  return value.IsUndefined() || value.IsNull() ? std::string() : StringArg(value, what);
}

Napi::Value OpenPinnedMap(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    return WrapMap(info.Env(), BpfMap::OpenPinned(StringArg(info[0], "openPinnedMap: path")));
  });
}

Napi::Value PossibleCpus(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    int cpus = libbpf_num_possible_cpus();
    if (cpus < 0) ThrowErrno(-cpus, "count possible CPUs");
    return Napi::Number::New(info.Env(), cpus);
  });
}

Napi::Value IfIndex(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    std::string name = StringArg(info[0], "ifIndex: name");
    NetnsGuard guard(NetnsArg(info[1], "ifIndex: netns"));
    return Napi::Number::New(info.Env(), InterfaceIndex(name));
  });
}

Napi::Value QueryXdpHook(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    Napi::Env env = info.Env();
    uint32_t ifindex = IfindexArg(info[0], "queryXdp: ifindex");
    XdpHook hook;
    {
      NetnsGuard guard(NetnsArg(info[1], "queryXdp: netns"));
      hook = QueryXdp(ifindex);
    }
    Napi::Array programs = Napi::Array::New(env, hook.programs.size());
    for (size_t i = 0; i < hook.programs.size(); ++i) {
      Napi::Object program = Napi::Object::New(env);
      program.Set("name", hook.programs[i].name);
      program.Set("id", hook.programs[i].id);
      program.Set("priority", hook.programs[i].priority);
      programs.Set(static_cast<uint32_t>(i), program);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("mode", AttachModeName(hook.mode));
    result.Set("legacy", hook.legacy);
    result.Set("programs", programs);
    return result;
  });
}

}  // namespace
}  // namespace xr

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace xr;
  LibraryLog::Install();
  auto* data = new AddonData();
  data->mapConstructor = Napi::Persistent(DefineNativeMap(env));
  env.SetInstanceData(data);

  exports.Set("XdpProgram", DefineXdpProgram(env));
  exports.Set("openPinnedMap", Napi::Function::New<OpenPinnedMap>(env, "openPinnedMap"));
  exports.Set("possibleCpus", Napi::Function::New<PossibleCpus>(env, "possibleCpus"));
  exports.Set("ifIndex", Napi::Function::New<IfIndex>(env, "ifIndex"));
  exports.Set("queryXdp", Napi::Function::New<QueryXdpHook>(env, "queryXdp"));
  return exports;
}

NODE_API_MODULE(xdp_router, Init)
