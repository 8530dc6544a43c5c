// A BPF map, by its file descriptor: single operations, iteration, batches,
// pinning. Usable from any thread; the fd lives as long as the BpfMap.
#ifndef XR_NATIVE_BPF_MAP_H
#define XR_NATIVE_BPF_MAP_H

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "bytes.h"
#include "fd.h"

namespace xr {

// count keys and their values, each concatenated.
struct MapEntries {
  Bytes keys;
  Bytes values;
  size_t count = 0;
};

// A BPF_F_MMAPABLE array's values mapped into this process: stores land in
// the map itself, with no system call. Unmapped when the last owner goes;
// the mapping keeps the map alive even after its fd is closed.
class MappedMemory {
 public:
  MappedMemory(void* data, size_t size) : data_(data), size_(size) {}
  MappedMemory(const MappedMemory&) = delete;
  MappedMemory& operator=(const MappedMemory&) = delete;
  ~MappedMemory();

  uint8_t* data() const { return static_cast<uint8_t*>(data_); }
  size_t size() const { return size_; }

 private:
  void* data_;
  size_t size_;
};

class BpfMap {
 public:
  // fd: owned from now on. name: for messages and JS (the kernel keeps only 15
  // characters). netns: where devmap updates resolve their ifindexes; empty
  // for the caller's own namespace.
  BpfMap(UniqueFd fd, std::string name, std::string netns);
  static std::shared_ptr<BpfMap> OpenPinned(const std::string& path);

  const std::string& name() const { return name_; }
  // the kernel's id of the map, as programs' map_ids list it
  uint32_t id() const { return id_; }
  // for handing the map to a loader (bpf_map__reuse_fd takes a copy)
  int fd() const { return fd_.get(); }
  uint32_t type() const { return type_; }
  uint32_t keySize() const { return keySize_; }
  uint32_t valueSize() const { return valueSize_; }
  uint32_t maxEntries() const { return maxEntries_; }
  bool perCpu() const { return perCpu_; }
  // The size of what lookups return and updates take: for per-CPU maps one
  // 8-byte aligned slot per possible CPU.
  size_t valueBytes() const { return valueBytes_; }

  // false when the key is absent; value must have valueBytes() room.
  bool Lookup(ByteView key, uint8_t* value) const;
  void Update(ByteView key, ByteView value, uint64_t flags) const;
  // false when the key was absent
  bool Delete(ByteView key) const;
  // Every key by get_next_key (values left empty).
  MapEntries Keys() const;
  // Every entry: batch lookup where the map type has it, else key by key.
  MapEntries Dump() const;
  // count keys and values, concatenated; a batch where the map type has one.
  void UpdateBatch(ByteView keys, ByteView values, uint32_t count) const;
  // How many of the count keys were deleted; absent keys are skipped.
  uint32_t DeleteBatch(ByteView keys, uint32_t count) const;

  // The values of an array map made with BPF_F_MMAPABLE, read-write.
  std::shared_ptr<MappedMemory> Map() const;

  void Pin(const std::string& path) const;
  void Unpin(const std::string& path) const;

  // How many writes (update, delete, batches) went through this object,
  // counted once each has returned: a reader that keeps copies of entries
  // (the slow path's forwarder) drops them when this moves.
  uint64_t writes() const { return writes_.load(std::memory_order_acquire); }

 private:
  // Counts a write when it returns, also by an exception (it may have
  // changed entries before failing).
  struct WriteMark {
    const BpfMap& map;
    ~WriteMark() { map.writes_.fetch_add(1, std::memory_order_release); }
  };

  [[noreturn]] void Fail(int err, const std::string& operation) const;
  void CheckSize(ByteView bytes, size_t expected, const char* what) const;
  // Devmap values are ifindexes that the kernel resolves in the namespace of
  // the updating thread.
  std::string UpdateNetns() const;
  bool DumpBatched(MapEntries& out) const;
  MapEntries DumpByKeys() const;
  void UpdateEach(ByteView keys, ByteView values, uint32_t count) const;

  UniqueFd fd_;
  std::string name_;
  std::string netns_;
  uint32_t id_ = 0;
  uint32_t type_ = 0;
  uint32_t keySize_ = 0;
  uint32_t valueSize_ = 0;
  uint32_t maxEntries_ = 0;
  bool perCpu_ = false;
  size_t valueBytes_ = 0;
  mutable std::atomic<uint64_t> writes_{0};
};

}  // namespace xr

#endif
