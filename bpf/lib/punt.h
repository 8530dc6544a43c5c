/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Punt rules: traffic an operator wants handled in userspace goes to the
 * AF_XDP socket of the queue it arrived on. Only a frame the fast path would
 * forward itself is punted (the program asks after the route, neighbour and
 * MTU are resolved), so whatever needs the kernel (neighbour resolution,
 * ICMP errors) still reaches it. With no socket bound (slow path stopped) a
 * match goes up to the kernel, which forwards it: a stopped slow path never
 * black-holes.
 */
#ifndef XR_PUNT_H
#define XR_PUNT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "l4.h"
#include "maps.h"

static __always_inline const struct xr_punt *
xr_punt_match(const struct xr_punt *rule, __u8 proto, const void *l4, const void *data_end)
{
	if (!rule)
		return NULL;
	if (rule->protocol && rule->protocol != proto)
		return NULL;
	if (rule->port) {
		/* xr_l4_ports: source in the high half, destination in the low */
		__u32 ports = xr_l4_ports(proto, l4, data_end);

		if (!ports || (__be16)(ports & 0xffff) != rule->port)
			return NULL;
	}
	return rule;
}

static __always_inline void xr_punt_count(const struct xr_punt *rule, __u32 bytes)
{
	__u32 id = rule->rule_id;
	struct xr_counter *c = bpf_map_lookup_elem(&xr_punt_stats, &id);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* The XSK map slot of the socket bound to the frame's queue, in *slot; false: none. */
static __always_inline bool xr_punt_socket(struct xdp_md *ctx, __u32 *slot)
{
	struct xr_xsk_key where = { .ifindex = ctx->ingress_ifindex, .queue = ctx->rx_queue_index };
	const __u32 *found = bpf_map_lookup_elem(&xr_xsk_slots, &where);

	if (!found)
		return false;
	*slot = *found;
	return bpf_map_lookup_elem(&xr_xsks, slot) != NULL;
}

/*
 * Redirect a punted frame to its queue's socket: XR_PUNTED, or
 * XR_PASS_PUNT_NO_SOCKET when there is none (also one closed between the
 * check and the redirect), and the kernel has the frame.
 */
static __always_inline enum xr_reason xr_punt(struct xdp_md *ctx, const struct xr_punt *rule,
					      __u32 bytes)
{
	__u32 slot;

	xr_punt_count(rule, bytes);
	if (!xr_punt_socket(ctx, &slot))
		return XR_PASS_PUNT_NO_SOCKET;
	if (bpf_redirect_map(&xr_xsks, slot, XDP_PASS) != XDP_REDIRECT)
		return XR_PASS_PUNT_NO_SOCKET;
	return XR_PUNTED;
}

#endif /* XR_PUNT_H */
