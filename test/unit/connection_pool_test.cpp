// Unit tests for the connection pool (leases, limits, the waiter FIFO) and for a connection's
// socket watch shared by the requests riding on it. Filters are memory filters; where the socket
// registry needs a real descriptor, it is one end of a socketpair().
#include "conn/connection_pool.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "conn/connection.h"
#include "event/socket_registry.h"
#include "memory_filter.h"
#include "util/trace.h"

namespace {

using evm::Connection;
using evm::ConnectionLease;
using evm::ConnectionPool;
using evm::test::MemoryFilter;

struct SocketCall {
  CURL *easy;
  curl_socket_t fd;
  int what;
};

struct RecordingReporter final : evm::SocketReporter {
  std::vector<SocketCall> calls;
  void report_socket(CURL *easy, curl_socket_t fd, int what, void *) override {
    calls.push_back({easy, fd, what});
  }
  int removes() const {
    int n = 0;
    for (const SocketCall &c : calls) n += c.what == CURL_POLL_REMOVE;
    return n;
  }
};

// Easy handles are only named, never used: distinct addresses will do.
char easy_tags[8];
CURL *easy(int i) {
  return &easy_tags[i];
}

struct User final : evm::ConnectionUser {
  CURL *handle;
  curl_socket_t fd = -1;
  int want = 0;  // CURL_POLL_* bits wanted on fd
  std::vector<int> events;

  explicit User(CURL *e, curl_socket_t f = -1, int w = 0) : handle(e), fd(f), want(w) {}
  void on_connection_event(int cselect) override { events.push_back(cselect); }
  void add_pollset(evm::Pollset &ps) override {
    if (want) ps.add(fd, want);
  }
  CURL *user_easy() override { return handle; }
};

struct Waiter final : evm::SlotWaiter {
  int woken = 0;
  void on_slot_free() override { ++woken; }
};

// The observers outlive the pool, whose destructor closes the connections still idle.
struct PoolHarness {
  RecordingReporter reporter;
  evm::SocketRegistry registry{reporter};
  MemoryFilter::Observer obs[2];
  ConnectionPool pool{registry};
};

const std::string kA = "http://a.example:80";
const std::string kB = "http://b.example:80";
const std::string kC = "http://c.example:80";

// Gives the leased connection a memory filter, reporting to `obs`, and marks it connected.
MemoryFilter &install(ConnectionLease &l, MemoryFilter::Observer *obs, bool connected = true,
                      curl_socket_t fd = 1000) {
  auto f = std::make_unique<MemoryFilter>(fd);
  f->observer = obs;
  MemoryFilter &ref = *f;
  l->set_filter(std::move(f));
  l->connected = connected;
  return ref;
}

// Two connected descriptors, closed when the test ends.
struct SocketPair {
  int fd[2] = {-1, -1};
  SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
  ~SocketPair() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
};

}  // namespace

TEST_CASE("a lease on a new connection") {
  PoolHarness h;
  User u1(easy(1)), u2(easy(2));
  ConnectionLease lease = h.pool.open(kA, u1);
  REQUIRE(lease);
  CHECK(lease->origin() == kA);
  CHECK(lease->users() == 1);
  CHECK_FALSE(lease->connected);
  CHECK(h.pool.open_connections() == 1);
  CHECK(h.pool.idle_connections() == 0);

  ConnectionLease other = h.pool.open(kA, u2);
  CHECK(&*other != &*lease);
  CHECK(other->id() != lease->id());
  CHECK(h.pool.open_connections() == 2);
}

