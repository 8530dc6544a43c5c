// SPDX-License-Identifier: GPL-2.0
/*
 * Honest `forwarded` counters. xdp_router counts a frame `forwarded` when it
 * returns XDP_REDIRECT, yet the egress device can still refuse the frame:
 *
 * - at once, when the kernel will not queue it for the device (no
 *   ndo_xdp_xmit, as a veth whose peer has neither XDP nor GRO; device down;
 *   frame over the device's MTU): tracepoint xdp:xdp_redirect_err, one frame,
 *   in native and in generic (skb) mode alike. Older kernels had a separate
 *   xdp:xdp_redirect_map_err for redirects through a map; this one (6.18)
 *   reports those here too, with the map's id.
 * - at the end of the NAPI poll, when the devmap flushes its bulk queue and
 *   the driver takes fewer frames than it was given (TX ring full, a frame
 *   over the receiving veth peer's MTU): tracepoint xdp:xdp_devmap_xmit,
 *   with the number dropped.
 *
 * These programs move such frames from `forwarded` to `drop-redirect` of the
 * interface they arrived on. The daemon loads them beside xdp_router with
 * every map reused from it, and pins their links in its pin directory.
 *
 * Both tracepoints fire on the CPU whose xdp_router run counted the frame
 * (the devmap's bulk queues are per CPU and flushed by the same poll), so the
 * per-CPU counter taken from is the one the frame was added to.
 *
 * The tracepoints give frame counts, not lengths: drop-redirect counts
 * packets only (its bytes stay 0), and the refused frames' bytes stay in
 * forwarded's bytes.
 *
 * Not seen here: in generic mode a frame the egress queue refuses after the
 * redirect has succeeded (generic_xdp_tx) is reported by the kernel against
 * the egress device only (xdp:xdp_exception, its tx_dropped), with nothing
 * that names where the frame came from; it stays `forwarded`.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lib/consts.h"
#include "lib/counters.h"
#include "lib/maps.h"
#include "lib/parse.h"

/*
 * The kernel's structs, reduced to the fields read here: CO-RE relocates
 * each access to where the running kernel's BTF has the field.
 */
struct net_device {
	int ifindex;
	const unsigned char *dev_addr;
} __attribute__((preserve_access_index));

struct bpf_map;
struct bpf_prog;

/*
 * Set by the loader: the id of xdp_router's devmap, xr_tx_ports. A tracing
 * program may not read a DEVMAP's struct bpf_map (the load fails, EINVAL),
 * so the id comes in as a constant rather than from the map.
 */
volatile const __u32 xr_tx_ports_id = 0;

/*
 * Move up to n packets from forwarded to drop-redirect of one interface
 * slot, on this CPU; answers how many moved. Never more than forwarded
 * holds, so a counter cleared between the redirect and the flush cannot make
 * it wrap.
 */
static __always_inline __u32 xr_move_refused(__u32 slot, __u32 n)
{
	__u32 key = xr_counter_index(slot, XR_FORWARDED);
	struct xr_counter *forwarded = bpf_map_lookup_elem(&xr_counters, &key);

	if (!forwarded)
		return 0;
	if (n > forwarded->packets)
		n = forwarded->packets;
	if (!n)
		return 0;
	forwarded->packets -= n;
	xr_count_add(slot, XR_DROP_REDIRECT, n, 0);
	return n;
}

struct xr_refusal {
	__u32 ifindex;	/* the device the frames arrived on */
	__u32 left;	/* refused frames not moved yet */
};

/* bpf_for_each_map_elem callback over xr_ifaces: 0 goes on, 1 stops */
static long xr_move_from_vlan(struct bpf_map *map, const struct xr_iface_key *key,
			      const struct xr_iface *vlan, struct xr_refusal *r)
{
	if (key->ifindex == r->ifindex && key->vlan_id != XR_VLAN_NONE)
		r->left -= xr_move_refused(vlan->slot, r->left);
	return r->left ? 0 : 1;
}

/*
 * The tracepoints name the device a frame arrived on, not its VLAN, while
 * xdp_router counts a tagged frame under its VLAN interface. So refusals
 * are taken from the device's own count first, then from its VLAN
 * interfaces' in map order: on a device that carries both, the split
 * between them is a guess, the total is exact.
 */
static __always_inline void xr_refused(const struct xr_iface *from, __u32 n)
{
	struct xr_refusal r = { .ifindex = from->ifindex, .left = n };

	r.left -= xr_move_refused(from->slot, n);
	if (r.left)
		bpf_for_each_map_elem(&xr_ifaces, xr_move_from_vlan, &r, 0);
}

/*
 * The tracepoint fires for every network namespace, and ifindexes repeat
 * across them: a device is one the fast path knows only when the interface
 * map holds its ifindex with its MAC. Without this, a devmap of another
 * namespace (a container's XDP program, another router's lab) whose
 * devices share our ifindexes would move our counters.
 */
static __always_inline const struct xr_iface *xr_our_device(const struct net_device *dev)
{
	struct xr_iface_key key = { .ifindex = dev->ifindex, .vlan_id = XR_VLAN_NONE };
	const struct xr_iface *known = bpf_map_lookup_elem(&xr_ifaces, &key);
	__u8 mac[XR_ETH_ALEN];

	if (!known || bpf_probe_read_kernel(mac, sizeof(mac), dev->dev_addr))
		return NULL;
	return xr_mac_equal(mac, known->mac) ? known : NULL;
}

SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(xr_count_xmit_drops, const struct net_device *from_dev,
	     const struct net_device *to_dev, int sent, int drops, int err)
{
	const struct xr_iface *from, *to;

	if (drops <= 0)
		return 0;
	/*
	 * Every interface of xr_ifaces has its xr_tx_ports entry for as long
	 * as it is there (iface-table.ts), so a device known here is one
	 * xdp_router sends to.
	 */
	to = xr_our_device(to_dev);
	from = xr_our_device(from_dev);
	if (!to || !from)
		return 0;
	xr_refused(from, drops);
	return 0;
}

SEC("tp_btf/xdp_redirect_err")
int BPF_PROG(xr_count_redirect_errors, const struct net_device *dev,
	     const struct bpf_prog *xdp, const void *tgt, int err,
	     enum bpf_map_type map_type, __u32 map_id, __u32 index)
{
	/*
	 * Only redirects through our devmap: xdp_router's punts go through
	 * an XSKMAP and were never counted forwarded. The program named in
	 * the event is libxdp's dispatcher, not ours, so the map tells.
	 */
	const struct xr_iface *from;

	if (map_id != xr_tx_ports_id)
		return 0;
	from = xr_our_device(dev);
	if (from)
		xr_refused(from, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
