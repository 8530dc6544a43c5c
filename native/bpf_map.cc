#include "bpf_map.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "errors.h"
#include "netns.h"

namespace xr {
namespace {

// Entries asked for per batch call; grown when a hash bucket does not fit.
constexpr uint32_t kBatchEntries = 4096;

bool IsPerCpu(uint32_t type) {
  switch (type) {
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
      return true;
    default:
      return false;
  }
}

// A map type without this batch operation (devmap, and on older kernels the
// LPM trie) fails the call with ENOTSUPP before touching any entry, leaving
// the count as it was passed in.
bool BatchUnsupported(int err) { return err == EOPNOTSUPP || err == kKernelEnotsupp; }

bpf_map_batch_opts BatchOpts() {
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  return opts;
}

}  // namespace

BpfMap::BpfMap(UniqueFd fd, std::string name, std::string netns)
    : fd_(std::move(fd)), name_(std::move(name)), netns_(std::move(netns)) {
  bpf_map_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd_.get(), &info, &length) < 0) Fail(errno, "read map info");
  if (name_.empty()) name_ = info.name;
  id_ = info.id;
  type_ = info.type;
  keySize_ = info.key_size;
  valueSize_ = info.value_size;
  maxEntries_ = info.max_entries;
  perCpu_ = IsPerCpu(type_);
  valueBytes_ = valueSize_;
  if (perCpu_) {
    int cpus = libbpf_num_possible_cpus();
    if (cpus < 0) Fail(-cpus, "count possible CPUs");
    valueBytes_ = ((valueSize_ + 7) / 8 * 8) * static_cast<size_t>(cpus);
  }
}

std::shared_ptr<BpfMap> BpfMap::OpenPinned(const std::string& path) {
  UniqueFd fd(bpf_obj_get(path.c_str()));
  if (!fd) ThrowErrno(errno, "open pinned map " + path);
  if (!IsAnonInode(fd.get(), "bpf-map")) ThrowErrno(EINVAL, "open pinned map " + path + ": not a map");
  return std::make_shared<BpfMap>(std::move(fd), "", "");
}

MappedMemory::~MappedMemory() { munmap(data_, size_); }

std::shared_ptr<MappedMemory> BpfMap::Map() const {
  bpf_map_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd_.get(), &info, &length) < 0) Fail(errno, "read map info");
  if (type_ != BPF_MAP_TYPE_ARRAY || !(info.map_flags & BPF_F_MMAPABLE))
    Fail(EINVAL, "map into memory: only arrays made with BPF_F_MMAPABLE can be");
  long page = sysconf(_SC_PAGESIZE);
  size_t bytes = static_cast<size_t>(valueSize_) * maxEntries_;
  bytes = (bytes + page - 1) / page * page;
  void* data = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
  if (data == MAP_FAILED) Fail(errno, "map into memory (" + std::to_string(bytes) + " bytes)");
  return std::make_shared<MappedMemory>(data, bytes);
}

void BpfMap::Fail(int err, const std::string& operation) const {
  ThrowErrno(err, "map '" + name_ + "': " + operation);
}

void BpfMap::CheckSize(ByteView bytes, size_t expected, const char* what) const {
  if (bytes.size == expected) return;
  throw SysError::Argument("map '" + name_ + "': " + what + " is " + std::to_string(bytes.size) +
                           " bytes, expected " + std::to_string(expected));
}

std::string BpfMap::UpdateNetns() const {
  bool devmap = type_ == BPF_MAP_TYPE_DEVMAP || type_ == BPF_MAP_TYPE_DEVMAP_HASH;
  return devmap ? netns_ : std::string();
}

bool BpfMap::Lookup(ByteView key, uint8_t* value) const {
  CheckSize(key, keySize_, "key");
  if (bpf_map_lookup_elem(fd_.get(), key.data, value) == 0) return true;
  if (errno == ENOENT) return false;
  Fail(errno, "lookup");
}

void BpfMap::Update(ByteView key, ByteView value, uint64_t flags) const {
  CheckSize(key, keySize_, "key");
  CheckSize(value, valueBytes_, "value");
  WriteMark mark{*this};
  NetnsGuard guard(UpdateNetns());
  if (bpf_map_update_elem(fd_.get(), key.data, value.data, flags) < 0) Fail(errno, "update");
}

bool BpfMap::Delete(ByteView key) const {
  CheckSize(key, keySize_, "key");
  WriteMark mark{*this};
  if (bpf_map_delete_elem(fd_.get(), key.data) == 0) return true;
  if (errno == ENOENT) return false;
  Fail(errno, "delete");
}

MapEntries BpfMap::Keys() const {
  MapEntries out;
  Bytes previous(keySize_);
  const void* from = nullptr;  // null: the first key
  // A hash map restarts from its first key when the previous one is deleted
  // under us; never collect more keys than the map can hold.
  while (out.count < maxEntries_) {
    out.keys.resize((out.count + 1) * keySize_);
    uint8_t* next = out.keys.data() + out.count * keySize_;
    if (bpf_map_get_next_key(fd_.get(), from, next) < 0) {
      if (errno == ENOENT) break;
      Fail(errno, "iterate keys");
    }
    std::memcpy(previous.data(), next, keySize_);
    from = previous.data();
    ++out.count;
  }
  out.keys.resize(out.count * keySize_);
  return out;
}

