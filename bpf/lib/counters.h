/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_COUNTERS_H
#define XR_COUNTERS_H

#include <bpf/bpf_helpers.h>
#include "maps.h"

/* Where an interface slot's counter of a reason sits in xr_counters. */
static __always_inline __u32 xr_counter_index(__u32 slot, enum xr_reason reason)
{
	return slot * XR_REASON_MAX + reason;
}

/* Per-CPU, so plain increments are safe; userspace sums over CPUs. */
static __always_inline void xr_count_add(__u32 slot, enum xr_reason reason, __u64 packets,
					 __u64 bytes)
{
	__u32 key = xr_counter_index(slot, reason);
	struct xr_counter *c = bpf_map_lookup_elem(&xr_counters, &key);

	/* absent only for a slot out of range, which userspace never hands out */
	if (c) {
		c->packets += packets;
		c->bytes += bytes;
	}
}

/* One frame, as the fast path counts every frame it sees. */
static __always_inline void xr_count(__u32 slot, enum xr_reason reason, __u32 bytes)
{
	xr_count_add(slot, reason, 1, bytes);
}

#endif /* XR_COUNTERS_H */
