#include "bpf_object.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "errors.h"
#include "fd.h"
#include "library_log.h"

namespace xr {
namespace {

// What makes two maps interchangeable, for messages: "type 2, key 4 B, ...".
std::string MapShape(uint32_t type, uint32_t key, uint32_t value, uint32_t entries, uint32_t flags) {
  char text[128];
  snprintf(text, sizeof(text), "type %u, key %u B, value %u B, %u entries, flags 0x%x", type, key, value, entries,
           flags);
  return text;
}

}  // namespace

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

LoadableObject::LoadableObject(const std::string& path, std::string what)
    : what_(std::move(what)), elf_(ReadObjectFile(path)), object_(OpenBpfObject(*elf_, ObjectNameOf(path), path)) {}

void LoadableObject::RequireState(State wanted, const char* operation) const {
  State state = state_.load();
  if (state == wanted) return;
  switch (state) {
    case State::kOpened:
      ThrowErrno(EINVAL, what_ + ": " + operation + " (not loaded yet)");
    case State::kLoading:
      ThrowErrno(EBUSY, what_ + ": " + operation + " (a load is running)");
    case State::kLoaded:
      ThrowErrno(EBUSY, what_ + ": " + operation + " (already loaded)");
    case State::kFailed:
      ThrowErrno(EINVAL, what_ + ": " + operation + " (its load failed)");
  }
}

void LoadableObject::ReuseMap(const std::string& name, int fd, const std::string& source) {
  RequireOpened("reuse a map");
  const std::string context = what_ + ": reuse " + source + " as map '" + name + "'";
  bpf_map* map = bpf_object__find_map_by_name(object_.get(), name.c_str());
  if (!map) ThrowErrno(ENOENT, context + " (no such map)");
  // bpf_map__reuse_fd takes the other map's shape over the object's: a map
  // of another version (another type or size) would be verified and used
  // as if it were this one's, so refuse it and say what differs.
  bpf_map_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &length) < 0) ThrowErrno(errno, context + " (read its info)");
  // the kernel marks devmaps read-only to programs on its own
  const uint32_t kernelFlags = BPF_F_RDONLY_PROG;
  std::string theirs = MapShape(info.type, info.key_size, info.value_size, info.max_entries,
                                info.map_flags & ~kernelFlags);
  std::string wanted = MapShape(bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
                                bpf_map__max_entries(map), bpf_map__map_flags(map) & ~kernelFlags);
  if (theirs != wanted)
    ThrowErrno(EINVAL, context + ": that map was made by another version (" + theirs + "; this program's: " +
                           wanted + "); stop the fast path that uses it, or remove the pins if none runs");
  int ret = bpf_map__reuse_fd(map, fd);
  if (ret < 0) ThrowErrno(-ret, context);
}

void LoadableObject::SetConst(const std::string& name, ByteView value) {
  RequireOpened("set a const");
  const std::string context = what_ + ": const '" + name + "' in .rodata";
  const btf* types = bpf_object__btf(object_.get());
  if (!types) ThrowErrno(ENOENT, context + " (the object has no BTF)");
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object_.get()) {
    if (!bpf_map__is_internal(map)) continue;
    // An internal map's value type is the DATASEC of its section.
    const btf_type* section = btf__type_by_id(types, bpf_map__btf_value_type_id(map));
    if (!section || !btf_is_datasec(section)) continue;
    if (std::strncmp(btf__name_by_offset(types, section->name_off), ".rodata", 7) != 0) continue;
    const btf_var_secinfo* var = btf_var_secinfos(section);
    for (int i = 0; i < btf_vlen(section); ++i, ++var) {
      const btf_type* type = btf__type_by_id(types, var->type);
      if (name != btf__name_by_offset(types, type->name_off)) continue;
      if (var->size != value.size)
        throw SysError::Argument(context + " is " + std::to_string(var->size) +
                                 " bytes, the value " + std::to_string(value.size));
      size_t size = 0;
      auto initial = static_cast<const uint8_t*>(bpf_map__initial_value(map, &size));
      if (!initial || size_t{var->offset} + var->size > size) ThrowErrno(EINVAL, context);
      Bytes data(initial, initial + size);
      std::memcpy(data.data() + var->offset, value.data, value.size);
      int ret = bpf_map__set_initial_value(map, data.data(), data.size());
      if (ret < 0) ThrowErrno(-ret, context);
      return;
    }
  }
  ThrowErrno(ENOENT, context);
}

void LoadableObject::PrepareLoad() {
  State expected = State::kOpened;
  if (!state_.compare_exchange_strong(expected, State::kLoading)) RequireOpened("load");
}

void LoadableObject::Load(const std::function<void(bpf_object*)>& configure) {
  if (state_.load() == State::kOpened) PrepareLoad();
  RequireState(State::kLoading, "load");
  try {
    configure(object_.get());
  } catch (...) {
    state_ = State::kFailed;
    throw;
  }
  LibraryLog log;
  int ret = bpf_object__load(object_.get());
  if (ret < 0) {
    state_ = State::kFailed;
    ThrowErrno(-ret, "load " + what_, log.Tail());
  }
  state_ = State::kLoaded;
}

std::vector<std::string> LoadableObject::MapNames() const {
  if (state_.load() == State::kLoading) RequireLoaded("list maps");
  std::vector<std::string> names;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object_.get()) {
    if (!bpf_map__is_internal(map)) names.emplace_back(bpf_map__name(map));
  }
  return names;
}

}  // namespace xr
