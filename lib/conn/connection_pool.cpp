#include "conn/connection_pool.h"

#include "event/socket_registry.h"
#include "util/trace.h"

namespace evm {

ConnectionPool::~ConnectionPool() {
  while (Connection *c = idle_.front()) {
    unlink_idle(*c);
    close_now(std::unique_ptr<Connection>(c));
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

void ConnectionPool::close_now(std::unique_ptr<Connection> c) {
  Trace quiet;
  std::string error;
  int os_errno = 0;
  FilterContext ctx{sockets_, nullptr, quiet, error, os_errno};
  if (c->has_filter()) c->filter().close(ctx);
  auto &b = buckets_[c->origin()];
  if (b.count) --b.count;
  if (total_) --total_;
}

std::unique_ptr<Connection> ConnectionPool::take_idle(const std::string &origin) {
  auto it = buckets_.find(origin);
  if (it == buckets_.end()) return nullptr;
  // Most recently used first: the likeliest to be alive and warm.
  while (Connection *c = it->second.idle.back()) {
    unlink_idle(*c);
    std::unique_ptr<Connection> conn(c);
    if (conn->filter().is_alive()) return conn;
    close_now(std::move(conn));
  }
  return nullptr;
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
  close_now(std::unique_ptr<Connection>(c));
  return true;
}

void ConnectionPool::opened(const Connection &c) {
  ++buckets_[c.origin()].count;
  ++total_;
}

void ConnectionPool::release(std::unique_ptr<Connection> c, bool reusable, TimePoint t) {
  auto &b = buckets_[c->origin()];
  if (!reusable) {
    discard(std::move(c));
    return;
  }
  c->idle_since = t;
  c->stash.clear();
  Connection *raw = c.release();
  idle_.push_back(*raw);
  b.idle.push_back(*raw);
  while (idle_.size() > idle_bound()) close_oldest_idle();
  wake_one(b);
}

void ConnectionPool::discard(std::unique_ptr<Connection> c) {
  auto &b = buckets_[c->origin()];
  close_now(std::move(c));
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
