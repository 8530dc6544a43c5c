/* SPDX-License-Identifier: GPL-2.0 */
/* IPv6 route lookup: the index the daemon writes, and the trie where it says so. */
#ifndef XR_FIB6_H
#define XR_FIB6_H

#include <linux/in6.h>
#include "fib.h"

#define XR_FIB6_POINTER (1U << XR_ENTRY_TBL8_BIT)

static __always_inline __u32 xr_fib6_kind(__u32 e)
{
	return (e >> XR_FIB6_KIND_SHIFT) & XR_FIB6_KIND_MASK;
}

/* the bytes of the address a sparse line resolves: 1 to 3 */
static __always_inline __u32 xr_fib6_sparse_stride(const struct xr_fib6_line *l)
{
	return (l->w[0] >> XR_FIB6_SPARSE_STRIDE_SHIFT) & XR_FIB6_SPARSE_STRIDE_MASK;
}

/* the entry of the run that the key at byte `at` of a falls in */
static __always_inline __u32 xr_fib6_sparse_entry(const struct xr_fib6_line *l, const struct xr_fib6_key *k6, __u32 at)
{
	__u32 runs = l->w[0] & XR_FIB6_SPARSE_RUNS_MASK, stride = xr_fib6_sparse_stride(l);
	__u32 key = 0, k, e;

	for (k = 0; k < XR_FIB6_SPARSE_MAX_STRIDE; k++)
		if (k < stride && at + k < XR_IN6_ALEN)
			key = key << 8 | k6->addr[(at + k) & (XR_IN6_ALEN - 1)];
	/* the first run starts at key 0: no compare */
	e = l->w[XR_FIB6_SPARSE_ENTRIES];
#pragma unroll
	for (k = 1; k < XR_FIB6_SPARSE_RUNS; k++)
		if (k < runs && l->w[XR_FIB6_SPARSE_KEYS + k] <= key)
			e = l->w[XR_FIB6_SPARSE_ENTRIES + k];
	return e;
}

/* the word, counted from the node's first line, of the entry of the run that key falls in */
static __always_inline __u32 xr_fib6_bitmap_word(const struct xr_fib6_line *l, __u32 key)
{
	const __u64 *bits = (const __u64 *)l->w;
	__u32 word = key / 64, rank = 0;

	if (word > 0)
		rank += __builtin_popcountll(bits[0]);
	if (word > 1)
		rank += __builtin_popcountll(bits[1]);
	if (word > 2)
		rank += __builtin_popcountll(bits[2]);
	/* the bits up to and including key's; bit 0 is always set, so the rank is at least 1 */
	rank += __builtin_popcountll(bits[word & 3] & (~0ULL >> (63 - key % 64)));
	return XR_FIB6_BITMAP_ENTRIES + rank - 1;
}

/*
 * The index's entry for the address of k6: a route, 0 for none, or a
 * pointer of the trie's kind. The entry of the first three bytes, then a
 * node per entry that points at one, each resolving one to three more
 * bytes, keeping the last default met for a run that holds none. A
 * bounded loop: a node takes at least a byte, so 13 nodes at most (a
 * /128); one line for a sparse node, two at most for a bitmap one.
 *
 * A global function: the verifier checks it once, on its own, and the
 * caller sees only the entry it returns. Inlined, every path through the
 * walk went on through the rest of the program, past the verifier's limit.
 */
__noinline __u32 xr_fib6_index_entry(const struct xr_fib6_key *k6)
{
	__u32 at = XR_FIB6_TBL24_BYTES, best = 0, e, line, n, word;
	const struct xr_fib6_line *l;

	if (!k6)
		return 0;
	if (!xr_flat_entry(&xr_fib6_tbl24, XR_TBL24_ENTRIES,
			   (__u32)k6->addr[0] << 16 | (__u32)k6->addr[1] << 8 | k6->addr[2], &e))
		return 0;
	for (n = 0; n < XR_FIB6_MAX_NODES; n++) {
		if (!(e & XR_FIB6_POINTER) || xr_fib6_kind(e) == XR_FIB6_TRIE || at >= XR_IN6_ALEN)
			break;
		line = e & ((1U << XR_FIB6_KIND_SHIFT) - 1);
		l = bpf_map_lookup_elem(&xr_fib6_lines, &line);
		if (!l)
			return 0;
		if (xr_fib6_kind(e) == XR_FIB6_SPARSE) {
			if (l->w[XR_FIB6_SPARSE_DEFAULT])
				best = l->w[XR_FIB6_SPARSE_DEFAULT];
			e = xr_fib6_sparse_entry(l, k6, at);
			at += xr_fib6_sparse_stride(l);
			continue;
		}
		if (l->w[XR_FIB6_BITMAP_DEFAULT])
			best = l->w[XR_FIB6_BITMAP_DEFAULT];
		word = xr_fib6_bitmap_word(l, k6->addr[at & (XR_IN6_ALEN - 1)]);
		at++;
		line += word / XR_FIB6_LINE_WORDS;
		l = bpf_map_lookup_elem(&xr_fib6_lines, &line);
		if (!l)
			return 0;
		e = l->w[word % XR_FIB6_LINE_WORDS];
	}
	if (e & XR_FIB6_POINTER) {
		if (xr_fib6_kind(e) == XR_FIB6_TRIE)
			return e;
		/* a pointer past the last byte: a table no daemon writes; the kernel decides */
		return 0;
	}
	return e ? e : best;
}

/*
 * IPv6 longest-prefix match: the index's entry, or where the index says
 * so (lines ran out, a restart rebuilds) the trie's, with the route copied
 * out, so that the two answers are used alike.
 */
static __always_inline bool xr_fib6_lookup(const struct in6_addr *daddr, struct xr_route *rt)
{
	struct xr_fib6_key key = { .prefixlen = 8 * XR_IN6_ALEN };
	const struct xr_route *found;
	__u32 e;

	__builtin_memcpy(key.addr, daddr, sizeof(key.addr));
	e = xr_fib6_index_entry(&key);
	if (!(e & XR_FIB6_POINTER))
		return xr_entry_route(e, rt);
	found = bpf_map_lookup_elem(&xr_fib6, &key);
	if (!found)
		return false;
	*rt = *found;
	return true;
}

#endif /* XR_FIB6_H */
