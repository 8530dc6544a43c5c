// SPDX-License-Identifier: GPL-2.0
/*
 * The forward benchmark's ceiling for a router: on the lab router's ingress
 * veth, every frame gets fixed MACs and is redirected through a devmap to
 * the one egress device, with no parsing and no lookup. Its frames take the
 * path a forwarder's do (two veth receives, a redirect between them), so
 * what a forwarder carries is measured as a share of what this carries.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* the MACs are the frame's first 12 bytes: destination, then source */
#define REDIRECT_MAC_WORDS	(2 * ETH_ALEN / sizeof(__u32))
/* the devmap's one slot */
#define REDIRECT_PORT		0

/*
 * Set by the loader: the next hop's MAC then the egress device's. Copied a
 * word at a time through volatile reads: a plain memcpy of a const the
 * compiler knows (all zero at build time) would be folded into zero stores.
 */
volatile const __u32 redirect_macs[REDIRECT_MAC_WORDS] = {};

/* the egress device, at REDIRECT_PORT (filled by the benchmark) */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, REDIRECT_PORT + 1);
	__type(key, __u32);
	__type(value, __u32);
} redirect_port SEC(".maps");

SEC("xdp")
int xdp_redirect_all(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *words = data;
	unsigned int i;

	/* too short to carry MACs: not a frame a router forwards */
	if (data + sizeof(struct ethhdr) > data_end)
		return XDP_PASS;
	for (i = 0; i < REDIRECT_MAC_WORDS; i++)
		words[i] = redirect_macs[i];
	return bpf_redirect_map(&redirect_port, REDIRECT_PORT, 0);
}

char _license[] SEC("license") = "GPL";
