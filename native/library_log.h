// What libbpf and libxdp print. While a LibraryLog lives, their output on the
// same thread is kept in it, so that a failed load can quote the verifier log
// and a failed attach can quote libxdp's reason; output of other threads is
// not mixed in. Without one, warnings go to stderr and the rest is dropped.
// XDP_ROUTER_DEBUG=1 in the environment sends everything, debug output
// included, to stderr as well.
#ifndef XR_NATIVE_LIBRARY_LOG_H
#define XR_NATIVE_LIBRARY_LOG_H

#include <cstddef>
#include <string>

namespace xr {

class LibraryLog {
 public:
  LibraryLog();
  ~LibraryLog();
  LibraryLog(const LibraryLog&) = delete;
  LibraryLog& operator=(const LibraryLog&) = delete;

  // The last maxBytes of the text, cut at a line start.
  std::string Tail(size_t maxBytes = 4096) const;

  // Route libbpf's and libxdp's print callbacks here; once, at module init.
  static void Install();

  void Append(const std::string& text) { text_ += text; }

 private:
  std::string text_;
  LibraryLog* outer_;
};

}  // namespace xr

#endif
