// XDP hooks as libxdp manages them: a dispatcher program on the interface
// runs the attached component programs in priority order, so several programs
// (ours and others') share one interface. All calls act on the calling
// thread's network namespace.
#ifndef XR_NATIVE_XDP_DISPATCHER_H
#define XR_NATIVE_XDP_DISPATCHER_H

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bpf_object.h"
#include "bytes.h"

namespace xr {

enum class AttachMode { kNone, kNative, kGeneric, kHw };
enum class AttachRequest { kNative, kGeneric, kAuto };

// "native", "generic", "hw", "none"
const char* AttachModeName(AttachMode mode);

struct XdpComponent {
  std::string name;
  uint32_t id = 0;
  uint32_t priority = 0;
};

struct XdpHook {
  AttachMode mode = AttachMode::kNone;
  // a single program attached without libxdp's dispatcher
  bool legacy = false;
  std::vector<XdpComponent> programs;
};

XdpHook QueryXdp(uint32_t ifindex);

// Detach, from one interface, the components named programName (such as the
// attachment of an earlier run of the daemon); ENOENT when there is none.
void DetachByName(uint32_t ifindex, const std::string& programName);

// A loaded program as a dispatcher component. libxdp links components into a
// dispatcher as freplace (BPF_PROG_TYPE_EXT) programs, and an XDP-type program
// cannot be one; so this is a second copy of the object, opened from the same
// ELF bytes, with every map (.rodata, .bss and .data included) reusing the fd
// of the loaded object's map. libxdp loads it as EXT on the first attach (the
// verifier sees the same frozen .rodata, so it prunes the same branches) and
// links that one kernel program into the dispatcher of every interface it is
// attached to: one program id everywhere, and the maps the JS side reads and
// writes are the maps every attachment uses. On a kernel without freplace
// programs libxdp loads the copy as a plain XDP program instead and attaches
// it directly (legacy: one program per interface), with the same maps.
class DispatcherComponent {
 public:
  DispatcherComponent(std::shared_ptr<const Bytes> elf, const std::string& objectName,
                      const std::string& programName, bpf_object* loaded);
  ~DispatcherComponent();
  DispatcherComponent(const DispatcherComponent&) = delete;
  DispatcherComponent& operator=(const DispatcherComponent&) = delete;

  // Resolves to the mode it got; 'auto' joins an existing dispatcher in its
  // mode, else tries native, then generic. Attaching where it is already
  // attached answers the mode it has (EEXIST when another mode was asked for).
  AttachMode Attach(uint32_t ifindex, AttachRequest request);
  // false when it was not attached there
  bool Detach(uint32_t ifindex);

 private:
  AttachMode AttachedMode(uint32_t ifindex) const;
  AttachMode AttachIn(uint32_t ifindex, AttachMode mode);
  std::string Describe() const;

  std::shared_ptr<const Bytes> elf_;
  std::string programName_;
  struct ProgramCloser {
    void operator()(xdp_program* program) const { xdp_program__close(program); }
  };
  BpfObjectPtr object_;
  std::unique_ptr<xdp_program, ProgramCloser> program_;  // declared last: closed first
};

}  // namespace xr

#endif
