// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's traffic generator, run by BPF_PROG_TEST_RUN in live-frames mode
 * on a host's veth: every frame it returns XDP_TX leaves by that veth.
 *
 * It writes the Ethernet, IPv4 and UDP headers of every frame afresh from a
 * template. Live frames come from a page pool whose pages are recycled
 * without being reinitialised, and a frame that a router rewrote (MACs,
 * TTL) and a sink dropped comes back to that pool as the router left it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../lib/csum.h"

/* the Ethernet, IPv4 and UDP headers (42 bytes) and the payload's first 6 */
#define GEN_TEMPLATE_WORDS	6
#define GEN_TEMPLATE_LEN	(GEN_TEMPLATE_WORDS * 8)

/*
 * Set by the loader: the first 48 bytes of flow 0's frame. Copied a word at
 * a time through volatile reads: a plain memcpy of a const the compiler
 * knows (all zero at build time) would be folded into zero stores.
 */
volatile const __u64 gen_template[GEN_TEMPLATE_WORDS] = {};
/*
 * Flow n (n < gen_flows, taken in turn) has UDP source port + n and the
 * destination address + (n % gen_destinations).
 */
volatile const __u32 gen_flows = 1;
volatile const __u32 gen_destinations = 1;

/* frames built so far (one test run runs on one CPU) */
__u64 gen_frames = 0;

SEC("xdp")
int xdp_traffic_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(iph + 1);
	__u64 *words = data;
	__u32 flow = 0;
	int i;

	if (data + GEN_TEMPLATE_LEN > data_end)
		return XDP_ABORTED;
	for (i = 0; i < GEN_TEMPLATE_WORDS; i++)
		words[i] = gen_template[i];
	if (gen_flows > 1) {
		flow = (__u32)(gen_frames % gen_flows);
		udp->source = bpf_htons(bpf_ntohs(udp->source) + flow);
		iph->daddr = bpf_htonl(bpf_ntohl(iph->daddr) + flow % gen_destinations);
	}
	/* the sum over a zero checksum field, complemented, is the checksum */
	iph->check = 0;
	iph->check = (__sum16)~xr_ipv4_hdr_sum(iph);
	gen_frames++;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
