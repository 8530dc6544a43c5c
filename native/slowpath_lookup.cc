#include "slowpath_lookup.h"

#include <bpf/bpf_endian.h>
#include <linux/bpf.h>

#include "errors.h"

namespace xr {
namespace {

// A copy past this many entries starts again from empty: a flow mix over a
// full table must not grow the daemon without bound.
constexpr size_t kMaxCopiedEntries = 65536;

// FNV-1a over the key's bytes: keys are small structs without padding
constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

const std::shared_ptr<BpfMap>& Checked(const ForwardingMaps& maps, ForwardingMap which) {
  if (!maps[which])
    throw SysError::Argument(std::string("the slow path's forwarder needs map '") + kForwardingMapNames[which] + "'");
  return maps[which];
}

// What xr_resolve_route gives a route of each other kind: the kernel owns
// the ICMP error of unreachable/prohibit routes and their rate limit.
xr_reason NotUnicast(xr_route_type type) {
  static constexpr struct {
    xr_route_type type;
    xr_reason reason;
  } kReasons[] = {{XR_ROUTE_BLACKHOLE, XR_DROP_BLACKHOLE},     {XR_ROUTE_UNREACHABLE, XR_PASS_UNREACHABLE},
                  {XR_ROUTE_PROHIBIT, XR_PASS_UNREACHABLE},    {XR_ROUTE_KERNEL, XR_PASS_KERNEL_ROUTE},
                  {XR_ROUTE_POLICY, XR_PASS_POLICY}};
  for (const auto& k : kReasons)
    if (k.type == type) return k.reason;
  return XR_PASS_NO_ROUTE;
}

const uint32_t* Entries(const std::shared_ptr<MappedMemory>& memory) {
  return reinterpret_cast<const uint32_t*>(memory->data());
}

// xr_entry_route: the route an index entry holds (both families encode it alike); 0 is none
bool EntryRoute(uint32_t e, xr_route* route) {
  if (!e) return false;
  route->type = static_cast<xr_route_type>((e >> XR_ENTRY_TYPE_SHIFT) & XR_ENTRY_TYPE_MASK);
  route->flags = static_cast<xr_route_flags>(e & (1U << XR_ENTRY_GROUP_BIT) ? XR_ROUTE_F_GROUP : 0);
  route->nexthop = e & ((1U << XR_ENTRY_GROUP_BIT) - 1);
  route->reserved = 0;
  return true;
}

}  // namespace

const char* const kForwardingMapNames[kForwardingMapCount] = {
    "xr_fib4_tbl24", "xr_fib4_tbl8", "xr_fib6",   "xr_nexthop_slots", "xr_nexthops", "xr_groups",
    "xr_neigh4",     "xr_neigh6",    "xr_ifaces", "xr_tx_ports",      "xr_local4",   "xr_local6",
    "xr_fib6_tbl24", "xr_fib6_lines",
};

template <typename Key, typename Value>
MapCopy<Key, Value>::MapCopy(const ForwardingMaps& maps, ForwardingMap which)
    : map_(Checked(maps, which)), writes_(map_->writes()) {
  if (map_->keySize() != sizeof(Key) || map_->valueBytes() != sizeof(Value)) {
    throw SysError::Argument("map '" + map_->name() + "' given as " + kForwardingMapNames[which] + " has " +
                             std::to_string(map_->keySize()) + "-byte keys and " +
                             std::to_string(map_->valueBytes()) + "-byte values, not " + std::to_string(sizeof(Key)) +
                             " and " + std::to_string(sizeof(Value)) + " (bpf/lib/layout.h)");
  }
}

template <typename Key, typename Value>
size_t MapCopy<Key, Value>::KeyHash::operator()(const Key& key) const {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&key);
  uint64_t hash = kFnvOffset;
  for (size_t i = 0; i < sizeof(Key); ++i) hash = (hash ^ bytes[i]) * kFnvPrime;
  return static_cast<size_t>(hash);
}

