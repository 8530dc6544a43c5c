// The slow path's lookups, as bpf/lib/fib.h makes them: route -> next hop
// (of a group, by the flow hash) -> its entry, which carries the daemon's
// verdict on the egress interface and the gateway's neighbour and what the
// rewrite needs (a connected next hop's neighbour is looked up). The one
// C++ module that knows the tables' values, so a change of their layout
// (bpf/lib/layout.h) is followed here alone.
//
// IPv4 and IPv6 routes and next-hop ids' slots are read where the program
// reads them: arrays mapped into this process. Every other table is read by
// system call and the entries kept: a copy is dropped as soon as its map
// has been written through the daemon's BpfMap (BpfMap::writes), checked at
// each batch, so the steady state makes no system call per packet. Where the
// IPv6 index sends an address to the LPM trie, the trie's answer is read by
// system call per destination, kept the same way.
//
// Threads: one ForwardingTables per thread; the maps and the mapped IPv4
// index are shared, the IPv6 index's arrays mapped by each (SlowPathShared,
// the slow path's, holds the IPv4 mapping alone).
#ifndef XR_NATIVE_SLOWPATH_LOOKUP_H
#define XR_NATIVE_SLOWPATH_LOOKUP_H

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include "bpf_map.h"
#include "bpf_shared.h"

namespace xr {

// The program's maps that decide where a frame goes.
enum ForwardingMap : size_t {
  kFib4Tbl24, kFib4Tbl8, kFib6, kNexthopSlots, kNexthops, kGroups, kNeigh4, kNeigh6, kIfaces, kTxPorts, kLocal4, kLocal6,
  kFib6Tbl24, kFib6Lines, kForwardingMapCount,
};
// their names in bpf/lib/maps.h, by ForwardingMap
extern const char* const kForwardingMapNames[kForwardingMapCount];
using ForwardingMaps = std::array<std::shared_ptr<BpfMap>, kForwardingMapCount>;

// The IPv4 index mapped once for every thread that reads it.
struct MappedFib4 {
  std::shared_ptr<MappedMemory> tbl24;
  std::shared_ptr<MappedMemory> tbl8;

  static MappedFib4 Of(const ForwardingMaps& maps);
};

// What a unicast route resolved to: everything the rewrite needs.
struct Egress {
  // the next hop's entry: the source MAC, tag and MTU the daemon copied into it
  xr_nexthop nh;
  uint8_t dstMac[XR_ETH_ALEN];
  // the device its tx_slot names in xr_tx_ports
  uint32_t txIfindex;
};

// Copies of one map's entries (absent ones too), valid while the map has
// not been written since they were read.
template <typename Key, typename Value>
class MapCopy {
 public:
  MapCopy(const ForwardingMaps& maps, ForwardingMap which);

  // At the start of a batch: forget what the map's writes made stale.
  void Revalidate();
  // false when the map has no such key
  bool Find(const Key& key, Value* value);

 private:
  struct KeyHash {
    size_t operator()(const Key& key) const;
  };
  struct KeyEqual {
    bool operator()(const Key& a, const Key& b) const { return std::memcmp(&a, &b, sizeof(Key)) == 0; }
  };
  struct Entry {
    bool present;
    Value value;
  };

  using Entries = std::unordered_map<Key, Entry, KeyHash, KeyEqual>;

  std::shared_ptr<BpfMap> map_;
  uint64_t writes_;
  Entries entries_;
  // the entry Find found last, or null: a batch's frames mostly share their
  // interface, next hop and neighbour, and a key compare costs less than a
  // hash (an element's address holds until it is erased)
  typename Entries::value_type* last_ = nullptr;
};

struct Addr6 {
  uint8_t bytes[XR_IN6_ALEN];
};

class ForwardingTables {
 public:
  ForwardingTables(const ForwardingMaps& maps, MappedFib4 fib4);

  // At the start of each batch, after a quiescent state.
  void Revalidate();

  // Longest-prefix match (xr_fib4_lookup); daddr in network order
  bool Route4(__be32 daddr, xr_route* route) const;
  // xr_fib6_lookup: the index's entry, or the trie's answer where the index says so
  bool Route6(const Addr6& daddr, xr_route* route);

  // the interface a frame arriving on device ifindex with tag vlanId (XR_VLAN_NONE: untagged) belongs to
  bool Iface(uint32_t ifindex, uint32_t vlanId, xr_iface* iface);
  // one of the router's own addresses
  bool Local4(__be32 addr);
  bool Local6(const Addr6& addr);

  // xr_resolve_route: XR_FORWARDED with *egress filled in, or the reason the
  // frame goes up or is dropped. hash: the flow hash, read for a group only.
  // daddr: the packet's destination (4 or 16 bytes, network order).
  xr_reason ResolveRoute(const xr_route& route, uint32_t hash, xr_nh_family packetFamily, const uint8_t* daddr,
                         Egress* egress);

 private:
  bool SelectNexthop(const xr_route& route, uint32_t hash, xr_nexthop* nexthop);
  bool Nexthop(uint32_t id, xr_nexthop* nexthop);
  bool ResolveNeigh(const xr_nexthop& nexthop, xr_nh_family packetFamily, const uint8_t* daddr, uint8_t* mac);
  // xr_fib6_index_entry: a route, 0, or a pointer of the trie's kind
  uint32_t Index6Entry(const uint8_t* addr) const;

  MappedFib4 fib4_;
  const uint32_t* tbl24_;
  const uint32_t* tbl8_;
  size_t tbl8Entries_;
  // next-hop id -> its entry's slot, published by one store
  std::shared_ptr<MappedMemory> nexthopSlotsMemory_;
  const uint32_t* nexthopSlots_;
  // the IPv6 index, mapped per thread (the arrays are shared, the mappings not)
  std::shared_ptr<MappedMemory> fib6Tbl24Memory_;
  std::shared_ptr<MappedMemory> fib6LinesMemory_;
  const uint32_t* fib6Tbl24_;
  const uint32_t* fib6Lines_;
  size_t fib6LineCount_;
  MapCopy<xr_fib6_key, xr_route> fib6_;
  MapCopy<uint32_t, xr_nexthop> nexthops_;
  MapCopy<uint32_t, xr_group> groups_;
  MapCopy<xr_neigh4_key, xr_neigh> neigh4_;
  MapCopy<xr_neigh6_key, xr_neigh> neigh6_;
  MapCopy<xr_iface_key, xr_iface> ifaces_;
  MapCopy<uint32_t, uint32_t> txPorts_;
  MapCopy<__be32, uint32_t> local4_;
  MapCopy<Addr6, uint32_t> local6_;
};

}  // namespace xr

#endif
