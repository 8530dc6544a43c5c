#include "bpf_object.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "fd.h"
#include "library_log.h"

namespace xr {

std::shared_ptr<const Bytes> ReadObjectFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) ThrowErrno(errno, "open BPF object " + path);
  struct stat st {};
  if (fstat(fd.get(), &st) < 0) ThrowErrno(errno, "stat BPF object " + path);
  auto bytes = std::make_shared<Bytes>(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes->size()) {
    ssize_t n = read(fd.get(), bytes->data() + done, bytes->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno(errno, "read BPF object " + path);
    if (n == 0) ThrowErrno(EIO, "read BPF object " + path + " (shorter than its size)");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

std::string ObjectNameOf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name.substr(0, name.find('.'));
}

BpfObjectPtr OpenBpfObject(const Bytes& elf, const std::string& objectName,
                           const std::string& path) {
  bpf_object_open_opts opts{};
  opts.sz = sizeof(opts);
  opts.object_name = objectName.c_str();
  LibraryLog log;
  BpfObjectPtr object(bpf_object__open_mem(elf.data(), elf.size(), &opts));
  if (!object) ThrowErrno(errno, "open BPF object " + path, log.Tail());
  return object;
}

}  // namespace xr
