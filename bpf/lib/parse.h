/* SPDX-License-Identifier: GPL-2.0 */
/* Ethernet and 802.1Q parsing, and the frame state the fast path carries. */
#ifndef XR_PARSE_H
#define XR_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "consts.h"

#define XR_VLAN_VID_MASK	0x0fff
#define XR_VLAN_PCP_DEI_MASK	0xf000

struct xr_vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

/* What the parser learned about one frame. */
struct xr_frame {
	void *data;
	void *data_end;
	void *l3;		/* IPv4 or IPv6 header */
	__u32 datagram_len;	/* by the IP header; anything after it is padding or junk */
	__u32 len;		/* frame length on arrival, for the byte counters */
	__u32 ifindex;		/* ingress device */
	__u32 slot;		/* ingress interface's slot (VLAN resolved), once found */
	__be16 l3_proto;	/* ETH_P_IP or ETH_P_IPV6, network order */
	__u16 vlan_tci;		/* host order, valid when tagged */
	bool tagged;
};

static __always_inline bool xr_mac_is_multicast(const __u8 *mac)
{
	/* the I/G bit: also set in the broadcast address */
	return mac[0] & 1;
}

static __always_inline bool xr_mac_equal(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] &&
	       a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
}

/*
 * Parse Ethernet and at most one 802.1Q tag. Returns XR_FORWARDED when an IP
 * header follows (not yet checked), else the reason to pass the frame up.
 */
static __always_inline enum xr_reason xr_parse_l2(struct xr_frame *f)
{
	struct ethhdr *eth = f->data;
	__be16 proto;

	if ((void *)(eth + 1) > f->data_end)
		return XR_MALFORMED;
	proto = eth->h_proto;
	f->l3 = eth + 1;

	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct xr_vlan_hdr *vh = f->l3;

		if ((void *)(vh + 1) > f->data_end)
			return XR_MALFORMED;
		f->tagged = true;
		f->vlan_tci = bpf_ntohs(vh->tci);
		proto = vh->encapsulated_proto;
		f->l3 = vh + 1;
	}

	/* a second tag (QinQ) or any other protocol is the kernel's business */
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return XR_PASS_NOT_IP;
	f->l3_proto = proto;
	return XR_FORWARDED;
}

#endif /* XR_PARSE_H */
