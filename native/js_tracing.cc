#include "js_tracing.h"

#include <errno.h>

#include <memory>
#include <string>
#include <vector>

#include "addon_data.h"
#include "bpf_link.h"
#include "js_map.h"
#include "js_util.h"
#include "tracing_object.h"

namespace xr {
namespace {

Napi::Array StringArray(Napi::Env env, const std::vector<std::string>& strings) {
  Napi::Array array = Napi::Array::New(env, strings.size());
  for (uint32_t i = 0; i < strings.size(); ++i) array.Set(i, Napi::String::New(env, strings[i]));
  return array;
}

Napi::Object WrapLink(Napi::Env env, std::shared_ptr<BpfLink> link) {
  return WrapShared(env, AddonData::Of(env).linkConstructor, std::move(link));
}

class JsLink : public Napi::ObjectWrap<JsLink> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeLink",
                       {InstanceMethod<&JsLink::ProgramMapIds>("programMapIds"),
                        InstanceMethod<&JsLink::Pin>("pin"), InstanceMethod<&JsLink::Unpin>("unpin"),
                        InstanceMethod<&JsLink::Close>("close")});
  }

  explicit JsLink(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsLink>(info) {
    Napi::Env env = info.Env();
    link_ = WrappedArg<BpfLink>(info, "NativeLink: links come from TracingObject.attach() or openPinnedLink()");
    what_ = link_->what();
    auto attributes = napi_enumerable;
    info.This().As<Napi::Object>().DefineProperties({
        Napi::PropertyDescriptor::Value("id", Napi::Number::New(env, link_->id()), attributes),
        Napi::PropertyDescriptor::Value("programId", Napi::Number::New(env, link_->programId()), attributes),
    });
  }

 private:
  // the link, or EBADF once closed
  std::shared_ptr<BpfLink> Open() const {
    if (!link_) ThrowErrno(EBADF, what_ + " is closed");
    return link_;
  }

  std::string What(const char* method, const char* argument) const {
    return what_ + "." + method + ": " + argument;
  }

  Napi::Value ProgramMapIds(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      std::vector<uint32_t> ids = Open()->ProgramMapIds();
      Napi::Array array = Napi::Array::New(info.Env(), ids.size());
      for (uint32_t i = 0; i < ids.size(); ++i) array.Set(i, Napi::Number::New(info.Env(), ids[i]));
      return array;
    });
  }

  Napi::Value Pin(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { Open()->Pin(StringArg(info[0], What("pin", "path"))); });
  }

  Napi::Value Unpin(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { Open()->Unpin(StringArg(info[0], What("unpin", "path"))); });
  }

  // Closing the last fd of a link nothing has pinned detaches it.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    link_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<BpfLink> link_;
  std::string what_;
};

class JsTracingObject : public Napi::ObjectWrap<JsTracingObject> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TracingObject",
                       {InstanceAccessor<&JsTracingObject::ObjectPath>("objectPath"),
                        InstanceAccessor<&JsTracingObject::Loaded>("loaded"),
                        InstanceMethod<&JsTracingObject::ProgramNames>("programNames"),
                        InstanceMethod<&JsTracingObject::MapNames>("mapNames"),
                        InstanceMethod<&JsTracingObject::SetConst>("setConst"),
                        InstanceMethod<&JsTracingObject::ReuseMap>("reuseMap"),
                        InstanceMethod<&JsTracingObject::Load>("load"),
                        InstanceMethod<&JsTracingObject::Attach>("attach"),
                        InstanceMethod<&JsTracingObject::Close>("close")});
  }

  explicit JsTracingObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsTracingObject>(info) {
    CallSync(info.Env(), [&] {
      objectPath_ = StringArg(info[0], "TracingObject: objectPath");
      object_ = std::make_shared<TracingObject>(objectPath_);
    });
  }

 private:
  // the object, or EBADF once closed
  std::shared_ptr<TracingObject> Open() const {
    if (!object_) ThrowErrno(EBADF, "tracing programs of " + objectPath_ + " are closed");
    return object_;
  }

  std::string What(const char* method, const char* argument) const {
    return "tracing object " + objectPath_ + "." + method + ": " + argument;
  }

  Napi::Value ObjectPath(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), objectPath_); }

  Napi::Value Loaded(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), object_ && object_->loaded());
  }

  Napi::Value ProgramNames(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { return StringArray(info.Env(), Open()->ProgramNames()); });
  }

  Napi::Value MapNames(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { return StringArray(info.Env(), Open()->MapNames()); });
  }

  Napi::Value SetConst(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      Open()->SetConst(StringArg(info[0], What("setConst", "name")), BufferArg(info[1], What("setConst", "value")));
    });
  }

  Napi::Value ReuseMap(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      Open()->ReuseMap(StringArg(info[0], What("reuseMap", "name")), *UnwrapMap(info[1], What("reuseMap", "map")));
    });
  }

  Napi::Value Load(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] { return LoadOffThread(info.Env(), Open()); });
  }

  Napi::Value Attach(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      auto object = Open();
      std::string name = StringArg(info[0], What("attach", "programName"));
      return PromiseWorker<std::shared_ptr<BpfLink>>::Start(
          info.Env(), [object, name] { return object->Attach(name); },
          [](Napi::Env env, std::shared_ptr<BpfLink>& link) -> Napi::Value { return WrapLink(env, link); });
    });
  }

  // Work still running keeps its own reference. Links stay attached: they
  // are objects of their own.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    object_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<TracingObject> object_;
  std::string objectPath_;
};

}  // namespace

Napi::Function DefineTracingObject(Napi::Env env) { return JsTracingObject::Define(env); }

Napi::Function DefineNativeLink(Napi::Env env) { return JsLink::Define(env); }

Napi::Value OpenPinnedLink(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    return WrapLink(info.Env(), BpfLink::OpenPinned(StringArg(info[0], "openPinnedLink: path")));
  });
}

}  // namespace xr
