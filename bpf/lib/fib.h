/* SPDX-License-Identifier: GPL-2.0 */
/* Route -> next hop -> egress interface -> neighbour. Lookups only: no writes. */
#ifndef XR_FIB_H
#define XR_FIB_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "maps.h"

/* Entry index of a DIR array (two entries per element), as one u32 load. */
static __always_inline bool xr_index_entry(void *map, __u32 index, __u32 *e)
{
	__u32 elem = index / XR_ENTRIES_PER_ELEM;
	const struct xr_entry_pair *pair = bpf_map_lookup_elem(map, &elem);

	if (!pair)
		return false;
	*e = pair->entry[index % XR_ENTRIES_PER_ELEM];
	return true;
}

/* The route an index entry holds (both families encode it alike); 0 is none. */
static __always_inline bool xr_entry_route(__u32 e, struct xr_route *rt)
{
	if (!e)
		return false;
	rt->type = (e >> XR_ENTRY_TYPE_SHIFT) & XR_ENTRY_TYPE_MASK;
	rt->flags = e & (1U << XR_ENTRY_GROUP_BIT) ? XR_ROUTE_F_GROUP : 0;
	rt->nexthop = e & ((1U << XR_ENTRY_GROUP_BIT) - 1);
	rt->reserved = 0;
	return true;
}

/*
 * IPv4 longest-prefix match in the DIR-24-8 arrays: the /24's entry, and
 * when it names a group, the address's entry in that group. Array lookups
 * are inlined by the verifier: no hashing, at most two dependent loads.
 */
static __always_inline bool xr_fib4_lookup(__be32 daddr, struct xr_route *rt)
{
	__u32 addr = bpf_ntohl(daddr);
	__u32 e;

	if (!xr_index_entry(&xr_fib4_tbl24, addr >> 8, &e))
		return false;
	if (e & (1U << XR_ENTRY_TBL8_BIT) &&
	    !xr_index_entry(&xr_fib4_tbl8,
			    (e & ~(1U << XR_ENTRY_TBL8_BIT)) * XR_TBL8_GROUP_SIZE + (addr & 0xff), &e))
		return false;
	return xr_entry_route(e, rt);
}

/*
 * Choose one member of a group by the flow hash. Cumulative weights make a
 * member's share of flows its share of the total weight.
 */
static __always_inline const struct xr_nexthop *
xr_select_nexthop(const struct xr_route *rt, __u32 hash)
{
	const struct xr_nexthop *nh;
	__u32 id = rt->nexthop;

	if (rt->flags & XR_ROUTE_F_GROUP) {
		const struct xr_group *g = bpf_map_lookup_elem(&xr_groups, &id);
		__u32 point, i;

		if (!g || !g->total_weight)
			return NULL;
		point = hash % g->total_weight;
		for (i = 0; i < XR_MAX_GROUP_MEMBERS; i++) {
			if (i >= g->count)
				return NULL;
			if (point < g->members[i].upper)
				break;
		}
		if (i >= XR_MAX_GROUP_MEMBERS)
			return NULL;
		id = g->members[i].nexthop;
	}
	nh = bpf_map_lookup_elem(&xr_nexthops, &id);
	return nh && nh->ifindex ? nh : NULL;
}

/*
 * The egress interface, if the fast path can send on it: known, up, and its
 * transmit device present in the devmap (so the redirect cannot fail after
 * the frame has been rewritten).
 */
static __always_inline const struct xr_iface *xr_egress_iface(__u32 ifindex)
{
	const struct xr_iface *out = bpf_map_lookup_elem(&xr_ifaces, &ifindex);
	__u32 tx;

	if (!out || !(out->flags & XR_IFACE_F_UP))
		return NULL;
	tx = out->tx_ifindex;
	if (!bpf_map_lookup_elem(&xr_tx_ports, &tx))
		return NULL;
	return out;
}

/*
 * The neighbour that receives the frame: the gateway, or on a connected
 * route the destination itself. The gateway's family may differ from the
 * packet's (IPv4 routes via an IPv6 next hop, RFC 5549).
 */
