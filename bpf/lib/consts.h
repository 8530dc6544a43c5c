/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants shared by the XDP programs and, through dataplane/layout.ts,
 * by userspace. test/unit/layout.test.ts checks that both sides agree.
 */
#ifndef XR_CONSTS_H
#define XR_CONSTS_H

#include <stdbool.h>

/*
 * Why the fast path did what it did with a frame. One counter per reason
 * and ingress interface. Every PASS_* leaves the frame untouched for the
 * kernel, which then forwards (or answers) it itself.
 */
enum xr_reason {
	XR_FORWARDED = 0,	/* redirected to the egress interface */
	XR_PASS_LOCAL,		/* destination is one of the router's addresses */
	XR_PASS_NO_ROUTE,	/* no FIB entry: the kernel decides */
	XR_PASS_NO_NEIGH,	/* next hop not resolved: the kernel resolves it */
	XR_PASS_TTL,		/* TTL/hop limit <= 1: the kernel sends time exceeded */
	XR_PASS_MTU,		/* too big for the egress MTU: the kernel fragments or sends frag-needed/PTB */
	XR_PASS_OPTIONS,	/* IPv4 options or IPv6 hop-by-hop header */
	XR_PASS_NOT_IP,		/* ARP, LLDP, QinQ, ... */
	XR_PASS_UNREACHABLE,	/* unreachable/prohibit route: the kernel sends the ICMP error */
	XR_DROP_BLACKHOLE,	/* blackhole route */
	XR_MALFORMED,		/* truncated or inconsistent headers: passed, the kernel drops them */
	XR_PASS_LINK_LOCAL,	/* link-local source or destination never leaves the link */
	XR_PASS_MULTICAST,	/* multicast or broadcast, L2 or L3 */
	XR_PASS_FRAGMENT,	/* fragments go up so one datagram takes one path and defrag sees it */
	XR_PASS_OTHER_HOST,	/* unicast frame for another MAC address */
	XR_PASS_NO_IFACE,	/* ingress or egress interface unknown to the fast path, or down */
	XR_PASS_MARTIAN,	/* loopback, unspecified or reserved addresses: the kernel drops them */
	XR_DROP_REWRITE,	/* no room to push a VLAN tag: dropped, the frame was already changed */
	XR_PASS_KERNEL_ROUTE,	/* a route the fast path leaves to the kernel (see XR_ROUTE_KERNEL) */
	XR_PUNTED,		/* matched a punt rule: redirected to the AF_XDP slow path */
	XR_PASS_PUNT_NO_SOCKET,	/* matched a punt rule, no AF_XDP socket on this queue: the kernel */
	XR_PASS_BAD_CHECKSUM,	/* IPv4 header checksum wrong: the kernel drops and counts it */
	XR_DROP_REDIRECT,	/* redirected, but the egress device refused the frame */
	XR_PASS_POLICY,		/* a policy rule (ip rule) could select it: the kernel routes it */
	XR_PASS_NETFILTER,	/* a netfilter rule could drop, change or track it */
	XR_PASS_VRF,		/* in or out of a VRF's interface: another table answers for it */
	XR_REASON_MAX,
};

/* Route kinds, as in rtm_type, reduced to what the fast path distinguishes. */
enum xr_route_type {
	XR_ROUTE_UNICAST = 1,
	XR_ROUTE_BLACKHOLE = 2,
	XR_ROUTE_UNREACHABLE = 3,
	XR_ROUTE_PROHIBIT = 4,
	/*
	 * The kernel's business: local/throw/nat routes, routes out of interfaces
	 * the fast path does not drive. Installed rather than left out, so that
	 * a shorter prefix the fast path does handle cannot capture its traffic.
	 */
	XR_ROUTE_KERNEL = 5,
	/*
	 * A destination a policy rule (ip rule ... to PREFIX) can send to another
	 * table: whatever the source, the kernel picks the route.
	 */
	XR_ROUTE_POLICY = 6,
	/*
	 * One of the router's own IPv4 addresses, a /32 of the DIR-24-8 index
	 * (never of the trie): the kernel's local table comes before every other,
	 * so it wins over any route, and the one index load that finds the route
	 * also finds it.
	 */
	XR_ROUTE_LOCAL = 7,
};

/* xr_route.flags */
enum xr_route_flags {
	XR_ROUTE_F_GROUP = 1 << 0,	/* nexthop names a next-hop group, not a next hop */
};

