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
 * frame belongs to its VLAN interface) and check the frame is addressed to
 * it. Frames for other MACs reach us in promiscuous mode or on a bridge port;
 * the kernel drops them, and so must not we forward them.
 */
static __always_inline enum xr_reason xr_check_ingress(struct xr_frame *f)
{
	const struct ethhdr *eth = f->data;
	const struct xr_iface *in;

	if (f->tagged) {
		struct xr_vlan_key vk = {
			.ifindex = f->ifindex,
			.vlan_id = f->vlan_tci & XR_VLAN_VID_MASK,
		};
		const __u32 *vlan_ifindex = bpf_map_lookup_elem(&xr_vlans, &vk);

		if (!vlan_ifindex)
			return XR_PASS_NO_IFACE;
		f->ifindex = *vlan_ifindex;
	}

	if (xr_mac_is_multicast(eth->h_dest))
		return XR_PASS_MULTICAST;
	in = bpf_map_lookup_elem(&xr_ifaces, &f->ifindex);
	if (!in)
		return XR_PASS_NO_IFACE;
	if (!xr_mac_equal(eth->h_dest, in->mac))
		return XR_PASS_OTHER_HOST;
	return xr_ingress_pass(in);
}

#endif /* XR_INGRESS_H */
