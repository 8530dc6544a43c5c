/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_CSUM_H
#define XR_CSUM_H

#include <stdbool.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>

/* an IPv4 header without options, in 32-bit words */
#define XR_IPV4_HDR_U32S	(sizeof(struct iphdr) / sizeof(__u32))
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
 * included, as five 32-bit words rather than ten 16-bit ones: 2^16 is 1 in
 * one's complement arithmetic, so folding the wider sum gives the same
 * result, in half the loads. Five words fit a 64-bit sum with room to spare
 * (35 bits). The caller's bounds check on the fixed header covers every
 * load.
 */
static __always_inline __u64 xr_ipv4_hdr_words(const struct iphdr *iph)
{
	const __u32 *w = (const __u32 *)iph;
	__u64 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)XR_IPV4_HDR_U32S; i++)
		sum += w[i];
	return sum;
}

/*
 * Two 16-bit folds of xr_ipv4_hdr_words' sum (at most 35 bits), each adding
 * the carries back in: at most 0x10007 is left, so a third fold gives the
 * 16-bit sum, and a value above 0xffff here could only fold to 1..8.
 */
static __always_inline __u64 xr_ipv4_hdr_fold2(const struct iphdr *iph)
{
	__u64 sum = xr_ipv4_hdr_words(iph);

	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

/* The header's one's complement sum, folded to 16 bits. */
static __always_inline __u16 xr_ipv4_hdr_sum(const struct iphdr *iph)
{
	__u64 sum = xr_ipv4_hdr_fold2(iph);

	return (sum & 0xffff) + (sum >> 16);
}

/*
 * Whether a header without options is intact, as ip_rcv checks it: whether
 * its sum folds to 0xffff. After two folds that is known already (the
 * third could only turn a value above 0xffff into 1..8, never into 0xffff).
 */
static __always_inline bool xr_ipv4_csum_ok(const struct iphdr *iph)
{
	return xr_ipv4_hdr_fold2(iph) == XR_CSUM_INTACT;
}

#endif /* XR_CSUM_H */
