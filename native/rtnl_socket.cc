#include "rtnl_socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstring>

#include "errors.h"
#include "netns.h"

namespace xr {
namespace {

// The largest datagram the kernel sends: a dump fills at most 32 KiB per
// datagram (netlink_recvmsg caps max_recvmsg_len there), and a single
// notification is smaller still.
constexpr size_t kDatagramBytes = 64 * 1024;
// Room for the requests of one sendmsg; the kernel refuses a datagram
// larger than the send buffer (EMSGSIZE).
constexpr int kSendBufferBytes = 4 * 1024 * 1024;
constexpr size_t kBatchBytes = 1024 * 1024;
// What an answer can occupy in the receive buffer (the skb's truesize: a
// small message in a buffer of its own, plus an extended ACK's text). The
// messages of one sendmsg are answered while it runs, and an answer that
// finds the buffer full is lost, so a batch is no larger than the buffer
// holds answers.
constexpr size_t kAnswerTruesizeBytes = 2048;
// The kernel answers a request while it handles the sendmsg, so silence
// this long means the answer is lost; a dump's next datagram comes as soon
// as the last one is read.
constexpr int kAnswerTimeoutMs = 30'000;

void SetOption(int fd, int level, int option, int value, const char* what) {
  if (setsockopt(fd, level, option, &value, sizeof(value)) < 0) ThrowErrno(errno, std::string("set ") + what);
}

// FORCE needs CAP_NET_ADMIN; without it, whatever net.core.[rw]mem_max allows.
void SetBuffer(int fd, int forced, int plain, int bytes, const char* what) {
  if (setsockopt(fd, SOL_SOCKET, forced, &bytes, sizeof(bytes)) == 0) return;
  SetOption(fd, SOL_SOCKET, plain, bytes, what);
}

// What an NLMSG_ERROR says: the errno (0 for an ACK), then the extended
// ACK's text when the kernel gave one (NLM_F_ACK_TLVS).
RtnlOutcome OutcomeOf(const nlmsghdr* header) {
  RtnlOutcome outcome;
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) {
    outcome.err = EBADMSG;
    outcome.message = "truncated error message from the kernel";
    return outcome;
  }
  const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
  outcome.err = -error->error;
  if (!(header->nlmsg_flags & NLM_F_ACK_TLVS)) return outcome;
  // without NLM_F_CAPPED the request itself is echoed before the attributes
  size_t echoed = (header->nlmsg_flags & NLM_F_CAPPED) ? sizeof(nlmsghdr) : error->msg.nlmsg_len;
  size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int) + echoed);
  const auto* bytes = reinterpret_cast<const uint8_t*>(header);
  while (at + NLA_HDRLEN <= header->nlmsg_len) {
    const auto* attr = reinterpret_cast<const nlattr*>(bytes + at);
    if (attr->nla_len < NLA_HDRLEN || at + attr->nla_len > header->nlmsg_len) break;
    if ((attr->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
      const char* text = reinterpret_cast<const char*>(bytes + at + NLA_HDRLEN);
      outcome.message.assign(text, strnlen(text, attr->nla_len - NLA_HDRLEN));
    }
    at += NLA_ALIGN(attr->nla_len);
  }
  return outcome;
}

// Calls visit(header) for each whole message of a datagram.
template <typename Visit>
void ForEachMessage(const Bytes& datagram, Visit&& visit) {
  int left = static_cast<int>(datagram.size());
  for (auto* header = reinterpret_cast<const nlmsghdr*>(datagram.data()); NLMSG_OK(header, left);
       header = NLMSG_NEXT(header, left)) {
    visit(header);
  }
}

void ThrowOutcome(const RtnlOutcome& outcome, const std::string& what) {
  ThrowErrno(outcome.err, what, outcome.message);
}

}  // namespace