TEST_CASE("a reusable connection is kept idle only once it is connected") {
  PoolHarness h;
  MemoryFilter::Observer &obs = h.obs[0];
  User u1(easy(1)), u2(easy(2));
  ConnectionLease lease = h.pool.open(kA, u1);

  SUBCASE("not connected: closed") {
    install(lease, &obs, false);
    lease.release(true, evm::now());
    CHECK_FALSE(lease);
    CHECK(h.pool.idle_connections() == 0);
    CHECK(h.pool.open_connections() == 0);
    CHECK(obs.closes == 1);
    CHECK(obs.destroyed == 1);
    CHECK_FALSE(h.pool.take_idle(kA, u2));
  }
  SUBCASE("connected: idle, and the next take_idle gets the same connection") {
    install(lease, &obs);
    Connection *c = &*lease;
    uint64_t id = lease->id();
    evm::TimePoint t = evm::now();
    lease.release(true, t);
    CHECK_FALSE(lease);
    CHECK(h.pool.idle_connections() == 1);
    CHECK(h.pool.open_connections() == 1);
    CHECK(obs.closes == 0);
    CHECK(c->idle_since == t);
    CHECK(c->users() == 0);

    CHECK_FALSE(h.pool.take_idle(kB, u2));  // another origin's connection is not handed out
    CHECK(obs.alive_checks == 0);
    ConnectionLease again = h.pool.take_idle(kA, u2);
    REQUIRE(again);
    CHECK(&*again == c);
    CHECK(again->id() == id);
    CHECK(again->users() == 1);
    CHECK(obs.alive_checks == 1);
    CHECK(h.pool.idle_connections() == 0);
    CHECK(h.pool.open_connections() == 1);
    CHECK_FALSE(h.pool.take_idle(kA, u1));  // it is taken now
  }
}

TEST_CASE("a connection released as not reusable is closed, and stays unfit") {
  PoolHarness h;
  MemoryFilter::Observer &obs = h.obs[0];
  User u1(easy(1)), u2(easy(2));

  SUBCASE("released not reusable") {
    ConnectionLease lease = h.pool.open(kA, u1);
    install(lease, &obs);
    lease.release(false, evm::now());
  }
  SUBCASE("marked unfit earlier, then released reusable") {
    ConnectionLease lease = h.pool.open(kA, u1);
    install(lease, &obs);
    lease->reusable = false;
    lease.release(true, evm::now());
  }
  SUBCASE("the destructor of a held lease") {
    ConnectionLease lease = h.pool.open(kA, u1);
    install(lease, &obs);
    CHECK(obs.closes == 0);
  }
  SUBCASE("a lease assigned over") {
    ConnectionLease lease = h.pool.open(kA, u1);
    install(lease, &obs);
    ConnectionLease other = h.pool.open(kB, u2);
    Connection *b = &*other;
    lease = std::move(other);
    CHECK(obs.closes == 1);
    CHECK_FALSE(other);
    CHECK(&*lease == b);
    CHECK(h.pool.open_connections() == 1);
    lease.release(false, evm::now());
  }
  CHECK(obs.closes == 1);
  CHECK(obs.destroyed == 1);
  CHECK(h.pool.open_connections() == 0);
  CHECK(h.pool.idle_connections() == 0);
}

TEST_CASE("take_idle closes dead connections and prefers the most recently used") {
  PoolHarness h;
  MemoryFilter::Observer &old_obs = h.obs[0], &new_obs = h.obs[1];
  User u1(easy(1)), u2(easy(2)), u3(easy(3));
  ConnectionLease older = h.pool.open(kA, u1);
  ConnectionLease newer = h.pool.open(kA, u2);
  install(older, &old_obs);
  MemoryFilter &newer_filter = install(newer, &new_obs);
  Connection *older_conn = &*older;
  Connection *newer_conn = &*newer;
  older.release(true, evm::now());
  newer.release(true, evm::now());
  REQUIRE(h.pool.idle_connections() == 2);

  SUBCASE("both alive") {
    ConnectionLease l = h.pool.take_idle(kA, u3);
    CHECK(&*l == newer_conn);
    CHECK(old_obs.alive_checks == 0);
    CHECK(h.pool.idle_connections() == 1);
  }
  SUBCASE("the newer one died") {
    newer_filter.alive = false;
    ConnectionLease l = h.pool.take_idle(kA, u3);
    CHECK(&*l == older_conn);
    CHECK(new_obs.closes == 1);
    CHECK(new_obs.destroyed == 1);
    CHECK(old_obs.closes == 0);
    CHECK(h.pool.idle_connections() == 0);
    CHECK(h.pool.open_connections() == 1);
  }
  SUBCASE("both died") {
    newer_filter.alive = false;
    static_cast<MemoryFilter &>(older_conn->filter()).alive = false;
    CHECK_FALSE(h.pool.take_idle(kA, u3));
    CHECK(new_obs.closes == 1);
    CHECK(old_obs.closes == 1);
    CHECK(h.pool.open_connections() == 0);
    CHECK(h.pool.may_open(kA));
  }
}

