// rtm_protocol values other software already stamps on its routes
// (linux/rtnetlink.h, /etc/iproute2/rt_protos, FRR's zebra/rt_netlink.h).
// The daemon recognises its own routes by protocol id, so sharing one would
// make it replace or flush another routing daemon's routes: the config
// refuses them, and the API names routes by them.
export const WELL_KNOWN_ROUTE_PROTOCOLS = [
  { id: 1, name: 'redirect', owner: 'the kernel, for ICMP redirects' },
  { id: 2, name: 'kernel', owner: 'the kernel' },
  { id: 3, name: 'boot', owner: 'ip route and most tools, by default' },
  { id: 4, name: 'static', owner: 'administrators (ip route ... proto static)' },
  { id: 8, name: 'gated', owner: 'GateD' },
  { id: 9, name: 'ra', owner: 'router advertisements' },
  { id: 10, name: 'mrt', owner: 'Merit MRT' },
  { id: 11, name: 'zebra', owner: 'Zebra/Quagga' },
  { id: 12, name: 'bird', owner: 'BIRD' },
  { id: 13, name: 'dnrouted', owner: 'the DECnet routing daemon' },
  { id: 14, name: 'xorp', owner: 'XORP' },
  { id: 15, name: 'ntk', owner: 'Netsukuku' },
  { id: 16, name: 'dhcp', owner: 'DHCP clients' },
  { id: 17, name: 'mrouted', owner: 'mrouted' },
  { id: 18, name: 'keepalived', owner: 'keepalived' },
  { id: 42, name: 'babel', owner: 'babeld' },
  { id: 99, name: 'openr', owner: 'Open/R' },
  { id: 186, name: 'bgp', owner: 'BGP daemons (FRR bgpd)' },
  { id: 187, name: 'isis', owner: 'IS-IS daemons (FRR isisd)' },
  { id: 188, name: 'ospf', owner: 'OSPF daemons (FRR ospfd)' },
  { id: 189, name: 'rip', owner: 'RIP daemons (FRR ripd)' },
  { id: 190, name: 'ripng', owner: 'FRR ripngd' },
  { id: 191, name: 'nhrp', owner: 'FRR nhrpd' },
  { id: 192, name: 'eigrp', owner: 'EIGRP daemons (FRR eigrpd)' },
  { id: 193, name: 'ldp', owner: 'FRR ldpd' },
  { id: 194, name: 'sharp', owner: 'FRR sharpd' },
  { id: 195, name: 'pbr', owner: 'FRR pbrd' },
  { id: 196, name: 'zstatic', owner: 'FRR staticd' },
  { id: 197, name: 'openfabric', owner: 'FRR fabricd' },
  { id: 198, name: 'srte', owner: 'FRR pathd' },
] as const;
