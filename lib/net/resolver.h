// Non-blocking name resolution through c-ares, shared by all transfers of a multi handle: its
// sockets go through the SocketRegistry like any other, its timeouts into the TimerQueue, and
// answers are cached (60 seconds by default, CURLOPT_DNS_CACHE_TIMEOUT per lookup). Concurrent
// lookups of one name share a query.
#pragma once

#include <ares.h>

#include <string>
#include <unordered_map>

#include "event/socket_registry.h"
#include "event/timer_queue.h"
#include "net/address.h"
#include "net/dns_cache.h"
#include "util/intrusive_list.h"

namespace evm {

class ResolveWaiter {
 public:
  // Called from inside the resolver; implementations only record the answer and schedule
  // themselves (no re-entrant work).
  virtual void on_resolved(bool ok, const AddressList &addrs) = 0;
  virtual CURL *resolve_easy() = 0;  // the handle named in SOCKETFUNCTION calls for DNS sockets
  // A share's DNS cache the waiter uses instead of the resolver's own (null: the own one).
  virtual DnsStore *dns_store() { return nullptr; }
  bool resolving() const { return link_.linked(); }

 protected:
  ~ResolveWaiter() = default;

 private:
  friend class Resolver;
  ListLink link_;
};

class Resolver final : public IoHandler, public TimerClient {
 public:
  // `servers` is CURLOPT_DNS_SERVERS' list ("host[:port],..."); empty uses the system's.
  Resolver(SocketRegistry &sockets, TimerQueue &timers, std::string servers = {})
      : sockets_(sockets), timers_(timers), servers_(std::move(servers)) {}

  // Whether `servers` is a list c-ares accepts.
  static bool valid_servers(const std::string &servers);
  ~Resolver();
  Resolver(const Resolver &) = delete;
  Resolver &operator=(const Resolver &) = delete;

  // `family` is AF_UNSPEC, AF_INET or AF_INET6. Returns true with `out` filled when the answer
  // is known now (numeric address or cache); otherwise `w` is told later and false is returned.
  // On a failure to even start, returns true with `out` empty. A cached answer is used while it
  // is younger than `cache_timeout_s` seconds (-1: forever, 0: never).
  bool resolve(const std::string &host, int family, ResolveWaiter &w, AddressList &out, TimePoint t,
               long cache_timeout_s = kDefaultCacheTimeout);
  static constexpr long kDefaultCacheTimeout = 60;
  void cancel(ResolveWaiter &w);
  // `easy` is going away: never name it in a SOCKETFUNCTION call again.
  void release_easy(CURL *easy);

  void on_socket_ready(curl_socket_t fd, int cselect) override;
  void on_timeout(TimePoint t) override;

 private:
  struct Query;

  bool ensure_channel();
  void rearm_timer();
  static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable);
  static void on_answer(void *arg, int status, int timeouts, ares_addrinfo *res);
  CURL *some_easy() const;

  SocketRegistry &sockets_;
  TimerQueue &timers_;
  std::string servers_;
  ares_channel channel_ = nullptr;
  DnsCache cache_;
  std::unordered_map<std::string, Query *> queries_;
  CURL *last_easy_ = nullptr;
};

}  // namespace evm