/* xr_iface.flags */
/*
 * The *_IN flags send up every frame arriving on the interface, the *_OUT
 * flags every frame the FIB sends out of it; XR_IFACE_F_VRF does both.
 */
enum xr_iface_flags {
	XR_IFACE_F_UP = 1 << 0,
	XR_IFACE_F_POLICY_IN = 1 << 1,		/* an ip rule matches its iif, or any packet */
	XR_IFACE_F_NETFILTER_IN = 1 << 2,	/* a netfilter rule matches its iifname, or any packet */
	XR_IFACE_F_NETFILTER_OUT = 1 << 3,	/* a netfilter rule matches its oifname */
	XR_IFACE_F_VRF = 1 << 4,		/* enslaved to a VRF: its table, not ours, answers */
};

/*
 * xr_ingress's word: what the ingress check needs of a device's untagged
 * xr_ifaces entry, in one load. Bits 0-47: the MAC in memory order (byte 0
 * lowest); then the slot, then enum xr_iface_flags; the top bit says the
 * word is written. 0 sends the reader to xr_ifaces.
 */
#define XR_INGRESS_SLOT_SHIFT	48
#define XR_INGRESS_SLOT_MASK	0x3ffULL
#define XR_INGRESS_FLAGS_SHIFT	58
#define XR_INGRESS_FLAGS_MASK	0x1fULL
#define XR_INGRESS_VALID	(1ULL << 63)

/* xr_iface_key.vlan_id of a device's own, untagged, traffic */
#define XR_VLAN_NONE	0

/*
 * The interface slot of frames whose ingress device the fast path does not
 * know: their counters. Known interfaces get slots from 1 up.
 */
#define XR_IFACE_SLOT_UNKNOWN	0

/* xr_neigh.flags */
enum xr_neigh_flags {
	XR_NEIGH_F_VALID = 1 << 0,	/* REACHABLE, STALE, DELAY, PROBE, PERMANENT or NOARP */
	XR_NEIGH_F_STALE = 1 << 1,	/* STALE: a use must reach the kernel (xr_neigh.used) */
};

/* xr_nexthop.flags */
enum xr_nh_flags {
	XR_NH_F_STALE = 1 << 0,		/* the gateway's entry is STALE: a use must reach the kernel */
};

/* xr_nexthop.family: which neighbour table resolves the next hop */
enum xr_nh_family {
	XR_NH_CONNECTED = 0,	/* on-link: the packet's own destination is the neighbour */
	XR_NH_INET = 4,
	XR_NH_INET6 = 6,
};

/*
 * The IPv4 FIB the program reads, DIR-24-8 as in DPDK's rte_lpm: a /24
 * table of one entry per 256 addresses, and groups of 256 entries for the
 * /24s that hold longer prefixes. One or two array reads per packet
 * against the LPM trie's walk of up to 32 nodes. An entry is 0 (no route),
 * a route (below), or, with the tbl8 bit, the index of a group.
 * Userspace keeps the trie xr_fib4 as its own record and writes both.
 */
enum xr_dir24 {
	XR_TBL24_ENTRIES = 1 << 24,
	XR_TBL8_GROUP_SIZE = 256,
	XR_TBL8_GROUPS = 65536,
	XR_ENTRY_TBL8_BIT = 31,
	/* a route: type << XR_ENTRY_TYPE_SHIFT | group bit | next-hop or group id */
	XR_ENTRY_TYPE_SHIFT = 27,
	XR_ENTRY_TYPE_MASK = 0x7,
	XR_ENTRY_GROUP_BIT = 26,
};

/*
 * The IPv6 FIB the program reads: a table indexed by the first 24 bits
 * (XR_TBL24_ENTRIES entries, encoded as the IPv4 ones), then nodes in
 * 64-byte lines of one array. A pointer entry has the top bit, the node's
 * kind and its first line. A sparse node is one line: up to seven runs of
 * equal entries over the next 8, 16 or 24 bits, their first keys and
 * entries in the line. A bitmap node takes the next 8 bits: a bit per key
 * where a run starts, then the runs' entries packed, the one for a key
 * found by counting the bits up to it (poptrie's), 1 to 17 lines. A run's
 * entry is a route, a pointer, or 0: the node's default, the longest of
 * the parent's prefixes over the whole node (0: the one above's), which
 * the walk keeps, so a shorter prefix lives in one node, never copied into
 * those below. The kind XR_FIB6_TRIE sends the address to the trie
 * xr_fib6, which holds every IPv6 route: where lines ran out, and while a
 * restart rebuilds. 300,000 prefixes of the global mix take about 224,000
 * lines (dataplane/dir6.ts's sizing note); 2^19 leave room for churn.
 */