TEST_CASE("the idle bound closes the oldest idle connection") {
  PoolHarness h;
  h.pool.limits.max_idle = 1;
  MemoryFilter::Observer &a_obs = h.obs[0], &b_obs = h.obs[1];
  User u1(easy(1)), u2(easy(2));
  ConnectionLease a = h.pool.open(kA, u1);
  ConnectionLease b = h.pool.open(kB, u2);
  install(a, &a_obs);
  install(b, &b_obs);
  a.release(true, evm::now());
  CHECK(h.pool.idle_connections() == 1);
  b.release(true, evm::now());
  CHECK(h.pool.idle_connections() == 1);
  CHECK(h.pool.open_connections() == 1);
  CHECK(a_obs.closes == 1);
  CHECK(b_obs.closes == 0);
  CHECK(h.pool.take_idle(kB, u1));
}

TEST_CASE("max_host: no more connections to one origin than allowed") {
  PoolHarness h;
  h.pool.limits.max_host = 2;
  MemoryFilter::Observer &obs = h.obs[0];
  User u1(easy(1)), u2(easy(2));
  CHECK(h.pool.may_open(kA));
  ConnectionLease a1 = h.pool.open(kA, u1);
  CHECK(h.pool.may_open(kA));
  ConnectionLease a2 = h.pool.open(kA, u2);
  CHECK_FALSE(h.pool.may_open(kA));
  CHECK(h.pool.may_open(kB));
  // An idle connection still counts against its origin.
  install(a1, &obs);
  a1.release(true, evm::now());
  CHECK(h.pool.idle_connections() == 1);
  CHECK_FALSE(h.pool.may_open(kA));
  CHECK(obs.closes == 0);
  a2.release(false, evm::now());
  CHECK(h.pool.may_open(kA));
}

TEST_CASE("max_total closes the oldest idle connection to make room") {
  PoolHarness h;
  h.pool.limits.max_total = 2;
  MemoryFilter::Observer &a_obs = h.obs[0], &b_obs = h.obs[1];
  User u1(easy(1)), u2(easy(2)), u3(easy(3)), u4(easy(4));
  ConnectionLease a = h.pool.open(kA, u1);
  ConnectionLease b = h.pool.open(kB, u2);
  install(a, &a_obs);
  install(b, &b_obs);

  SUBCASE("both busy: no room, nothing closed") {
    CHECK_FALSE(h.pool.may_open(kC));
    CHECK(h.pool.open_connections() == 2);
    CHECK(a_obs.closes + b_obs.closes == 0);
  }
  SUBCASE("both idle: the oldest goes") {
    a.release(true, evm::now());
    b.release(true, evm::now());
    CHECK(h.pool.may_open(kC));
    CHECK(a_obs.closes == 1);
    CHECK(b_obs.closes == 0);
    CHECK(h.pool.open_connections() == 1);
    CHECK(h.pool.idle_connections() == 1);
    ConnectionLease c = h.pool.open(kC, u3);
    CHECK(h.pool.open_connections() == 2);
    CHECK_FALSE(h.pool.take_idle(kA, u4));
    CHECK(h.pool.take_idle(kB, u4));  // the newer idle one survived
  }
  SUBCASE("the idle one goes, the busy one stays") {
    b.release(true, evm::now());
    CHECK(h.pool.may_open(kC));
    CHECK(b_obs.closes == 1);
    CHECK(a_obs.closes == 0);
    CHECK(a);
    CHECK(h.pool.open_connections() == 1);
  }
}

