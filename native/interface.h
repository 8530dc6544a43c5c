// Network interfaces of the calling thread's network namespace.
#ifndef XR_NATIVE_INTERFACE_H
#define XR_NATIVE_INTERFACE_H

#include <cstdint>
#include <string>

namespace xr {

// if_nametoindex; ENODEV naming the interface when there is none.
uint32_t InterfaceIndex(const std::string& name);

// ENODEV when no interface has this index.
void RequireInterface(uint32_t ifindex);

// The NIC strips the 802.1Q tag into the receive descriptor (rx VLAN
// offload, `ethtool -k NAME` rx-vlan-offload): XDP then sees tagged frames
// as untagged ones. Asked over the SIOCETHTOOL ioctl; errors name the
// interface.
bool RxVlanOffload(const std::string& name);

// "ifindex 7 (veth0)" for messages; just "ifindex 7" when it has no name.
std::string InterfaceLabel(uint32_t ifindex);

}  // namespace xr

#endif
