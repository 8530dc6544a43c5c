// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv6 index's lookup alone, layout against layout, on the fast-path
 * benchmark's frames (driver.h): the product's lookup (lib/fib6.h) over the
 * arrays dataplane/dir6.ts writes, and a candidate layout that
 * bench/index6-candidate.ts builds whole (no updates). The rest of the fast
 * path is left out, so the difference is the index's alone.
 *
 * The candidate keeps the /24 table; below it every node is 64-byte lines
 * in one array, two kinds of them. A sparse node is one line: its runs of
 * equal entries (first key and entry of each), over the next 8, 16 or 24
 * bits, searched in the line. A bitmap node (poptrie's) takes the next 8
 * bits: a bit per key where a run starts, then the runs' entries packed,
 * the one for a key found by counting the bits up to it. Most nodes of the
 * global table's mix hold one or two routes or pointers, so 300,000
 * prefixes take about 14 MiB of lines against 317 MiB of 256-entry groups,
 * and a lookup touches a few pages where the groups touch one per level.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include "../lib/fib6.h"
#include "driver.h"

char _license[] SEC("license") = "GPL";

/* the nodes' array: 64-byte lines, room for 300,000 prefixes of the mix with a margin */
enum xrb_cand_lines {
	XRB_LINE_WORDS = 16,
	XRB_CAND_LINES = 1 << 19,
	/* a /128 after the /24 table: 13 bytes, one node each at most */
	XRB_CAND_MAX_NODES = XR_IN6_ALEN - XR_FIB6_TBL24_BYTES,
};

/* an entry: a route as in the product's index, or with the top bit a pointer, kind << 29 | line */
enum xrb_cand_pointer {
	XRB_CAND_PTR_BIT = 31,
	XRB_CAND_KIND_SHIFT = 29,
	XRB_CAND_KIND_MASK = 0x3,
	XRB_CAND_SPARSE = 1,
};

/* sparse: word 0 runs | stride bytes << 8; first keys from word 1, entries from word 8 */
enum xrb_sparse {
	XRB_SPARSE_RUNS = 7,
	XRB_SPARSE_KEYS = 1,
	XRB_SPARSE_ENTRIES = 8,
	XRB_SPARSE_RUNS_MASK = 0xff,
};

enum xrb_sparse_stride {
	XRB_SPARSE_STRIDE_SHIFT = 8,
	XRB_SPARSE_STRIDE_MASK = 0x3,
	XRB_SPARSE_MAX_STRIDE = 3,
};

/* bitmap (kind 2): 256 bits in words 0..7, entries from word 8 on */
#define XRB_BITMAP_ENTRIES 8

struct xrb_line {
	__u32 w[XRB_LINE_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XR_TBL24_ENTRIES / XR_ENTRIES_PER_ELEM);
	__type(key, __u32);
	__type(value, struct xr_entry_pair);
} xrb_cand_tbl24 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XRB_CAND_LINES);
	__type(key, __u32);
	__type(value, struct xrb_line);
} xrb_cand_lines SEC(".maps");

static __always_inline int xrb_dst6(struct xdp_md *ctx, struct in6_addr *dst)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

	if ((void *)(ip6 + 1) > data_end)
		return -1;
	*dst = ip6->daddr;
	return 0;
}

/* the product's lookup: found or not is the verdict (every frame's destination has a route) */
static __always_inline int xrb_fib6_index(struct xdp_md *ctx)
{
	struct in6_addr dst;
	struct xr_route rt;

	if (xrb_dst6(ctx, &dst))
		return XDP_ABORTED;
	return xr_fib6_lookup(&dst, &rt) ? XDP_REDIRECT : XDP_PASS;
}

/* the product's lookup, driven over the benchmark's frames (driver.h) */
SEC("xdp")
int xdp_fib6_index_driven(struct xdp_md *ctx)
{
	return XRB_DRIVE(ctx, xrb_fib6_index);
}

