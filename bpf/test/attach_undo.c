// SPDX-License-Identifier: GPL-2.0
/*
 * For test/fastpath/lifecycle.test.ts only: redirect-error counters whose
 * second program cannot attach. A raw_tp program is checked against its
 * tracepoint only when it attaches, so this object loads, its first
 * program attaches and is pinned, and the second fails: what
 * dataplane/redirect-errors.ts must then undo. The first refers to
 * xr_counters (a count it never makes), so the test finds any link of it
 * left in the kernel by that map.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "../lib/consts.h"
#include "../lib/counters.h"
#include "../lib/maps.h"

struct net_device;

/* set by the loader, as in redirect_errors.c */
volatile const __u32 xr_tx_ports_id = 0;

SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(xr_undo_first, const struct net_device *from_dev,
	     const struct net_device *to_dev, int sent, int drops, int err)
{
	if (drops < 0)
		xr_count_add(0, XR_DROP_REDIRECT, 0, 0);
	return 0;
}

SEC("raw_tp/xr_no_such_tracepoint")
int xr_undo_second(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
