/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_CSUM_H
#define XR_CSUM_H

#include <linux/ip.h>
#include <bpf/bpf_endian.h>

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

#endif /* XR_CSUM_H */
