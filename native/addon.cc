// The module: what dataplane/native.ts sees as `Addon`.
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <napi.h>
#include <v8.h>

#include "addon_data.h"
#include "bpf_map.h"
#include "grace_period.h"
#include "interface.h"
#include "js_map.h"
#include "js_program.h"
#include "js_rtnl.h"
#include "js_slowpath.h"
#include "js_tracing.h"
#include "js_util.h"
#include "js_xsk.h"
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

Napi::Value RxVlanOffloadOf(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    std::string name = StringArg(info[0], "rxVlanOffload: name");
    NetnsGuard guard(NetnsArg(info[1], "rxVlanOffload: netns"));
    return Napi::Boolean::New(info.Env(), RxVlanOffload(name));
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

// Runs fn() with this (the JS) thread inside a named network namespace and
// returns its result. Sockets take their namespace from the thread that
// creates them, so a netlink or packet socket made in fn() stays bound to the
// namespace after the thread has gone back. fn's exception passes through
// once the guard has restored the thread's own namespace.
Napi::Value InNetns(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    std::string path = StringArg(info[0], "inNetns: path");
    if (!info[1].IsFunction()) throw SysError::Argument("inNetns: fn must be a function");
    Napi::Function fn = info[1].As<Napi::Function>();
    NetnsGuard guard(path);
    return fn.Call({});
  });
}

// One for the process: grace periods of all tables are the same kernel event.
GracePeriod gracePeriod;

Napi::Value WaitGracePeriod(const Napi::CallbackInfo& info) {
  return RunVoid(info.Env(), [] { gracePeriod.Wait(); });
}

// What a full sync or a route feed leaves behind, handed back to the
// system. The V8 heap first: told of memory pressure, V8 collects in full at
// once, on this (the JS) thread, and shrinks its young generation, which a
// feed grew to its largest. Then the malloc arenas, off the JS thread: a full
// table's dump arrives as tens of thousands of datagrams of some 32 KiB,
// below glibc's mmap threshold, which freed stay in the arenas as free space,
// resident, unless trimmed (malloc_trim also returns free pages inside an
// arena, not only at its top).
Napi::Value ReleaseMemory(const Napi::CallbackInfo& info) {
  v8::Isolate::GetCurrent()->MemoryPressureNotification(v8::MemoryPressureLevel::kCritical);
  return RunVoid(info.Env(), [] { malloc_trim(0); });
}

}  // namespace
}  // namespace xr

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace xr;
  LibraryLog::Install();
  auto* data = new AddonData();
  data->mapConstructor = Napi::Persistent(DefineNativeMap(env));
  data->linkConstructor = Napi::Persistent(DefineNativeLink(env));
  env.SetInstanceData(data);

  data->programConstructor = Napi::Persistent(DefineXdpProgram(env));
  data->xskConstructor = Napi::Persistent(DefineXskSocket(env));
  data->forwarderConstructor = Napi::Persistent(DefineSlowPathForwarder(env));
  exports.Set("XdpProgram", data->programConstructor.Value());
  exports.Set("TracingObject", DefineTracingObject(env));
  exports.Set("XskSocket", data->xskConstructor.Value());
  exports.Set("SlowPathForwarder", data->forwarderConstructor.Value());
  exports.Set("SlowPathWorker", DefineSlowPathWorker(env));
  exports.Set("RtnlSocket", DefineRtnlSocket(env));
  exports.Set("RtnlEventSocket", DefineRtnlEventSocket(env));
  exports.Set("openPinnedMap", Napi::Function::New<OpenPinnedMap>(env, "openPinnedMap"));
  exports.Set("openPinnedLink", Napi::Function::New<OpenPinnedLink>(env, "openPinnedLink"));
  exports.Set("possibleCpus", Napi::Function::New<PossibleCpus>(env, "possibleCpus"));
  exports.Set("ifIndex", Napi::Function::New<IfIndex>(env, "ifIndex"));
  exports.Set("rxVlanOffload", Napi::Function::New<RxVlanOffloadOf>(env, "rxVlanOffload"));
  exports.Set("queryXdp", Napi::Function::New<QueryXdpHook>(env, "queryXdp"));
  exports.Set("inNetns", Napi::Function::New<InNetns>(env, "inNetns"));
  exports.Set("waitGracePeriod", Napi::Function::New<WaitGracePeriod>(env, "waitGracePeriod"));
  exports.Set("releaseMemory", Napi::Function::New<ReleaseMemory>(env, "releaseMemory"));
  return exports;
}

NODE_API_MODULE(xdp_router, Init)
