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
static __always_inline enum xr_reason xr_ingress_pass(__u32 flags)
{
	/* one test for the common case, then the reasons in their order */
	if (!(flags & (XR_IFACE_F_VRF | XR_IFACE_F_POLICY_IN | XR_IFACE_F_NETFILTER_IN)))
		return XR_FORWARDED;
	if (flags & XR_IFACE_F_VRF)
		return XR_PASS_VRF;
	if (flags & XR_IFACE_F_POLICY_IN)
		return XR_PASS_POLICY;
	if (flags & XR_IFACE_F_NETFILTER_IN)
		return XR_PASS_NETFILTER;
	return XR_FORWARDED;
}

_Static_assert(XR_IFACE_MAX <= XR_INGRESS_SLOT_MASK + 1, "an interface slot fits xr_ingress's word");
_Static_assert(XR_IFACE_F_VRF <= XR_INGRESS_FLAGS_MASK, "enum xr_iface_flags fits xr_ingress's word");

/* The xr_ingress word of a device, when it has one (consts.h). */
static __always_inline bool xr_ingress_word(__u32 ifindex, __u64 *word)
{
	const __u64 *w;

	if (ifindex >= XR_INGRESS_DIRECT)
		return false;
	w = bpf_map_lookup_elem(&xr_ingress, &ifindex);
	if (!w)
		return false;
	/* one load: the word is replaced with one store */
	*word = *(const volatile __u64 *)w;
	return *word & XR_INGRESS_VALID;
}

static __always_inline __u32 xr_ingress_slot(__u64 word)
{
	return (word >> XR_INGRESS_SLOT_SHIFT) & XR_INGRESS_SLOT_MASK;
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "xr_mac_equal_word reads the frame's MAC as little-endian words"
#endif

/*
 * The word holds the MAC's byte i at bits 8i: on a little-endian CPU, what a
 * 4-byte and a 2-byte load of the frame's MAC give (two loads and two
 * compares, not six of each).
 */
static __always_inline bool xr_mac_equal_word(const __u8 *mac, __u64 word)
{
	return *(const __u32 *)mac == (__u32)word && *(const __u16 *)(mac + 4) == (__u16)(word >> 32);
}

/*
 * Find the interface the frame arrived on as the kernel names it (a tagged
 * frame belongs to its VLAN interface), in one lookup (an untagged frame's
 * in xr_ingress's array when it can), and check the frame is addressed to
 * it. Frames for other MACs reach us in promiscuous mode or on a bridge
 * port; the kernel drops them, and so must not we forward them. A VLAN id
 * of 0 (a priority tag) names no VLAN interface.
 */
static __always_inline enum xr_reason xr_check_ingress(struct xr_frame *f)
{
	const struct ethhdr *eth = f->data;
	struct xr_iface_key key = {
		.ifindex = f->ifindex,
		.vlan_id = f->tagged ? f->vlan_tci & XR_VLAN_VID_MASK : XR_VLAN_NONE,
	};
	const struct xr_iface *in = NULL;
	__u64 word;

	if (!f->tagged && xr_ingress_word(f->ifindex, &word)) {
		f->slot = xr_ingress_slot(word);
		/*
		 * A device's own MAC is unicast (the kernel refuses any other),
		 * so a frame addressed to it is not multicast: the I/G bit is
		 * only read for the frames that go up.
		 */
		if (!xr_mac_equal_word(eth->h_dest, word))
			return xr_mac_is_multicast(eth->h_dest) ? XR_PASS_MULTICAST : XR_PASS_OTHER_HOST;
		return xr_ingress_pass((word >> XR_INGRESS_FLAGS_SHIFT) & XR_INGRESS_FLAGS_MASK);
	}
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
	return xr_ingress_pass(in->flags);
}

/*
 * The counters' slot of a frame that went up before its interface was found
 * (malformed, not IP, an unknown VLAN): its device's own. A second lookup,
 * on those frames only.
 */
static __always_inline __u32 xr_device_slot(__u32 ifindex)
{
	struct xr_iface_key key = { .ifindex = ifindex, .vlan_id = XR_VLAN_NONE };
	const struct xr_iface *dev;
	__u64 word;

	if (xr_ingress_word(ifindex, &word))
		return xr_ingress_slot(word);
	dev = bpf_map_lookup_elem(&xr_ifaces, &key);

	return dev ? dev->slot : XR_IFACE_SLOT_UNKNOWN;
}

#endif /* XR_INGRESS_H */
