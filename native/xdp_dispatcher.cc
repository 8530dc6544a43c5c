#include "xdp_dispatcher.h"

#include <errno.h>

#include <mutex>

#include "errors.h"
#include "interface.h"
#include "library_log.h"

namespace xr {
namespace {

// libxdp keeps process-wide state (feature probes, bpffs location) without
// locks of its own; changes of dispatchers go through it one at a time.
std::mutex& LibxdpMutex() {
  static std::mutex mutex;
  return mutex;
}

struct MultiprogCloser {
  void operator()(xdp_multiprog* multiprog) const { xdp_multiprog__close(multiprog); }
};
using MultiprogPtr = std::unique_ptr<xdp_multiprog, MultiprogCloser>;

// null when nothing is attached to the interface
MultiprogPtr GetMultiprog(uint32_t ifindex) {
  xdp_multiprog* multiprog = xdp_multiprog__get_from_ifindex(static_cast<int>(ifindex));
  long err = libxdp_get_error(multiprog);
  if (err == 0 && multiprog) return MultiprogPtr(multiprog);
  if (err == 0 || err == -ENOENT) return nullptr;
  ThrowErrno(static_cast<int>(-err), "query XDP programs on " + InterfaceLabel(ifindex));
}

AttachMode FromLibxdp(enum xdp_attach_mode mode) {
  switch (mode) {
    case XDP_MODE_NATIVE:
      return AttachMode::kNative;
    case XDP_MODE_SKB:
      return AttachMode::kGeneric;
    case XDP_MODE_HW:
      return AttachMode::kHw;
    default:
      return AttachMode::kNone;
  }
}

enum xdp_attach_mode ToLibxdp(AttachMode mode) {
  switch (mode) {
    case AttachMode::kNative:
      return XDP_MODE_NATIVE;
    case AttachMode::kGeneric:
      return XDP_MODE_SKB;
    case AttachMode::kHw:
      return XDP_MODE_HW;
    default:
      return XDP_MODE_UNSPEC;
  }
}

XdpComponent ComponentOf(const xdp_program* program) {
  const char* name = xdp_program__name(program);
  return {name ? name : "", xdp_program__id(program), xdp_program__run_prio(program)};
}

// The programs of a hook: the one program of a legacy attachment, else the
// dispatcher's components in run order.
std::vector<xdp_program*> ProgramsOf(const xdp_multiprog* multiprog) {
  std::vector<xdp_program*> programs;
  if (xdp_multiprog__is_legacy(multiprog)) {
    if (xdp_program* main = xdp_multiprog__main_prog(multiprog)) programs.push_back(main);
    return programs;
  }
  for (xdp_program* p = xdp_multiprog__next_prog(nullptr, multiprog); p;
       p = xdp_multiprog__next_prog(p, multiprog))
    programs.push_back(p);
  return programs;
}

std::string Quoted(const std::string& name) { return "program '" + name + "'"; }

}  // namespace

const char* AttachModeName(AttachMode mode) {
  switch (mode) {
    case AttachMode::kNative:
      return "native";
    case AttachMode::kGeneric:
      return "generic";
    case AttachMode::kHw:
      return "hw";
    default:
      return "none";
  }
}

XdpHook QueryXdp(uint32_t ifindex) {
  RequireInterface(ifindex);
  XdpHook hook;
  MultiprogPtr multiprog = GetMultiprog(ifindex);
  if (!multiprog) return hook;
  hook.mode = FromLibxdp(xdp_multiprog__attach_mode(multiprog.get()));
  hook.legacy = xdp_multiprog__is_legacy(multiprog.get());
  for (const xdp_program* program : ProgramsOf(multiprog.get()))
    hook.programs.push_back(ComponentOf(program));
  if (const xdp_program* hw = xdp_multiprog__hw_prog(multiprog.get())) {
    hook.programs.push_back(ComponentOf(hw));
    if (hook.mode == AttachMode::kNone) hook.mode = AttachMode::kHw;
  }
  return hook;
}

void DetachByName(uint32_t ifindex, const std::string& programName) {
  RequireInterface(ifindex);
  std::lock_guard<std::mutex> lock(LibxdpMutex());
  std::string context = "detach " + Quoted(programName) + " from " + InterfaceLabel(ifindex);
  MultiprogPtr multiprog = GetMultiprog(ifindex);
  if (!multiprog) ThrowErrno(ENOENT, context);
  std::vector<xdp_program*> matches;
  for (xdp_program* program : ProgramsOf(multiprog.get())) {
    const char* name = xdp_program__name(program);
    if (name && programName == name) matches.push_back(program);
  }
  if (matches.empty()) ThrowErrno(ENOENT, context);
  LibraryLog log;
  int ret = xdp_program__detach_multi(matches.data(), matches.size(), static_cast<int>(ifindex),
                                      xdp_multiprog__attach_mode(multiprog.get()), 0);
  if (ret < 0) ThrowErrno(-ret, context, log.Tail(2048));
}

DispatcherComponent::DispatcherComponent(std::shared_ptr<const Bytes> elf,
                                         const std::string& objectName,
                                         const std::string& programName, bpf_object* loaded)
    : elf_(std::move(elf)), programName_(programName) {
  object_ = OpenBpfObject(*elf_, objectName, objectName);
  // Other entry points of the object are not part of this component.
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object_.get()) {
    bpf_program__set_autoload(program, programName_ == bpf_program__name(program));
  }
  // Same ELF bytes, so the same maps in the same order.
  bpf_map* mine = bpf_object__next_map(object_.get(), nullptr);
  bpf_map* theirs = bpf_object__next_map(loaded, nullptr);
  for (; mine && theirs;
       mine = bpf_object__next_map(object_.get(), mine), theirs = bpf_object__next_map(loaded, theirs)) {
    int ret = bpf_map__reuse_fd(mine, bpf_map__fd(theirs));
    if (ret < 0)
      ThrowErrno(-ret, Describe() + ": share map '" + bpf_map__name(theirs) + "' with the loaded copy");
  }
  if (mine || theirs) ThrowErrno(EINVAL, Describe() + ": the copy for libxdp has other maps");

