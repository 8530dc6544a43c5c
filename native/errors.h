// Failures of kernel, libbpf and libxdp calls, carried as C++ exceptions from
// whichever thread ran the call to the JS thread, where they become JS errors
// with .errno and .code (see js_util.h).
#ifndef XR_NATIVE_ERRORS_H
#define XR_NATIVE_ERRORS_H

#include <stdexcept>
#include <string>

namespace xr {

// The kernel's internal ENOTSUPP, which leaks out of some bpf() commands (a
// map type without batch operations); it has no userspace name, so SysError
// reports it as EOPNOTSUPP.
constexpr int kKernelEnotsupp = 524;

class SysError : public std::runtime_error {
 public:
  // message: "<context>: <strerror>", then detail (a log tail) on the next lines
  SysError(int err, const std::string& context, const std::string& detail = "");
  // A bad argument from JS: EINVAL, the message as given, shown as a TypeError.
  static SysError Argument(const std::string& message);

  int err() const { return err_; }
  bool argument() const { return argument_; }

 private:
  SysError(int err, const std::string& message, bool argument);

  int err_;
  bool argument_;
};

[[noreturn]] void ThrowErrno(int err, const std::string& context,
                             const std::string& detail = "");

// The symbolic name of a positive errno ("ENOENT").
std::string ErrnoName(int err);

}  // namespace xr

#endif
