#include "conn/tcp_filter.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "event/socket_registry.h"
#include "util/trace.h"

namespace evm {

namespace {
constexpr auto kHappyEyeballsDelay = std::chrono::milliseconds(200);
}

TcpFilter::TcpFilter(AddressList addresses, std::string host, uint16_t port, TcpOptions opts)
    : host_(std::move(host)), port_(port), opts_(std::move(opts)) {
  if (addresses.empty()) return;
  const int first = addresses.front().family();
  for (auto &a : addresses) families_[a.family() == first ? 0 : 1].addrs.push_back(a);
}

TcpFilter::~TcpFilter() {
  // close() normally ran already; this only guards against leaking descriptors.
  for (auto &a : attempts_) close_socket(a.fd);
  if (fd_ != CURL_SOCKET_BAD) close_socket(fd_);
}

void TcpFilter::close_socket(curl_socket_t fd) {
  if (opts_.callbacks)
    opts_.callbacks->close(fd);
  else
    ::close(fd);
}

void TcpFilter::tune(curl_socket_t fd) {
  int one = 1;
  if (opts_.nodelay) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!opts_.keepalive) return;
  // Failures only cost the probes, as in libcurl: the connection goes on without them.
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &opts_.keepidle, sizeof opts_.keepidle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &opts_.keepintvl, sizeof opts_.keepintvl);
}

curl_socket_t TcpFilter::open_socket(FilterContext &ctx, Address &addr, bool &connected) {
  connected = false;
  curl_socket_t fd;
  if (opts_.callbacks) {
    fd = opts_.callbacks->open(addr);
    if (fd == CURL_SOCKET_BAD) {
      last_errno_ = 0;
      last_code_ = CURLE_COULDNT_CONNECT;
      return CURL_SOCKET_BAD;
    }
    // The application's socket may be blocking; we never wait on one.
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  } else {
    fd = ::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
      last_errno_ = errno;
      return CURL_SOCKET_BAD;
    }
  }
  tune(fd);
  if (opts_.callbacks) {
    int answer = opts_.callbacks->tune(fd);
    if (answer == CURL_SOCKOPT_ALREADY_CONNECTED) {
      connected = true;
      return fd;
    }
    if (answer != CURL_SOCKOPT_OK) {
      last_errno_ = 0;
      last_code_ = CURLE_ABORTED_BY_CALLBACK;
      close_socket(fd);
      return CURL_SOCKET_BAD;
    }
  }
  std::string error;
  CURLcode rc = bind_local(fd, addr.family(), opts_.local, ctx.trace, error);
  if (rc == CURLE_OK) return fd;
  close_socket(fd);
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    // The interface has no address of this family: the next address may do.
    last_errno_ = 0;
    last_code_ = CURLE_COULDNT_CONNECT;
  } else {
    fatal_ = rc;
    ctx.error = std::move(error);
  }
  return CURL_SOCKET_BAD;
}

bool TcpFilter::start_next(FilterContext &ctx, Family &fam, TimePoint t) {
  (void)t;
  while (!fam.exhausted() && fatal_ == CURLE_OK) {
    Address addr = fam.addrs[fam.next++];
    ctx.trace.info("  Trying %s%s%s:%u...", addr.family() == AF_INET6 ? "[" : "", addr.ip().c_str(),
                   addr.family() == AF_INET6 ? "]" : "", addr.port());
    bool connected = false;
    curl_socket_t fd = open_socket(ctx, addr, connected);
    if (fd == CURL_SOCKET_BAD) continue;
    if (connected || ::connect(fd, addr.sa(), addr.length) == 0 || errno == EINPROGRESS) {
      attempts_.push_back({fd, addr});
      return true;
    }
    last_errno_ = errno;
    close_socket(fd);
  }
  return false;
}

bool TcpFilter::any_in_flight(const Family &fam) const {
  for (auto &a : attempts_)
    if (!fam.addrs.empty() && a.addr.family() == fam.addrs.front().family()) return true;
  return false;
}

void TcpFilter::drop_attempt(FilterContext &ctx, size_t i) {
  ctx.sockets.forget(attempts_[i].fd, ctx.easy);
  close_socket(attempts_[i].fd);
  attempts_.erase(attempts_.begin() + static_cast<ptrdiff_t>(i));
}

void TcpFilter::fail_attempt(FilterContext &ctx, size_t i, int err) {
  last_errno_ = err;
  ctx.trace.info("connect to %s port %u failed: %s", attempts_[i].addr.ip().c_str(),
                 attempts_[i].addr.port(), std::strerror(err));
  drop_attempt(ctx, i);
}

