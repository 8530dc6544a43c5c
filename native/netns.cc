#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>

#include <cstdio>
#include <cstdlib>

#include "errors.h"

namespace xr {

NetnsGuard::NetnsGuard(const std::string& path) {
  if (path.empty()) return;
  UniqueFd target(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target) ThrowErrno(errno, "open network namespace " + path);
  UniqueFd original(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original) ThrowErrno(errno, "open this thread's network namespace");
  if (setns(target.get(), CLONE_NEWNET) < 0) ThrowErrno(errno, "enter network namespace " + path);
  original_ = std::move(original);
}

NetnsGuard::~NetnsGuard() {
  if (!original_) return;
  if (setns(original_.get(), CLONE_NEWNET) == 0) return;
  fprintf(stderr, "xdp_router: cannot return to the thread's network namespace: %s\n",
          strerror(errno));
  abort();
}

}  // namespace xr
