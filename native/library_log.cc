#include "library_log.h"

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace xr {
namespace {

thread_local LibraryLog* current = nullptr;
bool verbose = false;  // XDP_ROUTER_DEBUG

std::string Format(const char* format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int length = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (length <= 0) return {};
  std::string text(static_cast<size_t>(length) + 1, '\0');
  vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<size_t>(length));
  return text;
}

// Kept by the thread's LibraryLog if it has one (debug text excepted), else
// warnings go to stderr; with XDP_ROUTER_DEBUG everything goes to stderr too.
void Route(bool warning, bool debug, const char* format, va_list args) {
  if (debug && !verbose) return;
  std::string text = Format(format, args);
  if (verbose) fputs(text.c_str(), stderr);
  if (LibraryLog* log = current) {
    if (!debug) log->Append(text);
  } else if (warning && !verbose) {
    fputs(text.c_str(), stderr);
  }
}

int PrintLibbpf(enum libbpf_print_level level, const char* format, va_list args) {
  Route(level == LIBBPF_WARN, level == LIBBPF_DEBUG, format, args);
  return 0;
}

int PrintLibxdp(enum libxdp_print_level level, const char* format, va_list args) {
  Route(level == LIBXDP_WARN, level == LIBXDP_DEBUG, format, args);
  return 0;
}

}  // namespace

LibraryLog::LibraryLog() : outer_(current) { current = this; }

LibraryLog::~LibraryLog() { current = outer_; }

std::string LibraryLog::Tail(size_t maxBytes) const {
  if (text_.size() <= maxBytes) return text_;
  size_t start = text_.size() - maxBytes;
  size_t lineStart = text_.find('\n', start);
  if (lineStart != std::string::npos && lineStart + 1 < text_.size()) start = lineStart + 1;
  return "...\n" + text_.substr(start);
}

void LibraryLog::Install() {
  const char* debug = getenv("XDP_ROUTER_DEBUG");
  verbose = debug && *debug && std::string(debug) != "0";
  libbpf_set_print(PrintLibbpf);
  libxdp_set_print(PrintLibxdp);
}

}  // namespace xr
