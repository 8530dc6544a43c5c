#include "js_util.h"

#include <cmath>

namespace xr {

Napi::Error ToJsError(Napi::Env env, const SysError& error) {
  Napi::Error js = error.argument() ? Napi::TypeError::New(env, error.what())
                                    : Napi::Error::New(env, error.what());
  js.Set("errno", Napi::Number::New(env, error.err()));
  js.Set("code", Napi::String::New(env, ErrnoName(error.err())));
  return js;
}

std::string StringArg(const Napi::Value& value, const std::string& what) {
  if (!value.IsString()) throw SysError::Argument(what + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

namespace {

uint32_t IntegerArg(const Napi::Value& value, double min, double max, const std::string& what,
                    const char* expected) {
  if (value.IsNumber()) {
    double number = value.As<Napi::Number>().DoubleValue();
    if (number >= min && number <= max && std::floor(number) == number)
      return static_cast<uint32_t>(number);
  }
  throw SysError::Argument(what + " must be " + expected);
}

}  // namespace

uint32_t Uint32Arg(const Napi::Value& value, const std::string& what) {
  return IntegerArg(value, 0, 4294967295.0, what, "an integer from 0 to 2^32-1");
}

uint32_t IfindexArg(const Napi::Value& value, const std::string& what) {
  return IntegerArg(value, 1, 2147483647.0, what, "an interface index (a positive integer)");
}

ByteView BufferArg(const Napi::Value& value, const std::string& what) {
  if (!value.IsBuffer()) throw SysError::Argument(what + " must be a Buffer");
  auto buffer = value.As<Napi::Buffer<uint8_t>>();
  return ByteView(buffer.Data(), buffer.Length());
}

Napi::Object OptionsArg(const Napi::Value& value, const std::string& what) {
  if (value.IsUndefined() || value.IsNull()) return Napi::Object::New(value.Env());
  if (!value.IsObject()) throw SysError::Argument(what + " must be an object");
  return value.As<Napi::Object>();
}

std::optional<uint32_t> OptionalUint32(const Napi::Object& object, const char* key,
                                       const std::string& what) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return std::nullopt;
  return Uint32Arg(value, what + "." + key);
}

std::optional<std::string> OptionalString(const Napi::Object& object, const char* key,
                                          const std::string& what) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return std::nullopt;
  return StringArg(value, what + "." + key);
}

Napi::Buffer<uint8_t> CopyToBuffer(Napi::Env env, const uint8_t* data, size_t size) {
  return Napi::Buffer<uint8_t>::Copy(env, data, size);
}

Napi::Promise RunVoid(Napi::Env env, std::function<void()> work) {
  return PromiseWorker<bool>::Start(
      env,
      [work = std::move(work)] {
        work();
        return true;
      },
      [](Napi::Env env, bool&) { return env.Undefined(); });
}

}  // namespace xr
