/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_L4_H
#define XR_L4_H

#include <linux/in.h>
#include <linux/types.h>

/* The first four bytes of TCP, UDP and SCTP are source and destination ports. */
struct xr_ports {
	__be16 source;
	__be16 dest;
};

/*
 * Ports of the flow, or 0 for protocols without them or a header cut short:
 * without the ports every flow between two hosts would share one path.
 */
static __always_inline __u32 xr_l4_ports(__u8 proto, const void *l4, const void *data_end)
{
	const struct xr_ports *p = l4;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
		return 0;
	if ((const void *)(p + 1) > data_end)
		return 0;
	return ((__u32)p->source << 16) | p->dest;
}

#endif /* XR_L4_H */
