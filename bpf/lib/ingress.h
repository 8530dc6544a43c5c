/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_INGRESS_H
#define XR_INGRESS_H

#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "maps.h"
#include "parse.h"

/*
 * Traffic of an interface the kernel treats apart (a VRF's table, a policy
 * rule on its iif, a netfilter rule on its iifname): all of it goes up.
 */
static __always_inline enum xr_reason xr_ingress_pass(const struct xr_iface *in)
{
	if (in->flags & XR_IFACE_F_VRF)
		return XR_PASS_VRF;
	if (in->flags & XR_IFACE_F_POLICY_IN)
		return XR_PASS_POLICY;
	if (in->flags & XR_IFACE_F_NETFILTER_IN)
		return XR_PASS_NETFILTER;
	return XR_FORWARDED;
}

/*
 * Find the interface the frame arrived on as the kernel names it (a tagged
 * frame belongs to its VLAN interface), in one lookup, and check the frame
 * is addressed to it. Frames for other MACs reach us in promiscuous mode or
 * on a bridge port; the kernel drops them, and so must not we forward them.
 * A VLAN id of 0 (a priority tag) names no VLAN interface.
 */
static __always_inline enum xr_reason xr_check_ingress(struct xr_frame *f)
{
	const struct ethhdr *eth = f->data;
	struct xr_iface_key key = {
		.ifindex = f->ifindex,
		.vlan_id = f->tagged ? f->vlan_tci & XR_VLAN_VID_MASK : XR_VLAN_NONE,
	};
	const struct xr_iface *in = NULL;

	if (!f->tagged || key.vlan_id != XR_VLAN_NONE)
		in = bpf_map_lookup_elem(&xr_ifaces, &key);
	if (in)
		f->slot = in->slot;
	else if (f->tagged)
		return XR_PASS_NO_IFACE;

	if (xr_mac_is_multicast(eth->h_dest))
		return XR_PASS_MULTICAST;
	if (!in)
		return XR_PASS_NO_IFACE;
	if (!xr_mac_equal(eth->h_dest, in->mac))
		return XR_PASS_OTHER_HOST;
	return xr_ingress_pass(in);
}

/*
 * The counters' slot of a frame that went up before its interface was found
 * (malformed, not IP, an unknown VLAN): its device's own. A second lookup,
 * on those frames only.
 */
static __always_inline __u32 xr_device_slot(__u32 ifindex)
{
	struct xr_iface_key key = { .ifindex = ifindex, .vlan_id = XR_VLAN_NONE };
	const struct xr_iface *dev = bpf_map_lookup_elem(&xr_ifaces, &key);

	return dev ? dev->slot : XR_IFACE_SLOT_UNKNOWN;
}

#endif /* XR_INGRESS_H */