TEST_CASE("a freed slot wakes exactly one waiter, one of its own origin first") {
  PoolHarness h;
  h.pool.limits.max_host = 1;
  User u1(easy(1)), u2(easy(2));
  Waiter wb, wa1, wa2;  // declared before the leases, which may wake them when they go
  ConnectionLease a = h.pool.open(kA, u1);
  ConnectionLease b = h.pool.open(kB, u2);
  h.pool.wait(wb, kB, false);  // waits longest, but for another origin
  h.pool.wait(wa1, kA, false);
  h.pool.wait(wa2, kA, false);
  CHECK(h.pool.waiting() == 3);
  CHECK(wa1.waiting());
  CHECK(wa1.waiting_origin() == kA);

  a.release(false, evm::now());
  CHECK(wa1.woken == 1);
  CHECK(wa2.woken == 0);
  CHECK(wb.woken == 0);
  CHECK_FALSE(wa1.waiting());
  CHECK(wa2.waiting());
  CHECK(h.pool.waiting() == 2);

  // The woken one takes the slot; when it gives it back, the next of the origin goes.
  CHECK(h.pool.may_open(kA));
  ConnectionLease a2 = h.pool.open(kA, u1);
  a2.release(false, evm::now());
  CHECK(wa1.woken == 1);
  CHECK(wa2.woken == 1);
  CHECK(wb.woken == 0);

  b.release(false, evm::now());
  CHECK(wb.woken == 1);
  CHECK(h.pool.waiting() == 0);
  CHECK(wa1.woken + wa2.woken + wb.woken == 3);
}

TEST_CASE("a waiter of the freed origin goes before an older waiter for another origin") {
  PoolHarness h;
  h.pool.limits.max_total = 1;  // every origin has room once a connection closes
  User u1(easy(1));
  Waiter wb, wa;
  ConnectionLease a = h.pool.open(kA, u1);
  h.pool.wait(wb, kB, false);
  h.pool.wait(wa, kA, false);
  a.release(false, evm::now());
  CHECK(wa.woken == 1);
  CHECK(wb.woken == 0);
  CHECK(wb.waiting());
  CHECK(h.pool.waiting() == 1);
}

TEST_CASE("a connection kept idle also frees a waiter of its origin") {
  PoolHarness h;
  User u1(easy(1));
  Waiter w1, w2;
  ConnectionLease a = h.pool.open(kA, u1);
  install(a, &h.obs[0]);
  h.pool.wait(w1, kA, false);
  h.pool.wait(w2, kA, false);
  a.release(true, evm::now());
  CHECK(h.pool.idle_connections() == 1);
  CHECK(w1.woken == 1);
  CHECK(w2.woken == 0);
}

TEST_CASE("a freed slot of an origin nobody waits for goes to the oldest waiter with room") {
  PoolHarness h;
  h.pool.limits.max_host = 1;
  User u1(easy(1)), u2(easy(2));
  Waiter wa, wb1, wb2;
  ConnectionLease a = h.pool.open(kA, u1);  // A is full
  ConnectionLease c = h.pool.open(kC, u2);
  h.pool.wait(wa, kA, false);  // oldest, but its origin has no room
  h.pool.wait(wb1, kB, false);
  h.pool.wait(wb2, kB, false);
  c.release(false, evm::now());
  CHECK(wa.woken == 0);
  CHECK(wb1.woken == 1);
  CHECK(wb2.woken == 0);
  CHECK(h.pool.waiting() == 2);
}

TEST_CASE("waiters: at_front goes first, a cancelled waiter is not woken") {
  PoolHarness h;
  User u1(easy(1));
  Waiter w1, w2, w3;
  ConnectionLease a = h.pool.open(kA, u1);
  h.pool.wait(w1, kA, false);
  h.pool.wait(w2, kA, false);
  h.pool.wait(w3, kA, true);  // had waited before, goes back to the front
  h.pool.cancel_wait(w1);
  CHECK_FALSE(w1.waiting());
  CHECK(h.pool.waiting() == 2);
  a.release(false, evm::now());
  CHECK(w3.woken == 1);
  CHECK(w1.woken == 0);
  CHECK(w2.woken == 0);
  // Waiting again moves a waiter rather than adding it twice.
  h.pool.wait(w2, kB, false);
  h.pool.wait(w2, kA, false);
  CHECK(h.pool.waiting() == 1);
  CHECK(w2.waiting_origin() == kA);
  ConnectionLease a2 = h.pool.open(kA, u1);
  a2.release(false, evm::now());
  CHECK(w2.woken == 1);
  CHECK(h.pool.waiting() == 0);
}

