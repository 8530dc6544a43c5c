// SPDX-License-Identifier: GPL-2.0
/*
 * The test-run harness's own cost per run (timer, loop, context set-up):
 * `npm run bench -- fastpath` reports it beside the forwarders' figures.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_noop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
