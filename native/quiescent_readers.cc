#include "quiescent_readers.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace xr {
namespace {

// A reader's batch lasts microseconds: poll at about that scale.
constexpr std::chrono::microseconds kPollInterval{20};

}  // namespace

QuiescentReaders& QuiescentReaders::Process() {
  static QuiescentReaders readers;
  return readers;
}

void QuiescentReaders::Reader::Quiescent() {
  seen_.store(readers_.epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
}

void QuiescentReaders::Reader::Offline() { seen_.store(kOffline, std::memory_order_seq_cst); }

std::shared_ptr<QuiescentReaders::Reader> QuiescentReaders::Register() {
  auto* reader = new Reader(*this);
  reader->seen_.store(kOffline);
  std::lock_guard<std::mutex> lock(mutex_);
  readers_.push_back(reader);
  return std::shared_ptr<Reader>(reader, [this](Reader* r) {
    Unregister(r);
    delete r;
  });
}

void QuiescentReaders::Unregister(const Reader* reader) {
  std::lock_guard<std::mutex> lock(mutex_);
  readers_.erase(std::remove(readers_.begin(), readers_.end(), reader), readers_.end());
}

void QuiescentReaders::Wait() {
  // a reader that reports this epoch or a later one read the tables anew
  uint64_t target = epoch_.fetch_add(1, std::memory_order_seq_cst) + 1;
  std::lock_guard<std::mutex> lock(mutex_);
  for (Reader* reader : readers_) {
    while (reader->seen_.load(std::memory_order_seq_cst) < target) std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace xr
