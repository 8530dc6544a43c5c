// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv6 index's lookup alone (lib/fib6.h) over the arrays
 * dataplane/dir6.ts writes, on the fast-path benchmark's frames
 * (driver.h): the rest of the fast path left out, so its ns are the
 * index's alone.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include "../lib/fib6.h"
#include "driver.h"

char _license[] SEC("license") = "GPL";

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