TEST_CASE("capacity: one request unless the filter says more") {
  RecordingReporter reporter;
  evm::SocketRegistry registry(reporter);
  Connection c(kA, 1, registry);
  CHECK(c.capacity() == 1);  // no filter yet
  auto f = std::make_unique<MemoryFilter>();
  MemoryFilter &filter = *f;
  c.set_filter(std::move(f));
  CHECK(c.capacity() == 1);  // the filter does not know
  filter.max_streams = 2;
  CHECK(c.capacity() == 2);
}

TEST_CASE("a connection watches the union of what its users want") {
  SocketPair sp;
  const curl_socket_t fd = sp.fd[0];
  RecordingReporter reporter;
  evm::SocketRegistry registry(reporter);
  {
    Connection conn(kA, 1, registry);
    auto f = std::make_unique<MemoryFilter>(fd);
    f->max_streams = 2;
    conn.set_filter(std::move(f));
    REQUIRE(conn.capacity() == 2);
    User u1(easy(1), fd, CURL_POLL_IN);
    User u2(easy(2), fd, CURL_POLL_OUT);
    conn.attach(u1);
    conn.attach(u2);
    CHECK(conn.users() == 2);

    conn.update_pollset();
    REQUIRE(reporter.calls.size() == 1);
    CHECK(reporter.calls[0].fd == fd);
    CHECK(reporter.calls[0].what == CURL_POLL_INOUT);
    CHECK(reporter.calls[0].easy == easy(1));
    REQUIRE(registry.find(fd) != nullptr);
    CHECK(registry.find(fd)->owner == &conn);
    conn.update_pollset();  // nothing changed: nothing told
    CHECK(reporter.calls.size() == 1);

    // An event goes to every user riding on the connection.
    conn.on_socket_ready(fd, CURL_CSELECT_IN);
    CHECK(u1.events == std::vector<int>{CURL_CSELECT_IN});
    CHECK(u2.events == std::vector<int>{CURL_CSELECT_IN});

    SUBCASE("the first user leaves, then the second") {
      conn.detach(u1);
      CHECK(reporter.removes() == 0);
      REQUIRE(reporter.calls.size() == 2);
      CHECK(reporter.calls[1].what == CURL_POLL_OUT);
      CHECK(reporter.calls[1].easy == easy(2));
      REQUIRE(registry.find(fd) != nullptr);
      CHECK(registry.find(fd)->interest == CURL_POLL_OUT);
      conn.on_socket_ready(fd, CURL_CSELECT_OUT);
      CHECK(u1.events.size() == 1);  // a user that left hears nothing more
      CHECK(u2.events.size() == 2);

      conn.detach(u2);
      REQUIRE(reporter.calls.size() == 3);
      CHECK(reporter.calls[2].what == CURL_POLL_REMOVE);
      CHECK(reporter.calls[2].easy == easy(2));
    }
    SUBCASE("the second user leaves, then the first") {
      conn.detach(u2);
      CHECK(reporter.removes() == 0);
      REQUIRE(reporter.calls.size() == 2);
      CHECK(reporter.calls[1].what == CURL_POLL_IN);
      CHECK(reporter.calls[1].easy == easy(1));

      conn.detach(u1);
      REQUIRE(reporter.calls.size() == 3);
      CHECK(reporter.calls[2].what == CURL_POLL_REMOVE);
      CHECK(reporter.calls[2].easy == easy(1));
    }
    SUBCASE("a user that wants nothing leaves the other's interest alone") {
      u2.want = 0;
      conn.update_pollset();
      REQUIRE(reporter.calls.size() == 2);
      CHECK(reporter.calls[1].what == CURL_POLL_IN);
      conn.detach(u2);
      CHECK(reporter.calls.size() == 2);
      conn.detach(u1);
      REQUIRE(reporter.calls.size() == 3);
      CHECK(reporter.calls[2].what == CURL_POLL_REMOVE);
      CHECK(reporter.calls[2].easy == easy(1));
    }
    CHECK(reporter.removes() == 1);
    CHECK(conn.users() == 0);
    CHECK(registry.find(fd) == nullptr);
    CHECK(registry.watched() == 0);
    conn.update_pollset(easy(3));  // nobody left: nothing more to say
    CHECK(reporter.calls.size() == 3);
  }
}

