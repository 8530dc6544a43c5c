/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_COUNTERS_H
#define XR_COUNTERS_H

#include <bpf/bpf_helpers.h>
#include "maps.h"

/* Per-CPU, so plain increments are safe; userspace sums over CPUs. */
static __always_inline void xr_count_add(__u32 ifindex, enum xr_reason reason, __u64 packets,
					 __u64 bytes)
{
	struct xr_counter_key key = { .ifindex = ifindex, .reason = reason };
	struct xr_counter *c = bpf_map_lookup_elem(&xr_counters, &key);

	if (c) {
		c->packets += packets;
		c->bytes += bytes;
		return;
	}
	struct xr_counter first = { .packets = packets, .bytes = bytes };

	/* a full map loses the count, never the packet */
	bpf_map_update_elem(&xr_counters, &key, &first, BPF_NOEXIST);
}

/* One frame, as the fast path counts every frame it sees. */
static __always_inline void xr_count(__u32 ifindex, enum xr_reason reason, __u32 bytes)
{
	xr_count_add(ifindex, reason, 1, bytes);
}

#endif /* XR_COUNTERS_H */
