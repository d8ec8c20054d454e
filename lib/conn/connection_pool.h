// Every open connection, by origin, with the connection limits and the FIFO of transfers waiting
// for a connection slot. Transfers hold connections through leases; a connection nobody leases is
// kept idle for reuse or closed. A freed slot wakes exactly one waiter.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "conn/connection.h"
#include "util/clock.h"
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

class ConnectionPool;

// A request's hold on a connection. One connection may be leased by several requests at once
// (HTTP/2); it returns to the pool when the last lease is released.
class ConnectionLease {
 public:
  ConnectionLease() = default;
  ConnectionLease(ConnectionLease &&o) noexcept { *this = std::move(o); }
  ConnectionLease &operator=(ConnectionLease &&o) noexcept;
  ~ConnectionLease() { release(false, TimePoint{}); }

  explicit operator bool() const { return conn_ != nullptr; }
  Connection *operator->() const { return conn_; }
  Connection &operator*() const { return *conn_; }
  // Gives the connection back; `reusable` false marks it unfit for another request.
  void release(bool reusable, TimePoint t);

 private:
  friend class ConnectionPool;
  ConnectionLease(ConnectionPool &p, Connection &c, ConnectionUser &u)
      : pool_(&p), conn_(&c), user_(&u) {}
  ConnectionPool *pool_ = nullptr;
  Connection *conn_ = nullptr;
  ConnectionUser *user_ = nullptr;
};

struct PoolLimits {
  size_t max_host = 0;       // CURLMOPT_MAX_HOST_CONNECTIONS, 0 = unlimited
  size_t max_total = 0;      // CURLMOPT_MAX_TOTAL_CONNECTIONS, 0 = unlimited
  size_t max_idle = 0;       // CURLMOPT_MAXCONNECTS, 0 = 4 × the number of added handles
  size_t max_streams = 100;  // CURLMOPT_MAX_CONCURRENT_STREAMS, per HTTP/2 connection
  bool multiplex = true;     // CURLMOPT_PIPELINING has CURLPIPE_MULTIPLEX
};

class ConnectionPool final : public ConnectionListener {
 public:
  // `idle_easy`: what SOCKETFUNCTION calls name for an idle connection that stays watched.
  explicit ConnectionPool(SocketRegistry &sockets, CURL *idle_easy = nullptr)
      : sockets_(sockets), idle_easy_(idle_easy) {}
  ~ConnectionPool();

  PoolLimits limits;
  size_t handles_added = 0;  // for the default idle bound

  // A lease on an idle, live connection to `origin`, or an empty one. Dead idle connections
  // are closed on the way.
  ConnectionLease take_idle(const std::string &origin, ConnectionUser &user);
  // Another lease on `c`, which the caller knows is alive (a pushed stream's transfer).
  ConnectionLease lease(Connection &c, ConnectionUser &user) {
    c.attach(user);
    return ConnectionLease(*this, c, user);
  }
  // A lease on a busy HTTP/2 connection to `origin` with a stream to spare, or an empty one.
  ConnectionLease take_multiplexed(const std::string &origin, ConnectionUser &user);
  // `c` may turn out to speak HTTP/2 once connected: PIPEWAIT transfers wait for it.
  void expect_multiplex(Connection &c);
  bool multiplex_pending(const std::string &origin);
  // An HTTP/2 connection to `origin` that takes new streams, full or not (PIPEWAIT waits for it).
  bool has_multiplexed(const std::string &origin);
  void on_capacity(Connection &c) override;
  void on_idle_dead(Connection &c) override;
  bool watches_idle() const override { return watch_idle_; }
  // Idle connections are watched while transfers run (a server's close is noticed at once,
  // curl #20377) and unwatched when none does, so the application's loop can run dry.
  void watch_idle(bool on);
  void on_output(Connection &c) override;
  // Sends the gathered frames of every connection that has some; true when there were any.
  bool flush_pending();
  // `c` finished connecting: it speaks HTTP/2 (and carries more than one request) or not. The
  // waiters it can take are woken.
  void connected(Connection &c);
  // Whether a new connection to `origin` fits the limits; may close an idle connection of
  // another origin to make room under the total limit.
  bool may_open(const std::string &origin);
  // A lease on a new connection to `origin`, counted against the limits.
  ConnectionLease open(const std::string &origin, ConnectionUser &user);

  void wait(SlotWaiter &w, const std::string &origin, bool at_front);
  void cancel_wait(SlotWaiter &w);
  size_t waiting() const { return all_waiters_.size(); }
  size_t open_connections() const { return total_; }
  size_t idle_connections() const { return idle_.size(); }
  // The socket of idle connection `id`, or CURL_SOCKET_BAD when it is no longer kept.
  curl_socket_t idle_socket(uint64_t id);

 private:
  struct Bucket {
    size_t count = 0;  // open connections, idle or busy
    IntrusiveList<Connection, &Connection::bucket_link> idle;
    IntrusiveList<SlotWaiter, &SlotWaiter::host_link_> waiters;
    IntrusiveList<Connection, &Connection::mux_link> mux;  // HTTP/2 ones, idle or busy
    size_t mux_pending = 0;                                // connecting ones that may speak HTTP/2
  };

  friend class ConnectionLease;
  // A user is done with `c`: once nobody uses it, keep it idle when reusable, else close it.
  // Wakes one waiter.
  void give_back(Connection &c, ConnectionUser &u, bool reusable, TimePoint t);
  size_t idle_bound() const;
  static bool too_old(const Connection &c, const ReuseLimits &limits, TimePoint t);
  void close_now(Connection *c);
  void unlink_idle(Connection &c);
  bool close_oldest_idle();
  void wake_one(Bucket &b);
  void settle_pending(Connection &c, Bucket &b);

  SocketRegistry &sockets_;
  CURL *idle_easy_;
  std::unordered_map<std::string, Bucket> buckets_;
  IntrusiveList<Connection, &Connection::idle_link> idle_;  // oldest first
  bool watch_idle_ = false;
  IntrusiveList<SlotWaiter, &SlotWaiter::all_link_> all_waiters_;
  IntrusiveList<Connection, &Connection::flush_link> to_flush_;
  size_t total_ = 0;
  uint64_t next_id_ = 0;
};

}  // namespace evm
