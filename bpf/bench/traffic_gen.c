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

#define GEN_HDR_LEN	(sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))

/* Set by the loader: Ethernet + IPv4 + UDP headers of flow 0, checksum zero. */
volatile const __u8 gen_headers[GEN_HDR_LEN] = {};
/*
 * Flow n (n < gen_flows, taken in turn) has UDP source port + n and the
 * destination address + (n % gen_destinations).
 */
volatile const __u32 gen_flows = 1;
volatile const __u32 gen_destinations = 1;

/* frames built so far (one test run runs on one CPU) */
__u64 gen_frames = 0;

static __always_inline __u16 gen_ipv4_checksum(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;
	int i;

	for (i = 0; i < (int)(sizeof(*iph) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int xdp_traffic_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(iph + 1);
	__u32 flow = 0;

	if (data + GEN_HDR_LEN > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, (const void *)gen_headers, GEN_HDR_LEN);
	if (gen_flows > 1) {
		flow = (__u32)(gen_frames % gen_flows);
		udp->source = bpf_htons(bpf_ntohs(udp->source) + flow);
		iph->daddr = bpf_htonl(bpf_ntohl(iph->daddr) + flow % gen_destinations);
	}
	iph->check = gen_ipv4_checksum(iph);
	gen_frames++;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
