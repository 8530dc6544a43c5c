#include "slowpath_decide.h"

#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>

#include <cstring>

namespace xr {
namespace {

// protocol constants of bpf/lib/parse.h, ipv4.h and ipv6.h, which call BPF
// helpers and cannot be included here
constexpr uint16_t kVlanVidMask = 0x0fff;     // XR_VLAN_VID_MASK
constexpr uint16_t kVlanPcpDeiMask = 0xf000;  // XR_VLAN_PCP_DEI_MASK
constexpr size_t kVlanHlen = 4;               // struct xr_vlan_hdr
constexpr uint32_t kIpv4MinIhl = 5;           // XR_IPV4_MIN_IHL
constexpr uint16_t kIpMf = 0x2000;            // XR_IP_MF
constexpr uint16_t kIpOffset = 0x1fff;        // XR_IP_OFFSET
constexpr uint8_t kNexthdrHop = 0;            // XR_NEXTHDR_HOP
constexpr uint8_t kNexthdrFragment = 44;      // XR_NEXTHDR_FRAGMENT
constexpr uint32_t kIpv6FlowlabelMask = 0x000fffff;  // XR_IPV6_FLOWLABEL_MASK

// struct ipv6hdr, by offset: its bitfields are the compiler's to lay out
enum Ipv6Field : size_t { kIpv6PayloadLen = 4, kIpv6Nexthdr = 6, kIpv6HopLimit = 7, kIpv6Saddr = 8, kIpv6Daddr = 24, kIpv6Hlen = 40 };

struct Frame {
  const uint8_t* data;
  const uint8_t* end;
  const uint8_t* l3;
  uint32_t datagramLen;
  uint32_t ifindex;  // ingress as the kernel sees it (VLAN resolved)
  uint16_t l3Proto;  // host order
  uint16_t vlanTci;  // host order, when tagged
  bool tagged;
};

uint16_t Load16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

void Store16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, sizeof(v)); }

bool MacIsMulticast(const uint8_t* mac) { return mac[0] & 1; }

// xr_parse_l2
xr_reason ParseL2(Frame& f) {
  if (f.data + ETH_HLEN > f.end) return XR_MALFORMED;
  uint16_t proto = bpf_ntohs(Load16(f.data + 2 * ETH_ALEN));
  f.l3 = f.data + ETH_HLEN;
  if (proto == ETH_P_8021Q) {
    if (f.l3 + kVlanHlen > f.end) return XR_MALFORMED;
    f.tagged = true;
    f.vlanTci = bpf_ntohs(Load16(f.l3));
    proto = bpf_ntohs(Load16(f.l3 + 2));
    f.l3 += kVlanHlen;
  }
  if (proto != ETH_P_IP && proto != ETH_P_IPV6) return XR_PASS_NOT_IP;
  f.l3Proto = proto;
  return XR_FORWARDED;
}

// xr_check_ingress and xr_ingress_pass
xr_reason CheckIngress(ForwardingTables& tables, Frame& f) {
  xr_iface in;
  bool known = tables.Iface(f.ifindex, f.tagged ? (f.vlanTci & kVlanVidMask) : XR_VLAN_NONE, &in);
  if (f.tagged && !known) return XR_PASS_NO_IFACE;
  if (MacIsMulticast(f.data)) return XR_PASS_MULTICAST;
  if (!known) return XR_PASS_NO_IFACE;
  // a tagged frame is its VLAN interface's
  f.ifindex = in.ifindex;
  if (std::memcmp(f.data, in.mac, ETH_ALEN) != 0) return XR_PASS_OTHER_HOST;
  if (in.flags & XR_IFACE_F_VRF) return XR_PASS_VRF;
  if (in.flags & XR_IFACE_F_POLICY_IN) return XR_PASS_POLICY;
  if (in.flags & XR_IFACE_F_NETFILTER_IN) return XR_PASS_NETFILTER;
  return XR_FORWARDED;
}

// xr_l4_ports: source in the high half, destination in the low, each as
// loaded from the frame
uint32_t L4Ports(uint8_t proto, const uint8_t* l4, const uint8_t* end) {
  if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP) return 0;
  if (l4 + 4 > end) return 0;
  return (uint32_t{Load16(l4)} << 16) | Load16(l4 + 2);
}

