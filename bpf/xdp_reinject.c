// SPDX-License-Identifier: GPL-2.0
/*
 * The slow path's way back to the kernel. Userspace runs this program on a
 * punted frame it cannot forward through BPF_PROG_TEST_RUN in live-frames
 * mode (BPF_F_TEST_XDP_LIVE_FRAMES), with the frame's ingress interface as
 * the context's: there XDP_PASS builds an skb on that interface and hands it
 * to the kernel's receive path, as if the fast path had passed it on arrival.
 * The kernel then resolves the neighbour, sends the ICMP error, or forwards.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_reinject(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	/*
	 * Nothing after the Ethernet header: the start-up probe, which asks
	 * whether this kernel runs live frames at all (some refuse the flag
	 * with EPERM) without giving the kernel anything to receive.
	 */
	if (data + sizeof(struct ethhdr) >= data_end)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
