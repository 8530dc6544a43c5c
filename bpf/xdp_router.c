// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-router's fast path: forward IPv4 and IPv6 by the FIB, next-hop and
 * neighbour maps that the daemon keeps equal to the kernel's tables. Anything
 * this program cannot finish goes up to the kernel untouched (XDP_PASS), so
 * missing state here costs speed, never packets.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include "lib/consts.h"
#include "lib/counters.h"
#include "lib/csum.h"
#include "lib/fib.h"
#include "lib/fib6.h"
#include "lib/ingress.h"
#include "lib/ipv4.h"
#include "lib/ipv6.h"
#include "lib/parse.h"
#include "lib/punt.h"
#include "lib/rewrite.h"

/* Set by the loader: a per-router seed against hash polarisation. */
volatile const __u32 xr_hash_seed = 0;
/* Set by the loader when the slow path runs: without it the verifier drops the punt stage. */
volatile const __u8 xr_punt_enabled = 0;
/*
 * Set by the loader on a second instance that is never attached: the one
 * whose BPF_PROG_TEST_RUN of a made-up frame answers LookupRoute. It counts
 * nothing, redirects nothing to a punt socket, marks no STALE neighbour's
 * use, and returns its reason (enum xr_reason) rather than the action, which
 * follows from it; so the answer is this program's own decision. Off in the
 * attached program, the verifier removes every branch on it.
 */
volatile const __u8 xr_dry_run = 0;

/* libxdp multiprog: run early, and let a passed frame reach later programs. */
struct {
	__uint(priority, 20);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xdp_router);

/*
 * What the kernel does with a frame follows from the reason it is counted
 * under: one value through the program, not an (action, reason) pair that
 * every exit would set twice.
 */
static __always_inline int xr_action(enum xr_reason reason)
{
	if (reason == XR_FORWARDED || reason == XR_PUNTED)
		return XDP_REDIRECT;
	if (reason == XR_DROP_BLACKHOLE || reason == XR_DROP_REWRITE)
		return XDP_DROP;
	return XDP_PASS;
}

/* A forwarded frame's last steps; any other reason stands as it is. */
static __always_inline enum xr_reason
xr_finish(struct xdp_md *ctx, const struct xr_frame *f, enum xr_reason reason,
	  const struct xr_egress *eg)
{
	if (reason != XR_FORWARDED)
		return reason;
	return xr_transmit(ctx, f, eg);
}

/*
 * The punt stage, for a frame the fast path is about to forward: route, next
 * hop, egress interface, neighbour and MTU are resolved and every PASS/DROP
 * decision is taken. So what the kernel must see (a neighbour to resolve, a
 * frame that needs frag-needed or packet-too-big, an unreachable route) goes
 * up exactly as without punt rules, and the slow path only gets frames it can
 * forward itself. Runs before the first write: the socket or, without one,
 * the kernel gets the frame as it arrived.
 */
static __always_inline bool xr_try_punt(struct xdp_md *ctx, const struct xr_frame *f,
					const struct xr_punt *rule, __u8 proto, const void *l4,
					enum xr_reason *reason)
{
	if (!xr_punt_match(rule, proto, l4, f->data_end))
		return false;
	if (xr_dry_run) {
		__u32 slot;

		*reason = xr_punt_socket(ctx, &slot) ? XR_PUNTED : XR_PASS_PUNT_NO_SOCKET;
		return true;
	}
	*reason = xr_punt(ctx, rule, f->len);
	return true;
}

