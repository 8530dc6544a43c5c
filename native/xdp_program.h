// One XDP program of a BPF object file: its constants and map reuse before
// load, the load, its maps, test runs and live-frames runs, and its
// attachments through libxdp. Bound to a network namespace when given one.
//
// Threads: the constructor, SetConst, ReuseMap, PrepareLoad, MapNames and
// OpenMap belong to one thread (the JS thread); Load, TestRun, RunLiveFrames,
// Attach and Detach may run on worker threads, beside each other and beside
// the JS thread's calls. While a load runs, the object is the loader's: the
// JS thread's calls that read or change it fail with EBUSY.
#ifndef XR_NATIVE_XDP_PROGRAM_H
#define XR_NATIVE_XDP_PROGRAM_H

#include <bpf/libbpf.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bpf_map.h"
#include "bpf_object.h"
#include "bytes.h"
#include "xdp_dispatcher.h"

namespace xr {

struct TestRunRequest {
  Bytes data;
  uint32_t repeat = 1;
  std::optional<uint32_t> ingressIfindex;
  std::optional<uint32_t> rxQueue;
  uint32_t dataOutSize = 0;
};

struct TestRunResult {
  uint32_t retval = 0;
  Bytes data;
  uint32_t durationNs = 0;
};

struct LiveFramesRequest {
  Bytes data;
  uint32_t repeat = 0;
  uint32_t ingressIfindex = 0;
  uint32_t batchSize = 0;  // 0: the kernel's default
};

class XdpProgram {
 public:
  // Reads and opens the object (not loaded yet); ENOENT when it has no
  // program of that name. netns: empty for the caller's namespace.
  XdpProgram(std::string objectPath, std::string programName, std::string netns);
  ~XdpProgram();
  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;

  const std::string& objectPath() const { return objectPath_; }
  const std::string& programName() const { return programName_; }
  bool loaded() const { return object_.loaded(); }

  // Before load: set a `volatile const` of the object's .rodata.
  void SetConst(const std::string& name, ByteView value);
  // Before load: map `name` becomes the map pinned at pinPath.
  void ReuseMap(const std::string& name, const std::string& pinPath);
  // Before load: map `name` becomes `other`, another loaded program's map.
  void ReuseMap(const std::string& name, const BpfMap& other);
  // Reserve the object for Load(), on the JS thread before Load() is queued.
  void PrepareLoad() { object_.PrepareLoad(); }
  // Load the program into the kernel (only this program of the object). A
  // failed load cannot be retried: libbpf keeps the object in its failed state.
  void Load();

  // Maps of the object, .rodata/.bss/.data/.kconfig excluded.
  std::vector<std::string> MapNames() const { return object_.MapNames(); }
  // After load: a map of the object, with its own fd.
  std::shared_ptr<BpfMap> OpenMap(const std::string& name) const;

  TestRunResult TestRun(const TestRunRequest& request) const;
  // BPF_F_TEST_XDP_LIVE_FRAMES; answers the kernel's duration in ns.
  uint32_t RunLiveFrames(const LiveFramesRequest& request) const;

  AttachMode Attach(uint32_t ifindex, AttachRequest request);
  // This program's attachment; when it has none there, the components of the
  // same name (an earlier run's attachment). ENOENT when neither is there.
  void Detach(uint32_t ifindex);

 private:
  const std::string& Describe() const { return object_.what(); }
  int ProgramFd(const char* operation) const;

  const std::string objectPath_;
  const std::string programName_;
  const std::string netns_;
  LoadableObject object_;
  bpf_program* program_ = nullptr;

  std::mutex attachMutex_;  // guards component_
  std::unique_ptr<DispatcherComponent> component_;
};

}  // namespace xr

#endif
