// A BPF link: one attachment of a program, held by an fd. Pinned on the BPF
// filesystem it outlives the process that made it (a kill -9 leaves it
// attached); the kernel detaches it when its last fd and pin are gone.
// Usable from any thread.
#ifndef XR_NATIVE_BPF_LINK_H
#define XR_NATIVE_BPF_LINK_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fd.h"

namespace xr {

class BpfLink {
 public:
  // fd: owned from now on. what: how messages name it.
  BpfLink(UniqueFd fd, std::string what);
  static std::shared_ptr<BpfLink> OpenPinned(const std::string& path);

  const std::string& what() const { return what_; }
  uint32_t id() const { return id_; }
  uint32_t programId() const { return programId_; }
  // The ids of the maps the linked program uses, read from the kernel.
  std::vector<uint32_t> ProgramMapIds() const;

  void Pin(const std::string& path) const;
  void Unpin(const std::string& path) const;

 private:
  [[noreturn]] void Fail(int err, const std::string& operation) const;

  UniqueFd fd_;
  std::string what_;
  uint32_t id_ = 0;
  uint32_t programId_ = 0;
};

}  // namespace xr

#endif
