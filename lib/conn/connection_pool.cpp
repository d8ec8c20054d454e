#include "conn/connection_pool.h"

#include "util/trace.h"

namespace evm {

namespace {

// What a filter call made by the pool itself (liveness check, close) may use: nobody's trace and
// nobody's error text.
struct QuietContext {
  Trace trace;
  std::string error;
  int os_errno = 0;
  FilterContext ctx;
  explicit QuietContext(SocketRegistry &sockets) : ctx{sockets, nullptr, trace, error, os_errno} {}
};

}  // namespace

ConnectionLease &ConnectionLease::operator=(ConnectionLease &&o) noexcept {
  if (this != &o) {
    release(false, TimePoint{});
    pool_ = o.pool_;
    conn_ = o.conn_;
    user_ = o.user_;
    o.pool_ = nullptr;
    o.conn_ = nullptr;
    o.user_ = nullptr;
  }
  return *this;
}

void ConnectionLease::release(bool reusable, TimePoint t) {
  if (!conn_) return;
  Connection *c = conn_;
  conn_ = nullptr;
  pool_->give_back(*c, *user_, reusable, t);
}

ConnectionPool::~ConnectionPool() {
  while (Connection *c = idle_.front()) {
    unlink_idle(*c);
    close_now(c);
  }
}

size_t ConnectionPool::idle_bound() const {
  if (limits.max_idle) return limits.max_idle;
  size_t n = 4 * handles_added;
  return n ? n : 4;
}

void ConnectionPool::unlink_idle(Connection &c) {
  idle_.remove(c);
  buckets_[c.origin()].idle.remove(c);
}

void ConnectionPool::close_now(Connection *c) {
  QuietContext q(sockets_);
  c->close(q.ctx);
  auto &b = buckets_[c->origin()];
  if (c->mux_link.linked()) b.mux.remove(*c);
  if (c->flush_link.linked()) to_flush_.remove(*c);
  if (c->mux_pending) {
    // It never got to say whether it multiplexes: its PIPEWAIT waiters go on without it.
    settle_pending(*c, b);
    while (b.waiters.front() && !b.mux_pending) {
      SlotWaiter *w = b.waiters.front();
      cancel_wait(*w);
      w->on_slot_free();
    }
  }
  if (b.count) --b.count;
  if (total_) --total_;
  delete c;
}

bool ConnectionPool::too_old(const Connection &c, const ReuseLimits &limits, TimePoint t) {
  // Whole seconds, and only beyond the limit, as libcurl measures.
  auto idle = std::chrono::duration_cast<std::chrono::seconds>(t - c.idle_since).count();
  if (idle > limits.max_idle_s) {
    if (limits.trace)
      limits.trace->info("Too old connection (%ld seconds idle), disconnect it",
                         static_cast<long>(idle));
    return true;
  }
  auto life = std::chrono::duration_cast<std::chrono::seconds>(t - c.created).count();
  if (limits.max_life_s && life > limits.max_life_s) {
    if (limits.trace)
      limits.trace->info("Too old connection (%ld seconds since creation), disconnect it",
                         static_cast<long>(life));
    return true;
  }
  return false;
}

ConnectionLease ConnectionPool::take_idle(const std::string &origin, ConnectionUser &user) {
  auto it = buckets_.find(origin);
  if (it == buckets_.end()) return {};
  const ReuseLimits limits = user.reuse_limits();
  const TimePoint t = now();
  // Most recently used first: the likeliest to be alive and warm.
  while (Connection *c = it->second.idle.back()) {
    unlink_idle(*c);
    QuietContext q(sockets_);
    if (!too_old(*c, limits, t) && c->alive(q.ctx)) {
      c->attach(user);
      return ConnectionLease(*this, *c, user);
    }
    close_now(c);
  }
  return {};
}

ConnectionLease ConnectionPool::take_multiplexed(const std::string &origin, ConnectionUser &user) {
  auto it = buckets_.find(origin);
  if (it == buckets_.end()) return {};
  // Idle ones (no users) are taken through take_idle, which checks them first.
  for (Connection *c = it->second.mux.front(); c; c = it->second.mux.next_of(*c))
    if (c->users() && c->users() < c->capacity() && c->accepts_requests()) {
      c->attach(user);
      return ConnectionLease(*this, *c, user);
    }
  return {};
}

void ConnectionPool::expect_multiplex(Connection &c) {
  if (c.mux_pending) return;
  c.mux_pending = true;
  ++buckets_[c.origin()].mux_pending;
}

bool ConnectionPool::multiplex_pending(const std::string &origin) {
  auto it = buckets_.find(origin);
  return it != buckets_.end() && it->second.mux_pending;
}

void ConnectionPool::settle_pending(Connection &c, Bucket &b) {
  if (!c.mux_pending) return;
  c.mux_pending = false;
  if (b.mux_pending) --b.mux_pending;
}

bool ConnectionPool::has_multiplexed(const std::string &origin) {
  auto it = buckets_.find(origin);
  if (it == buckets_.end()) return false;
  for (Connection *c = it->second.mux.front(); c; c = it->second.mux.next_of(*c))
    if (c->accepts_requests()) return true;
  return false;
}

void ConnectionPool::on_capacity(Connection &c) {
  auto &b = buckets_[c.origin()];
  size_t spare = c.capacity() - std::min(c.capacity(), c.users());
  while (spare-- && b.waiters.front()) wake_one(b);
}

void ConnectionPool::on_output(Connection &c) {
  if (!c.flush_link.linked()) to_flush_.push_back(c);
}

bool ConnectionPool::flush_pending() {
  if (!to_flush_.front()) return false;
  while (Connection *c = to_flush_.front()) {
    to_flush_.remove(*c);
    c->flush_output();
  }
  return true;
}

void ConnectionPool::on_idle_dead(Connection &c) {
  // Read while idle, it said GOAWAY, closed or sent stray bytes: its descriptor goes now, not at
  // the next take.
  if (!c.idle_link.linked()) return;
  unlink_idle(c);
  close_now(&c);
}

void ConnectionPool::watch_idle(bool on) {
  if (on == watch_idle_) return;
  watch_idle_ = on;
  // Re-watched, a connection the server closed meanwhile is reported readable at once.
  for (Connection *c = idle_.front(); c; c = idle_.next_of(*c)) c->update_pollset();
}

void ConnectionPool::connected(Connection &c) {
  auto &b = buckets_[c.origin()];
  bool was_pending = c.mux_pending;
  settle_pending(c, b);
  if (c.multiplexed() && !c.mux_link.linked()) b.mux.push_back(c);
  // Streams to spare go to waiters; a connection that will not multiplex lets the PIPEWAIT
  // ones go on to open their own.
  size_t spare = c.multiplexed() ? c.capacity() - std::min(c.capacity(), c.users()) : 0;
  if (!c.multiplexed() && was_pending) spare = b.waiters.size();
  while (spare-- && b.waiters.front()) wake_one(b);
}

curl_socket_t ConnectionPool::idle_socket(uint64_t id) {
  for (Connection *c = idle_.front(); c; c = idle_.next_of(*c))
    if (c->id() == id && c->has_filter()) return c->filter().socket();
  return CURL_SOCKET_BAD;
}

bool ConnectionPool::may_open(const std::string &origin) {
  auto &b = buckets_[origin];
  if (limits.max_host && b.count >= limits.max_host) return false;
  while (limits.max_total && total_ >= limits.max_total)
    if (!close_oldest_idle()) return false;
  return true;
}

bool ConnectionPool::close_oldest_idle() {
  Connection *c = idle_.front();
  if (!c) return false;
  unlink_idle(*c);
  close_now(c);
  return true;
}

ConnectionLease ConnectionPool::open(const std::string &origin, ConnectionUser &user) {
  auto *c = new Connection(origin, next_id_++, sockets_, idle_easy_);
  c->listen(*this);
  c->created = now();
  ++buckets_[origin].count;
  ++total_;
  c->attach(user);
  return ConnectionLease(*this, *c, user);
}

void ConnectionPool::give_back(Connection &c, ConnectionUser &u, bool reusable, TimePoint t) {
  // Before detaching: a connection about to close must not be watched again as idle first.
  if (!reusable) c.reusable = false;
  c.detach(u);
  auto &b = buckets_[c.origin()];
  if (c.users()) {
    // Others still ride on it; a freed stream lets a waiter of the origin on.
    if (c.multiplexed() && c.accepts_requests() && b.waiters.front()) wake_one(b);
    return;
  }
  if (c.reusable && c.connected && c.accepts_requests()) {
    c.idle_since = t;
    idle_.push_back(c);
    b.idle.push_back(c);
    while (idle_.size() > idle_bound()) close_oldest_idle();
  } else {
    close_now(&c);
  }
  wake_one(b);
}

void ConnectionPool::wake_one(Bucket &b) {
  // A waiter of the same origin can use what was just freed; otherwise a freed total slot may
  // let the oldest waiter of any origin go.
  SlotWaiter *w = b.waiters.front();
  for (SlotWaiter *o = all_waiters_.front(); !w && o; o = all_waiters_.next_of(*o))
    if (!limits.max_host || buckets_[o->waiting_origin_].count < limits.max_host) w = o;
  if (!w) return;
  cancel_wait(*w);
  w->on_slot_free();
}

void ConnectionPool::wait(SlotWaiter &w, const std::string &origin, bool at_front) {
  cancel_wait(w);
  w.waiting_origin_ = origin;
  auto &b = buckets_[origin];
  if (at_front) {
    b.waiters.push_front(w);
    all_waiters_.push_front(w);
  } else {
    b.waiters.push_back(w);
    all_waiters_.push_back(w);
  }
}

void ConnectionPool::cancel_wait(SlotWaiter &w) {
  if (!w.waiting()) return;
  buckets_[w.waiting_origin_].waiters.remove(w);
  all_waiters_.remove(w);
}

}  // namespace evm
