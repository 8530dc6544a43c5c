/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow hash for multipath: murmur3's 32-bit mixing, one word at a time. The
 * seed is set per router by the loader so that routers in a chain do not all
 * make the same choice (hash polarisation).
 */
#ifndef XR_HASH_H
#define XR_HASH_H

#include <linux/types.h>

#define XR_MURMUR_C1	0xcc9e2d51
#define XR_MURMUR_C2	0x1b873593
#define XR_MURMUR_M	5
#define XR_MURMUR_N	0xe6546b64
#define XR_FMIX_1	0x85ebca6b
#define XR_FMIX_2	0xc2b2ae35

static __always_inline __u32 xr_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 xr_hash_word(__u32 h, __u32 k)
{
	k *= XR_MURMUR_C1;
	k = xr_rotl32(k, 15);
	k *= XR_MURMUR_C2;
	h ^= k;
	h = xr_rotl32(h, 13);
	return h * XR_MURMUR_M + XR_MURMUR_N;
}

static __always_inline __u32 xr_hash_final(__u32 h)
{
	h ^= h >> 16;
	h *= XR_FMIX_1;
	h ^= h >> 13;
	h *= XR_FMIX_2;
	h ^= h >> 16;
	return h;
}

#endif /* XR_HASH_H */
