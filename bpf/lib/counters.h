/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XR_COUNTERS_H
#define XR_COUNTERS_H

#include <bpf/bpf_helpers.h>
#include "maps.h"

/* Per-CPU, so plain increments are safe; userspace sums over CPUs. */
static __always_inline void xr_count(__u32 ifindex, enum xr_reason reason, __u32 bytes)
{
	struct xr_counter_key key = { .ifindex = ifindex, .reason = reason };
	struct xr_counter *c = bpf_map_lookup_elem(&xr_counters, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
		return;
	}
	struct xr_counter first = { .packets = 1, .bytes = bytes };

	/* a full map loses the count, never the packet */
	bpf_map_update_elem(&xr_counters, &key, &first, BPF_NOEXIST);
}

#endif /* XR_COUNTERS_H */
