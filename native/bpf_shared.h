// What the slow path shares with the XDP program, included from bpf/lib so
// that C, C++ and TypeScript (dataplane/layout.ts) keep one definition: the
// maps' layouts, the reasons and constants, the flow hash and the TTL
// checksum patch. Only the headers free of BPF helpers can be included; the
// parsing and lookups that call helpers are mirrored in slowpath_lookup.cc.
#ifndef XR_NATIVE_BPF_SHARED_H
#define XR_NATIVE_BPF_SHARED_H

#include <linux/types.h>

// the kernel's spelling, which the BPF headers use and userspace lacks
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

// bpf/lib is a system include directory (binding.gyp): csum.h asks clang to
// unroll a loop, and gcc before 13 warns of that pragma whatever a diagnostic
// pragma says, except in a system header
#include <consts.h>
#include <layout.h>
#include <hash.h>
#include <csum.h>

// the values the program reads are the ones written by the daemon: same sizes
static_assert(sizeof(xr_route) == 16, "xr_route as in bpf/lib/layout.h");
static_assert(sizeof(xr_nexthop) == 56, "xr_nexthop as in bpf/lib/layout.h");
static_assert(sizeof(xr_iface) == 28, "xr_iface as in bpf/lib/layout.h");
static_assert(sizeof(xr_neigh) == 12, "xr_neigh as in bpf/lib/layout.h");
static_assert(sizeof(xr_group) == 8 + 8 * XR_MAX_GROUP_MEMBERS, "xr_group as in bpf/lib/layout.h");

#endif
