#include "xdp_program.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>

#include <cstdio>
#include <cstring>

#include "errors.h"
#include "fd.h"
#include "interface.h"
#include "library_log.h"
#include "netns.h"

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

namespace xr {
namespace {

// What makes two maps interchangeable, for messages: "type 2, key 4 B, ...".
std::string MapShape(uint32_t type, uint32_t key, uint32_t value, uint32_t entries, uint32_t flags) {
  char text[128];
  snprintf(text, sizeof(text), "type %u, key %u B, value %u B, %u entries, flags 0x%x", type, key, value, entries,
           flags);
  return text;
}

// The test-run context the kernel accepts: no metadata before the frame, the
// frame ends where the data ends.
xdp_md TestRunContext(size_t frameSize, uint32_t ingressIfindex, uint32_t rxQueue) {
  xdp_md ctx{};
  ctx.data_end = static_cast<uint32_t>(frameSize);
  ctx.ingress_ifindex = ingressIfindex;
  ctx.rx_queue_index = rxQueue;
  return ctx;
}

bpf_test_run_opts TestRunOpts(const Bytes& data, uint32_t repeat) {
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = data.data();
  opts.data_size_in = static_cast<uint32_t>(data.size());
  opts.repeat = static_cast<int>(repeat);
  return opts;
}

}  // namespace

XdpProgram::XdpProgram(std::string objectPath, std::string programName, std::string netns)
    : objectPath_(std::move(objectPath)),
      programName_(std::move(programName)),
      netns_(std::move(netns)),
      elf_(ReadObjectFile(objectPath_)),
      object_(OpenBpfObject(*elf_, ObjectNameOf(objectPath_), objectPath_)) {
  program_ = bpf_object__find_program_by_name(object_.get(), programName_.c_str());
  if (!program_) ThrowErrno(ENOENT, "find " + Describe());
}

XdpProgram::~XdpProgram() = default;

std::string XdpProgram::Describe() const {
  return "program '" + programName_ + "' of " + objectPath_;
}

void XdpProgram::RequireState(State wanted, const char* operation) const {
  State state = state_.load();
  if (state == wanted) return;
  switch (state) {
    case State::kOpened:
      ThrowErrno(EINVAL, Describe() + ": " + operation + " (not loaded yet)");
    case State::kLoading:
      ThrowErrno(EBUSY, Describe() + ": " + operation + " (a load is running)");
    case State::kLoaded:
      ThrowErrno(EBUSY, Describe() + ": " + operation + " (already loaded)");
    case State::kFailed:
      ThrowErrno(EINVAL, Describe() + ": " + operation + " (its load failed)");
  }
}

int XdpProgram::ProgramFd(const char* operation) const {
  RequireState(State::kLoaded, operation);
  return bpf_program__fd(program_);
}

void XdpProgram::SetConst(const std::string& name, ByteView value) {
  RequireState(State::kOpened, "set a const");
  const std::string context = Describe() + ": const '" + name + "' in .rodata";
  const btf* types = bpf_object__btf(object_.get());
  if (!types) ThrowErrno(ENOENT, context + " (the object has no BTF)");
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object_.get()) {
    if (!bpf_map__is_internal(map)) continue;
    // An internal map's value type is the DATASEC of its section.
    const btf_type* section = btf__type_by_id(types, bpf_map__btf_value_type_id(map));
    if (!section || !btf_is_datasec(section)) continue;
    if (std::strncmp(btf__name_by_offset(types, section->name_off), ".rodata", 7) != 0) continue;
    const btf_var_secinfo* var = btf_var_secinfos(section);
    for (int i = 0; i < btf_vlen(section); ++i, ++var) {
      const btf_type* type = btf__type_by_id(types, var->type);
      if (name != btf__name_by_offset(types, type->name_off)) continue;
      if (var->size != value.size)
        throw SysError::Argument(context + " is " + std::to_string(var->size) +
                                 " bytes, the value " + std::to_string(value.size));
      size_t size = 0;
      auto initial = static_cast<const uint8_t*>(bpf_map__initial_value(map, &size));
      if (!initial || size_t{var->offset} + var->size > size) ThrowErrno(EINVAL, context);
      Bytes data(initial, initial + size);
      std::memcpy(data.data() + var->offset, value.data, value.size);
      int ret = bpf_map__set_initial_value(map, data.data(), data.size());
      if (ret < 0) ThrowErrno(-ret, context);
      return;
    }
  }
  ThrowErrno(ENOENT, context);
}

void XdpProgram::ReuseMap(const std::string& name, const std::string& pinPath) {
  const std::string context = Describe() + ": reuse " + pinPath + " as map '" + name + "'";
  UniqueFd fd(bpf_obj_get(pinPath.c_str()));
  if (!fd) ThrowErrno(errno, context);
  ReuseMapFd(name, fd.get(), context);
}

void XdpProgram::ReuseMap(const std::string& name, const BpfMap& other) {
  ReuseMapFd(name, other.fd(), Describe() + ": reuse the open map '" + other.name() + "' as map '" + name + "'");
}

