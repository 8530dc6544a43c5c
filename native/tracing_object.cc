#include "tracing_object.h"

#include <errno.h>
#include <fcntl.h>

#include "errors.h"
#include "fd.h"
#include "library_log.h"

namespace xr {
namespace {

struct LinkDestroyer {
  void operator()(bpf_link* link) const { bpf_link__destroy(link); }
};

}  // namespace

TracingObject::TracingObject(const std::string& objectPath)
    : object_(objectPath, "tracing programs of " + objectPath) {}

std::vector<std::string> TracingObject::ProgramNames() const {
  std::vector<std::string> names;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object_.get()) names.emplace_back(bpf_program__name(program));
  return names;
}

void TracingObject::ReuseMap(const std::string& name, const BpfMap& map) {
  object_.ReuseMap(name, map.fd(), "map id " + std::to_string(map.id()));
}

void TracingObject::Load() {
  object_.Load([this](bpf_object* object) {
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, object) {
      // a map with an fd before load is one ReuseMap gave it
      if (!bpf_map__is_internal(map) && bpf_map__fd(map) < 0)
        ThrowErrno(EINVAL, "load " + object_.what() + ": map '" + bpf_map__name(map) +
                               "' was not reused from the fast path");
    }
  });
}

std::shared_ptr<BpfLink> TracingObject::Attach(const std::string& programName) const {
  object_.RequireLoaded("attach");
  const std::string context = "attach program '" + programName + "' of " + object_.what();
  bpf_program* program = bpf_object__find_program_by_name(object_.get(), programName.c_str());
  if (!program) ThrowErrno(ENOENT, context);
  LibraryLog log;
  std::unique_ptr<bpf_link, LinkDestroyer> attached(bpf_program__attach(program));
  if (!attached) ThrowErrno(errno, context, log.Tail());
  // libbpf's link closes its fd when destroyed; the copy keeps the link
  UniqueFd fd(fcntl(bpf_link__fd(attached.get()), F_DUPFD_CLOEXEC, 3));
  if (!fd) ThrowErrno(errno, context);
  return std::make_shared<BpfLink>(std::move(fd), "link of program '" + programName + "'");
}

}  // namespace xr
