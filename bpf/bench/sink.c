// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's receiving end: counts the benchmark's UDP frames and drops them
 * at the driver hook, so the figure is what arrived, not what a socket could
 * read. Everything else (ARP, ND, anything not to the benchmark's port) goes
 * up to the kernel untouched.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Set by the loader: the UDP destination port the generator sends to. */
volatile const __u16 sink_port = 9;

struct sink_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sink_count);
} sink_counts SEC(".maps");

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct ipv6hdr *ip6h = (void *)(eth + 1);
	struct udphdr *udp;
	struct sink_count *c;
	__u32 key = 0;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		udp = (void *)(iph + 1);
		if ((void *)(udp + 1) > data_end || iph->protocol != IPPROTO_UDP || iph->ihl != 5)
			return XDP_PASS;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		udp = (void *)(ip6h + 1);
		if ((void *)(udp + 1) > data_end || ip6h->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
	} else {
		return XDP_PASS;
	}
	if (udp->dest != bpf_htons(sink_port))
		return XDP_PASS;
	c = bpf_map_lookup_elem(&sink_counts, &key);
	if (c) {
		c->packets++;
		c->bytes += data_end - data;
	}
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
