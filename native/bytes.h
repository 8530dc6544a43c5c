// Byte buffers passed between JS and the kernel objects.
#ifndef XR_NATIVE_BYTES_H
#define XR_NATIVE_BYTES_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xr {

using Bytes = std::vector<uint8_t>;

// Borrowed bytes: a JS Buffer during a synchronous call, or a Bytes.
struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  ByteView() = default;
  ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
  ByteView(const Bytes& bytes) : data(bytes.data()), size(bytes.size()) {}  // NOLINT: implicit on purpose
};

}  // namespace xr

#endif