static __always_inline enum xr_reason xr_route_ipv4(struct xdp_md *ctx, struct xr_frame *f)
{
	struct iphdr *iph = f->l3;
	struct xr_egress eg = {};
	/*
	 * Zeroed: on a frame without a route clang may still copy rt between
	 * registers, and the verifier refuses a read of one never written.
	 */
	struct xr_route rt = {};
	enum xr_reason reason;
	bool routed;

	reason = xr_ipv4_validate(iph, f->data_end);
	if (reason != XR_FORWARDED)
		return reason;
	reason = xr_ipv4_address_pass(iph);
	if (reason != XR_FORWARDED)
		return reason;
	/* a lookup has no effect: taken early, it tells a local address before the header checks */
	routed = xr_fib4_lookup(iph->daddr, &rt);
	if (routed && rt.type == XR_ROUTE_LOCAL)
		return XR_PASS_LOCAL;
	reason = xr_ipv4_header_pass(iph);
	if (reason != XR_FORWARDED)
		return reason;
	f->datagram_len = bpf_ntohs(iph->tot_len);

	if (!routed)
		return XR_PASS_NO_ROUTE;
	/* only a group needs the flow hash, and it reads into L4 */
	reason = xr_resolve_route(&rt, rt.flags & XR_ROUTE_F_GROUP ?
				  xr_ipv4_flow_hash(iph, f->data_end, xr_hash_seed) : 0,
				  XR_NH_INET, &iph->daddr, !xr_dry_run, &eg);
	if (reason == XR_FORWARDED && f->datagram_len > eg.nh->mtu)
		reason = XR_PASS_MTU;	/* the kernel fragments or sends frag-needed */
	if (xr_punt_enabled && reason == XR_FORWARDED) {
		struct xr_fib4_key key = { .prefixlen = 32, .addr = iph->daddr };
		if (xr_try_punt(ctx, f, bpf_map_lookup_elem(&xr_punt4, &key), iph->protocol,
				(void *)iph + iph->ihl * 4, &reason))
			return reason;
	}
	if (reason == XR_FORWARDED)
		xr_ipv4_decrement_ttl(iph);
	return xr_finish(ctx, f, reason, &eg);
}

static __always_inline enum xr_reason xr_route_ipv6(struct xdp_md *ctx, struct xr_frame *f)
{
	struct ipv6hdr *ip6h = f->l3;
	struct xr_egress eg = {};
	struct xr_route rt = {};	/* zeroed: see xr_route_ipv4 */
	enum xr_reason reason;

	reason = xr_ipv6_validate(ip6h, f->data_end);
	if (reason != XR_FORWARDED)
		return reason;
	reason = xr_ipv6_not_forwardable(ip6h);
	if (reason != XR_FORWARDED)
		return reason;
	f->datagram_len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);

	if (!xr_fib6_lookup(&ip6h->daddr, &rt))
		return XR_PASS_NO_ROUTE;
	reason = xr_resolve_route(&rt, rt.flags & XR_ROUTE_F_GROUP ?
				  xr_ipv6_flow_hash(ip6h, f->data_end, xr_hash_seed) : 0,
				  XR_NH_INET6, &ip6h->daddr, !xr_dry_run, &eg);
	if (reason == XR_FORWARDED && f->datagram_len > eg.nh->mtu)
		reason = XR_PASS_MTU;	/* the kernel sends packet-too-big */
	if (xr_punt_enabled && reason == XR_FORWARDED) {
		struct xr_fib6_key key = { .prefixlen = 128 };
		__builtin_memcpy(key.addr, &ip6h->daddr, sizeof(key.addr));

		if (xr_try_punt(ctx, f, bpf_map_lookup_elem(&xr_punt6, &key), ip6h->nexthdr,
				ip6h + 1, &reason))
			return reason;
	}
	if (reason == XR_FORWARDED)
		ip6h->hop_limit--;
	return xr_finish(ctx, f, reason, &eg);
}

static __always_inline enum xr_reason xr_route_frame(struct xdp_md *ctx, struct xr_frame *f)
{
	enum xr_reason reason = xr_parse_l2(f);

	if (reason != XR_FORWARDED)
		return reason;
	reason = xr_check_ingress(f);
	if (reason != XR_FORWARDED)
		return reason;
	if (f->l3_proto == bpf_htons(ETH_P_IP))
		return xr_route_ipv4(ctx, f);
	return xr_route_ipv6(ctx, f);
}

SEC("xdp")
int xdp_router(struct xdp_md *ctx)
{
	struct xr_frame f = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
		.ifindex = ctx->ingress_ifindex,
		.slot = XR_IFACE_SLOT_UNKNOWN,
	};
	enum xr_reason reason;

	f.len = f.data_end - f.data;
	reason = xr_route_frame(ctx, &f);
	if (xr_dry_run)
		return reason;
	if (f.slot == XR_IFACE_SLOT_UNKNOWN)
		f.slot = xr_device_slot(f.ifindex);
	xr_count(f.slot, reason, f.len);
	return xr_action(reason);
}

char _license[] SEC("license") = "GPL";
