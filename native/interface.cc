#include "interface.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "errors.h"
#include "fd.h"

namespace xr {

uint32_t InterfaceIndex(const std::string& name) {
  uint32_t ifindex = if_nametoindex(name.c_str());
  if (ifindex == 0) ThrowErrno(errno == ENXIO ? ENODEV : errno, "interface '" + name + "'");
  return ifindex;
}

void RequireInterface(uint32_t ifindex) {
  char name[IF_NAMESIZE];
  if (if_indextoname(ifindex, name) == nullptr)
    ThrowErrno(errno == ENXIO ? ENODEV : errno, "interface with ifindex " + std::to_string(ifindex));
}

bool RxVlanOffload(const std::string& name) {
  if (name.size() >= IF_NAMESIZE) ThrowErrno(ENAMETOOLONG, "interface '" + name + "'");
  // the ioctl finds the interface in the socket's namespace: the caller's
  UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) ThrowErrno(errno, "socket for the ethtool ioctl");
  // ETHTOOL_GFLAGS reports NETIF_F_HW_VLAN_CTAG_RX as ETH_FLAG_RXVLAN,
  // with no feature-name lookup (ETHTOOL_GFEATURES needs one)
  struct ethtool_value value = {};
  value.cmd = ETHTOOL_GFLAGS;
  struct ifreq request = {};
  memcpy(request.ifr_name, name.c_str(), name.size());
  request.ifr_data = reinterpret_cast<char*>(&value);
  if (ioctl(sock.get(), SIOCETHTOOL, &request) < 0)
    ThrowErrno(errno, "read the offload flags of interface '" + name + "' (ETHTOOL_GFLAGS)");
  return (value.data & ETH_FLAG_RXVLAN) != 0;
}

std::string InterfaceLabel(uint32_t ifindex) {
  char name[IF_NAMESIZE];
  std::string label = "ifindex " + std::to_string(ifindex);
  if (if_indextoname(ifindex, name) != nullptr) label += std::string(" (") + name + ")";
  return label;
}

}  // namespace xr
