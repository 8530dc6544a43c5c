// A BPF object file (ELF), opened with libbpf from bytes read once, so that
// every copy of a program comes from the same build even when the file on disk
// is replaced meanwhile.
#ifndef XR_NATIVE_BPF_OBJECT_H
#define XR_NATIVE_BPF_OBJECT_H

#include <bpf/libbpf.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bytes.h"

namespace xr {

struct BpfObjectCloser {
  void operator()(bpf_object* object) const { bpf_object__close(object); }
};
using BpfObjectPtr = std::unique_ptr<bpf_object, BpfObjectCloser>;

std::shared_ptr<const Bytes> ReadObjectFile(const std::string& path);

// The name bpf_object__open_file gives the object at path (the file name up to
// its first dot); internal maps are named after it (NAME.rodata).
std::string ObjectNameOf(const std::string& path);

// path: only for messages.
BpfObjectPtr OpenBpfObject(const Bytes& elf, const std::string& objectName,
                           const std::string& path);

// An object on its way into the kernel: opened, then loaded once. Its maps
// can be swapped for maps already in the kernel before the load, and its
// state says which calls are allowed when.
//
// Threads: Load() may run on a worker thread; the other calls belong to the
// JS thread. While a load runs, the object is the loader's: calls that read
// or change it fail with EBUSY.
class LoadableObject {
 public:
  // what: how messages name it ("program 'xdp_router' of bpf/xdp_router.o")
  LoadableObject(const std::string& path, std::string what);

  bpf_object* get() const { return object_.get(); }
  const std::shared_ptr<const Bytes>& elf() const { return elf_; }
  const std::string& what() const { return what_; }
  bool loaded() const { return state_.load() == State::kLoaded; }

  // Throw unless the object is opened and not loaded yet (before load), or
  // loaded, naming the operation refused.
  void RequireOpened(const char* operation) const { RequireState(State::kOpened, operation); }
  void RequireLoaded(const char* operation) const { RequireState(State::kLoaded, operation); }

  // Before load: map `name` becomes the map behind fd (source names it in
  // messages). A map of another shape (another version's) is refused.
  void ReuseMap(const std::string& name, int fd, const std::string& source);
  // Before load: set `volatile const` variable `name` of .rodata; its size
  // must be value's.
  void SetConst(const std::string& name, ByteView value);
  // Reserve the object for Load(), on the JS thread before Load() is queued.
  void PrepareLoad();
  // Load the programs whose autoload is on; configure() runs first, once the
  // object is the loader's. A failed load cannot be retried: libbpf keeps
  // the object in its failed state.
  void Load(const std::function<void(bpf_object*)>& configure);

  // Maps of the object, .rodata/.bss/.data/.kconfig excluded.
  std::vector<std::string> MapNames() const;

 private:
  enum class State { kOpened, kLoading, kLoaded, kFailed };

  void RequireState(State wanted, const char* operation) const;

  const std::string what_;
  std::shared_ptr<const Bytes> elf_;
  BpfObjectPtr object_;
  std::atomic<State> state_{State::kOpened};
};

}  // namespace xr

#endif
