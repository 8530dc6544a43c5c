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

}  // namespace

const char* const kForwardingMapNames[kForwardingMapCount] = {
    "xr_fib4_tbl24", "xr_fib4_tbl8", "xr_fib6",      "xr_nexthops", "xr_groups", "xr_neigh4",
    "xr_neigh6",     "xr_ifaces",    "xr_tx_ports",  "xr_vlans",    "xr_local4", "xr_local6",
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
}

template <typename Key, typename Value>
bool MapCopy<Key, Value>::Find(const Key& key, Value* value) {
  auto found = entries_.find(key);
  if (found == entries_.end()) {
    if (entries_.size() >= kMaxCopiedEntries) entries_.clear();
    Entry entry{};
    entry.present = map_->Lookup(ByteView(reinterpret_cast<const uint8_t*>(&key), sizeof(Key)),
                                 reinterpret_cast<uint8_t*>(&entry.value));
    found = entries_.emplace(key, entry).first;
  }
  if (!found->second.present) return false;
  *value = found->second.value;
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
      fib6_(maps, kFib6), nexthops_(maps, kNexthops), groups_(maps, kGroups), neigh4_(maps, kNeigh4),
      neigh6_(maps, kNeigh6), ifaces_(maps, kIfaces), txPorts_(maps, kTxPorts), vlans_(maps, kVlans),
      local4_(maps, kLocal4), local6_(maps, kLocal6) {
  if (fib4_.tbl24->size() < sizeof(uint32_t) * XR_TBL24_ENTRIES)
    throw SysError::Argument("map '" + maps[kFib4Tbl24]->name() + "' given as xr_fib4_tbl24 is smaller than a /24 table");
}

void ForwardingTables::Revalidate() {
  fib6_.Revalidate();
  nexthops_.Revalidate();
  groups_.Revalidate();
  neigh4_.Revalidate();
  neigh6_.Revalidate();
  ifaces_.Revalidate();
  txPorts_.Revalidate();
  vlans_.Revalidate();
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
  if (!e) return false;
  route->type = static_cast<xr_route_type>((e >> XR_ENTRY_TYPE_SHIFT) & XR_ENTRY_TYPE_MASK);
  route->flags = static_cast<xr_route_flags>(e & (1U << XR_ENTRY_GROUP_BIT) ? XR_ROUTE_F_GROUP : 0);
  route->nexthop = e & ((1U << XR_ENTRY_GROUP_BIT) - 1);
  route->reserved = 0;
  return true;
}

bool ForwardingTables::Route6(const Addr6& daddr, xr_route* route) {
  xr_fib6_key key{};
  key.prefixlen = 8 * XR_IN6_ALEN;
  std::memcpy(key.addr, daddr.bytes, sizeof(key.addr));
  return fib6_.Find(key, route);
}

bool ForwardingTables::Iface(uint32_t ifindex, xr_iface* iface) { return ifaces_.Find(ifindex, iface); }

bool ForwardingTables::Local4(__be32 addr) {
  uint32_t ifindex;
  return local4_.Find(addr, &ifindex);
}

bool ForwardingTables::Local6(const Addr6& addr) {
  uint32_t ifindex;
  return local6_.Find(addr, &ifindex);
}

bool ForwardingTables::VlanIface(uint32_t ifindex, uint32_t vlanId, uint32_t* vlanIfindex) {
  xr_vlan_key key{};
  key.ifindex = ifindex;
  key.vlan_id = vlanId;
  return vlans_.Find(key, vlanIfindex);
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
  return nexthops_.Find(id, nexthop) && nexthop->ifindex;
}

// xr_egress_iface: known, up, and its transmit device in the devmap
bool ForwardingTables::EgressIface(uint32_t ifindex, xr_iface* iface) {
  if (!ifaces_.Find(ifindex, iface) || !(iface->flags & XR_IFACE_F_UP)) return false;
  uint32_t port;
  return txPorts_.Find(iface->tx_ifindex, &port);
}

// xr_resolve_neigh: the gateway, or on a connected route the destination
bool ForwardingTables::ResolveNeigh(const xr_nexthop& nexthop, xr_nh_family packetFamily, const uint8_t* daddr,
                                    xr_neigh* neigh) {
  const uint8_t* addr = nexthop.gateway;
  xr_nh_family family = nexthop.family;
  if (family == XR_NH_CONNECTED) {
    family = packetFamily;
    addr = daddr;
  }
  bool found;
  if (family == XR_NH_INET) {
    xr_neigh4_key key{};
    key.ifindex = nexthop.ifindex;
    std::memcpy(&key.addr, addr, sizeof(key.addr));
    found = neigh4_.Find(key, neigh);
  } else {
    xr_neigh6_key key{};
    key.ifindex = nexthop.ifindex;
    std::memcpy(key.addr, addr, sizeof(key.addr));
    found = neigh6_.Find(key, neigh);
  }
  return found && (neigh->flags & XR_NEIGH_F_VALID);
}

// xr_resolve_route, without marking a STALE neighbour's use: the program
// marks it for the frames it forwards, and a punted flow's frames keep
// passing through the program first.
xr_reason ForwardingTables::ResolveRoute(const xr_route& route, uint32_t hash, xr_nh_family packetFamily,
                                         const uint8_t* daddr, Egress* egress) {
  if (route.type != XR_ROUTE_UNICAST) return NotUnicast(route.type);
  xr_nexthop nexthop;
  if (!SelectNexthop(route, hash, &nexthop)) return XR_PASS_NO_ROUTE;
  if (!EgressIface(nexthop.ifindex, &egress->iface)) return XR_PASS_NO_IFACE;
  // xr_egress_pass
  if (egress->iface.flags & XR_IFACE_F_VRF) return XR_PASS_VRF;
  if (egress->iface.flags & XR_IFACE_F_NETFILTER_OUT) return XR_PASS_NETFILTER;
  if (!ResolveNeigh(nexthop, packetFamily, daddr, &egress->neigh)) return XR_PASS_NO_NEIGH;
  return XR_FORWARDED;
}

}  // namespace xr
