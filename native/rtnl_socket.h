// An rtnetlink socket (NETLINK_ROUTE) of our own: requests answered by
// sequence number, many messages per sendmsg, dumps, and multicast events.
// Errors carry the kernel's errno and its extended ACK message. Every call
// that waits (Transact, Dump, ReadEvents) blocks: run it off the JS thread.
#ifndef XR_NATIVE_RTNL_SOCKET_H
#define XR_NATIVE_RTNL_SOCKET_H

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <linux/netlink.h>

#include "bytes.h"
#include "fd.h"

namespace xr {

struct RtnlConfig {
  // a named namespace (/run/netns/NAME); empty: the caller's
  std::string netns;
  // SO_RCVBUFFORCE (SO_RCVBUF where CAP_NET_ADMIN is missing); 0: the system's
  uint32_t receiveBufferBytes = 0;
  // multicast groups (RTNLGRP_*, or NFNLGRP_* for netfilter) to join: an event socket
  std::vector<uint32_t> groups;
  // NETLINK_ROUTE, or NETLINK_NETFILTER for an event socket that follows nftables
  int protocol = NETLINK_ROUTE;
};

// The kernel's answer to one message of a batch: errno 0 for an ACK. A
// message the socket failed to send or to hear back about is unanswered:
// err and message are then the socket's failure, and the kernel may or may
// not have applied it.
struct RtnlOutcome {
  int err = 0;
  // NLMSGERR_ATTR_MSG, when the kernel said more than the errno
  std::string message;
  bool unanswered = false;
};

// What a reader of events gets: whole netlink messages, back to back, and
// whether the kernel dropped some before them (ENOBUFS: the receive buffer
// was full) or the socket failed (then nothing more comes).
struct RtnlEvents {
  Bytes messages;
  bool overrun = false;
  int failure = 0;
};

class RtnlSocket {
 public:
  explicit RtnlSocket(const RtnlConfig& config);
  RtnlSocket(const RtnlSocket&) = delete;
  RtnlSocket& operator=(const RtnlSocket&) = delete;

  // Sends every message of messages (whole nlmsghdr + payload, back to back,
  // each padded to 4 bytes; this fills in NLM_F_REQUEST | NLM_F_ACK, the
  // sequence number and the port) in as few sendmsg calls as the buffers
  // allow, and returns each one's outcome, in order; the answers that came
  // before a failure of the socket itself stand, the others are unanswered.
  std::vector<RtnlOutcome> Transact(Bytes messages);
  // Sends one dump request and returns the datagrams of its answer, the
  // last one holding NLMSG_DONE. An error answer throws.
  std::vector<Bytes> Dump(const Bytes& request);
  // Waits for events and returns what the socket holds, up to about
  // maxBytes; an empty result without overrun or failure: Wake() was called.
  RtnlEvents ReadEvents(size_t maxBytes);
  // Ends a wait in progress (and every later one): the socket is closing.
  void Wake();

  uint32_t port() const { return port_; }
  // what the kernel granted (it doubles the size asked for, for its bookkeeping)
  uint32_t receiveBufferBytes() const;

 private:
  // Waits until the socket is readable: false when woken instead.
  bool WaitReadable(int timeoutMs);
  // One datagram (whole messages), or nothing on EAGAIN; throws on failure.
  std::optional<Bytes> ReceiveOne(const std::string& what);
  // Transact's work: outcomes[i] and answered[i] as the answers come.
  void SendAndHear(Bytes& messages, const std::vector<size_t>& starts, std::vector<RtnlOutcome>& outcomes,
                   std::vector<bool>& answered, const std::string& what);
  void Send(const uint8_t* data, size_t bytes, const std::string& what);

  UniqueFd fd_;
  UniqueFd wake_;
  uint32_t port_ = 0;
  std::atomic<bool> closing_{false};
  // one transaction at a time: the answers of two would interleave
  std::mutex mutex_;
  uint32_t nextSeq_ = 1;
  Bytes receiveBuffer_;
};

}  // namespace xr

#endif
