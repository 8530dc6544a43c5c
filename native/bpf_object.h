// A BPF object file (ELF), opened with libbpf from bytes read once, so that
// every copy of a program comes from the same build even when the file on disk
// is replaced meanwhile.
#ifndef XR_NATIVE_BPF_OBJECT_H
#define XR_NATIVE_BPF_OBJECT_H

#include <bpf/libbpf.h>

#include <memory>
#include <string>

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

}  // namespace xr

#endif
