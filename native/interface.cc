#include "interface.h"

#include <errno.h>
#include <net/if.h>

#include "errors.h"

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

std::string InterfaceLabel(uint32_t ifindex) {
  char name[IF_NAMESIZE];
  std::string label = "ifindex " + std::to_string(ifindex);
  if (if_indextoname(ifindex, name) != nullptr) label += std::string(" (") + name + ")";
  return label;
}

}  // namespace xr