template <typename Key, typename Value>
void MapCopy<Key, Value>::Revalidate() {
  uint64_t writes = map_->writes();
  if (writes == writes_) return;
  // read before the entries that follow: a later write moves it again
  writes_ = writes;
  entries_.clear();
  last_ = nullptr;
}

template <typename Key, typename Value>
bool MapCopy<Key, Value>::Find(const Key& key, Value* value) {
  if (!last_ || !KeyEqual()(last_->first, key)) {
    auto found = entries_.find(key);
    if (found == entries_.end()) {
      if (entries_.size() >= kMaxCopiedEntries) entries_.clear();
      Entry entry{};
      entry.present = map_->Lookup(ByteView(reinterpret_cast<const uint8_t*>(&key), sizeof(Key)),
                                   reinterpret_cast<uint8_t*>(&entry.value));
      found = entries_.emplace(key, entry).first;
    }
    last_ = &*found;
  }
  if (!last_->second.present) return false;
  *value = last_->second.value;
  return true;
}

MappedFib4 MappedFib4::Of(const ForwardingMaps& maps) {
  return {Checked(maps, kFib4Tbl24)->Map(), Checked(maps, kFib4Tbl8)->Map()};
}

ForwardingTables::ForwardingTables(const ForwardingMaps& maps, MappedFib4 fib4)
    : fib4_(std::move(fib4)),
      tbl24_(Entries(fib4_.tbl24)),
      tbl8_(Entries(fib4_.tbl8)),
      tbl8Entries_(fib4_.tbl8->size() / sizeof(uint32_t)),
      nexthopSlotsMemory_(Checked(maps, kNexthopSlots)->Map()),
      nexthopSlots_(Entries(nexthopSlotsMemory_)),
      fib6Tbl24Memory_(Checked(maps, kFib6Tbl24)->Map()),
      fib6LinesMemory_(Checked(maps, kFib6Lines)->Map()),
      fib6Tbl24_(Entries(fib6Tbl24Memory_)),
      fib6Lines_(Entries(fib6LinesMemory_)),
      fib6LineCount_(fib6LinesMemory_->size() / sizeof(xr_fib6_line)),
      fib6_(maps, kFib6), nexthops_(maps, kNexthops), groups_(maps, kGroups), neigh4_(maps, kNeigh4),
      neigh6_(maps, kNeigh6), ifaces_(maps, kIfaces), txPorts_(maps, kTxPorts),
      local4_(maps, kLocal4), local6_(maps, kLocal6) {
  if (fib4_.tbl24->size() < sizeof(uint32_t) * XR_TBL24_ENTRIES)
    throw SysError::Argument("map '" + maps[kFib4Tbl24]->name() + "' given as xr_fib4_tbl24 is smaller than a /24 table");
  if (fib6Tbl24Memory_->size() < sizeof(uint32_t) * XR_TBL24_ENTRIES)
    throw SysError::Argument("map '" + maps[kFib6Tbl24]->name() + "' given as xr_fib6_tbl24 is smaller than a /24 table");
  if (nexthopSlotsMemory_->size() < sizeof(uint32_t) * XR_NEXTHOP_MAX)
    throw SysError::Argument("map '" + maps[kNexthopSlots]->name() + "' given as xr_nexthop_slots holds fewer than XR_NEXTHOP_MAX ids");
}

void ForwardingTables::Revalidate() {
  fib6_.Revalidate();
  nexthops_.Revalidate();
  groups_.Revalidate();
  neigh4_.Revalidate();
  neigh6_.Revalidate();
  ifaces_.Revalidate();
  txPorts_.Revalidate();
  local4_.Revalidate();
  local6_.Revalidate();
}

// The daemon publishes a tbl8 group (filled first) with one store of the
// tbl24 entry: acquire pairs with it.
bool ForwardingTables::Route4(__be32 daddr, xr_route* route) const {
  uint32_t addr = bpf_ntohl(daddr);
  uint32_t e = __atomic_load_n(&tbl24_[addr >> 8], __ATOMIC_ACQUIRE);
  if (e & (1U << XR_ENTRY_TBL8_BIT)) {
    size_t index = size_t{e & ~(1U << XR_ENTRY_TBL8_BIT)} * XR_TBL8_GROUP_SIZE + (addr & 0xff);
    if (index >= tbl8Entries_) return false;
    e = __atomic_load_n(&tbl8_[index], __ATOMIC_ACQUIRE);
  }
  return EntryRoute(e, route);
}

