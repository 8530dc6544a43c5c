#include "xdp_program.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>

#include "errors.h"
#include "fd.h"
#include "interface.h"
#include "netns.h"

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

namespace xr {
namespace {

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
      object_(objectPath_, "program '" + programName_ + "' of " + objectPath_) {
  program_ = bpf_object__find_program_by_name(object_.get(), programName_.c_str());
  if (!program_) ThrowErrno(ENOENT, "find " + Describe());
}

XdpProgram::~XdpProgram() = default;

int XdpProgram::ProgramFd(const char* operation) const {
  object_.RequireLoaded(operation);
  return bpf_program__fd(program_);
}

void XdpProgram::SetConst(const std::string& name, ByteView value) { object_.SetConst(name, value); }

void XdpProgram::ReuseMap(const std::string& name, const std::string& pinPath) {
  object_.RequireOpened("reuse a map");
  UniqueFd fd(bpf_obj_get(pinPath.c_str()));
  if (!fd) ThrowErrno(errno, Describe() + ": reuse " + pinPath + " as map '" + name + "'");
  object_.ReuseMap(name, fd.get(), pinPath);
}

void XdpProgram::ReuseMap(const std::string& name, const BpfMap& other) {
  object_.ReuseMap(name, other.fd(), "map id " + std::to_string(other.id()));
}

void XdpProgram::Load() {
  // Only this program: another entry point of the object has its own XdpProgram.
  object_.Load([this](bpf_object* object) {
    bpf_program* program = nullptr;
    bpf_object__for_each_program(program, object) {
      bpf_program__set_autoload(program, program == program_);
    }
    bpf_program__set_type(program_, BPF_PROG_TYPE_XDP);
  });
}

std::shared_ptr<BpfMap> XdpProgram::OpenMap(const std::string& name) const {
  object_.RequireLoaded("open a map");
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
    component_ = std::make_unique<DispatcherComponent>(object_.elf(), ObjectNameOf(objectPath_), programName_,
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