MapEntries BpfMap::Dump() const {
  MapEntries out;
  if (DumpBatched(out)) return out;
  return DumpByKeys();
}

bool BpfMap::DumpBatched(MapEntries& out) const {
  uint32_t chunk = std::clamp<uint32_t>(maxEntries_, 1, kBatchEntries);
  // The resume token is a bucket number for hash maps, a key for the others.
  size_t tokenSize = std::max<size_t>(keySize_, sizeof(uint64_t));
  Bytes tokenIn(tokenSize), tokenOut(tokenSize);
  bpf_map_batch_opts opts = BatchOpts();
  bool first = true;
  for (;;) {
    out.keys.resize((out.count + chunk) * keySize_);
    out.values.resize((out.count + chunk) * valueBytes_);
    uint32_t n = chunk;
    int ret = bpf_map_lookup_batch(fd_.get(), first ? nullptr : tokenIn.data(), tokenOut.data(),
                                   out.keys.data() + out.count * keySize_,
                                   out.values.data() + out.count * valueBytes_, &n, &opts);
    int err = ret < 0 ? errno : 0;
    if (BatchUnsupported(err)) return false;
    out.count += n;
    if (err == ENOENT) break;  // the last batch, possibly with entries
    if (err == 0) {
      tokenIn.swap(tokenOut);
      first = false;
      continue;
    }
    if (err == ENOSPC && n == 0 && chunk < UINT32_MAX / 2) {
      chunk *= 2;  // one hash bucket holds more than a batch
      continue;
    }
    Fail(err, "dump (batch lookup)");
  }
  out.keys.resize(out.count * keySize_);
  out.values.resize(out.count * valueBytes_);
  return true;
}

MapEntries BpfMap::DumpByKeys() const {
  MapEntries all = Keys();
  MapEntries out;
  out.keys.resize(all.keys.size());
  out.values.resize(all.count * valueBytes_);
  for (size_t i = 0; i < all.count; ++i) {
    const uint8_t* key = all.keys.data() + i * keySize_;
    // An entry deleted since its key was read is simply not in the dump.
    if (!Lookup(ByteView(key, keySize_), out.values.data() + out.count * valueBytes_)) continue;
    std::memcpy(out.keys.data() + out.count * keySize_, key, keySize_);
    ++out.count;
  }
  out.keys.resize(out.count * keySize_);
  out.values.resize(out.count * valueBytes_);
  return out;
}

void BpfMap::UpdateBatch(ByteView keys, ByteView values, uint32_t count) const {
  CheckSize(keys, size_t{count} * keySize_, "keys");
  CheckSize(values, size_t{count} * valueBytes_, "values");
  if (count == 0) return;
  WriteMark mark{*this};
  NetnsGuard guard(UpdateNetns());
  bpf_map_batch_opts opts = BatchOpts();
  uint32_t n = count;
  if (bpf_map_update_batch(fd_.get(), keys.data, values.data, &n, &opts) == 0) return;
  int err = errno;
  if (BatchUnsupported(err)) return UpdateEach(keys, values, count);
  Fail(err, "batch update (stopped after " + std::to_string(n) + " of " + std::to_string(count) +
                " entries)");
}

void BpfMap::UpdateEach(ByteView keys, ByteView values, uint32_t count) const {
  for (uint32_t i = 0; i < count; ++i) {
    if (bpf_map_update_elem(fd_.get(), keys.data + size_t{i} * keySize_,
                            values.data + size_t{i} * valueBytes_, BPF_ANY) < 0)
      Fail(errno, "update entry " + std::to_string(i) + " of " + std::to_string(count));
  }
}

uint32_t BpfMap::DeleteBatch(ByteView keys, uint32_t count) const {
  CheckSize(keys, size_t{count} * keySize_, "keys");
  WriteMark mark{*this};
  bpf_map_batch_opts opts = BatchOpts();
  uint32_t deleted = 0;
  uint32_t next = 0;
  bool batch = true;
  while (next < count) {
    const uint8_t* key = keys.data + size_t{next} * keySize_;
    if (!batch) {
      if (bpf_map_delete_elem(fd_.get(), key) == 0) {
        ++deleted;
      } else if (errno != ENOENT) {
        Fail(errno, "delete entry " + std::to_string(next) + " of " + std::to_string(count));
      }
      ++next;
      continue;
    }
    // The kernel stops a delete batch at the first absent key: skip it and go on.
    uint32_t n = count - next;
    if (bpf_map_delete_batch(fd_.get(), key, &n, &opts) == 0) {
      deleted += n;
      break;
    }
    int err = errno;
    if (BatchUnsupported(err)) {
      batch = false;
      continue;
    }
    deleted += n;
    next += n;
    if (err == ENOENT) {
      ++next;
    } else {
      Fail(err, "batch delete (stopped after " + std::to_string(next) + " of " +
                    std::to_string(count) + " keys)");
    }
  }
  return deleted;
}

void BpfMap::Pin(const std::string& path) const {
  if (bpf_obj_pin(fd_.get(), path.c_str()) < 0) Fail(errno, "pin at " + path);
}

void BpfMap::Unpin(const std::string& path) const {
  if (unlink(path.c_str()) < 0) Fail(errno, "unpin " + path);
}

}  // namespace xr