// xr_fib6_index_entry, word for word: the daemon publishes a node (written
// first) with one store of the entry that points at it, and a default with
// one store of its word; acquire pairs with each.
uint32_t ForwardingTables::Index6Entry(const uint8_t* a) const {
  uint32_t e = __atomic_load_n(&fib6Tbl24_[uint32_t{a[0]} << 16 | uint32_t{a[1]} << 8 | a[2]], __ATOMIC_ACQUIRE);
  uint32_t at = XR_FIB6_TBL24_BYTES, best = 0;
  auto word = [this](size_t line, size_t w) { return __atomic_load_n(&fib6Lines_[line * XR_FIB6_LINE_WORDS + w], __ATOMIC_ACQUIRE); };
  for (int n = 0; n < XR_FIB6_MAX_NODES; ++n) {
    uint32_t kind = (e >> XR_FIB6_KIND_SHIFT) & XR_FIB6_KIND_MASK;
    if (!(e & (1U << XR_ENTRY_TBL8_BIT)) || kind == XR_FIB6_TRIE || at >= XR_IN6_ALEN) break;
    size_t line = e & ((1U << XR_FIB6_KIND_SHIFT) - 1);
    if (line >= fib6LineCount_) return 0;
    if (kind == XR_FIB6_SPARSE) {
      if (uint32_t d = word(line, XR_FIB6_SPARSE_DEFAULT)) best = d;
      uint32_t head = word(line, 0);
      uint32_t runs = head & XR_FIB6_SPARSE_RUNS_MASK;
      uint32_t stride = (head >> XR_FIB6_SPARSE_STRIDE_SHIFT) & XR_FIB6_SPARSE_STRIDE_MASK;
      uint32_t key = 0;
      for (uint32_t k = 0; k < stride && at + k < XR_IN6_ALEN; ++k) key = key << 8 | a[at + k];
      e = word(line, XR_FIB6_SPARSE_ENTRIES);
      for (uint32_t k = 1; k < XR_FIB6_SPARSE_RUNS && k < runs; ++k)
        if (word(line, XR_FIB6_SPARSE_KEYS + k) <= key) e = word(line, XR_FIB6_SPARSE_ENTRIES + k);
      at += stride;
      continue;
    }
    if (uint32_t d = word(line, XR_FIB6_BITMAP_DEFAULT)) best = d;
    uint32_t key = a[at++];
    uint32_t rank = 0;
    for (uint32_t w = 0; w <= key / 32; ++w) {
      uint32_t bits = word(line, w);
      rank += __builtin_popcount(w < key / 32 ? bits : bits & (0xffffffffU >> (31 - key % 32)));
    }
    size_t entry = XR_FIB6_BITMAP_ENTRIES + rank - 1;
    if (line + entry / XR_FIB6_LINE_WORDS >= fib6LineCount_) return 0;
    e = word(line, entry);
  }
  if (e & (1U << XR_ENTRY_TBL8_BIT)) return ((e >> XR_FIB6_KIND_SHIFT) & XR_FIB6_KIND_MASK) == XR_FIB6_TRIE ? e : 0;
  return e ? e : best;
}

bool ForwardingTables::Route6(const Addr6& daddr, xr_route* route) {
  uint32_t e = Index6Entry(daddr.bytes);
  if (!(e & (1U << XR_ENTRY_TBL8_BIT))) return EntryRoute(e, route);
  xr_fib6_key key{};
  key.prefixlen = 8 * XR_IN6_ALEN;
  std::memcpy(key.addr, daddr.bytes, sizeof(key.addr));
  return fib6_.Find(key, route);
}

