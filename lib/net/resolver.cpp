#include "net/resolver.h"

#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <vector>

namespace evm {

namespace {

std::string cache_key(const std::string &host, int family) {
  std::string key;
  key.reserve(host.size() + 2);
  for (char c : host) key += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  key += '/';
  key += static_cast<char>('0' + (family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0));
  return key;
}
bool is_localhost(const std::string &host) {
  std::string h;
  for (char c : host) h += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h == "localhost" || (h.size() > 10 && h.compare(h.size() - 10, 10, ".localhost") == 0);
}
}  // namespace

struct Resolver::Query {
  Resolver *owner;
  std::string key;
  IntrusiveList<ResolveWaiter, &ResolveWaiter::link_> waiters;
};

Resolver::~Resolver() {
  timers_.cancel(*this);
  if (channel_) {
    // Destroying the channel answers every query with ARES_EDESTRUCTION (which frees it) and
    // then closes the sockets: forget the queries first so nothing looks at them meanwhile.
    for (auto &[key, q] : queries_)
      while (q->waiters.pop_front()) {
      }
    queries_.clear();
    last_easy_ = nullptr;
    ares_destroy(channel_);
  }
}

bool Resolver::ensure_channel() {
  if (channel_) return true;
  static const bool library_ready = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS;
  if (!library_ready) return false;
  ares_options opts{};
  opts.sock_state_cb = &Resolver::on_sock_state;
  opts.sock_state_cb_data = this;
  if (ares_init_options(&channel_, &opts, ARES_OPT_SOCK_STATE_CB) != ARES_SUCCESS) return false;
  if (!servers_.empty() && ares_set_servers_ports_csv(channel_, servers_.c_str()) != ARES_SUCCESS) {
    ares_destroy(channel_);
    channel_ = nullptr;
    return false;
  }
  return true;
}

bool Resolver::valid_servers(const std::string &servers) {
  static const bool library_ready = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS;
  ares_channel probe;
  if (!library_ready || ares_init(&probe) != ARES_SUCCESS) return false;
  bool ok = ares_set_servers_ports_csv(probe, servers.c_str()) == ARES_SUCCESS;
  ares_destroy(probe);
  return ok;
}

bool Resolver::resolve(const std::string &host, int family, ResolveWaiter &w, AddressList &out,
                       TimePoint t, long cache_timeout_s) {
  out.clear();
  Address numeric;
  if (Address::from_numeric(host, 0, numeric)) {
    if (family == AF_UNSPEC || family == numeric.family()) out.push_back(numeric);
    return true;
  }
  if (is_localhost(host)) {
    // RFC 6761 and libcurl since 7.85: localhost is the loopback of both families, whatever the
    // hosts file says.
    Address a;
    if (family != AF_INET && Address::from_numeric("::1", 0, a)) out.push_back(a);
    if (family != AF_INET6 && Address::from_numeric("127.0.0.1", 0, a)) out.push_back(a);
    return true;
  }
  std::string key = cache_key(host, family);
  DnsStore *store = w.dns_store();
  if (store ? store->lookup(w.resolve_easy(), key, t, cache_timeout_s, out)
            : cache_.lookup(key, t, cache_timeout_s, out))
    return true;
  last_easy_ = w.resolve_easy();
  if (auto it = queries_.find(key); it != queries_.end()) {
    it->second->waiters.push_back(w);
    return false;
  }
  if (!ensure_channel()) return true;
  auto *q = new Query{this, key, {}};
  q->waiters.push_back(w);
  queries_.emplace(key, q);
  ares_addrinfo_hints hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  // The answer may arrive synchronously (hosts file); the waiter copes since it only records it.
  ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, &Resolver::on_answer, q);
  rearm_timer();
  return false;
}

void Resolver::cancel(ResolveWaiter &w) {
  if (!w.resolving()) return;
  for (auto &[key, q] : queries_) q->waiters.remove(w);
}

void Resolver::on_answer(void *arg, int status, int, ares_addrinfo *res) {
  std::unique_ptr<Query> q(static_cast<Query *>(arg));
  Resolver *self = q->owner;
  AddressList v6, v4;
  if (status == ARES_SUCCESS && res) {
    for (ares_addrinfo_node *n = res->nodes; n; n = n->ai_next) {
      Address a = Address::from_sockaddr(n->ai_addr, static_cast<socklen_t>(n->ai_addrlen));
      (a.family() == AF_INET6 ? v6 : v4).push_back(a);
    }
  }
  if (res) ares_freeaddrinfo(res);
  if (status == ARES_EDESTRUCTION) return;
  // IPv6 first, so happy eyeballs starts with it and falls back to IPv4.
  AddressList addrs = std::move(v6);
  addrs.insert(addrs.end(), v4.begin(), v4.end());
  self->queries_.erase(q->key);
  bool ok = !addrs.empty();
  TimePoint t = now();
  bool stored_own = false;
  while (ResolveWaiter *w = q->waiters.pop_front()) {
    // Each waiter's cache gets the answer: its share's, or (once) the resolver's own.
    if (ok) {
      if (DnsStore *store = w->dns_store())
        store->store(w->resolve_easy(), q->key, addrs, t);
      else if (!stored_own) {
        self->cache_.store(q->key, addrs, t);
        stored_own = true;
      }
    }
    w->on_resolved(ok, addrs);
  }
}

CURL *Resolver::some_easy() const {
  for (auto &[key, q] : queries_)
    if (ResolveWaiter *w = q->waiters.front()) return w->resolve_easy();
  // c-ares closes a socket after its last query was answered: name the transfer that asked last,
  // while it exists, rather than none.
  return last_easy_;
}

void Resolver::release_easy(CURL *easy) {
  if (last_easy_ == easy) last_easy_ = nullptr;
}

void Resolver::on_sock_state(void *data, ares_socket_t fd, int readable, int writable) {
  auto *self = static_cast<Resolver *>(data);
  int interest = (readable ? CURL_POLL_IN : 0) | (writable ? CURL_POLL_OUT : 0);
  self->sockets_.watch(fd, interest, *self, self->some_easy());
}

void Resolver::on_socket_ready(curl_socket_t fd, int cselect) {
  if (!channel_) return;
  if (cselect == 0) cselect = CURL_CSELECT_IN | CURL_CSELECT_OUT;
  ares_process_fd(channel_, (cselect & (CURL_CSELECT_IN | CURL_CSELECT_ERR)) ? fd : ARES_SOCKET_BAD,
                  (cselect & CURL_CSELECT_OUT) ? fd : ARES_SOCKET_BAD);
  rearm_timer();
}

void Resolver::on_timeout(TimePoint) {
  if (!channel_) return;
  ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  rearm_timer();
}

void Resolver::rearm_timer() {
  timeval tv;
  if (!queries_.empty() && ares_timeout(channel_, nullptr, &tv))
    timers_.arm(*this,
                now() + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
  else
    timers_.cancel(*this);
}

}  // namespace evm
