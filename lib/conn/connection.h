// A connection to one origin: its filter chain, its socket watch and the requests it carries.
// It is the registry's owner of its sockets, so one request finishing never unwatches a socket
// that other requests on the same connection still need (HTTP/2 multiplexing).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "conn/filter.h"
#include "event/socket_registry.h"
#include "util/intrusive_list.h"
#include "util/trace.h"

namespace evm {

class Connection;
class Exchange;
class H2Session;
struct H2Settings;

// How old an idle connection may be for a request to take it (CURLOPT_MAXAGE_CONN,
// CURLOPT_MAXLIFETIME_CONN), in whole seconds as libcurl counts them; 0 lifetime = no limit.
struct ReuseLimits {
  long max_idle_s = 118;
  long max_life_s = 0;
  Trace *trace = nullptr;  // where "too old" is said
};

// What an HTTP/2 connection tells its pool from the socket dispatch: it can carry more requests
// than before (the server's SETTINGS), or, idle, it is closing or going away.
class ConnectionListener {
 public:
  virtual void on_capacity(Connection &c) = 0;
  virtual void on_idle_dead(Connection &c) = 0;  // may delete `c`
  // Frames wait to be sent: flush_output() once every transfer due has run.
  virtual void on_output(Connection &c) = 0;
  // Whether idle connections are watched now (only while transfers run, so that an
  // application's loop still runs dry when all is done).
  virtual bool watches_idle() const = 0;

 protected:
  ~ConnectionListener() = default;
};

// A request riding on a connection (through a lease from the pool).
class ConnectionUser {
 public:
  // A socket of the connection is ready (`cselect`: CURL_CSELECT_* bits, 0 = unknown). Called
  // from the socket dispatch: record and schedule, do no I/O here.
  virtual void on_connection_event(int cselect) = 0;
  // Adds what this user wants watched now to `ps`.
  virtual void add_pollset(Pollset &ps) = 0;
  virtual CURL *user_easy() = 0;  // named in SOCKETFUNCTION calls
  // Which idle connections this user accepts.
  virtual ReuseLimits reuse_limits() { return {}; }

 protected:
  ~ConnectionUser() = default;

 private:
  friend class Connection;
  ListLink user_link_;
};

class Connection final : public IoHandler {
 public:
  // The filter chain is installed once the address is known; until then the connection only
  // holds its slot in the pool's limits.
  // `idle_easy` is named in SOCKETFUNCTION calls for an idle connection, which stays watched
  // while the pool says so: HTTP/2 so PING, SETTINGS and GOAWAY are read while nobody uses it,
  // HTTP/1.1 so a server's close is noticed and the descriptor released at once (curl #20377).
  Connection(std::string origin, uint64_t id, SocketRegistry &sockets, CURL *idle_easy = nullptr);
  ~Connection();

  void set_filter(std::unique_ptr<Filter> top) { top_ = std::move(top); }
  bool has_filter() const { return top_ != nullptr; }
  Filter &filter() { return *top_; }
  const Filter &filter() const { return *top_; }
  const std::string &origin() const { return origin_; }
  uint64_t id() const { return id_; }

  // The exchange that runs `user`'s next request: HTTP/1.1's one, reused request after request,
  // or a new stream of the HTTP/2 session.
  Exchange &begin_exchange(ConnectionUser &user);

  // From now on the connection speaks HTTP/2 (ALPN said h2, or by prior knowledge).
  void start_h2(const H2Settings &settings);
  // Who hears of capacity, output and death while idle; set by the pool that owns it.
  void listen(ConnectionListener &listener) { listener_ = &listener; }
  bool multiplexed() const { return h2_ != nullptr; }
  H2Session *h2() { return h2_.get(); }
  // Whether another request may start on it (an HTTP/2 GOAWAY or failure says no).
  bool accepts_requests() const;
  // An idle connection's check before reuse: the filters' own, or HTTP/2 frames read.
  bool alive(FilterContext &ctx);
  // Sends what the HTTP/2 session has gathered, then re-derives the pollset; may delete this
  // connection when it is idle and the send found it closed.
  void flush_output();

  // Requests it may carry at once (1 for HTTP/1.1) and those it carries now.
  size_t capacity() const;
  size_t users() const { return users_.size(); }
  void attach(ConnectionUser &u) { users_.push_back(u); }
  void detach(ConnectionUser &u);

  // Watches the union of what its users want; nothing when it has none. SOCKETFUNCTION calls
  // name the first user, or `easy` when there is none (the one that just left).
  void update_pollset(CURL *easy = nullptr);
  void on_socket_ready(curl_socket_t fd, int cselect) override;
  // Unwatches everything and closes the chain.
  void close(FilterContext &ctx);

  // Its two ends as getinfo reports them, formatted once per connection (not per request: a
  // reused connection's addresses do not change, and formatting them is not free).
  struct Ends {
    std::string peer_ip, local_ip;
    long peer_port = 0, local_port = 0;
  };
  const Ends &ends();

  bool connected = false;
  bool reusable = true;   // false once anything made it unfit for another request
  uint32_t requests = 0;  // requests started on it; more than one means it was reused
  TimePoint idle_since{};
  TimePoint created{};

  ListLink idle_link;        // in the pool's LRU of idle connections
  ListLink bucket_link;      // in its origin's list of idle connections
  ListLink mux_link;         // in its origin's list of HTTP/2 connections
  ListLink flush_link;       // in the pool's list of connections with frames to send
  bool mux_pending = false;  // still connecting, and may turn out to speak HTTP/2 (PIPEWAIT)

 private:
  std::string origin_;
  uint64_t id_;
  SocketRegistry &sockets_;
  CURL *idle_easy_;
  ConnectionListener *listener_ = nullptr;
  std::unique_ptr<Filter> top_;
  // What the connection does outside any transfer's turn (socket dispatch, leaving users).
  FilterContext quiet_context(CURL *easy);
  bool watched_while_idle() const;

  std::unique_ptr<Exchange> exchange_;
  std::unique_ptr<H2Session> h2_;
  Trace quiet_trace_;
  std::string quiet_error_;
  int quiet_errno_ = 0;
  IntrusiveList<ConnectionUser, &ConnectionUser::user_link_> users_;
  Pollset watched_;
  Ends ends_;
  bool ends_known_ = false;
};

}  // namespace evm
