// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's reference forwarder: the kernel's own FIB and neighbour
 * tables through the bpf_fib_lookup helper, as samples/bpf/xdp_fwd_kern.c
 * does it. `npm run bench -- fastpath` runs it on the same frames and the
 * same routes (installed in the kernel) as xdp-router's fast path, so the
 * two figures differ only by how the lookup is done. `npm run bench --
 * forward` attaches it to the lab router's ingress veth, redirecting
 * through a devmap as xdp_fwd and xdp-tools' xdp-forward do.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "driver.h"

#define AF_INET		2
#define AF_INET6	10

/* the lab router has two devices; room for a few more */
#define REF_TX_PORTS	8

/*
 * The devices the attached reference may redirect to, keyed by ifindex
 * (filled by the benchmark): a route out of any other device is left to
 * the kernel, as in xdp_fwd, whose devmap is also its list of devices.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, REF_TX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} ref_tx_ports SEC(".maps");

/* RFC 1624 incremental update for a TTL decrement, as ip_decrease_ttl() */
static __always_inline void ref_decrement_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

static __always_inline int ref_fill_ipv4(struct bpf_fib_lookup *p, struct iphdr *iph,
					 void *data_end)
{
	if ((void *)(iph + 1) > data_end)
		return -1;
	/* the kernel sends time exceeded */
	if (iph->ttl <= 1)
		return -1;
	p->family = AF_INET;
	p->tos = iph->tos;
	p->l4_protocol = iph->protocol;
	p->tot_len = bpf_ntohs(iph->tot_len);
	p->ipv4_src = iph->saddr;
	p->ipv4_dst = iph->daddr;
	return 0;
}

static __always_inline int ref_fill_ipv6(struct bpf_fib_lookup *p, struct ipv6hdr *ip6h,
					 void *data_end)
{
	if ((void *)(ip6h + 1) > data_end)
		return -1;
	if (ip6h->hop_limit <= 1)
		return -1;
	p->family = AF_INET6;
	p->flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0FFFFFFF);
	p->l4_protocol = ip6h->nexthdr;
	p->tot_len = bpf_ntohs(ip6h->payload_len);
	__builtin_memcpy(p->ipv6_src, &ip6h->saddr, sizeof(p->ipv6_src));
	__builtin_memcpy(p->ipv6_dst, &ip6h->daddr, sizeof(p->ipv6_dst));
	return 0;
}

/*
 * via_devmap: redirect through ref_tx_ports (the attached forwarder, whose
 * redirects the devmap flushes in bulk); otherwise by ifindex (the driven
 * one: a test run only needs the verdict).
 */
static __always_inline int fib_ref_forward(struct xdp_md *ctx, bool via_devmap)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup params = {};
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	int rc;

	if (l3 > data_end)
		return XDP_PASS;
	params.ifindex = ctx->ingress_ifindex;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if (ref_fill_ipv4(&params, l3, data_end))
			return XDP_PASS;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		if (ref_fill_ipv6(&params, l3, data_end))
			return XDP_PASS;
	} else {
		return XDP_PASS;
	}

	rc = bpf_fib_lookup(ctx, &params, sizeof(params), 0);
	/* no route, no neighbour, too big, not forwarding: the kernel's stack decides */
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	/* bail while the frame is untouched */
	if (via_devmap && !bpf_map_lookup_elem(&ref_tx_ports, &params.ifindex))
		return XDP_PASS;

	if (params.family == AF_INET)
		ref_decrement_ttl(l3);
	else
		((struct ipv6hdr *)l3)->hop_limit--;
	__builtin_memcpy(eth->h_dest, params.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, params.smac, ETH_ALEN);
	if (via_devmap)
		return bpf_redirect_map(&ref_tx_ports, params.ifindex, 0);
	return bpf_redirect(params.ifindex, 0);
}

static __always_inline int fib_ref_forward_by_ifindex(struct xdp_md *ctx)
{
	return fib_ref_forward(ctx, false);
}

SEC("xdp")
int xdp_fib_ref(struct xdp_md *ctx)
{
	return fib_ref_forward(ctx, true);
}

/* by ifindex, over the benchmark's spread of frames (driver.h) */
SEC("xdp")
int xdp_fib_ref_driven(struct xdp_md *ctx)
{
	return XRB_DRIVE(ctx, fib_ref_forward_by_ifindex);
}

char _license[] SEC("license") = "GPL";
