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
/* two DIR-24-8 entries: an array element is 8-byte aligned, so none is wasted */
struct xr_entry_pair {
	__u32 entry[XR_ENTRIES_PER_ELEM];
};

struct xr_route {
	enum xr_route_type type;
	enum xr_route_flags flags;
	__u32 nexthop;		/* next-hop id, or group id with XR_ROUTE_F_GROUP */
	__u32 reserved;
};

struct xr_nexthop {
	__u32 ifindex;		/* egress interface (a VLAN interface's own index) */
	enum xr_nh_family family;
	__u8 gateway[XR_IN6_ALEN]; /* IPv4 in the first four bytes */
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

struct xr_iface {
	__u8 mac[XR_ETH_ALEN];
	__u16 vlan_id;		/* 0: untagged */
	__u32 mtu;
	__u32 tx_ifindex;	/* device frames leave by: the VLAN's lower device, or itself */
	enum xr_iface_flags flags;
};

/* A tagged frame arriving on ifindex belongs to the VLAN interface found here. */
struct xr_vlan_key {
	__u32 ifindex;
	__u32 vlan_id;
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

struct xr_counter_key {
	__u32 ifindex;
	enum xr_reason reason;
};

struct xr_counter {
	__u64 packets;
	__u64 bytes;
};

#endif /* XR_LAYOUT_H */
