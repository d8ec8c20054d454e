// One layer of a connection (curl 8's connection-filter idea): TCP at the bottom, then TLS,
// proxies, HTTP/2. The engine talks only to the top filter, so layers plug in without special
// cases in the transfer code.
#pragma once

#include <curl/curl.h>
#include <sys/types.h>

#include <memory>
#include <string>

#include "util/clock.h"

namespace evm {

class SocketRegistry;
class Trace;

// Sockets a connection wants watched right now, with CURL_POLL_IN/OUT bits.
struct Pollset {
  static constexpr int kMax = 4;
  struct Entry {
    curl_socket_t fd;
    int events;
  };
  Entry entries[kMax];
  int count = 0;

  void add(curl_socket_t fd, int events) {
    for (int i = 0; i < count; ++i)
      if (entries[i].fd == fd) {
        entries[i].events |= events;
        return;
      }
    if (count < kMax) entries[count++] = {fd, events};
  }
  int events_of(curl_socket_t fd) const {
    for (int i = 0; i < count; ++i)
      if (entries[i].fd == fd) return entries[i].events;
    return 0;
  }
};

// What a filter may use of its surroundings during one call.
struct FilterContext {
  SocketRegistry &sockets;  // sockets must be forgotten here before they are closed
  CURL *easy;               // the transfer on whose behalf the call runs
  Trace &trace;             // VERBOSE output
  std::string &error;       // readable text for ERRORBUFFER on failure
  int &os_errno;            // CURLINFO_OS_ERRNO
};

class Filter {
 public:
  virtual ~Filter() = default;

  // Advances connection set-up without blocking; `done` once this filter and those below it
  // can carry data.
  virtual CURLcode connect(FilterContext &ctx, TimePoint t, bool &done) = 0;
  // Both return bytes moved, or -1 with `err` set (CURLE_AGAIN when the call would block).
  // recv returns 0 at end of stream.
  virtual ssize_t send(FilterContext &ctx, const char *buf, size_t len, CURLcode &err) = 0;
  virtual ssize_t recv(FilterContext &ctx, char *buf, size_t len, CURLcode &err) = 0;
  // Adds the sockets to watch: during connect the filter decides; afterwards the caller says
  // whether it wants to send and/or receive.
  virtual void adjust_pollset(Pollset &ps, bool want_send, bool want_recv) const = 0;
  // A time at which connect() must be called again even without socket events (happy eyeballs).
  virtual TimePoint connect_deadline() const { return TimePoint::max(); }
  // Cheap check of an idle connection before reuse.
  virtual bool is_alive() const = 0;
  virtual void close(FilterContext &ctx) = 0;
  virtual curl_socket_t socket() const = 0;
  // The filter this one is stacked on, null for the bottom one.
  virtual Filter *below() const { return nullptr; }
};

}  // namespace evm
