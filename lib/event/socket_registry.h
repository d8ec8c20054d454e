// fd → {interest told to the application, socketp, owner}: the one place that decides when
// SOCKETFUNCTION must be called.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <vector>

namespace evm {

// Whoever reads and writes a socket: a transfer, or the resolver.
class IoHandler {
 public:
  // `cselect` holds CURL_CSELECT_IN/OUT/ERR bits; 0 means "find out yourself".
  virtual void on_socket_ready(curl_socket_t fd, int cselect) = 0;

 protected:
  ~IoHandler() = default;
};

class SocketReporter {
 public:
  virtual void report_socket(CURL *easy, curl_socket_t fd, int what, void *socketp) = 0;

 protected:
  ~SocketReporter() = default;
};

struct SocketEntry {
  int interest = 0;  // CURL_POLL_IN/OUT bits last reported; 0 = not watched
  void *socketp = nullptr;
  IoHandler *owner = nullptr;
};

// Indexed by fd: descriptors are small dense integers, so a vector gives O(1) lookups with no
// hashing on the per-event path.
class SocketRegistry {
 public:
  explicit SocketRegistry(SocketReporter &reporter) : reporter_(reporter) {}

  // Sets the wanted events of `fd` (CURL_POLL_IN/OUT bits); 0 stops watching it. Reports to the
  // application only when the wanted events actually change.
  void watch(curl_socket_t fd, int interest, IoHandler &owner, CURL *easy);
  // Must be called before a watched socket is closed: reports CURL_POLL_REMOVE exactly once.
  void forget(curl_socket_t fd, CURL *easy);
  // Stops watching `fd` only if `owner` still owns it (the number may already belong to a newer
  // socket of someone else).
  void unwatch(curl_socket_t fd, IoHandler &owner, CURL *easy);

  const SocketEntry *find(curl_socket_t fd) const;
  bool assign(curl_socket_t fd, void *socketp);
  size_t watched() const { return watched_; }
  template <class F>
  void for_each(F &&f) const {
    for (size_t fd = 0; fd < entries_.size(); ++fd)
      if (entries_[fd].interest) f(static_cast<curl_socket_t>(fd), entries_[fd]);
  }

 private:
  std::vector<SocketEntry> entries_;
  size_t watched_ = 0;
  SocketReporter &reporter_;
};

}  // namespace evm
