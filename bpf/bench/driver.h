/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What turns a forwarding program into one the fast-path benchmark can run
 * a million times in one BPF_PROG_TEST_RUN call: before each run, copy the
 * next of XRB_FRAMES frames (different destinations, spread over the FIB)
 * into the packet, and after it count the verdict. A plain test run repeats
 * the program on one frame as the previous repetition left it (MACs and TTL
 * rewritten), to one destination, with a path the caches keep hot.
 *
 * The `*_driven` entry points use it; the benchmark runs a driven no-op too
 * and reports what the driving itself costs.
 */
#ifndef XRB_DRIVER_H
#define XRB_DRIVER_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define XRB_FRAMES	4096	/* a power of two */
#define XRB_FRAME_LEN	64

struct xrb_frame {
	__u8 bytes[XRB_FRAME_LEN];
};

/* filled by the benchmark before the run */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XRB_FRAMES);
	__type(key, __u32);
	__type(value, struct xrb_frame);
} xrb_frames SEC(".maps");

/* runs per XDP action: every run of a measurement must have forwarded */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, __u32);
	__type(value, __u64);
} xrb_verdicts SEC(".maps");

/* the next frame to copy (a test run stays on one CPU) */
__u32 xrb_next = 0;

static __always_inline int xrb_load_next_frame(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 i = xrb_next++ & (XRB_FRAMES - 1);
	const struct xrb_frame *f = bpf_map_lookup_elem(&xrb_frames, &i);

	if (!f || data + XRB_FRAME_LEN > data_end)
		return -1;
	__builtin_memcpy(data, f->bytes, XRB_FRAME_LEN);
	return 0;
}

static __always_inline int xrb_count_verdict(int action)
{
	__u32 key = action;
	__u64 *n = bpf_map_lookup_elem(&xrb_verdicts, &key);

	if (n)
		(*n)++;
	return action;
}

/* The body of a driven entry point around forwarding worker fn. */
#define XRB_DRIVE(ctx, fn)					\
	({							\
		int __action = XDP_ABORTED;			\
		if (!xrb_load_next_frame(ctx))			\
			__action = fn(ctx);			\
		xrb_count_verdict(__action);			\
	})

#endif /* XRB_DRIVER_H */
