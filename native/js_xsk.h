// The JS face of an XskSocket: XskSocket in dataplane/native.ts, constructed
// as new XskSocket({ ifindex, queue, netns, ..., xskMap }).
#ifndef XR_NATIVE_JS_XSK_H
#define XR_NATIVE_JS_XSK_H

#include <napi.h>

#include <atomic>
#include <memory>
#include <string>

#include "xsk_socket.h"

namespace xr {

Napi::Function DefineXskSocket(Napi::Env env);

// The socket behind an XskSocket passed in from JS; a TypeError naming `what`
// for anything else.
std::shared_ptr<XskSocket> UnwrapXsk(const Napi::Value& value, const std::string& what);

// An XskSocket lent to native code (a slow-path worker receives on it) until
// the lease is destroyed: meanwhile the JS object's close and
// transmitRepeatedly fail with EBUSY. EBUSY if it is lent already, EBADF if
// closed.
class XskLease {
 public:
  XskLease(std::shared_ptr<XskSocket> socket, std::shared_ptr<std::atomic<bool>> lent)
      : socket_(std::move(socket)), lent_(std::move(lent)) {}
  ~XskLease() { *lent_ = false; }
  XskLease(const XskLease&) = delete;
  XskLease& operator=(const XskLease&) = delete;

  const std::shared_ptr<XskSocket>& socket() const { return socket_; }

 private:
  std::shared_ptr<XskSocket> socket_;
  std::shared_ptr<std::atomic<bool>> lent_;
};

std::unique_ptr<XskLease> LendXsk(const Napi::Value& value, const std::string& what);

}  // namespace xr

#endif
