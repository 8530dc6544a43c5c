#include "js_map.h"

#include <errno.h>

#include "addon_data.h"
#include "js_util.h"

namespace xr {
namespace {

Napi::Array ToBufferArray(Napi::Env env, const Bytes& bytes, size_t count, size_t size) {
  Napi::Array array = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; ++i)
    array.Set(static_cast<uint32_t>(i), CopyToBuffer(env, bytes.data() + i * size, size));
  return array;
}

}  // namespace

Napi::Function JsMap::Define(Napi::Env env) {
  return DefineClass(env, "NativeMap",
                     {
                         InstanceMethod<&JsMap::Lookup>("lookup"),
                         InstanceMethod<&JsMap::Update>("update"),
                         InstanceMethod<&JsMap::Delete>("delete"),
                         InstanceMethod<&JsMap::Keys>("keys"),
                         InstanceMethod<&JsMap::Dump>("dump"),
                         InstanceMethod<&JsMap::UpdateBatch>("updateBatch"),
                         InstanceMethod<&JsMap::DeleteBatch>("deleteBatch"),
                         InstanceMethod<&JsMap::Pin>("pin"),
                         InstanceMethod<&JsMap::Unpin>("unpin"),
                         InstanceMethod<&JsMap::Close>("close"),
                     });
}

Napi::Object JsMap::New(Napi::Env env, std::shared_ptr<BpfMap> map) {
  auto external = Napi::External<std::shared_ptr<BpfMap>>::New(env, &map);
  return AddonData::Of(env).mapConstructor.New({external});
}

JsMap::JsMap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsMap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsExternal())
    throw ToJsError(env, SysError::Argument("NativeMap: get maps from XdpProgram.map() or openPinnedMap()"));
  map_ = *info[0].As<Napi::External<std::shared_ptr<BpfMap>>>().Data();
  name_ = map_->name();
  // MapInfo: fixed for the map's life, so plain read-only properties.
  auto attributes = napi_enumerable;
  info.This().As<Napi::Object>().DefineProperties({
      Napi::PropertyDescriptor::Value("name", Napi::String::New(env, map_->name()), attributes),
      Napi::PropertyDescriptor::Value("type", Napi::Number::New(env, map_->type()), attributes),
      Napi::PropertyDescriptor::Value("keySize", Napi::Number::New(env, map_->keySize()), attributes),
      Napi::PropertyDescriptor::Value("valueSize", Napi::Number::New(env, map_->valueSize()), attributes),
      Napi::PropertyDescriptor::Value("maxEntries", Napi::Number::New(env, map_->maxEntries()), attributes),
      Napi::PropertyDescriptor::Value("perCpu", Napi::Boolean::New(env, map_->perCpu()), attributes),
  });
}

std::shared_ptr<BpfMap> JsMap::Open() const {
  if (!map_) ThrowErrno(EBADF, "map '" + name_ + "' is closed");
  return map_;
}

std::string JsMap::What(const char* method) const { return "map '" + name_ + "'." + method; }

Napi::Value JsMap::Lookup(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&]() -> Napi::Value {
    auto map = Open();
    ByteView key = BufferArg(info[0], What("lookup") + ": key");
    auto value = Napi::Buffer<uint8_t>::New(info.Env(), map->valueBytes());
    if (!map->Lookup(key, value.Data())) return info.Env().Null();
    return value;
  });
}

Napi::Value JsMap::Update(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    auto map = Open();
    ByteView key = BufferArg(info[0], What("update") + ": key");
    ByteView value = BufferArg(info[1], What("update") + ": value");
    uint32_t flags = info[2].IsUndefined() ? 0 : Uint32Arg(info[2], What("update") + ": flags");
    map->Update(key, value, flags);
    return info.Env().Undefined();
  });
}

Napi::Value JsMap::Delete(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    auto map = Open();
    bool deleted = map->Delete(BufferArg(info[0], What("delete") + ": key"));
    return Napi::Boolean::New(info.Env(), deleted);
  });
}

Napi::Value JsMap::Keys(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    auto map = Open();
    MapEntries keys = map->Keys();
    return ToBufferArray(info.Env(), keys.keys, keys.count, map->keySize());
  });
}

Napi::Value JsMap::Dump(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto map = Open();
    return PromiseWorker<MapEntries>::Start(
        info.Env(), [map] { return map->Dump(); },
        [map](Napi::Env env, MapEntries& entries) -> Napi::Value {
          Napi::Array pairs = Napi::Array::New(env, entries.count);
          for (size_t i = 0; i < entries.count; ++i) {
            Napi::Array pair = Napi::Array::New(env, 2);
            pair.Set(0u, CopyToBuffer(env, entries.keys.data() + i * map->keySize(), map->keySize()));
            pair.Set(1u, CopyToBuffer(env, entries.values.data() + i * map->valueBytes(), map->valueBytes()));
            pairs.Set(static_cast<uint32_t>(i), pair);
          }
          return pairs;
        });
  });
}

Napi::Value JsMap::UpdateBatch(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto map = Open();
    Bytes keys = CopyBytes(BufferArg(info[0], What("updateBatch") + ": keys"));
    Bytes values = CopyBytes(BufferArg(info[1], What("updateBatch") + ": values"));
    uint32_t count = Uint32Arg(info[2], What("updateBatch") + ": count");
    return RunVoid(info.Env(), [map, keys = std::move(keys), values = std::move(values), count] {
      map->UpdateBatch(keys, values, count);
    });
  });
}

Napi::Value JsMap::DeleteBatch(const Napi::CallbackInfo& info) {
  return CallAsync(info.Env(), [&] {
    auto map = Open();
    Bytes keys = CopyBytes(BufferArg(info[0], What("deleteBatch") + ": keys"));
    uint32_t count = Uint32Arg(info[1], What("deleteBatch") + ": count");
    return PromiseWorker<uint32_t>::Start(
        info.Env(), [map, keys = std::move(keys), count] { return map->DeleteBatch(keys, count); },
        [](Napi::Env env, uint32_t& deleted) -> Napi::Value { return Napi::Number::New(env, deleted); });
  });
}

Napi::Value JsMap::Pin(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    Open()->Pin(StringArg(info[0], What("pin") + ": path"));
    return info.Env().Undefined();
  });
}

Napi::Value JsMap::Unpin(const Napi::CallbackInfo& info) {
  return CallSync(info.Env(), [&] {
    Open()->Unpin(StringArg(info[0], What("unpin") + ": path"));
    return info.Env().Undefined();
  });
}

Napi::Value JsMap::Close(const Napi::CallbackInfo& info) {
  // Work still running on this map keeps its own reference; the fd closes after it.
  map_.reset();
  return info.Env().Undefined();
}

}  // namespace xr
