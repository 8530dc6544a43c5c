// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-router's own program (bpf/xdp_router.c, included as it is), driven by
 * driver.h for the fast-path benchmark. Its entry point is inlined into the
 * driven one, so what runs is the product's code with the driver's frame
 * copy in front. The object has the product's maps under their names, so
 * FastPath opens it like the real one (objectPath) and the daemon's map
 * code fills it.
 */
#include <xdp/xdp_helpers.h>

/* the product's run config would be named after the renamed entry point */
#undef XDP_RUN_CONFIG
#define XDP_RUN_CONFIG(f) xrb_product_run_config SEC(".xdp_run_config")
#define xdp_router __attribute__((always_inline)) xrb_product_entry
#include "../xdp_router.c"
#undef xdp_router

#include "driver.h"

SEC("xdp")
int xdp_router(struct xdp_md *ctx)
{
	return XRB_DRIVE(ctx, xrb_product_entry);
}