TEST_CASE("a connection watching two sockets unwatches the one no user wants any more") {
  SocketPair sp;
  RecordingReporter reporter;
  evm::SocketRegistry registry(reporter);
  Connection conn(kA, 1, registry);
  auto f = std::make_unique<MemoryFilter>(sp.fd[0]);
  f->max_streams = 2;
  conn.set_filter(std::move(f));
  User u1(easy(1), sp.fd[0], CURL_POLL_IN);
  User u2(easy(2), sp.fd[1], CURL_POLL_IN);
  conn.attach(u1);
  conn.attach(u2);
  conn.update_pollset();
  CHECK(reporter.calls.size() == 2);
  conn.detach(u2);
  REQUIRE(reporter.calls.size() == 3);
  CHECK(reporter.calls[2].fd == sp.fd[1]);
  CHECK(reporter.calls[2].what == CURL_POLL_REMOVE);
  // connection.h: calls name the first user while there is one.
  CHECK(reporter.calls[2].easy == easy(1));
  CHECK(registry.find(sp.fd[0]) != nullptr);
  CHECK(registry.find(sp.fd[1]) == nullptr);
  conn.detach(u1);
  CHECK(reporter.removes() == 2);
}

TEST_CASE("closing a connection unwatches its sockets once and closes the chain") {
  SocketPair sp;
  const curl_socket_t fd = sp.fd[0];
  RecordingReporter reporter;
  evm::SocketRegistry registry(reporter);
  evm::Trace trace;
  std::string error;
  int os_errno = 0;
  evm::FilterContext ctx{registry, easy(5), trace, error, os_errno};
  Connection conn(kA, 1, registry);
  auto f = std::make_unique<MemoryFilter>(fd);
  MemoryFilter &filter = *f;
  conn.set_filter(std::move(f));
  User u(easy(1), fd, CURL_POLL_IN);
  conn.attach(u);
  conn.update_pollset();
  conn.close(ctx);
  CHECK(filter.closed);
  REQUIRE(reporter.calls.size() == 2);
  CHECK(reporter.calls[1].what == CURL_POLL_REMOVE);
  CHECK(reporter.calls[1].easy == easy(5));
  conn.detach(u);
  CHECK(reporter.calls.size() == 2);
}

TEST_CASE("a lease given back unwatches the socket in the name of the user that left") {
  SocketPair sp;
  const curl_socket_t fd = sp.fd[0];
  PoolHarness h;
  User u1(easy(1), fd, CURL_POLL_IN);
  MemoryFilter::Observer obs;
  ConnectionLease lease = h.pool.open(kA, u1);
  install(lease, &obs, true, fd);
  lease->update_pollset();
  REQUIRE(h.reporter.calls.size() == 1);
  CHECK(h.reporter.calls[0].easy == easy(1));
  lease.release(true, evm::now());
  REQUIRE(h.reporter.calls.size() == 2);
  CHECK(h.reporter.calls[1].what == CURL_POLL_REMOVE);
  CHECK(h.reporter.calls[1].easy == easy(1));
  CHECK(h.registry.find(fd) == nullptr);  // an idle connection is not watched

  User u2(easy(2), fd, CURL_POLL_OUT);
  ConnectionLease again = h.pool.take_idle(kA, u2);
  REQUIRE(again);
  again->update_pollset();
  REQUIRE(h.reporter.calls.size() == 3);
  CHECK(h.reporter.calls[2].what == CURL_POLL_OUT);
  CHECK(h.reporter.calls[2].easy == easy(2));
  again.release(false, evm::now());
  CHECK(h.reporter.removes() == 2);
  CHECK(obs.closes == 1);
}
