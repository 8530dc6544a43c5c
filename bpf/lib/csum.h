/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_CSUM_H
#define XR_CSUM_H

#include <stdbool.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>

/* an IPv4 header without options, in the 16-bit words its checksum covers */
#define XR_IPV4_HDR_WORDS	(sizeof(struct iphdr) / sizeof(__u16))
/* the one's complement sum of an intact header, its checksum included */
#define XR_CSUM_INTACT		0xffff

/*
 * Decrement the TTL and patch the header checksum incrementally (RFC 1624):
 * the TTL is the high byte of its 16-bit word, so the sum grows by 0x0100
 * with the end-around carry folded back in.
 */
static __always_inline void xr_ipv4_decrement_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__sum16)(check + (check >= 0xffff));
	iph->ttl--;
}

/*
 * The one's complement sum of a header without options, its checksum field
 * included, folded to 16 bits. A fixed ten-word sum: the loop unrolls, and
 * the caller's bounds check on the fixed header covers every load. Ten words
 * carry into at most four bits above the low 16, so two folds are enough.
 */
static __always_inline __u16 xr_ipv4_hdr_sum(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)XR_IPV4_HDR_WORDS; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Whether a header without options is intact, as ip_rcv checks it. */
static __always_inline bool xr_ipv4_csum_ok(const struct iphdr *iph)
{
	return xr_ipv4_hdr_sum(iph) == XR_CSUM_INTACT;
}

#endif /* XR_CSUM_H */
