/* SPDX-License-Identifier: GPL-2.0 */
/* The fast path's maps. Names are the ones userspace opens and pins. */
#ifndef XR_MAPS_H
#define XR_MAPS_H

#include <linux/bpf.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include "layout.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XR_FIB4_MAX);
	__type(key, struct xr_fib4_key);
	__type(value, struct xr_route);
} xr_fib4 SEC(".maps");

/*
 * The arrays of 4-byte entries userspace writes through mmap, each entry
 * with one store: the index arrays (see consts.h), the next hops' slots and
 * the local-address filter. Each is one element that holds every entry, and
 * the mapping reads as a flat u32 array. The program looks element 0 up,
 * which no frame's data feeds, and reads an entry with one load at its
 * offset: entries two to an element made every read a lookup keyed by the
 * entry's index, a store and a reload through the stack and a bound check
 * in the frame's chain of dependent loads (BENCHMARKS.md, "Flat arrays").
 */
#define XR_FLAT_ARRAY(name, entries)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_ARRAY);			\
		__uint(map_flags, BPF_F_MMAPABLE);			\
		__uint(max_entries, 1);					\
		__type(key, __u32);					\
		__type(value, __u32[entries]);				\
	} name SEC(".maps")

/* DIR-24-8 */
XR_FLAT_ARRAY(xr_fib4_tbl24, XR_TBL24_ENTRIES);
XR_FLAT_ARRAY(xr_fib4_tbl8, XR_TBL8_GROUPS * XR_TBL8_GROUP_SIZE);

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XR_FIB6_MAX);
	__type(key, struct xr_fib6_key);
	__type(value, struct xr_route);
} xr_fib6 SEC(".maps");

/* The IPv6 index: a first table as large as DIR-24-8's, then its nodes' lines */
XR_FLAT_ARRAY(xr_fib6_tbl24, XR_TBL24_ENTRIES);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XR_FIB6_LINES);
	__type(key, __u32);
	__type(value, struct xr_fib6_line);
} xr_fib6_lines SEC(".maps");

/*
 * Next hops: an id (what routes and groups name) -> its slot, where one
 * store publishes a rewritten next hop; the slot -> the entry. Slot 0: no
 * next hop.
 */
XR_FLAT_ARRAY(xr_nexthop_slots, XR_NEXTHOP_MAX);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_NEXTHOP_SLOTS);
	__type(key, __u32);
	__type(value, struct xr_nexthop);
} xr_nexthops SEC(".maps");

/*
 * Groups by id: an array, whose lookups the verifier inlines. Userspace
 * keeps the ids dense; an unused id is all zero (no weight), which the
 * lookup treats as absent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XR_GROUP_MAX);
	__type(key, __u32);
	__type(value, struct xr_group);
} xr_groups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XR_NEIGH_MAX);
	__type(key, struct xr_neigh4_key);
	__type(value, struct xr_neigh);
} xr_neigh4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XR_NEIGH_MAX);
	__type(key, struct xr_neigh6_key);
	__type(value, struct xr_neigh);
} xr_neigh6 SEC(".maps");

/* No prealloc: an update's old element is freed after a grace period, never reused under a reader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XR_IFACE_MAX);
	__type(key, struct xr_iface_key);
	__type(value, struct xr_iface);
} xr_ifaces SEC(".maps");

/*
 * The untagged interface of each device below XR_INGRESS_DIRECT, as one word
 * (consts.h): an array the verifier inlines, where xr_ifaces costs a hash.
 * The daemon writes a word through mmap with one store, after the entry it
 * mirrors, and clears it before that entry goes, so a reader finds the old
 * interface or the new one, here or in xr_ifaces.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XR_INGRESS_DIRECT);
	__type(key, __u32);
	__type(value, __u64);
} xr_ingress SEC(".maps");

/*
 * Egress devices by interface slot: the only way XDP_REDIRECT reaches them.
 * An array: the slots are dense, and a redirect through it is an index, not
 * a hash walk. redirect_errors.c cannot read a DEVMAP's id, so its loader
 * hands it this map's id.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, XR_IFACE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xr_tx_ports SEC(".maps");

/*
 * The router's IPv4 addresses, the record userspace keeps: the program finds
 * them in the DIR-24-8 index (XR_ROUTE_LOCAL).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XR_LOCAL_MAX);
	__type(key, __be32);
	__type(value, __u32);	/* ifindex the address is on */
} xr_local4 SEC(".maps");

/* The router's IPv6 addresses: an exact lookup, behind xr_local6_filter. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XR_LOCAL_MAX);
	__type(key, struct in6_addr);
	__type(value, __u32);
} xr_local6 SEC(".maps");

/*
 * A bit per hash of an IPv6 address (ipv6.h xr_local6_filter_bit), in
 * 32-bit words, set while one of xr_local6's addresses has that hash: the
 * program looks an address up in xr_local6 only when its bit is set, so
 * traffic through the router costs one array load here instead of a hash
 * lookup. The daemon sets a bit after the address is in xr_local6 and
 * clears it before the last address of that hash goes, each with one store
 * through the mapping, and makes the bits say what xr_local6 says at every
 * start.
 */
XR_FLAT_ARRAY(xr_local6_filter, XR_LOCAL6_FILTER_WORDS);

/* Packets and bytes per interface slot and reason, per CPU (see XR_COUNTER_MAX). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XR_COUNTER_MAX);
	__type(key, __u32);
	__type(value, struct xr_counter);
} xr_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XR_PUNT_MAX);
	__type(key, struct xr_fib4_key);
	__type(value, struct xr_punt);
} xr_punt4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XR_PUNT_MAX);
	__type(key, struct xr_fib6_key);
	__type(value, struct xr_punt);
} xr_punt6 SEC(".maps");

/* Packets and bytes per punt rule, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XR_PUNT_MAX);
	__type(key, __u32);
	__type(value, struct xr_counter);
} xr_punt_stats SEC(".maps");

/*
 * The program serves several interfaces with one XSKMAP, and a socket only
 * takes frames of the (interface, queue) it is bound to: this map names the
 * slot of each.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XR_XSK_MAX);
	__type(key, struct xr_xsk_key);
	__type(value, __u32);
} xr_xsk_slots SEC(".maps");

/* The slow path's AF_XDP sockets, by slot. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XR_XSK_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xr_xsks SEC(".maps");

#endif /* XR_MAPS_H */