enum xr_fib6_index {
	XR_FIB6_TBL24_BYTES = 3,	/* the first table's, XR_TBL24_ENTRIES entries */
	XR_FIB6_LINES = 1 << 19,
	XR_FIB6_LINE_WORDS = 16,
	/* a /128 below the first table: at least a byte per node */
	XR_FIB6_MAX_NODES = 16 - XR_FIB6_TBL24_BYTES,
};

/* a pointer entry: XR_ENTRY_TBL8_BIT | kind << XR_FIB6_KIND_SHIFT | line */
enum xr_fib6_pointer {
	XR_FIB6_KIND_SHIFT = 29,
	XR_FIB6_KIND_MASK = 0x3,
	XR_FIB6_SPARSE = 1,	/* one line of runs */
	XR_FIB6_BITMAP = 2,	/* run starts and packed entries, over 8 bits */
	XR_FIB6_TRIE = 3,	/* no node: ask xr_fib6 */
};

/* a sparse line of XR_FIB6_LINE_WORDS words */
enum xr_fib6_sparse {
	XR_FIB6_SPARSE_RUNS = 7,		/* at most: a key and an entry each, beside the header and the default */
	XR_FIB6_SPARSE_KEYS = 1,		/* words 1..7: each run's first key (the first is 0) */
	XR_FIB6_SPARSE_ENTRIES = 8,		/* words 8..14: each run's entry */
	XR_FIB6_SPARSE_DEFAULT = 15,
	XR_FIB6_SPARSE_RUNS_MASK = 0xff,	/* word 0: runs | stride bytes << 8 */
	XR_FIB6_SPARSE_STRIDE_SHIFT = 8,
	XR_FIB6_SPARSE_STRIDE_MASK = 0x3,
	XR_FIB6_SPARSE_MAX_STRIDE = 3,		/* bytes: a key is at most 24 bits */
};

/* a bitmap node: 256 bits in words 0..7, the default in word 8, entries from word 9 on */
enum xr_fib6_bitmap {
	XR_FIB6_BITMAP_WORDS = 8,
	XR_FIB6_BITMAP_DEFAULT = 8,
	XR_FIB6_BITMAP_ENTRIES = 9,
	XR_FIB6_BITMAP_KEYS = 256,
};

#define XR_MAX_GROUP_MEMBERS	16
#define XR_ETH_ALEN		6
#define XR_IN6_ALEN		16

#define XR_FIB4_MAX		2000000
#define XR_FIB6_MAX		500000
#define XR_NEXTHOP_MAX		65536
/*
 * Entries of xr_nexthops: a changed next hop is written to a free slot and
 * published by one store of its slot number, and its old slot is reused only
 * after a grace period, so there are more slots than ids. Slot 0 is never
 * used: an id whose slot is 0 has no next hop.
 */
#define XR_NEXTHOP_SLOTS	(2 * XR_NEXTHOP_MAX)
#define XR_GROUP_MAX		16384
#define XR_NEIGH_MAX		65536
#define XR_IFACE_MAX		1024
/*
 * xr_ingress: one word per device whose ifindex is below this, for its
 * untagged traffic; a higher ifindex, and every VLAN, is found in xr_ifaces.
 */
#define XR_INGRESS_DIRECT	4096
#define XR_LOCAL_MAX		4096
/*
 * xr_local6_filter: one bit per 16-bit hash of an IPv6 address, in 32-bit
 * words. With a few thousand addresses at most, one in 16 destinations or
 * fewer shares a bit with one of them.
 */
#define XR_LOCAL6_FILTER_BITS	65536
#define XR_LOCAL6_FILTER_WORDS	(XR_LOCAL6_FILTER_BITS / 32)
/* xr_counters: one per interface slot and reason, at slot * XR_REASON_MAX + reason */
#define XR_COUNTER_MAX		(XR_IFACE_MAX * XR_REASON_MAX)
#define XR_PUNT_MAX		1024
#define XR_XSK_MAX		64	/* receive queues with an AF_XDP socket */

#endif /* XR_CONSTS_H */