static __always_inline struct xr_neigh *
xr_resolve_neigh(const struct xr_nexthop *nh, __u32 pkt_family, const void *daddr)
{
	struct xr_neigh *n;
	const void *addr = nh->gateway;
	__u32 family = nh->family;

	if (family == XR_NH_CONNECTED) {
		family = pkt_family;
		addr = daddr;
	}

	if (family == XR_NH_INET) {
		struct xr_neigh4_key k4 = { .ifindex = nh->ifindex };

		__builtin_memcpy(&k4.addr, addr, sizeof(k4.addr));
		n = bpf_map_lookup_elem(&xr_neigh4, &k4);
	} else {
		struct xr_neigh6_key k6 = { .ifindex = nh->ifindex };

		__builtin_memcpy(k6.addr, addr, sizeof(k6.addr));
		n = bpf_map_lookup_elem(&xr_neigh6, &k6);
	}
	if (!n || !(n->flags & XR_NEIGH_F_VALID))
		return NULL;
	return n;
}

/*
 * A frame the FIB sends out of an interface the kernel treats apart (a
 * netfilter rule on its oifname, a VRF's interface) goes up instead.
 */
static __always_inline enum xr_reason xr_egress_pass(const struct xr_iface *out)
{
	if (out->flags & XR_IFACE_F_VRF)
		return XR_PASS_VRF;
	if (out->flags & XR_IFACE_F_NETFILTER_OUT)
		return XR_PASS_NETFILTER;
	return XR_FORWARDED;
}

/*
 * The kernel keeps a neighbour fresh only for the packets it sends itself:
 * each one that finds the entry STALE starts the re-check (neigh_event_send:
 * STALE -> DELAY -> PROBE -> REACHABLE or FAILED). Frames the fast path
 * forwards never reach it, so a neighbour that changed its MAC unannounced
 * would stay STALE, and black-holed, for good. The program marks the use; the
 * daemon reads the mark and hands it to the kernel (NTF_USE), which then does
 * what it does for its own packets. Written once per STALE period: the
 * daemon clears it when it rewrites the entry for the kernel's next state.
 */
static __always_inline void xr_neigh_mark_used(struct xr_neigh *n)
{
	if ((n->flags & XR_NEIGH_F_STALE) && !n->used)
		n->used = 1;
}

/* What a unicast route resolved to: everything the rewrite needs. */
struct xr_egress {
	const struct xr_iface *iface;
	const struct xr_neigh *neigh;
};

/*
 * Resolve a route for a flow. Returns XR_FORWARDED with *eg filled in, or the
 * reason the frame must go up (or be dropped) instead. mark_use: the frame is
 * real traffic, so a STALE neighbour's use is marked; a lookup's made-up
 * frame must not start the kernel's re-check.
 */
static __always_inline enum xr_reason
xr_resolve_route(const struct xr_route *rt, __u32 hash, __u32 pkt_family,
		 const void *daddr, bool mark_use, struct xr_egress *eg)
{
	const struct xr_nexthop *nh;
	enum xr_reason reason;
	struct xr_neigh *neigh;

	switch (rt->type) {
	case XR_ROUTE_UNICAST:
		break;
	case XR_ROUTE_BLACKHOLE:
		return XR_DROP_BLACKHOLE;
	case XR_ROUTE_UNREACHABLE:
	case XR_ROUTE_PROHIBIT:
		/* the kernel owns the ICMP error and its rate limit */
		return XR_PASS_UNREACHABLE;
	case XR_ROUTE_KERNEL:
		return XR_PASS_KERNEL_ROUTE;
	case XR_ROUTE_POLICY:
		return XR_PASS_POLICY;
	default:
		return XR_PASS_NO_ROUTE;
	}

	nh = xr_select_nexthop(rt, hash);
	if (!nh)
		return XR_PASS_NO_ROUTE;
	eg->iface = xr_egress_iface(nh->ifindex);
	if (!eg->iface)
		return XR_PASS_NO_IFACE;
	reason = xr_egress_pass(eg->iface);
	if (reason != XR_FORWARDED)
		return reason;
	/* no neighbour yet: the kernel resolves it and netlink tells us */
	neigh = xr_resolve_neigh(nh, pkt_family, daddr);
	if (!neigh)
		return XR_PASS_NO_NEIGH;
	/* also for a frame then passed for its size: at worst one early re-check */
	if (mark_use)
		xr_neigh_mark_used(neigh);
	eg->neigh = neigh;
	return XR_FORWARDED;
}

#endif /* XR_FIB_H */
