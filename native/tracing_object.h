// The tracing programs of one BPF object file (tp_btf and the like), loaded
// together with every map reused from maps already in the kernel, so that
// they read and count into what the fast path does; each program is then
// attached where its section names, as a BpfLink.
//
// Threads: the constructor, SetConst, ReuseMap, ProgramNames, MapNames and PrepareLoad
// belong to the JS thread; Load and Attach may run on worker threads.
#ifndef XR_NATIVE_TRACING_OBJECT_H
#define XR_NATIVE_TRACING_OBJECT_H

#include <memory>
#include <string>
#include <vector>

#include "bpf_link.h"
#include "bpf_map.h"
#include "bpf_object.h"

namespace xr {

class TracingObject {
 public:
  explicit TracingObject(const std::string& objectPath);
  TracingObject(const TracingObject&) = delete;
  TracingObject& operator=(const TracingObject&) = delete;

  bool loaded() const { return object_.loaded(); }
  std::vector<std::string> ProgramNames() const;
  // Maps of the object, .rodata/.bss/.data/.kconfig excluded.
  std::vector<std::string> MapNames() const { return object_.MapNames(); }
  // Before load: set a `volatile const` of the object's .rodata.
  void SetConst(const std::string& name, ByteView value) { object_.SetConst(name, value); }
  // Before load: map `name` becomes `map`, refused when their shapes differ.
  void ReuseMap(const std::string& name, const BpfMap& map);
  // Reserve the object for Load(), on the JS thread before Load() is queued.
  void PrepareLoad() { object_.PrepareLoad(); }
  // Load every program. EINVAL when a map was not reused: these programs
  // only make sense on the fast path's maps, and some of those are too big
  // to make a spare copy of.
  void Load();
  // After load: attach one program (to the tracepoint its section names).
  std::shared_ptr<BpfLink> Attach(const std::string& programName) const;

 private:
  LoadableObject object_;
};

}  // namespace xr

#endif
