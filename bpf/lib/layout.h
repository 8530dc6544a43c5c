/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key and value layouts of every map, the one definition on the C side.
 * dataplane/layout.ts mirrors them; test/unit/layout.test.ts compares the
 * two through the object's BTF. Fields are ordered so that no struct has
 * implicit padding: what userspace writes is exactly what the program reads.
 */
#ifndef XR_LAYOUT_H
#define XR_LAYOUT_H

#include <linux/types.h>
#include "consts.h"

/* LPM trie keys: prefixlen first, as the kernel requires */
struct xr_fib4_key {
	__u32 prefixlen;
	__be32 addr;
};

struct xr_fib6_key {
	__u32 prefixlen;
	__u8 addr[XR_IN6_ALEN];
};

/*
 * Enum-typed fields are 4 bytes like __u32; typing them puts the enums in
 * the object's BTF, where the layout test reads their values.
 */
/* a line of the IPv6 index's nodes (consts.h, enum xr_fib6_index) */
struct xr_fib6_line {
	__u32 w[XR_FIB6_LINE_WORDS];
};

struct xr_route {
	enum xr_route_type type;
	enum xr_route_flags flags;
	__u32 nexthop;		/* next-hop id, or group id with XR_ROUTE_F_GROUP */
	__u32 reserved;
};

/*
 * A next hop with everything the rewrite needs, kept current by userspace
 * on neighbour and interface changes: one load tells the program whether it
 * can forward, and how. Written whole to a free slot of xr_nexthops and then
 * published by one store in xr_nexthop_slots (see XR_NEXTHOP_SLOTS), so no
 * reader ever sees half of one.
 */
struct xr_nexthop {
	__u8 dst_mac[XR_ETH_ALEN];	/* the gateway's; unused on a connected next hop */
	__u8 src_mac[XR_ETH_ALEN];	/* the egress interface's */
	__u16 vlan_id;			/* egress tag, 0: untagged */
	__u16 reserved;
	__u32 mtu;			/* the egress interface's */
	__u32 tx_slot;			/* egress interface's slot: its entry of xr_tx_ports */
	__u32 ifindex;			/* egress interface (a VLAN interface's own index) */
	enum xr_nh_family family;
	/*
	 * XR_FORWARDED: ready to rewrite (on a connected next hop, once the
	 * destination's neighbour is found); else why its frames go up: the
	 * egress interface unknown or down, kept apart, or the gateway unresolved
	 */
	enum xr_reason state;
	enum xr_nh_flags flags;
	__u8 gateway[XR_IN6_ALEN];	/* IPv4 in the first four bytes */
};

struct xr_group_member {
	__u32 nexthop;		/* next-hop id */
	__u32 upper;		/* cumulative weight: chosen when hash % total < upper */
};

struct xr_group {
	__u32 count;
	__u32 total_weight;
	struct xr_group_member members[XR_MAX_GROUP_MEMBERS];
};

struct xr_neigh4_key {
	__u32 ifindex;
	__be32 addr;
};

struct xr_neigh6_key {
	__u32 ifindex;
	__u8 addr[XR_IN6_ALEN];
};

struct xr_neigh {
	__u8 mac[XR_ETH_ALEN];
	__u16 flags;		/* enum xr_neigh_flags */
	__u32 used;		/* set by the program: forwarded through while STALE */
};

/*
 * Interfaces by what a frame arrives with: its device and its 802.1Q tag
 * (XR_VLAN_NONE untagged). A tagged frame belongs to the VLAN interface
 * found here; untagged, to the device itself.
 */
struct xr_iface_key {
	__u32 ifindex;
	__u32 vlan_id;
};

/*
 * An interface: the one lookup a frame's ingress costs. A change replaces
 * the whole value (a hash map's update links a new element and frees the old
 * one after a grace period), so a reader sees the old or the new interface.
 * Its slot indexes its counters and its entry of xr_tx_ports; its egress
 * side reaches the program through the next hops, which carry a copy.
 */
struct xr_iface {
	__u8 mac[XR_ETH_ALEN];
	__u16 vlan_id;		/* 0: untagged */
	__u32 mtu;
	__u32 ifindex;		/* the interface's own index (a VLAN interface's, not its device's) */
	__u32 slot;		/* dense, 1 .. XR_IFACE_MAX - 1 */
	__u32 tx_ifindex;	/* device frames leave by: the VLAN's lower device, or itself */
	enum xr_iface_flags flags;
};

/*
 * A punt rule, the value of xr_punt4/xr_punt6 (keyed like the FIBs): the
 * longest matching punt prefix decides; its protocol and port, when set,
 * must match too.
 */
struct xr_punt {
	__u32 rule_id;		/* index in xr_punt_stats */
	__u8 protocol;		/* IPPROTO_*, 0: any */
	__u8 reserved;
	__be16 port;		/* destination port (TCP/UDP), 0: any */
};

/* Where a receive queue's AF_XDP socket sits in xr_xsks. */
struct xr_xsk_key {
	__u32 ifindex;
	__u32 queue;
};

struct xr_counter {
	__u64 packets;
	__u64 bytes;
};

#endif /* XR_LAYOUT_H */