// a /8 or /16 test on a network-order address (XR_IN_NET)
bool InNet(__be32 addr, uint32_t net, uint32_t mask) { return (bpf_ntohl(addr) & mask) == net; }
bool Ipv4Multicast(__be32 a) { return InNet(a, 0xe0000000, 0xf0000000) || a == 0xffffffff; }
bool Ipv4LinkLocal(__be32 a) { return InNet(a, 0xa9fe0000, 0xffff0000); }
bool Ipv4Martian(__be32 a) { return InNet(a, 0x00000000, 0xff000000) || InNet(a, 0x7f000000, 0xff000000); }

bool Ipv6Multicast(const uint8_t* a) { return a[0] == 0xff; }
bool Ipv6LinkLocal(const uint8_t* a) { return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; }
bool Ipv6Martian(const uint8_t* a) {
  return !Load32(a) && !Load32(a + 4) && !Load32(a + 8) && (!Load32(a + 12) || Load32(a + 12) == bpf_htonl(1));
}

// xr_rewrite_l2 and xr_trim_tail, into out: the egress's MACs and tag, then
// the datagram and nothing after it. Returns the frame's length.
uint32_t WriteFrame(const Frame& f, const Egress& eg, uint8_t* out) {
  std::memcpy(out, eg.dstMac, ETH_ALEN);
  std::memcpy(out + ETH_ALEN, eg.nh.src_mac, ETH_ALEN);
  uint8_t* l3 = out + ETH_HLEN;
  if (eg.nh.vlan_id) {
    uint16_t pcp = f.tagged ? (f.vlanTci & kVlanPcpDeiMask) : 0;
    Store16(out + 2 * ETH_ALEN, bpf_htons(ETH_P_8021Q));
    Store16(l3, bpf_htons(pcp | eg.nh.vlan_id));
    Store16(l3 + 2, bpf_htons(f.l3Proto));
    l3 += kVlanHlen;
  } else {
    Store16(out + 2 * ETH_ALEN, bpf_htons(f.l3Proto));
  }
  std::memcpy(l3, f.l3, f.datagramLen);
  return static_cast<uint32_t>(l3 - out) + f.datagramLen;
}

}  // namespace

