#include "js_map.h"

#include <errno.h>

#include <string>

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

Napi::Array ToEntryArray(Napi::Env env, const MapEntries& entries, const BpfMap& map) {
  Napi::Array keys = ToBufferArray(env, entries.keys, entries.count, map.keySize());
  Napi::Array values = ToBufferArray(env, entries.values, entries.count, map.valueBytes());
  Napi::Array pairs = Napi::Array::New(env, entries.count);
  for (uint32_t i = 0; i < entries.count; ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, keys.Get(i));
    pair.Set(1u, values.Get(i));
    pairs.Set(i, pair);
  }
  return pairs;
}

class JsMap : public Napi::ObjectWrap<JsMap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeMap",
                       {InstanceMethod<&JsMap::Lookup>("lookup"), InstanceMethod<&JsMap::Update>("update"),
                        InstanceMethod<&JsMap::Delete>("delete"), InstanceMethod<&JsMap::Keys>("keys"),
                        InstanceMethod<&JsMap::Dump>("dump"), InstanceMethod<&JsMap::DumpPacked>("dumpPacked"),
                        InstanceMethod<&JsMap::UpdateBatch>("updateBatch"),
                        InstanceMethod<&JsMap::DeleteBatch>("deleteBatch"),
                        InstanceMethod<&JsMap::Pin>("pin"), InstanceMethod<&JsMap::Unpin>("unpin"),
                        InstanceMethod<&JsMap::Memory>("memory"), InstanceMethod<&JsMap::Close>("close")});
  }

  // the map, or EBADF once closed
  std::shared_ptr<BpfMap> Shared() const { return Open(); }

  explicit JsMap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JsMap>(info) {
    Napi::Env env = info.Env();
    map_ = WrappedArg<BpfMap>(info, "NativeMap: maps come from XdpProgram.map() or openPinnedMap()");
    name_ = map_->name();
    // MapInfo is fixed for the map's life: plain read-only properties.
    auto attributes = napi_enumerable;
    info.This().As<Napi::Object>().DefineProperties({
        Napi::PropertyDescriptor::Value("name", Napi::String::New(env, map_->name()), attributes),
        Napi::PropertyDescriptor::Value("id", Napi::Number::New(env, map_->id()), attributes),
        Napi::PropertyDescriptor::Value("type", Napi::Number::New(env, map_->type()), attributes),
        Napi::PropertyDescriptor::Value("keySize", Napi::Number::New(env, map_->keySize()), attributes),
        Napi::PropertyDescriptor::Value("valueSize", Napi::Number::New(env, map_->valueSize()), attributes),
        Napi::PropertyDescriptor::Value("maxEntries", Napi::Number::New(env, map_->maxEntries()), attributes),
        Napi::PropertyDescriptor::Value("perCpu", Napi::Boolean::New(env, map_->perCpu()), attributes),
    });
  }

 private:
  // the map, or EBADF once closed
  std::shared_ptr<BpfMap> Open() const {
    if (!map_) ThrowErrno(EBADF, "map '" + name_ + "' is closed");
    return map_;
  }

  // "map 'routes'.update: key", for argument errors
  std::string What(const char* method, const char* argument) const {
    return "map '" + name_ + "'." + method + ": " + argument;
  }

  Napi::Value Lookup(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&]() -> Napi::Value {
      auto map = Open();
      ByteView key = BufferArg(info[0], What("lookup", "key"));
      auto value = Napi::Buffer<uint8_t>::New(info.Env(), map->valueBytes());
      if (!map->Lookup(key, value.Data())) return info.Env().Null();
      return value;
    });
  }

  Napi::Value Update(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      uint32_t flags = info[2].IsUndefined() ? 0 : Uint32Arg(info[2], What("update", "flags"));
      Open()->Update(BufferArg(info[0], What("update", "key")), BufferArg(info[1], What("update", "value")),
                     flags);
    });
  }

  Napi::Value Delete(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      bool deleted = Open()->Delete(BufferArg(info[0], What("delete", "key")));
      return Napi::Boolean::New(info.Env(), deleted);
    });
  }

  Napi::Value Keys(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] {
      auto map = Open();
      MapEntries keys = map->Keys();
      return ToBufferArray(info.Env(), keys.keys, keys.count, map->keySize());
    });
  }

  Napi::Value Dump(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      auto map = Open();
      return PromiseWorker<MapEntries>::Start(
          info.Env(), [map] { return map->Dump(); },
          [map](Napi::Env env, MapEntries& entries) -> Napi::Value {
            return ToEntryArray(env, entries, *map);
          });
    });
  }

  // A million entries as two buffers, not two million: what a whole-table
  // reader (verify) walks once.
  Napi::Value DumpPacked(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      auto map = Open();
      return PromiseWorker<MapEntries>::Start(
          info.Env(), [map] { return map->Dump(); },
          [](Napi::Env env, MapEntries& entries) -> Napi::Value {
            Napi::Object out = Napi::Object::New(env);
            out.Set("keys", CopyToBuffer(env, entries.keys.data(), entries.keys.size()));
            out.Set("values", CopyToBuffer(env, entries.values.data(), entries.values.size()));
            out.Set("count", Napi::Number::New(env, static_cast<double>(entries.count)));
            return out;
          });
    });
  }

  Napi::Value UpdateBatch(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      auto map = Open();
      Bytes keys = CopyBytes(BufferArg(info[0], What("updateBatch", "keys")));
      Bytes values = CopyBytes(BufferArg(info[1], What("updateBatch", "values")));
      uint32_t count = Uint32Arg(info[2], What("updateBatch", "count"));
      return RunVoid(info.Env(), [map, keys = std::move(keys), values = std::move(values), count] {
        map->UpdateBatch(keys, values, count);
      });
    });
  }

  Napi::Value DeleteBatch(const Napi::CallbackInfo& info) {
    return CallAsync(info.Env(), [&] {
      auto map = Open();
      Bytes keys = CopyBytes(BufferArg(info[0], What("deleteBatch", "keys")));
      uint32_t count = Uint32Arg(info[1], What("deleteBatch", "count"));
      return PromiseWorker<uint32_t>::Start(
          info.Env(), [map, keys = std::move(keys), count] { return map->DeleteBatch(keys, count); },
          [](Napi::Env env, uint32_t& deleted) -> Napi::Value { return Napi::Number::New(env, deleted); });
    });
  }

  Napi::Value Pin(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { Open()->Pin(StringArg(info[0], What("pin", "path"))); });
  }

  Napi::Value Unpin(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&] { Open()->Unpin(StringArg(info[0], What("unpin", "path"))); });
  }

  // One ArrayBuffer over the mapping, made on first use. Its backing store
  // holds the mapping too, so the memory outlives neither.
  Napi::Value Memory(const Napi::CallbackInfo& info) {
    return CallSync(info.Env(), [&]() -> Napi::Value {
      if (!buffer_.IsEmpty()) return buffer_.Value();
      auto memory = Open()->Map();
      auto* owner = new std::shared_ptr<MappedMemory>(memory);
      auto buffer = Napi::ArrayBuffer::New(info.Env(), memory->data(), memory->size(),
                                           [](Napi::Env, void*, std::shared_ptr<MappedMemory>* held) { delete held; },
                                           owner);
      buffer_ = Napi::Persistent(buffer);
      return buffer;
    });
  }

  // Work still running on the map holds its own reference: the fd closes
  // after it. The memory's ArrayBuffer is detached, so no view of it can
  // touch the mapping once it goes.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!buffer_.IsEmpty()) {
      buffer_.Value().Detach();
      buffer_.Reset();
    }
    map_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<BpfMap> map_;
  std::string name_;
  Napi::Reference<Napi::ArrayBuffer> buffer_;
};

}  // namespace

Napi::Function DefineNativeMap(Napi::Env env) { return JsMap::Define(env); }

Napi::Object WrapMap(Napi::Env env, std::shared_ptr<BpfMap> map) {
  return WrapShared(env, AddonData::Of(env).mapConstructor, std::move(map));
}

std::shared_ptr<BpfMap> UnwrapMap(const Napi::Value& value, const std::string& what) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(AddonData::Of(env).mapConstructor.Value()))
    throw SysError::Argument(what + " must be a NativeMap");
  return JsMap::Unwrap(value.As<Napi::Object>())->Shared();
}

}  // namespace xr
