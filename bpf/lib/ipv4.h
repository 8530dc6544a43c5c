/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_IPV4_H
#define XR_IPV4_H

#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "hash.h"
#include "l4.h"
#include "maps.h"

#define XR_IPV4_MIN_IHL		5
#define XR_IP_MF		0x2000
#define XR_IP_OFFSET		0x1fff

/* a /8 or /16 test on a network-order address, written in host order */
#define XR_IN_NET(addr, net, mask)	((bpf_ntohl(addr) & (mask)) == (net))

static __always_inline bool xr_ipv4_is_multicast(__be32 a)
{
	return XR_IN_NET(a, 0xe0000000, 0xf0000000) || a == 0xffffffff;
}

static __always_inline bool xr_ipv4_is_link_local(__be32 a)
{
	return XR_IN_NET(a, 0xa9fe0000, 0xffff0000);	/* 169.254.0.0/16 */
}

static __always_inline bool xr_ipv4_is_martian(__be32 a)
{
	return XR_IN_NET(a, 0x00000000, 0xff000000) ||	/* 0.0.0.0/8 */
	       XR_IN_NET(a, 0x7f000000, 0xff000000);	/* 127.0.0.0/8 */
}

/*
 * Check the header is whole, consistent and intact. The total length may be
 * shorter than the frame (Ethernet padding, junk) but never longer; what
 * follows the datagram is cut off when the frame is forwarded.
 */
static __always_inline enum xr_reason
xr_ipv4_validate(const struct iphdr *iph, const void *data_end)
{
	__u32 hlen, tot_len;

	if ((void *)(iph + 1) > data_end)
		return XR_MALFORMED;
	if (iph->version != 4 || iph->ihl < XR_IPV4_MIN_IHL)
		return XR_MALFORMED;
	hlen = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < hlen || (void *)iph + tot_len > data_end)
		return XR_MALFORMED;
	/*
	 * ip_rcv drops a bad checksum before it routes (IpInCsumErrors), so it
	 * goes up ahead of the local and route decisions. A header with options
	 * goes up anyway (pass-options) and the kernel checks its sum there.
	 */
	if (iph->ihl == XR_IPV4_MIN_IHL && !xr_ipv4_csum_ok(iph))
		return XR_PASS_BAD_CHECKSUM;
	return XR_FORWARDED;
}

/*
 * The first octets of every address xr_ipv4_address_pass may pass: 0/8 and
 * 127/8 (martian), 169.254/16 (link-local), 224/4 (multicast) and
 * 255.255.255.255. Almost all traffic has neither address under one, and
 * so skips the exact checks (a dozen compares) for one load per address.
 * Volatile: the compiler would otherwise see that the exact checks give
 * the same answer on their own, and drop this shortcut as redundant.
 */
static const volatile __u8 xr_ipv4_special_octet[256] = {
	[0] = 1, [127] = 1, [169] = 1, [224 ... 239] = 1, [255] = 1,
};

static __always_inline bool xr_ipv4_maybe_special(__be32 a)
{
	return xr_ipv4_special_octet[bpf_ntohl(a) >> 24];
}

/*
 * Addresses that make a packet someone else's business than the FIB's. The
 * router's own addresses are found by the FIB lookup that follows
 * (XR_ROUTE_LOCAL), and come before xr_ipv4_header_pass's reasons.
 */
static __always_inline enum xr_reason xr_ipv4_address_pass(const struct iphdr *iph)
{
	__be32 daddr = iph->daddr;

	if (!xr_ipv4_maybe_special(daddr) && !xr_ipv4_maybe_special(iph->saddr))
		return XR_FORWARDED;

	if (xr_ipv4_is_multicast(daddr))
		return XR_PASS_MULTICAST;
	if (xr_ipv4_is_link_local(daddr) || xr_ipv4_is_link_local(iph->saddr))
		return XR_PASS_LINK_LOCAL;
	if (xr_ipv4_is_martian(daddr) || xr_ipv4_is_martian(iph->saddr) ||
	    xr_ipv4_is_multicast(iph->saddr))
		return XR_PASS_MARTIAN;
	return XR_FORWARDED;
}

/* A header the kernel must see to forward the packet. */
static __always_inline enum xr_reason xr_ipv4_header_pass(const struct iphdr *iph)
{
	if (iph->ihl != XR_IPV4_MIN_IHL)
		return XR_PASS_OPTIONS;
	if (iph->frag_off & bpf_htons(XR_IP_MF | XR_IP_OFFSET))
		return XR_PASS_FRAGMENT;
	/* the kernel sends the time-exceeded error */
	if (iph->ttl <= 1)
		return XR_PASS_TTL;
	return XR_FORWARDED;
}

static __always_inline __u32 xr_ipv4_flow_hash(const struct iphdr *iph,
					       const void *data_end, __u32 seed)
{
	__u32 h = seed;

	h = xr_hash_word(h, iph->saddr);
	h = xr_hash_word(h, iph->daddr);
	h = xr_hash_word(h, iph->protocol);
	/* fragments were passed up, so the ports are in this packet */
	h = xr_hash_word(h, xr_l4_ports(iph->protocol, (void *)iph + iph->ihl * 4, data_end));
	return xr_hash_final(h);
}

#endif /* XR_IPV4_H */
