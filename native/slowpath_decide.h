// The slow path's decision for one frame, taken as xdp_router.c takes it:
// parse Ethernet and one 802.1Q tag, check the ingress interface, validate
// IPv4/IPv6, look the route up and resolve it, check the MTU; and for a
// frame it forwards, the frame as the program sends it (MACs, tag, TTL or
// hop limit and checksum, nothing after the datagram). XDP punts only what
// it could forward itself, so any other decision means the tables changed
// in between: it names XDP's reason for the frame now.
#ifndef XR_NATIVE_SLOWPATH_DECIDE_H
#define XR_NATIVE_SLOWPATH_DECIDE_H

#include <cstddef>
#include <cstdint>

#include "slowpath_lookup.h"

namespace xr {

// Outcomes beyond the program's reasons, which only userspace meets.
enum SlowPathOutcome : uint32_t {
  kOutcomeNoSocket = XR_REASON_MAX,  // no AF_XDP socket on the egress device
  kOutcomeTxFull,                    // its TX ring had no room
  kOutcomeCount,
};

struct Decision {
  // enum xr_reason (XR_FORWARDED: sent on), or a SlowPathOutcome
  uint32_t outcome;
  // forwarded: the device it leaves by (xr_iface.tx_ifindex) and its length
  uint32_t txIfindex;
  uint32_t length;
};

class FrameDecider {
 public:
  // The rewrite may push a tag: out needs this much more room than the frame.
  static constexpr size_t kRewriteGrowth = 4;

  // seed: the program's xr_hash_seed, so a group sends a flow where XDP does
  FrameDecider(ForwardingTables& tables, uint32_t hashSeed) : tables_(tables), seed_(hashSeed) {}

  // out: room for length + kRewriteGrowth bytes; written when forwarded.
  Decision Decide(const uint8_t* frame, size_t length, uint32_t ingressIfindex, uint8_t* out);

 private:
  ForwardingTables& tables_;
  uint32_t seed_;
};

}  // namespace xr

#endif