RtnlSocket::RtnlSocket(const RtnlConfig& config) : receiveBuffer_(kDatagramBytes) {
  {
    NetnsGuard guard(config.netns);
    fd_.reset(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, config.protocol));
  }
  if (!fd_) ThrowErrno(errno, "open an rtnetlink socket" + (config.netns.empty() ? "" : " in " + config.netns));
  int fd = fd_.get();
  SetOption(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
  // an error answer carries the request's header, not the whole request
  SetOption(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
  SetBuffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, kSendBufferBytes, "the send buffer of an rtnetlink socket");
  if (config.receiveBufferBytes > 0) {
    SetBuffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, static_cast<int>(config.receiveBufferBytes),
              "the receive buffer of an rtnetlink socket");
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) < 0) ThrowErrno(errno, "bind an rtnetlink socket");
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) < 0) {
    ThrowErrno(errno, "read the port of an rtnetlink socket");
  }
  port_ = address.nl_pid;
  for (uint32_t group : config.groups) {
    if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
      ThrowErrno(errno, "join rtnetlink multicast group " + std::to_string(group));
    }
  }
  wake_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) ThrowErrno(errno, "create the wake-up eventfd of an rtnetlink socket");
}

uint32_t RtnlSocket::receiveBufferBytes() const {
  int bytes = 0;
  socklen_t size = sizeof(bytes);
  if (getsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &bytes, &size) < 0) ThrowErrno(errno, "read SO_RCVBUF");
  return static_cast<uint32_t>(bytes);
}

void RtnlSocket::Wake() {
  closing_ = true;
  uint64_t one = 1;
  // the counter only grows: a failed write means it is already readable
  (void)!write(wake_.get(), &one, sizeof(one));
}

bool RtnlSocket::WaitReadable(int timeoutMs) {
  pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
  for (;;) {
    if (closing_) return false;
    int ready = poll(fds, 2, timeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) ThrowErrno(errno, "wait on an rtnetlink socket");
    if (ready == 0) ThrowErrno(ETIMEDOUT, "no answer from the kernel in " + std::to_string(timeoutMs) + " ms");
    if (fds[1].revents) return false;
    return true;
  }
}

std::optional<Bytes> RtnlSocket::ReceiveOne(const std::string& what) {
  iovec iov{receiveBuffer_.data(), receiveBuffer_.size()};
  sockaddr_nl from{};
  msghdr header{};
  header.msg_name = &from;
  header.msg_namelen = sizeof(from);
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  for (;;) {
    ssize_t got = recvmsg(fd_.get(), &header, MSG_DONTWAIT);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
    if (got < 0) ThrowErrno(errno, what);
    if (header.msg_flags & MSG_TRUNC) ThrowErrno(EMSGSIZE, what + ": a datagram larger than " + std::to_string(kDatagramBytes) + " bytes");
    // only the kernel (port 0) speaks for rtnetlink; anything else is not an answer
    if (from.nl_pid != 0) continue;
    return Bytes(receiveBuffer_.begin(), receiveBuffer_.begin() + got);
  }
}

// Without an address a netlink socket sends to its default peer: the kernel.
void RtnlSocket::Send(const uint8_t* data, size_t bytes, const std::string& what) {
  for (;;) {
    if (send(fd_.get(), data, bytes, 0) >= 0) return;
    if (errno != EINTR) ThrowErrno(errno, what + ": send " + std::to_string(bytes) + " bytes of requests");
  }
}

std::vector<RtnlOutcome> RtnlSocket::Transact(Bytes messages) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string what = "rtnetlink request";
  if (closing_) ThrowErrno(EBADF, what + ": the socket is closed");
  // where each message starts; its nlmsg_len (padded to 4) says where the next one does
  std::vector<size_t> starts;
  for (size_t at = 0; at < messages.size();) {
    const auto* header = reinterpret_cast<const nlmsghdr*>(messages.data() + at);
    if (messages.size() - at < NLMSG_HDRLEN || header->nlmsg_len < NLMSG_HDRLEN ||
        header->nlmsg_len > messages.size() - at) {
      throw SysError::Argument(what + ": the message at byte " + std::to_string(at) + " is not a whole netlink message");
    }
    starts.push_back(at);
    at += NLMSG_ALIGN(header->nlmsg_len);
  }
  std::vector<RtnlOutcome> outcomes(starts.size());
  std::vector<bool> answered(starts.size(), false);
  try {
    SendAndHear(messages, starts, outcomes, answered, what);
  } catch (const SysError& error) {
    for (size_t i = 0; i < starts.size(); ++i) {
      if (answered[i]) continue;
      outcomes[i].err = error.err();
      outcomes[i].message = error.what();
      outcomes[i].unanswered = true;
    }
  }
  return outcomes;
}

