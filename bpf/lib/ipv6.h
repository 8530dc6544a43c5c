/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_IPV6_H
#define XR_IPV6_H

#include <linux/in6.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include "fib.h"
#include "hash.h"
#include "l4.h"
#include "maps.h"

#define XR_NEXTHDR_HOP		0
#define XR_NEXTHDR_FRAGMENT	44
#define XR_IPV6_FLOWLABEL_MASK	0x000fffff

static __always_inline bool xr_ipv6_is_multicast(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xff;
}

static __always_inline bool xr_ipv6_is_link_local(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xfe && (a->in6_u.u6_addr8[1] & 0xc0) == 0x80;
}

/* :: and ::1 */
static __always_inline bool xr_ipv6_is_martian(const struct in6_addr *a)
{
	const __u32 *w = a->in6_u.u6_addr32;

	return !w[0] && !w[1] && !w[2] && (!w[3] || w[3] == bpf_htonl(1));
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "xr_local6_filter_bit reads the address as little-endian words, as dataplane/local6-filter.ts does"
#endif

/*
 * The address's bit in xr_local6_filter: its four 32-bit words, as loaded,
 * XORed and folded to 16 bits. Cheap rather than strong: a destination
 * that shares a bit with a local address only costs the exact lookup.
 */
static __always_inline __u32 xr_local6_filter_bit(const struct in6_addr *a)
{
	const __u32 *w = a->in6_u.u6_addr32;
	__u32 h = w[0] ^ w[1] ^ w[2] ^ w[3];

	return (h ^ (h >> 16)) & (XR_LOCAL6_FILTER_BITS - 1);
}

/* One of the router's addresses: the filter's bit first, the exact lookup only when it is set. */
static __always_inline bool xr_ipv6_is_local(const struct in6_addr *a)
{
	__u32 bit = xr_local6_filter_bit(a), word;

	if (xr_flat_entry(&xr_local6_filter, XR_LOCAL6_FILTER_WORDS, bit / 32, &word) && !(word & (1U << (bit % 32))))
		return false;
	return bpf_map_lookup_elem(&xr_local6, a) != NULL;
}

static __always_inline enum xr_reason
xr_ipv6_validate(const struct ipv6hdr *ip6h, const void *data_end)
{
	if ((void *)(ip6h + 1) > data_end)
		return XR_MALFORMED;
	if (ip6h->version != 6)
		return XR_MALFORMED;
	if ((void *)(ip6h + 1) + bpf_ntohs(ip6h->payload_len) > data_end)
		return XR_MALFORMED;
	return XR_FORWARDED;
}

static __always_inline enum xr_reason xr_ipv6_not_forwardable(const struct ipv6hdr *ip6h)
{
	if (xr_ipv6_is_multicast(&ip6h->daddr))
		return XR_PASS_MULTICAST;
	if (xr_ipv6_is_link_local(&ip6h->daddr) || xr_ipv6_is_link_local(&ip6h->saddr))
		return XR_PASS_LINK_LOCAL;
	if (xr_ipv6_is_martian(&ip6h->daddr) || xr_ipv6_is_martian(&ip6h->saddr) ||
	    xr_ipv6_is_multicast(&ip6h->saddr))
		return XR_PASS_MARTIAN;
	if (xr_ipv6_is_local(&ip6h->daddr))
		return XR_PASS_LOCAL;
	/* hop-by-hop options must be examined by every router: the kernel does */
	if (ip6h->nexthdr == XR_NEXTHDR_HOP)
		return XR_PASS_OPTIONS;
	if (ip6h->nexthdr == XR_NEXTHDR_FRAGMENT)
		return XR_PASS_FRAGMENT;
	if (ip6h->hop_limit <= 1)
		return XR_PASS_TTL;
	return XR_FORWARDED;
}

static __always_inline __u32 xr_ipv6_flow_hash(const struct ipv6hdr *ip6h,
					       const void *data_end, __u32 seed)
{
	const __u32 *s = ip6h->saddr.in6_u.u6_addr32;
	const __u32 *d = ip6h->daddr.in6_u.u6_addr32;
	__u32 h = seed, label;

	h = xr_hash_word(h, s[0]);
	h = xr_hash_word(h, s[1]);
	h = xr_hash_word(h, s[2]);
	h = xr_hash_word(h, s[3]);
	h = xr_hash_word(h, d[0]);
	h = xr_hash_word(h, d[1]);
	h = xr_hash_word(h, d[2]);
	h = xr_hash_word(h, d[3]);
	label = bpf_ntohl(*(const __be32 *)ip6h) & XR_IPV6_FLOWLABEL_MASK;
	h = xr_hash_word(h, ((__u32)ip6h->nexthdr << 24) ^ label);
	h = xr_hash_word(h, xr_l4_ports(ip6h->nexthdr, ip6h + 1, data_end));
	return xr_hash_final(h);
}

#endif /* XR_IPV6_H */
