#include "errors.h"

#include <errno.h>
#include <string.h>

namespace xr {
namespace {

int Normalize(int err) {
  if (err == kKernelEnotsupp) return EOPNOTSUPP;
  return err > 0 ? err : EIO;
}

}  // namespace

SysError::SysError(int err, const std::string& context, const std::string& detail)
    : SysError(Normalize(err),
               context + ": " + strerror(Normalize(err)) + (detail.empty() ? "" : "\n" + detail),
               false) {}

SysError::SysError(int err, const std::string& message, bool argument)
    : std::runtime_error(message), err_(err), argument_(argument) {}

SysError SysError::Argument(const std::string& message) { return SysError(EINVAL, message, true); }

void ThrowErrno(int err, const std::string& context, const std::string& detail) {
  throw SysError(err, context, detail);
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

}  // namespace xr
