/* SPDX-License-Identifier: GPL-2.0 */
/* Route -> next hop (egress interface and neighbour resolved by the daemon). Lookups only: no writes. */
#ifndef XR_FIB_H
#define XR_FIB_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "maps.h"

/* A flat array's entries (maps.h XR_FLAT_ARRAY): its one element. */
static __always_inline const void *xr_flat(void *map)
{
	const __u32 only = 0;

	return bpf_map_lookup_elem(map, &only);
}

/* Entry index of a flat array of `entries` u32s, as one load; false past its end. */
static __always_inline bool xr_flat_entry(void *map, __u32 entries, __u32 index, __u32 *e)
{
	const __u32 *table = xr_flat(map);

	if (!table || index >= entries)
		return false;
	*e = table[index];
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

/* A next hop by id: its published slot, then the entry there. */
static __always_inline const struct xr_nexthop *xr_nexthop(__u32 id)
{
	__u32 slot;

	if (!xr_flat_entry(&xr_nexthop_slots, XR_NEXTHOP_MAX, id, &slot) || !slot)
		return NULL;
	return bpf_map_lookup_elem(&xr_nexthops, &slot);
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

	if (!xr_flat_entry(&xr_fib4_tbl24, XR_TBL24_ENTRIES, addr >> 8, &e))
		return false;
	if (e & (1U << XR_ENTRY_TBL8_BIT) &&
	    !xr_flat_entry(&xr_fib4_tbl8, XR_TBL8_GROUPS * XR_TBL8_GROUP_SIZE,
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
	return xr_nexthop(id);
}

/*
 * A neighbour entry of the egress interface: the gateway's, or on a
 * connected route the destination's. Its family may differ from the
 * packet's (IPv4 routes via an IPv6 next hop, RFC 5549).
 */
static __always_inline struct xr_neigh *
xr_neigh_lookup(__u32 ifindex, __u32 family, const void *addr)
{
	struct xr_neigh *n;

	if (family == XR_NH_INET) {
		struct xr_neigh4_key k4 = { .ifindex = ifindex };

		__builtin_memcpy(&k4.addr, addr, sizeof(k4.addr));
		n = bpf_map_lookup_elem(&xr_neigh4, &k4);
	} else {
		struct xr_neigh6_key k6 = { .ifindex = ifindex };

		__builtin_memcpy(k6.addr, addr, sizeof(k6.addr));
		n = bpf_map_lookup_elem(&xr_neigh6, &k6);
	}
	if (!n || !(n->flags & XR_NEIGH_F_VALID))
		return NULL;
	return n;
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
	const struct xr_nexthop *nh;
	const __u8 *dst_mac;
};

/*
 * The neighbour's MAC for a next hop the daemon found ready. A gateway's is
 * in the entry, and only a STALE one costs a lookup, for its use mark. A
 * connected next hop's neighbour is the packet's own destination: looked up.
 */
static __always_inline enum xr_reason
xr_resolve_neigh(const struct xr_nexthop *nh, __u32 pkt_family, const void *daddr,
		 bool mark_use, struct xr_egress *eg)
{
	struct xr_neigh *neigh;

	if (nh->family != XR_NH_CONNECTED) {
		eg->dst_mac = nh->dst_mac;
		if (mark_use && (nh->flags & XR_NH_F_STALE)) {
			neigh = xr_neigh_lookup(nh->ifindex, nh->family, nh->gateway);
			if (neigh)
				xr_neigh_mark_used(neigh);
		}
		return XR_FORWARDED;
	}
	/* no neighbour yet: the kernel resolves it and netlink tells us */
	neigh = xr_neigh_lookup(nh->ifindex, pkt_family, daddr);
	if (!neigh)
		return XR_PASS_NO_NEIGH;
	/* also for a frame then passed for its size: at worst one early re-check */
	if (mark_use)
		xr_neigh_mark_used(neigh);
	eg->dst_mac = neigh->mac;
	return XR_FORWARDED;
}

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
	/*
	 * The daemon's verdict on the egress interface (unknown or down, kept
	 * apart by a VRF or a netfilter rule) and the gateway's neighbour, in
	 * that order
	 */
	if (nh->state != XR_FORWARDED)
		return nh->state;
	/*
	 * Present while the entry says XR_FORWARDED. The redirect is set up
	 * here, before the first write, so that it cannot fail after the
	 * rewrite; and it is the presence check too, one devmap access instead
	 * of two. It only records the target: unless the program returns
	 * XDP_REDIRECT, the kernel does nothing with it.
	 */
	if (bpf_redirect_map(&xr_tx_ports, nh->tx_slot, XDP_PASS) != XDP_REDIRECT)
		return XR_PASS_NO_IFACE;
	eg->nh = nh;
	return xr_resolve_neigh(nh, pkt_family, daddr, mark_use, eg);
}

#endif /* XR_FIB_H */