void RtnlSocket::SendAndHear(Bytes& messages, const std::vector<size_t>& starts, std::vector<RtnlOutcome>& outcomes,
                             std::vector<bool>& answered, const std::string& what) {
  const size_t answersFit = std::max<size_t>(1, receiveBufferBytes() / kAnswerTruesizeBytes);
  const size_t total = starts.size();
  auto endOf = [&](size_t i) { return i + 1 < total ? starts[i + 1] : messages.size(); };
  for (size_t first = 0; first < total;) {
    // consecutive messages are contiguous: one sendmsg takes them as one datagram
    const size_t begin = starts[first];
    size_t count = 1;
    while (first + count < total && count < answersFit && endOf(first + count) - begin <= kBatchBytes) ++count;
    const size_t end = endOf(first + count - 1);
    const uint32_t seq = nextSeq_;
    nextSeq_ += static_cast<uint32_t>(count);
    for (size_t i = 0; i < count; ++i) {
      auto* header = reinterpret_cast<nlmsghdr*>(messages.data() + starts[first + i]);
      header->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
      header->nlmsg_seq = seq + static_cast<uint32_t>(i);
      header->nlmsg_pid = port_;
    }
    Send(messages.data() + begin, end - begin, what);
    size_t heard = 0;
    while (heard < count) {
      if (!WaitReadable(kAnswerTimeoutMs)) ThrowErrno(EBADF, what + ": the socket was closed while waiting for answers");
      while (std::optional<Bytes> datagram = ReceiveOne(what + ": receive answers")) {
        ForEachMessage(*datagram, [&](const nlmsghdr* header) {
          // an answer to an earlier batch that timed out is not one of ours
          uint32_t index = header->nlmsg_seq - seq;
          if (header->nlmsg_type != NLMSG_ERROR || index >= count || answered[first + index]) return;
          outcomes[first + index] = OutcomeOf(header);
          answered[first + index] = true;
          ++heard;
        });
      }
    }
    first += count;
  }
}

std::vector<Bytes> RtnlSocket::Dump(const Bytes& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string what = "rtnetlink dump";
  if (closing_) ThrowErrno(EBADF, what + ": the socket is closed");
  if (request.size() < NLMSG_HDRLEN) throw SysError::Argument(what + ": the request is shorter than a netlink header");
  Bytes message = request;
  const uint32_t seq = nextSeq_++;
  auto* header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_len = static_cast<uint32_t>(message.size());
  header->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
  header->nlmsg_seq = seq;
  header->nlmsg_pid = port_;
  Send(message.data(), message.size(), what);
  std::vector<Bytes> answer;
  for (;;) {
    if (!WaitReadable(kAnswerTimeoutMs)) ThrowErrno(EBADF, what + ": the socket was closed during the dump");
    while (std::optional<Bytes> datagram = ReceiveOne(what + ": receive")) {
      bool ours = false;
      bool done = false;
      ForEachMessage(*datagram, [&](const nlmsghdr* message) {
        if (message->nlmsg_seq != seq) return;
        ours = true;
        if (message->nlmsg_type == NLMSG_ERROR) ThrowOutcome(OutcomeOf(message), what);
        if (message->nlmsg_type != NLMSG_DONE) return;
        done = true;
        // a dump that fails part way ends with the negative errno in NLMSG_DONE
        if (message->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
          int err = *static_cast<const int*>(NLMSG_DATA(message));
          if (err < 0) ThrowErrno(-err, what);
        }
      });
      if (ours) answer.push_back(std::move(*datagram));
      if (done) return answer;
    }
  }
}

RtnlEvents RtnlSocket::ReadEvents(size_t maxBytes) {
  RtnlEvents events;
  const std::string what = "receive rtnetlink events";
  try {
    if (!WaitReadable(-1)) return events;
    while (events.messages.size() < maxBytes) {
      std::optional<Bytes> datagram = ReceiveOne(what);
      if (!datagram) break;
      events.messages.insert(events.messages.end(), datagram->begin(), datagram->end());
    }
  } catch (const SysError& error) {
    // ENOBUFS: the kernel dropped messages for a full buffer and says so
    // once; the socket goes on receiving
    if (error.err() == ENOBUFS) {
      events.overrun = true;
    } else {
      events.failure = error.err();
    }
  }
  return events;
}

}  // namespace xr