CURLcode TcpFilter::connect(FilterContext &ctx, TimePoint t, bool &done) {
  done = false;
  if (fd_ != CURL_SOCKET_BAD) {
    done = true;
    return CURLE_OK;
  }
  if (started_ == TimePoint{}) {
    started_ = t;
    if (!families_[1].addrs.empty()) second_family_at_ = t + kHappyEyeballsDelay;
    start_next(ctx, families_[0], t);
  }

  // Which attempts have finished? One poll() over at most a handful of sockets.
  pollfd pfds[Pollset::kMax * 2];
  size_t n = attempts_.size() < std::size(pfds) ? attempts_.size() : std::size(pfds);
  for (size_t i = 0; i < n; ++i) pfds[i] = {attempts_[i].fd, POLLOUT, 0};
  if (n) ::poll(pfds, n, 0);
  for (size_t i = n; i-- > 0;) {
    if (!pfds[i].revents) continue;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(attempts_[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err == 0 && (pfds[i].revents & POLLOUT)) {
      fd_ = attempts_[i].fd;
      peer_ = attempts_[i].addr;
      attempts_.erase(attempts_.begin() + static_cast<ptrdiff_t>(i));
      while (!attempts_.empty()) drop_attempt(ctx, attempts_.size() - 1);
      sockaddr_storage ss;
      socklen_t sl = sizeof ss;
      if (::getsockname(fd_, reinterpret_cast<sockaddr *>(&ss), &sl) == 0)
        local_ = Address::from_sockaddr(reinterpret_cast<sockaddr *>(&ss), sl);
      ctx.trace.info("Connected to %s (%s) port %u", host_.c_str(), peer_.ip().c_str(), port_);
      done = true;
      return CURLE_OK;
    }
    fail_attempt(ctx, i, err ? err : ECONNREFUSED);
  }

  // Keep each family busy: a failed attempt moves on to that family's next address, and a
  // family that has run dry lets the other one start at once.
  if (!any_in_flight(families_[0])) start_next(ctx, families_[0], t);
  bool second_started = families_[1].next > 0;
  if (!families_[1].addrs.empty() && !second_started &&
      (t >= second_family_at_ || (families_[0].exhausted() && !any_in_flight(families_[0])))) {
    second_family_at_ = TimePoint::max();
    start_next(ctx, families_[1], t);
  } else if (second_started && !any_in_flight(families_[1])) {
    start_next(ctx, families_[1], t);
  }

  if (fatal_ != CURLE_OK) {
    // The text is set already: libcurl reports a local binding failure as it stands.
    while (!attempts_.empty()) drop_attempt(ctx, attempts_.size() - 1);
    return fatal_;
  }
  if (attempts_.empty()) {
    ctx.os_errno = last_errno_;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - started_).count();
    ctx.error = "Failed to connect to " + host_ + " port " + std::to_string(port_) + " after " +
                std::to_string(ms) + " ms: " +
                (last_errno_ ? std::strerror(last_errno_)
                 : last_code_ == CURLE_ABORTED_BY_CALLBACK
                     ? "Operation was aborted by an application callback"
                     : "Couldn't connect to server");
    return last_errno_ ? CURLE_COULDNT_CONNECT : last_code_;
  }
  return CURLE_OK;
}

ssize_t TcpFilter::send(FilterContext &ctx, const char *buf, size_t len, CURLcode &err) {
  ssize_t n = ::send(fd_, buf, len, MSG_NOSIGNAL);
  if (n >= 0) return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    err = CURLE_AGAIN;
    return -1;
  }
  ctx.os_errno = errno;
  ctx.error = std::string("Send failure: ") + std::strerror(errno);
  err = CURLE_SEND_ERROR;
  return -1;
}

ssize_t TcpFilter::recv(FilterContext &ctx, char *buf, size_t len, CURLcode &err) {
  ssize_t n = ::recv(fd_, buf, len, 0);
  if (n >= 0) return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    err = CURLE_AGAIN;
    return -1;
  }
  ctx.os_errno = errno;
  ctx.error = std::string("Recv failure: ") + std::strerror(errno);
  err = CURLE_RECV_ERROR;
  return -1;
}

void TcpFilter::adjust_pollset(Pollset &ps, bool want_send, bool want_recv) const {
  if (fd_ == CURL_SOCKET_BAD) {
    for (auto &a : attempts_) ps.add(a.fd, CURL_POLL_OUT);
    return;
  }
  int ev = (want_send ? CURL_POLL_OUT : 0) | (want_recv ? CURL_POLL_IN : 0);
  if (ev) ps.add(fd_, ev);
}

TimePoint TcpFilter::connect_deadline() const {
  return fd_ == CURL_SOCKET_BAD ? second_family_at_ : TimePoint::max();
}

bool TcpFilter::query(FilterQuery q, FilterAnswer &out) const {
  if (fd_ == CURL_SOCKET_BAD) return false;
  if (q == FilterQuery::PeerAddress)
    out.address = peer_;
  else if (q == FilterQuery::LocalAddress)
    out.address = local_;
  else
    return false;
  return true;
}

bool TcpFilter::is_alive(FilterContext &) {
  if (fd_ == CURL_SOCKET_BAD) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  // Readable data or EOF on an idle connection both mean the server is done with it.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void TcpFilter::close(FilterContext &ctx) {
  while (!attempts_.empty()) drop_attempt(ctx, attempts_.size() - 1);
  if (fd_ != CURL_SOCKET_BAD) {
    ctx.sockets.forget(fd_, ctx.easy);
    close_socket(fd_);
    fd_ = CURL_SOCKET_BAD;
  }
}

}  // namespace evm