bool ForwardingTables::Iface(uint32_t ifindex, uint32_t vlanId, xr_iface* iface) {
  xr_iface_key key{};
  key.ifindex = ifindex;
  key.vlan_id = vlanId;
  return ifaces_.Find(key, iface);
}

bool ForwardingTables::Local4(__be32 addr) {
  uint32_t ifindex;
  return local4_.Find(addr, &ifindex);
}

bool ForwardingTables::Local6(const Addr6& addr) {
  uint32_t ifindex;
  return local6_.Find(addr, &ifindex);
}

// xr_select_nexthop: cumulative weights make a member's share of flows its
// share of the total weight; a slot of zeros is an absent entry.
bool ForwardingTables::SelectNexthop(const xr_route& route, uint32_t hash, xr_nexthop* nexthop) {
  uint32_t id = route.nexthop;
  if (route.flags & XR_ROUTE_F_GROUP) {
    xr_group group;
    if (!groups_.Find(id, &group) || !group.total_weight) return false;
    uint32_t point = hash % group.total_weight;
    uint32_t i = 0;
    for (; i < XR_MAX_GROUP_MEMBERS; ++i) {
      if (i >= group.count) return false;
      if (point < group.members[i].upper) break;
    }
    if (i >= XR_MAX_GROUP_MEMBERS) return false;
    id = group.members[i].nexthop;
  }
  return Nexthop(id, nexthop);
}

// xr_nexthop: the id's published slot (the daemon's release store: acquire
// pairs with it), then the entry there, which is never rewritten in place
bool ForwardingTables::Nexthop(uint32_t id, xr_nexthop* nexthop) {
  if (id >= XR_NEXTHOP_MAX) return false;
  uint32_t slot = __atomic_load_n(&nexthopSlots_[id], __ATOMIC_ACQUIRE);
  return slot && nexthops_.Find(slot, nexthop);
}

// xr_resolve_neigh: the gateway's MAC is the entry's; on a connected route
// the destination's neighbour is looked up
bool ForwardingTables::ResolveNeigh(const xr_nexthop& nexthop, xr_nh_family packetFamily, const uint8_t* daddr,
                                    uint8_t* mac) {
  if (nexthop.family != XR_NH_CONNECTED) {
    std::memcpy(mac, nexthop.dst_mac, XR_ETH_ALEN);
    return true;
  }
  xr_neigh neigh;
  bool found;
  if (packetFamily == XR_NH_INET) {
    xr_neigh4_key key{};
    key.ifindex = nexthop.ifindex;
    std::memcpy(&key.addr, daddr, sizeof(key.addr));
    found = neigh4_.Find(key, &neigh);
  } else {
    xr_neigh6_key key{};
    key.ifindex = nexthop.ifindex;
    std::memcpy(key.addr, daddr, sizeof(key.addr));
    found = neigh6_.Find(key, &neigh);
  }
  if (!found || !(neigh.flags & XR_NEIGH_F_VALID)) return false;
  std::memcpy(mac, neigh.mac, XR_ETH_ALEN);
  return true;
}

// xr_resolve_route, without marking a STALE neighbour's use: the program
// marks it for the frames it forwards, and a punted flow's frames keep
// passing through the program first.
xr_reason ForwardingTables::ResolveRoute(const xr_route& route, uint32_t hash, xr_nh_family packetFamily,
                                         const uint8_t* daddr, Egress* egress) {
  if (route.type != XR_ROUTE_UNICAST) return NotUnicast(route.type);
  if (!SelectNexthop(route, hash, &egress->nh)) return XR_PASS_NO_ROUTE;
  // the daemon's verdict on the egress interface and the gateway's neighbour
  if (egress->nh.state != XR_FORWARDED) return egress->nh.state;
  if (!txPorts_.Find(egress->nh.tx_slot, &egress->txIfindex)) return XR_PASS_NO_IFACE;
  if (!ResolveNeigh(egress->nh, packetFamily, daddr, egress->dstMac)) return XR_PASS_NO_NEIGH;
  return XR_FORWARDED;
}

}  // namespace xr
