// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's traffic generator, run by BPF_PROG_TEST_RUN in live-frames mode
 * on a host's veth: every frame it returns XDP_TX leaves by that veth.
 *
 * It writes the Ethernet, IPv4 and UDP headers of every frame afresh from a
 * template (xdp_traffic_gen), or the whole of each frame from a table of
 * them that userspace filled (xdp_traffic_gen_frames: any family, any
 * destinations, checksums precomputed). Live frames come from a page pool
 * whose pages are recycled without being reinitialised, and a frame that a
 * router rewrote (MACs, TTL) and a sink dropped comes back to that pool as
 * the router left it.
 *
 * Paced, it sends a frame only when the clock has reached the frame's turn
 * and drops the rest of its runs at once, back into the page pool on this
 * CPU: a test run has no rate of its own, and a path offered more than it
 * carries is measured on the generator's overload (receive rings spilling,
 * pages freed across CPUs), not on its own work.
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
 * Frames a paced generator may send back to back to catch up after it lost
 * the CPU: a veth's ring holds 256, and a larger burst would be the overload
 * pacing is there to avoid.
 */
#define GEN_PACE_BURST		32

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

/*
 * The one entry of gen_state (one test run runs on one CPU). Userspace sets
 * interval_ns and clears the rest before a run, and reads sent after it.
 */
struct gen_state {
	__u64 interval_ns;	/* between two frames' turns; 0: as fast as it can */
	__u64 next_ns;		/* the next frame's turn (bpf_ktime_get_ns) */
	__u64 sent;		/* frames returned XDP_TX */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_state);
} gen_state SEC(".maps");

/* the frames of xdp_traffic_gen_frames: whole 64-byte frames, taken in turn */
#define GEN_FRAME_WORDS		8
#define GEN_FRAMES_MAX		4096

struct gen_frame {
	__u64 words[GEN_FRAME_WORDS];
};

/* Set by the loader: how many of gen_frames it filled (1..GEN_FRAMES_MAX). */
volatile const __u32 gen_frame_count = 1;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEN_FRAMES_MAX);
	__type(key, __u32);
	__type(value, struct gen_frame);
} gen_frames SEC(".maps");

/* Whether this run's frame has its turn yet; takes the turn when it has. */
static __always_inline int gen_take_turn(struct gen_state *s)
{
	__u64 now, earliest;

	if (!s->interval_ns)
		return 1;
	now = bpf_ktime_get_ns();
	if (now < s->next_ns)
		return 0;
	/* after a stall, catch up by at most GEN_PACE_BURST frames */
	earliest = now - GEN_PACE_BURST * s->interval_ns;
	s->next_ns = (s->next_ns > earliest ? s->next_ns : earliest) + s->interval_ns;
	return 1;
}

/*
 * This run's state when its frame has its turn (taken), else NULL and in
 * *verdict what the run returns: XDP_DROP (not its turn) or XDP_ABORTED.
 */
static __always_inline struct gen_state *gen_this_turn(int *verdict)
{
	__u32 key = 0;
	struct gen_state *s = bpf_map_lookup_elem(&gen_state, &key);

	if (!s) {
		*verdict = XDP_ABORTED;
		return NULL;
	}
	if (!gen_take_turn(s)) {
		*verdict = XDP_DROP;
		return NULL;
	}
	return s;
}

SEC("xdp")
int xdp_traffic_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(iph + 1);
	__u64 *words = data;
	struct gen_state *s;
	__u32 flow = 0;
	int verdict, i;

	s = gen_this_turn(&verdict);
	if (!s)
		return verdict;
	if (data + GEN_TEMPLATE_LEN > data_end)
		return XDP_ABORTED;
	for (i = 0; i < GEN_TEMPLATE_WORDS; i++)
		words[i] = gen_template[i];
	if (gen_flows > 1) {
		flow = (__u32)(s->sent % gen_flows);
		udp->source = bpf_htons(bpf_ntohs(udp->source) + flow);
		iph->daddr = bpf_htonl(bpf_ntohl(iph->daddr) + flow % gen_destinations);
	}
	/* the sum over a zero checksum field, complemented, is the checksum */
	iph->check = 0;
	iph->check = (__sum16)~xr_ipv4_hdr_sum(iph);
	s->sent++;
	return XDP_TX;
}

SEC("xdp")
int xdp_traffic_gen_frames(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct gen_frame *frame;
	__u64 *words = data;
	struct gen_state *s;
	int verdict, i;
	__u32 key;

	s = gen_this_turn(&verdict);
	if (!s)
		return verdict;
	if (data + sizeof(*frame) > data_end)
		return XDP_ABORTED;
	key = (__u32)(s->sent % gen_frame_count);
	frame = bpf_map_lookup_elem(&gen_frames, &key);
	if (!frame)
		return XDP_ABORTED;
	for (i = 0; i < GEN_FRAME_WORDS; i++)
		words[i] = frame->words[i];
	s->sent++;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
