/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The L2 rewrite and the redirect. Only called once every reason to pass the
 * frame up has been ruled out; from the first write on, a failure is a drop,
 * since the kernel must never see a half-rewritten frame.
 */
#ifndef XR_REWRITE_H
#define XR_REWRITE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "fib.h"
#include "parse.h"

#define XR_VLAN_HLEN	((int)sizeof(struct xr_vlan_hdr))

/* the MACs are copied 4 + 2 and 2 + 4 bytes at a time from these */
_Static_assert(__builtin_offsetof(struct xr_nexthop, dst_mac) % 4 == 0, "dst_mac is 4-byte aligned");
_Static_assert(__builtin_offsetof(struct xr_nexthop, src_mac) % 4 == 2, "src_mac's last 4 bytes are aligned");
_Static_assert(__builtin_offsetof(struct xr_neigh, mac) % 4 == 0, "a neighbour's mac is 4-byte aligned");

/*
 * In the fewest loads and stores: a MAC as 4 + 2 bytes or 2 + 4, as its
 * offset allows. A memcpy of a u8 array of unknown alignment is 24 byte
 * loads and stores. The sources are aligned (asserted above); the frame's
 * side may not be. The verifier allows that on CPUs with efficient
 * unaligned access (x86-64, arm64); where the kernel lacks
 * CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS it checks alignment strictly and
 * refuses this program, as it does xr_mac_equal_word's loads.
 */
static __always_inline void xr_write_macs(struct ethhdr *eth, const struct xr_egress *eg)
{
	__u8 *to = (__u8 *)eth;
	const __u8 *src = eg->nh->src_mac;

	*(__u32 *)to = *(const __u32 *)eg->dst_mac;
	*(__u16 *)(to + 4) = *(const __u16 *)(eg->dst_mac + 4);
	*(__u16 *)(to + ETH_ALEN) = *(const __u16 *)src;
	*(__u32 *)(to + ETH_ALEN + 2) = *(const __u32 *)(src + 2);
}

/*
 * Make the frame's tag match the egress interface: keep, retag, strip or
 * push one 802.1Q tag. The priority bits of an incoming tag are kept.
 */
static __always_inline int xr_rewrite_l2(struct xdp_md *ctx, const struct xr_frame *f,
					 const struct xr_egress *eg)
{
	__u16 out_vid = eg->nh->vlan_id;
	struct ethhdr *eth;
	void *data, *data_end;

	if (f->tagged && out_vid) {
		struct xr_vlan_hdr *vh = (void *)((struct ethhdr *)f->data + 1);

		if ((void *)(vh + 1) > f->data_end)
			return -1;
		vh->tci = bpf_htons((f->vlan_tci & XR_VLAN_PCP_DEI_MASK) | out_vid);
		xr_write_macs(f->data, eg);
		return 0;
	}
	if (!f->tagged && !out_vid) {
		xr_write_macs(f->data, eg);
		return 0;
	}

	/* the tag's 4 bytes go or come at the front; the MACs are rewritten anyway */
	if (bpf_xdp_adjust_head(ctx, f->tagged ? XR_VLAN_HLEN : -XR_VLAN_HLEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if (f->tagged) {
		if ((void *)(eth + 1) > data_end)
			return -1;
		eth->h_proto = f->l3_proto;
	} else {
		struct xr_vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return -1;
		eth->h_proto = bpf_htons(ETH_P_8021Q);
		vh->tci = bpf_htons(out_vid);
		vh->encapsulated_proto = f->l3_proto;
	}
	xr_write_macs(eth, eg);
	return 0;
}

/*
 * Cut what follows the datagram (Ethernet padding, junk), as ip_rcv and
 * ipv6_rcv trim the skb: what leaves is the L2 header and the datagram,
 * which the MTU check measured. The last change to the frame, since it
 * invalidates every packet pointer and nothing after it reads the frame.
 */
static __always_inline int xr_trim_tail(struct xdp_md *ctx, __u32 excess)
{
	return excess ? bpf_xdp_adjust_tail(ctx, -(int)excess) : 0;
}

/* XR_FORWARDED: the frame is rewritten for the redirect; XR_DROP_REWRITE: it could not be */
static __always_inline enum xr_reason xr_transmit(struct xdp_md *ctx, const struct xr_frame *f,
						  const struct xr_egress *eg)
{
	/* measured while f's pointers hold: a VLAN push or strip moves the head */
	long l3_len = f->data_end - f->l3;
	__u32 excess;

	/*
	 * A scalar from here on: left to itself, clang does this subtraction
	 * on the pointers in 32-bit registers, which the verifier refuses.
	 */
	barrier_var(l3_len);
	excess = l3_len - f->datagram_len;

	if (xr_rewrite_l2(ctx, f, eg))
		return XR_DROP_REWRITE;
	if (xr_trim_tail(ctx, excess))
		return XR_DROP_REWRITE;
	/* the redirect to eg->nh->tx_slot was set up by xr_resolve_route */
	return XR_FORWARDED;
}

#endif /* XR_REWRITE_H */
