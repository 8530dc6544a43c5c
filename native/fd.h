// One owned file descriptor, closed when its owner goes away.
#ifndef XR_NATIVE_FD_H
#define XR_NATIVE_FD_H

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

namespace xr {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Whether fd is the kind of BPF object the kernel names anonInode
// ("bpf-map", "bpf-link"), as a pin on the BPF filesystem may hold any kind.
inline bool IsAnonInode(int fd, const char* anonInode) {
  char link[64];
  char target[64] = {};
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, target, sizeof(target) - 1);
  return length > 0 && strcmp(target, (std::string("anon_inode:") + anonInode).c_str()) == 0;
}

}  // namespace xr

#endif