void XdpProgram::ReuseMapFd(const std::string& name, int fd, const std::string& context) {
  RequireState(State::kOpened, "reuse a map");
  bpf_map* map = bpf_object__find_map_by_name(object_.get(), name.c_str());
  if (!map) ThrowErrno(ENOENT, context + " (no such map)");
  // bpf_map__reuse_fd takes the pinned map's shape over the object's: a map
  // of another version (another type or size) would be verified and used
  // as if it were this one's, so refuse it and say what differs.
  bpf_map_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &length) < 0) ThrowErrno(errno, context + " (read its info)");
  // the kernel marks devmaps read-only to programs on its own
  const uint32_t kernelFlags = BPF_F_RDONLY_PROG;
  std::string pinned = MapShape(info.type, info.key_size, info.value_size, info.max_entries,
                                info.map_flags & ~kernelFlags);
  std::string wanted = MapShape(bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
                                bpf_map__max_entries(map), bpf_map__map_flags(map) & ~kernelFlags);
  if (pinned != wanted)
    ThrowErrno(EINVAL, context + ": the pinned map was made by another version (" + pinned + "; this program's: " +
                           wanted + "); stop the fast path that uses it, or remove the pins if none runs");
  // libbpf keeps a duplicate: the caller's fd stays the caller's
  int ret = bpf_map__reuse_fd(map, fd);
  if (ret < 0) ThrowErrno(-ret, context);
}

void XdpProgram::PrepareLoad() {
  State expected = State::kOpened;
  if (!state_.compare_exchange_strong(expected, State::kLoading)) RequireState(State::kOpened, "load");
}

void XdpProgram::Load() {
  if (state_.load() == State::kOpened) PrepareLoad();
  RequireState(State::kLoading, "load");
  // Only this program: another entry point of the object has its own XdpProgram.
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object_.get()) {
    bpf_program__set_autoload(program, program == program_);
  }
  bpf_program__set_type(program_, BPF_PROG_TYPE_XDP);
  LibraryLog log;
  int ret = bpf_object__load(object_.get());
  if (ret < 0) {
    state_ = State::kFailed;
    ThrowErrno(-ret, "load " + Describe(), log.Tail());
  }
  state_ = State::kLoaded;
}

std::vector<std::string> XdpProgram::MapNames() const {
  if (state_.load() == State::kLoading) RequireState(State::kLoaded, "list maps");
  std::vector<std::string> names;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object_.get()) {
    if (!bpf_map__is_internal(map)) names.emplace_back(bpf_map__name(map));
  }
  return names;
}

std::shared_ptr<BpfMap> XdpProgram::OpenMap(const std::string& name) const {
  RequireState(State::kLoaded, "open a map");
  const bpf_map* map = bpf_object__find_map_by_name(object_.get(), name.c_str());
  if (!map) ThrowErrno(ENOENT, Describe() + ": map '" + name + "'");
  UniqueFd fd(fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 3));
  if (!fd) ThrowErrno(errno, Describe() + ": map '" + name + "'");
  return std::make_shared<BpfMap>(std::move(fd), name, netns_);
}

TestRunResult XdpProgram::TestRun(const TestRunRequest& request) const {
  int fd = ProgramFd("test run");
  if (request.rxQueue && !request.ingressIfindex)
    throw SysError::Argument(Describe() + ": test run: rxQueue needs ingressIfindex");
  NetnsGuard guard(netns_);
  TestRunResult result;
  result.data.resize(request.dataOutSize);
  bpf_test_run_opts opts = TestRunOpts(request.data, request.repeat);
  opts.data_out = result.data.data();
  opts.data_size_out = static_cast<uint32_t>(result.data.size());
  xdp_md ctx{};
  if (request.ingressIfindex) {
    ctx = TestRunContext(request.data.size(), *request.ingressIfindex, request.rxQueue.value_or(0));
    opts.ctx_in = &ctx;
    opts.ctx_size_in = sizeof(ctx);
  }
  if (bpf_prog_test_run_opts(fd, &opts) < 0) {
    int err = errno;
    std::string context = "test run " + Describe();
    if (request.ingressIfindex) context += " on " + InterfaceLabel(*request.ingressIfindex);
    if (err == ENOSPC)
      context += " (the frame out is " + std::to_string(opts.data_size_out) + " bytes, dataOutSize " +
                 std::to_string(request.dataOutSize) + ")";
    ThrowErrno(err, context);
  }
  result.retval = opts.retval;
  result.data.resize(opts.data_size_out);
  result.durationNs = opts.duration;
  return result;
}

uint32_t XdpProgram::RunLiveFrames(const LiveFramesRequest& request) const {
  int fd = ProgramFd("run live frames");
  NetnsGuard guard(netns_);
  bpf_test_run_opts opts = TestRunOpts(request.data, request.repeat);
  xdp_md ctx = TestRunContext(request.data.size(), request.ingressIfindex, 0);
  opts.ctx_in = &ctx;
  opts.ctx_size_in = sizeof(ctx);
  opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
  opts.batch_size = request.batchSize;
  if (bpf_prog_test_run_opts(fd, &opts) < 0)
    ThrowErrno(errno, "run live frames of " + Describe() + " on " + InterfaceLabel(request.ingressIfindex));
  return opts.duration;
}

AttachMode XdpProgram::Attach(uint32_t ifindex, AttachRequest request) {
  ProgramFd("attach");
  NetnsGuard guard(netns_);
  std::lock_guard<std::mutex> lock(attachMutex_);
  if (!component_)
    component_ = std::make_unique<DispatcherComponent>(elf_, ObjectNameOf(objectPath_), programName_,
                                                       object_.get());
  return component_->Attach(ifindex, request);
}

void XdpProgram::Detach(uint32_t ifindex) {
  NetnsGuard guard(netns_);
  std::lock_guard<std::mutex> lock(attachMutex_);
  if (component_ && component_->Detach(ifindex)) return;
  DetachByName(ifindex, programName_);
}

}  // namespace xr