/* the bytes of the address a sparse line resolves: 1 to 3 */
static __always_inline __u32 xrb_sparse_stride(const struct xrb_line *l)
{
	return (l->w[0] >> XRB_SPARSE_STRIDE_SHIFT) & XRB_SPARSE_STRIDE_MASK;
}

/* the entry of the run that the key at byte `at` of a falls in */
static __always_inline __u32 xrb_sparse_entry(const struct xrb_line *l, const __u8 *a, __u32 at)
{
	__u32 runs = l->w[0] & XRB_SPARSE_RUNS_MASK, stride = xrb_sparse_stride(l);
	__u32 key = 0, k, e;

	for (k = 0; k < XRB_SPARSE_MAX_STRIDE; k++)
		if (k < stride && at + k < XR_IN6_ALEN)
			key = key << 8 | a[(at + k) & (XR_IN6_ALEN - 1)];
	e = l->w[XRB_SPARSE_ENTRIES];
#pragma unroll
	for (k = 1; k < XRB_SPARSE_RUNS; k++)
		if (k < runs && l->w[XRB_SPARSE_KEYS + k] <= key)
			e = l->w[XRB_SPARSE_ENTRIES + k];
	return e;
}

/* the index, among the node's packed entries, of the run that key falls in */
static __always_inline __u32 xrb_bitmap_rank(const struct xrb_line *l, __u32 key)
{
	const __u64 *bits = (const __u64 *)l->w;
	__u32 word = key / 64, rank = 0;

	if (word > 0)
		rank += __builtin_popcountll(bits[0]);
	if (word > 1)
		rank += __builtin_popcountll(bits[1]);
	if (word > 2)
		rank += __builtin_popcountll(bits[2]);
	/* the bits up to and including key's */
	return rank + __builtin_popcountll(bits[word & 3] & (~0ULL >> (63 - key % 64))) - 1;
}

static __always_inline bool xrb_candidate6_lookup(const struct in6_addr *dst)
{
	__u8 a[XR_IN6_ALEN];
	__u32 at = XR_FIB6_TBL24_BYTES, e, line, n, word;
	const struct xrb_line *l;

	__builtin_memcpy(a, dst, sizeof(a));
	if (!xr_index_entry(&xrb_cand_tbl24, (__u32)a[0] << 16 | (__u32)a[1] << 8 | a[2], &e))
		return false;
	for (n = 0; n < XRB_CAND_MAX_NODES; n++) {
		if (!(e & (1U << XRB_CAND_PTR_BIT)) || at >= XR_IN6_ALEN)
			break;
		line = e & ((1U << XRB_CAND_KIND_SHIFT) - 1);
		l = bpf_map_lookup_elem(&xrb_cand_lines, &line);
		if (!l)
			return false;
		if (((e >> XRB_CAND_KIND_SHIFT) & XRB_CAND_KIND_MASK) == XRB_CAND_SPARSE) {
			e = xrb_sparse_entry(l, a, at);
			at += xrb_sparse_stride(l);
			continue;
		}
		word = XRB_BITMAP_ENTRIES + xrb_bitmap_rank(l, a[at & (XR_IN6_ALEN - 1)]);
		at++;
		line += word / XRB_LINE_WORDS;
		l = bpf_map_lookup_elem(&xrb_cand_lines, &line);
		if (!l)
			return false;
		e = l->w[word % XRB_LINE_WORDS];
	}
	return e && !(e & (1U << XRB_CAND_PTR_BIT));
}

static __always_inline int xrb_candidate6_index(struct xdp_md *ctx)
{
	struct in6_addr dst;

	if (xrb_dst6(ctx, &dst))
		return XDP_ABORTED;
	return xrb_candidate6_lookup(&dst) ? XDP_REDIRECT : XDP_PASS;
}

/* the candidate's, over the same frames */
SEC("xdp")
int xdp_candidate6_index_driven(struct xdp_md *ctx)
{
	return XRB_DRIVE(ctx, xrb_candidate6_index);
}
