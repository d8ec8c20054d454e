#include "multi/multi.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace evm {

void MultiDeleter::operator()(Multi *m) const {
  delete m;
}

Multi::Multi() : recv_buffer_(new char[kRecvBufferSize]) {
  wakeup_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

Multi::~Multi() {
  // Handles still added are detached, not freed: they belong to the application.
  while (Transfer *t = transfers_.front()) remove(*t);
  tag_.magic = 0;
  if (wakeup_fd_ >= 0) ::close(wakeup_fd_);
}

Resolver &Multi::resolver_for(const std::string &servers) {
  auto &r = resolvers_[servers];
  if (!r) r = std::make_unique<Resolver>(sockets_, timers_, servers);
  return *r;
}

CURLMcode Multi::add(Transfer &t) {
  t.multi = this;
  transfers_.push_back(t);
  ++running_;
  ++pool_.handles_added;
  t.begin(*this, now());
  t.info.xfer_id = next_xfer_id_++;  // unique among this multi's transfers (CURLINFO_XFER_ID)
  update_timer();
  return CURLM_OK;
}

CURLMcode Multi::remove(Transfer &t) {
  bool was_running = t.state() != Transfer::State::Done && t.state() != Transfer::State::Idle;
  t.abandon();
  // A CONNECT_ONLY connection cannot outlive the multi it belongs to, so leaving an
  // application's multi closes it, as in libcurl; curl_easy_perform's private multi keeps it.
  if (t.private_multi.get() != this) t.drop_session();
  messages_.remove(t);
  ready_.remove(t);
  transfers_.remove(t);
  if (was_running && running_) --running_;
  if (pool_.handles_added) --pool_.handles_added;
  t.multi = nullptr;
  t.left_host();
  if (!running_) pool_.watch_idle(false);
  update_timer();
  return CURLM_OK;
}

void Multi::schedule(Transfer &t) {
  if (!t.ready_link.linked()) ready_.push_back(t);
}

void Multi::transfer_done(Transfer &t) {
  if (running_) --running_;
  messages_.push_back(t);
}

void Multi::report_socket(CURL *easy, curl_socket_t fd, int what, void *socketp) {
  if (!socket_fn) return;
  CallbackScope in_cb(this);
  socket_fn(easy, fd, what, socket_data, socketp);
}

void Multi::update_timer() {
  TimerClient *top = timers_.top();
  if (!top) {
    if (timer_armed_) {
      timer_armed_ = false;
      if (timer_fn) {
        CallbackScope in_cb(this);
        timer_fn(handle(), -1, timer_data);
      }
    }
    return;
  }
  // Only a change of the earliest deadline is reported, as libcurl does.
  if (timer_armed_ && top->deadline() == timer_reported_) return;
  timer_armed_ = true;
  timer_reported_ = top->deadline();
  if (timer_fn) {
    CallbackScope in_cb(this);
    timer_fn(handle(), millis_until(timer_reported_, now()), timer_data);
  }
}

void Multi::run_due(TimePoint t) {
  // Transfers woken by others first, then expired deadlines; a run may wake more of both.
  for (;;) {
    if (Transfer *r = ready_.pop_front()) {
      r->run(t);
      continue;
    }
    if (TimerClient *c = timers_.pop_expired(t)) {
      c->on_timeout(t);
      continue;
    }
    // HTTP/2 frames the transfers gathered leave now, one send per connection.
    if (pool_.flush_pending()) continue;
    break;
  }
}

void Multi::dispatch_socket(curl_socket_t fd, int cselect) {
  const SocketEntry *e = sockets_.find(fd);
  if (!e) return;
  e->owner->on_socket_ready(fd, cselect);
}

CURLMcode Multi::socket_action(curl_socket_t fd, int ev_bitmask, int *running) {
  TimePoint t = now();
  if (fd != CURL_SOCKET_TIMEOUT)
    dispatch_socket(fd, ev_bitmask);
  else
    timer_armed_ = false;  // the app's one-shot timer fired: re-arm it even for the same deadline
  run_due(t);
  pool_.watch_idle(running_ > 0);
  if (running) *running = static_cast<int>(running_);
  update_timer();
  return CURLM_OK;
}

CURLMcode Multi::perform(int *running) {
  // Without socket callbacks the application does not tell us which sockets are ready: ask the
  // kernel once for all of them.
  std::vector<pollfd> pfds;
  pfds.reserve(sockets_.watched());
  sockets_.for_each([&](curl_socket_t fd, const SocketEntry &e) {
    short ev = 0;
    if (e.interest & CURL_POLL_IN) ev |= POLLIN;
    if (e.interest & CURL_POLL_OUT) ev |= POLLOUT;
    pfds.push_back({fd, ev, 0});
  });
  if (!pfds.empty() && ::poll(pfds.data(), pfds.size(), 0) > 0) {
    for (auto &p : pfds) {
      if (!p.revents) continue;
      int cs = 0;
      if (p.revents & (POLLIN | POLLHUP)) cs |= CURL_CSELECT_IN;
      if (p.revents & POLLOUT) cs |= CURL_CSELECT_OUT;
      if (p.revents & (POLLERR | POLLNVAL)) cs |= CURL_CSELECT_ERR;
      dispatch_socket(p.fd, cs);
    }
  }
  run_due(now());
  pool_.watch_idle(running_ > 0);
  if (running) *running = static_cast<int>(running_);
  update_timer();
  return CURLM_OK;
}

CURLMcode Multi::wait(curl_waitfd extra[], unsigned extra_nfds, int timeout_ms, int *numfds,
                      bool use_wakeup) {
  std::vector<pollfd> pfds;
  pfds.reserve(sockets_.watched() + extra_nfds + 1);
  sockets_.for_each([&](curl_socket_t fd, const SocketEntry &e) {
    short ev = 0;
    if (e.interest & CURL_POLL_IN) ev |= POLLIN;
    if (e.interest & CURL_POLL_OUT) ev |= POLLOUT;
    pfds.push_back({fd, ev, 0});
  });
  size_t ours = pfds.size();
  for (unsigned i = 0; i < extra_nfds; ++i) {
    short ev = 0;
    if (extra[i].events & CURL_WAIT_POLLIN) ev |= POLLIN;
    if (extra[i].events & CURL_WAIT_POLLPRI) ev |= POLLPRI;
    if (extra[i].events & CURL_WAIT_POLLOUT) ev |= POLLOUT;
    pfds.push_back({extra[i].fd, ev, 0});
  }
  bool wake = use_wakeup && wakeup_fd_ >= 0;
  if (wake) pfds.push_back({wakeup_fd_, POLLIN, 0});

  // Never sleep past our own next deadline.
  long next = timeout_ms_value();
  int wait_ms = timeout_ms;
  if (next >= 0 && next < wait_ms) wait_ms = static_cast<int>(next);
  if (!ready_.empty()) wait_ms = 0;
  int n = ::poll(pfds.data(), pfds.size(), wait_ms);
  if (n < 0 && errno != EINTR) return CURLM_UNRECOVERABLE_POLL;

  int count = 0;
  for (size_t i = 0; i < ours; ++i)
    if (pfds[i].revents) ++count;
  for (unsigned i = 0; i < extra_nfds; ++i) {
    short re = pfds[ours + i].revents;
    extra[i].revents = 0;
    if (re & POLLIN) extra[i].revents |= CURL_WAIT_POLLIN;
    if (re & POLLPRI) extra[i].revents |= CURL_WAIT_POLLPRI;
    if (re & POLLOUT) extra[i].revents |= CURL_WAIT_POLLOUT;
    if (re) ++count;
  }
  if (wake && pfds.back().revents) {
    uint64_t v;
    while (::read(wakeup_fd_, &v, sizeof v) > 0) {
    }
  }
  if (numfds) *numfds = count;
  return CURLM_OK;
}

CURLMcode Multi::waitfds(curl_waitfd *ufds, unsigned size, unsigned *fd_count) const {
  // What curl_multi_wait would poll for the transfers (not its extra or wake-up descriptors).
  unsigned need = 0;
  sockets_.for_each([&](curl_socket_t fd, const SocketEntry &e) {
    if (ufds && need < size) {
      short ev = 0;
      if (e.interest & CURL_POLL_IN) ev |= CURL_WAIT_POLLIN;
      if (e.interest & CURL_POLL_OUT) ev |= CURL_WAIT_POLLOUT;
      ufds[need] = curl_waitfd{fd, ev, 0};
    }
    ++need;
  });
  if (fd_count) *fd_count = need;
  return ufds && need > size ? CURLM_OUT_OF_MEMORY : CURLM_OK;
}

CURLMcode Multi::wakeup() {
  if (wakeup_fd_ < 0) return CURLM_WAKEUP_FAILURE;
  uint64_t one = 1;
  if (::write(wakeup_fd_, &one, sizeof one) < 0 && errno != EAGAIN) return CURLM_WAKEUP_FAILURE;
  return CURLM_OK;
}

CURLMcode Multi::fdset(fd_set *read, fd_set *write, fd_set *exc, int *max_fd) {
  (void)exc;
  int maxfd = -1;
  sockets_.for_each([&](curl_socket_t fd, const SocketEntry &e) {
    if (fd >= FD_SETSIZE) return;  // select() cannot hold it; curl_multi_wait can
    if ((e.interest & CURL_POLL_IN) && read) FD_SET(fd, read);
    if ((e.interest & CURL_POLL_OUT) && write) FD_SET(fd, write);
    if (fd > maxfd) maxfd = fd;
  });
  if (max_fd) *max_fd = maxfd;
  return CURLM_OK;
}

long Multi::timeout_ms_value() const {
  if (!ready_.empty()) return 0;
  TimerClient *top = timers_.top();
  if (!top) return -1;
  return millis_until(top->deadline(), now());
}

CURLMsg *Multi::info_read(int *msgs_in_queue) {
  Transfer *t = messages_.pop_front();
  if (msgs_in_queue) *msgs_in_queue = static_cast<int>(messages_.size());
  return t ? &t->message : nullptr;
}

CURLMcode Multi::assign(curl_socket_t fd, void *socketp) {
  return sockets_.assign(fd, socketp) ? CURLM_OK : CURLM_BAD_SOCKET;
}

CURL **Multi::handles() const {
  auto **out = static_cast<CURL **>(std::malloc((transfers_.size() + 1) * sizeof(CURL *)));
  if (!out) return nullptr;
  size_t i = 0;
  for (Transfer *t = transfers_.front(); t; t = transfers_.next_of(*t)) out[i++] = t->handle();
  out[i] = nullptr;
  return out;
}

}  // namespace evm
