#include "bpf_link.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>

#include "errors.h"

namespace xr {

BpfLink::BpfLink(UniqueFd fd, std::string what) : fd_(std::move(fd)), what_(std::move(what)) {
  bpf_link_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd_.get(), &info, &length) < 0) Fail(errno, "read link info");
  id_ = info.id;
  programId_ = info.prog_id;
}

std::shared_ptr<BpfLink> BpfLink::OpenPinned(const std::string& path) {
  UniqueFd fd(bpf_obj_get(path.c_str()));
  if (!fd) ThrowErrno(errno, "open pinned link " + path);
  if (!IsAnonInode(fd.get(), "bpf-link")) ThrowErrno(EINVAL, "open pinned link " + path + ": not a link");
  return std::make_shared<BpfLink>(std::move(fd), "link " + path);
}

std::vector<uint32_t> BpfLink::ProgramMapIds() const {
  UniqueFd program(bpf_prog_get_fd_by_id(programId_));
  if (!program) Fail(errno, "open its program (id " + std::to_string(programId_) + ")");
  // twice: once for the count, once for the ids (a program's maps are fixed at load)
  bpf_prog_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(program.get(), &info, &length) < 0) Fail(errno, "read its program's info");
  std::vector<uint32_t> ids(info.nr_map_ids);
  info = bpf_prog_info{};
  info.nr_map_ids = static_cast<uint32_t>(ids.size());
  info.map_ids = reinterpret_cast<uintptr_t>(ids.data());
  length = sizeof(info);
  if (bpf_obj_get_info_by_fd(program.get(), &info, &length) < 0) Fail(errno, "read its program's maps");
  ids.resize(std::min<size_t>(ids.size(), info.nr_map_ids));
  return ids;
}

void BpfLink::Pin(const std::string& path) const {
  if (bpf_obj_pin(fd_.get(), path.c_str()) < 0) Fail(errno, "pin at " + path);
}

void BpfLink::Unpin(const std::string& path) const {
  if (unlink(path.c_str()) < 0) Fail(errno, "unpin " + path);
}

void BpfLink::Fail(int err, const std::string& operation) const { ThrowErrno(err, what_ + ": " + operation); }

}  // namespace xr
