// Network namespaces. The kernel resolves interface indexes (if_nametoindex,
// XDP attach and query over netlink, xdp_md.ingress_ifindex of a test run,
// devmap entries) in the namespace of the calling *thread*, so every such call
// for a program bound to a namespace runs inside a NetnsGuard on the thread
// that makes it.
#ifndef XR_NATIVE_NETNS_H
#define XR_NATIVE_NETNS_H

#include <string>

#include "fd.h"

namespace xr {

class NetnsGuard {
 public:
  // path: a named namespace (/run/netns/NAME); empty: stay where we are.
  explicit NetnsGuard(const std::string& path);
  // Back to the thread's own namespace; a thread that cannot go back is not
  // fit to run anything else, so that aborts.
  ~NetnsGuard();
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;

 private:
  UniqueFd original_;
};

}  // namespace xr

#endif
