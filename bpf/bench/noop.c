// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's zero: a program that returns at once, driven (driver.h).
 * Its cost per run is the test-run harness's (loop, timer, context) plus
 * the driver's frame copy and verdict count, which the fast-path benchmark
 * takes off the driven forwarders' figures.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "driver.h"

/* the verdict the forwarders give every benchmark frame, so the counts compare */
static __always_inline int noop_verdict(struct xdp_md *ctx)
{
	return XDP_REDIRECT;
}

SEC("xdp")
int xdp_noop_driven(struct xdp_md *ctx)
{
	return XRB_DRIVE(ctx, noop_verdict);
}

char _license[] SEC("license") = "GPL";