  xdp_program_opts opts{};
  opts.sz = sizeof(opts);
  opts.obj = object_.get();
  opts.prog_name = programName_.c_str();
  LibraryLog log;
  xdp_program* component = xdp_program__create(&opts);
  long err = libxdp_get_error(component);
  if (err || !component)
    ThrowErrno(err ? static_cast<int>(-err) : ENOENT, "open " + Describe() + " for libxdp", log.Tail());
  program_.reset(component);
}

DispatcherComponent::~DispatcherComponent() = default;

std::string DispatcherComponent::Describe() const { return Quoted(programName_); }

AttachMode DispatcherComponent::AttachedMode(uint32_t ifindex) const {
  return FromLibxdp(xdp_program__is_attached(program_.get(), static_cast<int>(ifindex)));
}

AttachMode DispatcherComponent::Attach(uint32_t ifindex, AttachRequest request) {
  RequireInterface(ifindex);
  std::lock_guard<std::mutex> lock(LibxdpMutex());
  AttachMode current = AttachedMode(ifindex);
  if (current != AttachMode::kNone) {
    bool same = request == AttachRequest::kAuto ||
                (request == AttachRequest::kNative && current == AttachMode::kNative) ||
                (request == AttachRequest::kGeneric && current == AttachMode::kGeneric);
    if (same) return current;
    ThrowErrno(EEXIST, Describe() + " is attached to " + InterfaceLabel(ifindex) + " in " +
                           AttachModeName(current) + " mode");
  }
  if (request == AttachRequest::kNative) return AttachIn(ifindex, AttachMode::kNative);
  if (request == AttachRequest::kGeneric) return AttachIn(ifindex, AttachMode::kGeneric);

  // auto: one interface has one XDP mode, so join a dispatcher in its mode
  if (MultiprogPtr existing = GetMultiprog(ifindex)) {
    AttachMode mode = FromLibxdp(xdp_multiprog__attach_mode(existing.get()));
    if (mode == AttachMode::kNative || mode == AttachMode::kGeneric) return AttachIn(ifindex, mode);
  }
  try {
    return AttachIn(ifindex, AttachMode::kNative);
  } catch (const SysError& native) {
    try {
      return AttachIn(ifindex, AttachMode::kGeneric);
    } catch (const SysError& generic) {
      ThrowErrno(generic.err(),
                 "attach " + Describe() + " to " + InterfaceLabel(ifindex) + " in native, then generic mode",
                 std::string("native: ") + native.what() + "\ngeneric: " + generic.what());
    }
  }
}

AttachMode DispatcherComponent::AttachIn(uint32_t ifindex, AttachMode mode) {
  LibraryLog log;
  int ret = xdp_program__attach(program_.get(), static_cast<int>(ifindex), ToLibxdp(mode), 0);
  if (ret < 0)
    ThrowErrno(-ret, "attach " + Describe() + " to " + InterfaceLabel(ifindex) + " in " +
                         AttachModeName(mode) + " mode",
               log.Tail(2048));
  return mode;
}

bool DispatcherComponent::Detach(uint32_t ifindex) {
  RequireInterface(ifindex);
  std::lock_guard<std::mutex> lock(LibxdpMutex());
  AttachMode mode = AttachedMode(ifindex);
  if (mode == AttachMode::kNone) return false;
  LibraryLog log;
  int ret = xdp_program__detach(program_.get(), static_cast<int>(ifindex), ToLibxdp(mode), 0);
  // ENOENT: someone else removed it meanwhile, which is what we wanted
  if (ret < 0 && ret != -ENOENT)
    ThrowErrno(-ret, "detach " + Describe() + " from " + InterfaceLabel(ifindex), log.Tail(2048));
  return true;
}

}  // namespace xr
