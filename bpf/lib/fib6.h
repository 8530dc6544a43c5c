/* SPDX-License-Identifier: GPL-2.0 */
/* IPv6 route lookup: the index the daemon writes, and the trie where it says so. */
#ifndef XR_FIB6_H
#define XR_FIB6_H

#include <linux/in6.h>
#include "fib.h"

#define XR_FIB6_TRIE_ENTRY ((1U << XR_ENTRY_TBL8_BIT) | XR_FIB6_TRIE_GROUP)

/*
 * The trie's longest match: for the addresses the index marks as its own,
 * and the route copied out, so that the index's answer and the trie's are
 * used alike.
 */
static __always_inline bool xr_fib6_trie_lookup(const struct in6_addr *daddr, struct xr_route *rt)
{
	struct xr_fib6_key key = { .prefixlen = 128 };
	const struct xr_route *found;

	__builtin_memcpy(key.addr, daddr, sizeof(key.addr));
	found = bpf_map_lookup_elem(&xr_fib6, &key);
	if (!found)
		return false;
	*rt = *found;
	return true;
}

/*
 * IPv6 longest-prefix match in the index: the entry of the first three
 * bytes, then one entry per following byte for as long as entries point at
 * groups. A bounded loop: 14 array loads at most (a /128: one per byte
 * after the first three), four for a /48, against the trie's walk of up
 * to 128 nodes.
 */
static __always_inline bool xr_fib6_lookup(const struct in6_addr *daddr, struct xr_route *rt)
{
	__u8 a[XR_IN6_ALEN];
	__u32 level, e;

	/* on the stack: a byte read at a loop-variable offset needs no packet bounds proof */
	__builtin_memcpy(a, daddr, sizeof(a));
	if (!xr_index_entry(&xr_fib6_tbl24, (__u32)a[0] << 16 | (__u32)a[1] << 8 | a[2], &e))
		return false;
	for (level = XR_FIB6_TBL24_BYTES; level < XR_IN6_ALEN; level++) {
		if (!(e & (1U << XR_ENTRY_TBL8_BIT)) || e == XR_FIB6_TRIE_ENTRY)
			break;
		if (!xr_index_entry(&xr_fib6_tbl8,
				    (e & ~(1U << XR_ENTRY_TBL8_BIT)) * XR_TBL8_GROUP_SIZE + a[level], &e))
			return false;
	}
	if (e == XR_FIB6_TRIE_ENTRY)
		return xr_fib6_trie_lookup(daddr, rt);
	/* a pointer past the last level: a table no daemon writes; the kernel decides */
	if (e & (1U << XR_ENTRY_TBL8_BIT))
		return false;
	return xr_entry_route(e, rt);
}

#endif /* XR_FIB6_H */
