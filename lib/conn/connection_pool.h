// Idle connections by origin, the connection limits, and the FIFO of transfers waiting for a
// connection slot. A freed slot wakes exactly one waiter.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "conn/connection.h"
#include "util/intrusive_list.h"

namespace evm {

class SocketRegistry;

// A transfer waiting for a connection slot.
class SlotWaiter {
 public:
  virtual void on_slot_free() = 0;
  const std::string &waiting_origin() const { return waiting_origin_; }
  bool waiting() const { return host_link_.linked(); }

 protected:
  ~SlotWaiter() = default;

 private:
  friend class ConnectionPool;
  std::string waiting_origin_;
  ListLink host_link_, all_link_;
};

struct PoolLimits {
  size_t max_host = 0;   // CURLMOPT_MAX_HOST_CONNECTIONS, 0 = unlimited
  size_t max_total = 0;  // CURLMOPT_MAX_TOTAL_CONNECTIONS, 0 = unlimited
  size_t max_idle = 0;   // CURLMOPT_MAXCONNECTS, 0 = 4 × the number of added handles
};

class ConnectionPool {
 public:
  explicit ConnectionPool(SocketRegistry &sockets) : sockets_(sockets) {}
  ~ConnectionPool();

  PoolLimits limits;
  size_t handles_added = 0;  // for the default idle bound

  // An idle, live connection to `origin`, or null. Dead idle connections are closed on the way.
  std::unique_ptr<Connection> take_idle(const std::string &origin);
  // Whether a new connection to `origin` fits the limits; may close an idle connection of
  // another origin to make room under the total limit.
  bool may_open(const std::string &origin);
  void opened(const Connection &c);
  // A transfer is done with `c`: keep it idle when reusable, else close it. Wakes one waiter.
  void release(std::unique_ptr<Connection> c, bool reusable, TimePoint t);
  // Closes a connection that was counted by opened().
  void discard(std::unique_ptr<Connection> c);

  void wait(SlotWaiter &w, const std::string &origin, bool at_front);
  void cancel_wait(SlotWaiter &w);
  size_t waiting() const { return all_waiters_.size(); }
  size_t open_connections() const { return total_; }
  size_t idle_connections() const { return idle_.size(); }
  uint64_t next_id() { return next_id_++; }

 private:
  struct Bucket {
    size_t count = 0;  // open connections, idle or busy
    IntrusiveList<Connection, &Connection::bucket_link> idle;
    IntrusiveList<SlotWaiter, &SlotWaiter::host_link_> waiters;
  };

  size_t idle_bound() const;
  void close_now(std::unique_ptr<Connection> c);
  void unlink_idle(Connection &c);
  bool close_oldest_idle();
  void wake_one(Bucket &b);

  SocketRegistry &sockets_;
  std::unordered_map<std::string, Bucket> buckets_;
  IntrusiveList<Connection, &Connection::idle_link> idle_;  // oldest first
  IntrusiveList<SlotWaiter, &SlotWaiter::all_link_> all_waiters_;
  size_t total_ = 0;
  uint64_t next_id_ = 0;
};

}  // namespace evm