Decision FrameDecider::Decide(const uint8_t* data, size_t length, uint32_t ingressIfindex, uint8_t* out) {
  Frame f{};
  f.data = data;
  f.end = data + length;
  f.ifindex = ingressIfindex;
  Decision d{XR_FORWARDED, 0, 0};
  auto give = [&](uint32_t reason) {
    d.outcome = reason;
    return d;
  };
  if (xr_reason r = ParseL2(f); r != XR_FORWARDED) return give(r);
  if (xr_reason r = CheckIngress(tables_, f); r != XR_FORWARDED) return give(r);

  xr_route route;
  Egress egress;
  xr_reason reason;
  if (f.l3Proto == ETH_P_IP) {
    // xr_ipv4_validate
    if (f.l3 + sizeof(iphdr) > f.end) return give(XR_MALFORMED);
    iphdr ip;
    std::memcpy(&ip, f.l3, sizeof(ip));
    if (ip.version != 4 || ip.ihl < kIpv4MinIhl) return give(XR_MALFORMED);
    uint32_t hlen = ip.ihl * 4u;
    uint32_t totLen = bpf_ntohs(ip.tot_len);
    if (totLen < hlen || f.l3 + totLen > f.end) return give(XR_MALFORMED);
    if (ip.ihl == kIpv4MinIhl && !xr_ipv4_csum_ok(&ip)) return give(XR_PASS_BAD_CHECKSUM);
    // xr_ipv4_not_forwardable
    if (Ipv4Multicast(ip.daddr)) return give(XR_PASS_MULTICAST);
    if (Ipv4LinkLocal(ip.daddr) || Ipv4LinkLocal(ip.saddr)) return give(XR_PASS_LINK_LOCAL);
    if (Ipv4Martian(ip.daddr) || Ipv4Martian(ip.saddr) || Ipv4Multicast(ip.saddr)) return give(XR_PASS_MARTIAN);
    if (tables_.Local4(ip.daddr)) return give(XR_PASS_LOCAL);
    if (ip.ihl != kIpv4MinIhl) return give(XR_PASS_OPTIONS);
    if (ip.frag_off & bpf_htons(kIpMf | kIpOffset)) return give(XR_PASS_FRAGMENT);
    if (ip.ttl <= 1) return give(XR_PASS_TTL);
    f.datagramLen = totLen;

    if (!tables_.Route4(ip.daddr, &route)) return give(XR_PASS_NO_ROUTE);
    uint32_t hash = 0;
    if (route.flags & XR_ROUTE_F_GROUP) {
      // xr_ipv4_flow_hash
      hash = xr_hash_word(seed_, ip.saddr);
      hash = xr_hash_word(hash, ip.daddr);
      hash = xr_hash_word(hash, ip.protocol);
      hash = xr_hash_final(xr_hash_word(hash, L4Ports(ip.protocol, f.l3 + hlen, f.end)));
    }
    reason = tables_.ResolveRoute(route, hash, XR_NH_INET, f.l3 + offsetof(iphdr, daddr), &egress);
    if (reason == XR_FORWARDED && f.datagramLen > egress.nh.mtu) reason = XR_PASS_MTU;
    if (reason != XR_FORWARDED) return give(reason);
    d.length = WriteFrame(f, egress, out);
    // the header was copied as it came: patch TTL and checksum in the copy
    uint8_t* outIp = out + d.length - f.datagramLen;
    xr_ipv4_decrement_ttl(&ip);
    std::memcpy(outIp, &ip, sizeof(ip));
  } else {
    // xr_ipv6_validate
    if (f.l3 + kIpv6Hlen > f.end) return give(XR_MALFORMED);
    if (f.l3[0] >> 4 != 6) return give(XR_MALFORMED);
    uint32_t payloadLen = bpf_ntohs(Load16(f.l3 + kIpv6PayloadLen));
    if (f.l3 + kIpv6Hlen + payloadLen > f.end) return give(XR_MALFORMED);
    // xr_ipv6_not_forwardable
    const uint8_t* saddr = f.l3 + kIpv6Saddr;
    const uint8_t* daddr = f.l3 + kIpv6Daddr;
    uint8_t nexthdr = f.l3[kIpv6Nexthdr];
    if (Ipv6Multicast(daddr)) return give(XR_PASS_MULTICAST);
    if (Ipv6LinkLocal(daddr) || Ipv6LinkLocal(saddr)) return give(XR_PASS_LINK_LOCAL);
    if (Ipv6Martian(daddr) || Ipv6Martian(saddr) || Ipv6Multicast(saddr)) return give(XR_PASS_MARTIAN);
    Addr6 dst;
    std::memcpy(dst.bytes, daddr, sizeof(dst.bytes));
    if (tables_.Local6(dst)) return give(XR_PASS_LOCAL);
    if (nexthdr == kNexthdrHop) return give(XR_PASS_OPTIONS);
    if (nexthdr == kNexthdrFragment) return give(XR_PASS_FRAGMENT);
    if (f.l3[kIpv6HopLimit] <= 1) return give(XR_PASS_TTL);
    f.datagramLen = kIpv6Hlen + payloadLen;

    if (!tables_.Route6(dst, &route)) return give(XR_PASS_NO_ROUTE);
    uint32_t hash = 0;
    if (route.flags & XR_ROUTE_F_GROUP) {
      // xr_ipv6_flow_hash
      hash = seed_;
      for (size_t i = 0; i < 2 * XR_IN6_ALEN; i += 4) hash = xr_hash_word(hash, Load32(saddr + i));
      uint32_t label = bpf_ntohl(Load32(f.l3)) & kIpv6FlowlabelMask;
      hash = xr_hash_word(hash, (uint32_t{nexthdr} << 24) ^ label);
      hash = xr_hash_final(xr_hash_word(hash, L4Ports(nexthdr, f.l3 + kIpv6Hlen, f.end)));
    }
    reason = tables_.ResolveRoute(route, hash, XR_NH_INET6, daddr, &egress);
    if (reason == XR_FORWARDED && f.datagramLen > egress.nh.mtu) reason = XR_PASS_MTU;
    if (reason != XR_FORWARDED) return give(reason);
    d.length = WriteFrame(f, egress, out);
    out[d.length - f.datagramLen + kIpv6HopLimit]--;
  }
  d.txIfindex = egress.txIfindex;
  return d;
}

}  // namespace xr
